// Signature validity windows of the zone signer: inception backdating,
// validity, and a per-RRSIG jitter derived from what is signed, so that the
// same input signed at the same time gives the same windows.
#pragma once

#include <cstdint>

#include "base/error.hpp"
#include "zone/name.hpp"

namespace kskline::zone {

// When and for how long RRSIGs are valid.
struct SignatureTiming {
  std::int64_t now = 0;                       // signing time, seconds since 1970
  std::uint32_t backdate = 3600;              // inception = now - backdate (clock skew)
  std::uint32_t validity = 14 * 86400;        // expiration = now + validity - jitter
  std::uint32_t jitter = 14 * 86400 / 4;      // jitter in [0, jitter] seconds per RRSIG
  std::uint32_t refresh = 14 * 86400 / 4;     // --reuse keeps RRSIGs expiring after now + refresh
};

// Checks a timing: validity > jitter (every RRSIG expires after now),
// refresh < validity - jitter (a fresh RRSIG is never due for refresh), and
// inception/expiration representable (now - backdate >= 0, within 2^32 of
// 1970 + 68 years). errc::bad_rdata naming the option at fault.
Result<void> check_timing(const SignatureTiming& timing);

// The validity window of one RRSIG.
struct RrsigWindow {
  std::uint32_t inception = 0;
  std::uint32_t expiration = 0;
};

// The jitter of one RRSIG in [0, jitter]: a 64-bit FNV-1a hash of the
// lowercased wire owner, the type covered and the key tag, reduced modulo
// jitter + 1. The same for every platform and run.
std::uint32_t rrsig_jitter(const Name& owner, std::uint16_t type, std::uint16_t key_tag, std::uint32_t jitter);

// The window of an RRSIG by `key_tag` over (owner, type): inception
// now - backdate, expiration now + validity - rrsig_jitter(...), both as
// 32-bit RFC 4034 timestamps.
RrsigWindow rrsig_window(const SignatureTiming& timing, const Name& owner, std::uint16_t type,
                         std::uint16_t key_tag);

}  // namespace kskline::zone
