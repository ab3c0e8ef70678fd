// Times on the command line (--now, --time, --from, --until): the clock, and
// the one grammar every command accepts.
#pragma once

#include <cstdint>
#include <string>

#include "base/error.hpp"

namespace kskline::tools {

// The grammar of a time option, for help texts.
inline constexpr const char* kTimeGrammar =
    "YYYYMMDDHHmmSS (UTC), unix seconds, now, or +N/-N with a unit s, m, h, d or w (e.g. +90d, -1h, +1w2d)";

// Seconds since 1970 from the system clock.
std::int64_t system_now();

// Parses a time option (kTimeGrammar): empty or "now" is `now`;
// "+DURATION"/"-DURATION" is `now` plus/minus a duration in which every
// number has a unit (s, m, h, d, w; "+90" is refused); 14 digits are
// YYYYMMDDHHmmSS as zone::parse_utc_time reads it; other digits are seconds
// since 1970 (up to 9999-12-31). signer::errc::syntax naming `flag` otherwise,
// with the same text for every command; a result before 1970 is refused too.
Result<std::int64_t> parse_when(const std::string& flag, const std::string& text, std::int64_t now);

// Parses a duration option (zone sign --validity, --jitter, ...): one or more
// "<digits><unit>" with the units s, m, h, d, w ("14d", "1h30m"), in
// seconds; a bare number such as "14" is refused, since seconds and days
// are both read for it. signer::errc::syntax naming `flag` otherwise.
Result<std::int64_t> parse_duration_option(const std::string& flag, const std::string& text);

}  // namespace kskline::tools
