#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "zone/dnssec_time.hpp"
#include "zone/errc.hpp"

using namespace kskline;
using namespace kskline::zone;

namespace {

std::uint32_t T(std::string_view text) {
  auto v = parse_dnssec_time(text);
  INFO("parsing " << text);
  REQUIRE(v);
  return *v;
}

}  // namespace

TEST_CASE("dnssec_time: YYYYMMDDHHmmSS and seconds give the same timestamp", "[zone][dnssec_time]") {
  CHECK(T("20221224000000") == 1671840000u);
  CHECK(T("1671840000") == 1671840000u);
  CHECK(T("19700101000000") == 0u);
  CHECK(T("0") == 0u);
  CHECK(T("20000229120000") == 951825600u);      // a leap day of a year divisible by 400
  CHECK(T("20380119031408") == 2147483648u);     // past the signed 32-bit limit
  CHECK(T("21060207062815") == 4294967295u);     // the last second of the 32-bit range
  CHECK(T("4294967295") == 4294967295u);
  CHECK(T("20240229235959") == 1709251199u);
}

TEST_CASE("dnssec_time: dates past 2106 wrap modulo 2^32", "[zone][dnssec_time]") {
  // RFC 4034 §3.1.5: the fields are serial numbers, so later dates wrap.
  CHECK(T("21060207062816") == 0u);
  CHECK(T("21100101000000") == 123010304u);  // 4417977600 mod 2^32
}

TEST_CASE("dnssec_time: timestamps print as YYYYMMDDHHmmSS", "[zone][dnssec_time]") {
  CHECK(format_dnssec_time(1671840000u) == "20221224000000");
  CHECK(format_dnssec_time(0u) == "19700101000000");
  CHECK(format_dnssec_time(4294967295u) == "21060207062815");
  CHECK(format_dnssec_time(2147483648u) == "20380119031408");
  CHECK(format_dnssec_time(951825600u) == "20000229120000");
  for (std::uint32_t v : {0u, 1u, 59u, 86399u, 86400u, 951825600u, 1671840000u, 2147483647u, 4000000000u, 4294967295u}) {
    CAPTURE(v);
    CHECK(T(format_dnssec_time(v)) == v);
  }
}

TEST_CASE("dnssec_time: invalid dates are refused", "[zone][dnssec_time]") {
  for (std::string_view bad : {
           "20221324000000",  // month 13
           "20220024000000",  // month 0
           "20221200000000",  // day 0
           "20221232000000",  // December 32
           "20220431000000",  // April 31
           "20220230000000",  // February 30
           "20230229000000",  // February 29 of a non-leap year
           "21000229000000",  // 2100 is not a leap year
           "20221224240000",  // hour 24
           "20221224006000",  // minute 60
           "20221224000060",  // second 60 (Knot and ldns refuse it too)
           "19691231235959",  // before 1970 (Knot and ldns refuse it too)
       }) {
    CAPTURE(bad);
    auto r = parse_dnssec_time(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::bad_rdata);
  }
  CHECK(parse_dnssec_time("20240229000000"));
  CHECK(parse_dnssec_time("20000229000000"));
}

TEST_CASE("dnssec_time: malformed and out-of-range numbers are refused", "[zone][dnssec_time]") {
  for (std::string_view bad : {"", "4294967296", "99999999999", "123456789012", "2022122400000", "202212240000000",
                               "-1", "+1", "1e9", "2022-12-24", "2022122400000a", " 1", "0x10"}) {
    CAPTURE(bad);
    auto r = parse_dnssec_time(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::bad_rdata);
  }
}

TEST_CASE("dnssec_time: serial_lt compares across the 2^32 wrap", "[zone][dnssec_time]") {
  CHECK(serial_lt(1, 2));
  CHECK_FALSE(serial_lt(2, 1));
  CHECK_FALSE(serial_lt(5, 5));
  CHECK(serial_lt(0xffffffffu, 0));
  CHECK_FALSE(serial_lt(0, 0xffffffffu));
  CHECK(serial_lt(0xfffffff0u, 0x10u));
  CHECK(serial_lt(0, 0x7fffffffu));
  CHECK_FALSE(serial_lt(0x7fffffffu, 0));
  CHECK(serial_lt(0x80000001u, 0));  // more than 2^31 ahead wraps to behind
  CHECK_FALSE(serial_lt(0, 0x80000001u));
  // Exactly 2^31 apart is undefined in RFC 1982; like BIND, each is "before" the other.
  CHECK(serial_lt(0, 0x80000000u));
  CHECK(serial_lt(0x80000000u, 0));
  // An inception just before the wrap is before an expiration just after it.
  CHECK(serial_lt(T("21060207000000"), T("21060301000000")));
}

TEST_CASE("dnssec_time: widen_time picks the time within 68 years of now", "[zone][dnssec_time]") {
  const std::int64_t y2022 = 1671840000;
  CHECK(widen_time(1671840000u, y2022) == y2022);
  CHECK(widen_time(0u, 0x100000000LL - 10) == 0x100000000LL);
  CHECK(widen_time(0xfffffff6u, 0x100000000LL) == 0x100000000LL - 10);
  CHECK(widen_time(static_cast<std::uint32_t>(4417977600LL), 4399488000LL) == 4417977600LL);
  CHECK(widen_time(10u, 0) == 10);
  CHECK(widen_time(0xfffffff6u, 0) == -10);
}

TEST_CASE("dnssec_time: format with now chooses the right century after 2106", "[zone][dnssec_time]") {
  const std::int64_t june_2109 = 4399488000LL;  // 2109-06-01
  auto jan_2110 = T("21100101000000");
  CHECK(format_dnssec_time(jan_2110, june_2109) == "21100101000000");
  // Without a hint the same value is a date in the 1970..2106 range.
  CHECK(format_dnssec_time(jan_2110) == "19731124173144");
  // Near the wrap, a value just past it prints after 2106 when now is before it.
  const std::int64_t jan_2106 = 4291747200LL, march_2106 = 4296844800LL;
  CHECK(format_dnssec_time(T("21060207062816"), jan_2106) == "21060207062816");
  CHECK(format_dnssec_time(T("21060207062815"), march_2106) == "21060207062815");
  CHECK(format_dnssec_time(T("21060207062816"), march_2106) == "21060207062816");
  // Today's dates are unchanged by a present-day now.
  CHECK(format_dnssec_time(1671840000u, 1671840000) == "20221224000000");
  CHECK(format_dnssec_time(1671840000u, 1700000000) == "20221224000000");
}

TEST_CASE("dnssec_time: parse_utc_time gives 64-bit seconds by the one strict rule", "[zone][dnssec_time]") {
  CHECK(parse_utc_time("19700101000000") == 0);
  CHECK(parse_utc_time("20221224000000") == 1671840000);
  CHECK(parse_utc_time("20240229235959") == 1709251199);
  CHECK(parse_utc_time("21100101000000") == 4417977600LL);  // no wrap past 2106
  CHECK(parse_utc_time("99991231235959") == 253402300799LL);
  for (std::string_view bad : {
           "20250231000000",  // February 31
           "20250431000000",  // April 31
           "20230229000000",  // February 29 of a non-leap year
           "20221224000060",  // second 60
           "20221224006000",  // minute 60
           "20221224240000",  // hour 24
           "20221300000000",  // month 13
           "19691231235959",  // before 1970
           "1671840000",      // seconds are not a calendar time
           "2022122400000",   // 13 digits
           "2022122400000x",
           "",
       }) {
    CAPTURE(bad);
    auto r = parse_utc_time(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::syntax);
    CHECK(r.error().detail.find(std::string(bad)) != std::string::npos);
  }
}

TEST_CASE("dnssec_time: format_utc_time is the inverse of parse_utc_time", "[zone][dnssec_time]") {
  CHECK(format_utc_time(0) == "19700101000000");
  CHECK(format_utc_time(951825600) == "20000229120000");
  CHECK(format_utc_time(4294967296) == "21060207062816");  // past the 32-bit range, no wrap
  CHECK(format_utc_time(253402300799) == "99991231235959");
  for (std::int64_t t : {std::int64_t{0}, std::int64_t{86399}, std::int64_t{951825600}, std::int64_t{4102444800},
                         std::int64_t{253402300799}}) {
    CAPTURE(t);
    auto back = parse_utc_time(format_utc_time(t));
    REQUIRE(back);
    CHECK(*back == t);
  }
}
