#include "tools/time_option.hpp"

#include <chrono>
#include <string_view>

#include "signer/errc.hpp"
#include "zone/dnssec_time.hpp"
#include "zone/rdata.hpp"

namespace kskline::tools {
namespace {

// The last second YYYYMMDDHHmmSS can write (9999-12-31 23:59:59 UTC).
constexpr std::int64_t kLastSecond = 253402300799;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_unit(char c) { return c == 's' || c == 'm' || c == 'h' || c == 'd' || c == 'w'; }

// Whether a duration is one or more "<digits><unit>" pairs.
bool every_number_has_a_unit(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    while (i < text.size() && is_digit(text[i])) ++i;
    if (i == start || i == text.size() || !is_unit(text[i])) return false;
    ++i;
  }
  return !text.empty();
}

tl::unexpected<Error> not_a_time(const std::string& flag, const std::string& text) {
  return fail(signer::errc::syntax, "'" + text + "' is not a time: use " + kTimeGrammar, flag);
}

// Seconds of a duration after `skip` characters (a time's sign): "90d", "1w2d", "30m".
Result<std::int64_t> duration(const std::string& flag, const std::string& text, std::size_t skip = 1) {
  std::string_view d = std::string_view(text).substr(skip);
  if (!d.empty() && d.find_first_not_of("0123456789") == std::string_view::npos) {
    return fail(signer::errc::syntax,
                "'" + text + "' has no unit: write " + text + "s, " + text + "m, " + text + "h, " + text + "d or " +
                    text + "w",
                flag);
  }
  if (!every_number_has_a_unit(d)) {
    if (skip == 0) {
      return fail(signer::errc::syntax,
                  "'" + text + "' is not a duration: use numbers with units s, m, h, d, w (e.g. 14d, 1h30m)", flag);
    }
    return not_a_time(flag, text);
  }
  auto seconds = zone::parse_ttl(d);  // the unit arithmetic, up to 2^31-1 seconds (68 years)
  if (!seconds) {
    return fail(signer::errc::syntax, "'" + text + "' is longer than 68 years", flag);
  }
  return static_cast<std::int64_t>(*seconds);
}

}  // namespace

std::int64_t system_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Result<std::int64_t> parse_duration_option(const std::string& flag, const std::string& text) {
  return duration(flag, text, 0);
}

Result<std::int64_t> parse_when(const std::string& flag, const std::string& text, std::int64_t now) {
  std::int64_t when = 0;
  if (text.empty() || text == "now") {
    when = now;
  } else if (text.front() == '+' || text.front() == '-') {
    auto d = duration(flag, text);
    if (!d) return tl::unexpected(d.error());
    when = text.front() == '+' ? now + *d : now - *d;
  } else if (text.size() == 14) {
    auto t = zone::parse_utc_time(text);
    if (!t) return fail(signer::errc::syntax, t.error().detail, flag);
    when = *t;
  } else {
    if (text.size() > 12 || text.find_first_not_of("0123456789") != std::string::npos) return not_a_time(flag, text);
    when = std::stoll(text);
    if (when > kLastSecond) return fail(signer::errc::syntax, "'" + text + "' is after 9999-12-31", flag);
  }
  if (when < 0) return fail(signer::errc::syntax, "'" + text + "' is before 1970", flag);
  return when;
}

}  // namespace kskline::tools
