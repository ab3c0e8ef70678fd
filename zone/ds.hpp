// DS records (RFC 4034 §5, RFC 4509, RFC 6605): building them from a DNSKEY
// and checking a DS against a DNSKEY.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "zone/name.hpp"

namespace kskline::zone {

// DS digest type numbers (IANA "Digest Algorithms").
namespace ds_digest {
inline constexpr std::uint8_t SHA1 = 1, SHA256 = 2, SHA384 = 4;
}  // namespace ds_digest

// The fields of DS RDATA; digest views the parsed buffer.
struct DsView {
  std::uint16_t key_tag = 0;
  std::uint8_t algorithm = 0;
  std::uint8_t digest_type = 0;
  ByteView digest;
};

// Splits DS (or CDS) RDATA into its fields. errc::bad_rdata when shorter than
// 5 octets (4 fixed octets and at least one digest octet).
Result<DsView> parse_ds(ByteView rdata);

// Parses a digest type for generation: "sha256"/"sha-256"/"2" or
// "sha384"/"sha-384"/"4" (case-insensitive). SHA-1 is refused with
// errc::unsupported_algorithm (RFC 8624 §3.3: MUST NOT be generated); other
// text is errc::syntax.
Result<std::uint8_t> parse_ds_digest_type(std::string_view text);

// Builds DS RDATA for the DNSKEY RDATA `dnskey` owned by `owner`: key tag,
// algorithm, digest type, digest over the lowercased wire owner and the
// RDATA. Only digest types 2 and 4 are generated (errc::unsupported_algorithm
// otherwise); errc::bad_key when the DNSKEY is malformed, not a zone key, or
// not a usable public key of an algorithm kskline supports (a 3-octet P-256
// key, an RSA key with no exponent, an unknown algorithm).
Result<Bytes> make_ds(const Name& owner, ByteView dnskey, std::uint8_t digest_type);

// Checks DS RDATA (e.g. a trust anchor) against DNSKEY RDATA owned by
// `owner`: true when key tag, algorithm and digest all match. Accepts digest
// types 1, 2 and 4; errc::unsupported_algorithm for any other digest type,
// errc::bad_rdata for malformed DS RDATA, errc::bad_key for malformed DNSKEY.
Result<bool> ds_matches(const Name& owner, ByteView dnskey, ByteView ds);

// The presentation form of DS RDATA: "tag alg type HEX" with the digest in
// uppercase hex, as dnssec-dsfromkey prints it. The RDATA must be parseable
// (parse_ds); otherwise the result is empty.
std::string ds_rdata_text(ByteView ds);

}  // namespace kskline::zone
