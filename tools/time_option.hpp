// Times on the command line (--now, --from, --until): the clock, and the
// forms an operator types.
#pragma once

#include <cstdint>
#include <string>

#include "base/error.hpp"

namespace kskline::tools {

// Seconds since 1970 from the system clock.
std::int64_t system_now();

// A time option: empty or "now" (= `now`), "+DURATION" after `now` ("+90d",
// "+1w2d"), YYYYMMDDHHmmSS (UTC) or seconds since 1970.
// signer::errc::syntax naming `flag` otherwise.
Result<std::int64_t> parse_when(const std::string& flag, const std::string& text, std::int64_t now);

}  // namespace kskline::tools
