// SVCB and HTTPS service parameters (RFC 9460 §2.1, §8, Appendix A): the
// SvcParams field of the RDATA codec, in presentation form and in wire form.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"

namespace kskline::zone::internal {

// One SvcParam: its key and its wire value.
struct SvcParam {
  std::uint16_t key = 0;
  Bytes value;
};

// Reads one SvcParam in presentation form, "key=value" or "key" (a
// registered name or keyNNNNN; the value with its character-string escapes
// and optional quotes). errc::bad_rdata saying what is wrong.
Result<SvcParam> parse_svc_param(std::string_view text);

// Appends SvcParams in wire form, sorted by key (RFC 9460 §2.2), to out.
// errc::bad_rdata for a key given twice or a broken rule spanning parameters
// (mandatory lists a missing key); out may then hold a partial field.
Result<void> append_svc_params(std::vector<SvcParam> params, Bytes& out);

// Checks the SvcParams field of SVCB/HTTPS wire RDATA: keys strictly
// increasing, not 65535, values not truncated and of their key's format, and
// the mandatory rules of §8. errc::bad_rdata naming the key.
Result<void> validate_svc_params(ByteView data);

// Appends the presentation form of a valid SvcParams field (as
// validate_svc_params accepts), keys in wire order.
void append_svc_params_text(ByteView data, std::string& out);

}  // namespace kskline::zone::internal
