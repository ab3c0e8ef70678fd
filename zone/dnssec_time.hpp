// RRSIG time fields: RFC 4034 §3.2 presentation forms and RFC 1982 serial
// arithmetic on 32-bit timestamps.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace kskline::zone {

// Parses YYYYMMDDHHmmSS (UTC) into seconds since 1970: the one calendar-time
// parser of kskline (RRSIG fields, key files, requests, command lines). The
// rule: exactly 14 digits, year 1970 or later, month 1..12, day within the
// month (leap years counted), hour 0..23, minute and second 0..59 (no leap
// second 60, like Knot and ldns). errc::syntax otherwise.
Result<std::int64_t> parse_utc_time(std::string_view text);

// Parses YYYYMMDDHHmmSS (as parse_utc_time accepts it) or a decimal
// number of seconds (at most 10 digits) into a 32-bit timestamp (seconds since
// 1970 modulo 2^32, so dates after 2106 wrap). errc::bad_rdata.
Result<std::uint32_t> parse_dnssec_time(std::string_view text);

// Formats seconds since 1970 as YYYYMMDDHHmmSS in UTC, the inverse of
// parse_utc_time (the one formatter of that form: key files, requests, DNSSEC).
std::string format_utc_time(std::int64_t seconds);

// Formats a 32-bit timestamp as YYYYMMDDHHmmSS, choosing the date within
// 68 years of `now` (RFC 4034 §3.1.5) so that times after 2106 print right.
std::string format_dnssec_time(std::uint32_t value, std::int64_t now);

// Formats with `now` taken as the 32-bit value itself (the date closest to it
// in 1970..2106 terms); deterministic, for files and tests.
std::string format_dnssec_time(std::uint32_t value);

// RFC 1982 serial comparison: whether a is before b (a < b, mod 2^32). Two
// values exactly 2^31 apart, which RFC 1982 leaves undefined, are each before
// the other, as BIND's isc_serial_lt has it.
constexpr bool serial_lt(std::uint32_t a, std::uint32_t b) {
  return a != b && static_cast<std::int32_t>(a - b) < 0;
}

// Maps a 32-bit timestamp to the 64-bit time within 68 years of `now`.
std::int64_t widen_time(std::uint32_t value, std::int64_t now);

}  // namespace kskline::zone
