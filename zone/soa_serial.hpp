// SOA serial policies of the zone signer (as dnssec-signzone -N offers them).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/bytes.hpp"
#include "base/error.hpp"

namespace kskline::zone {

// How the signer sets the SOA serial.
enum class SerialPolicy : std::uint8_t {
  keep,        // the input's serial
  increment,   // the input's serial + 1 (RFC 1982)
  unixtime,    // seconds since 1970, or the input's + 1 if that is not greater
  dateserial,  // YYYYMMDD00 of the UTC date, or the input's + 1 if not greater
};

// Parses "keep", "increment", "unixtime" or "dateserial" (case-insensitive);
// nullopt otherwise.
std::optional<SerialPolicy> parse_serial_policy(std::string_view text);

// The policy's name as parse_serial_policy takes it.
std::string_view serial_policy_name(SerialPolicy policy);

// The new serial under `policy` for a zone whose serial is `current`, at
// `now` (seconds since 1970). Never 0 after a change (BIND skips 0 as well),
// and always greater than `current` in RFC 1982 terms unless `keep`.
std::uint32_t next_serial(SerialPolicy policy, std::uint32_t current, std::int64_t now);

// The serial of SOA RDATA. errc::bad_rdata when it is too short to be a SOA
// (two names and five 32-bit fields).
Result<std::uint32_t> soa_serial(ByteView soa_rdata);

// Replaces the serial in SOA RDATA; errc::bad_rdata as soa_serial.
Result<void> set_soa_serial(Bytes& soa_rdata, std::uint32_t serial);

}  // namespace kskline::zone
