#include "zone/dnssec_time.hpp"

#include <charconv>
#include <cstdio>

#include "zone/errc.hpp"

namespace kskline::zone {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// The civil date of a day count since 1970-01-01.
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

bool all_digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

unsigned digits_value(std::string_view s) {
  unsigned v = 0;
  for (char c : s) v = v * 10 + static_cast<unsigned>(c - '0');
  return v;
}

}  // namespace

Result<std::int64_t> parse_utc_time(std::string_view text) {
  if (text.size() != 14 || !all_digits(text)) {
    return fail(errc::syntax, "time '" + std::string(text) + "' is not YYYYMMDDHHmmSS");
  }
  std::int64_t year = digits_value(text.substr(0, 4));
  unsigned month = digits_value(text.substr(4, 2)), day = digits_value(text.substr(6, 2));
  unsigned hour = digits_value(text.substr(8, 2)), minute = digits_value(text.substr(10, 2));
  unsigned second = digits_value(text.substr(12, 2));
  // Like Knot and ldns: no leap second 60 and no dates before 1970.
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
      minute > 59 || second > 59) {
    return fail(errc::syntax, "time '" + std::string(text) + "' is not a valid date");
  }
  return days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}

Result<std::uint32_t> parse_dnssec_time(std::string_view text) {
  if (!all_digits(text)) return fail(errc::bad_rdata, "time '" + std::string(text) + "' is not YYYYMMDDHHmmSS or seconds");
  if (text.size() == 14) {
    auto seconds = parse_utc_time(text);
    if (!seconds) return fail(errc::bad_rdata, seconds.error().detail);
    // Dates after 2106 wrap modulo 2^32, as RFC 4034 §3.1.5 serial arithmetic allows.
    return static_cast<std::uint32_t>(static_cast<std::uint64_t>(*seconds));
  }
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.size() > 10 || value > 0xffffffffULL) {
    return fail(errc::bad_rdata, "time '" + std::string(text) + "' is out of range");
  }
  return static_cast<std::uint32_t>(value);
}

std::int64_t widen_time(std::uint32_t value, std::int64_t now) {
  auto delta = static_cast<std::int32_t>(value - static_cast<std::uint32_t>(now));
  return now + delta;
}

std::string format_utc_time(std::int64_t t) {
  std::int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  std::int64_t rest = t - days * 86400;
  std::int64_t year;
  unsigned month, day;
  civil_from_days(days, year, month, day);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld%02u%02u%02lld%02lld%02lld", static_cast<long long>(year), month,
                day, static_cast<long long>(rest / 3600), static_cast<long long>(rest / 60 % 60),
                static_cast<long long>(rest % 60));
  return buf;
}

std::string format_dnssec_time(std::uint32_t value, std::int64_t now) {
  return format_utc_time(widen_time(value, now));
}

std::string format_dnssec_time(std::uint32_t value) {
  return format_dnssec_time(value, static_cast<std::int64_t>(value));
}

}  // namespace kskline::zone
