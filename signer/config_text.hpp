// What the signer's text files share: durations as configuration files and
// options write them ("30d", "1h30m", "90"), and quoted strings (a TOML
// basic string is also a JSON string).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace kskline::signer {

// Parses a duration: seconds, or numbers with units w, d, h, m, s in any
// combination ("14d", "1h30m", "2w"), at most 2^31-1 seconds.
// errc::bad_config with where = `what` otherwise.
Result<std::int64_t> parse_duration(std::string_view text, std::string_view what);

// Formats a duration in days, hours, minutes and seconds ("3d12h", "0");
// parse_duration reads it back.
std::string format_duration(std::int64_t seconds);

// Formats a duration that may be negative as the operator reads it
// ("10d1h", "-35d"): format_duration with a leading '-' below zero.
std::string format_signed_duration(std::int64_t seconds);

// Quotes a string for TOML and JSON: '"' and '\' escaped, control
// characters as \uXXXX.
std::string quoted(std::string_view text);

}  // namespace kskline::signer
