#include <catch2/catch.hpp>

#include <string>

#include "signer/errc.hpp"
#include "tools/time_option.hpp"

using namespace kskline;
using kskline::tools::parse_when;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;  // 2027-01-15 08:00:00 UTC

std::int64_t when(const std::string& text) {
  auto t = parse_when("--now", text, kNow);
  INFO(text << ": " << (t ? std::string() : t.error().message()));
  REQUIRE(t);
  return *t;
}

Error refusal(const std::string& text) {
  auto t = parse_when("--until", text, kNow);
  INFO(text);
  REQUIRE_FALSE(t);
  CHECK(t.error().code == signer::errc::syntax);
  CHECK(t.error().where == "--until");
  return t.error();
}

}  // namespace

TEST_CASE("time_option: now, calendar times and unix seconds", "[tools][time_option]") {
  CHECK(when("") == kNow);
  CHECK(when("now") == kNow);
  CHECK(when("20270115080000") == kNow);
  CHECK(when("19700101000000") == 0);
  CHECK(when("1800000000") == kNow);
  CHECK(when("0") == 0);
  CHECK(when("21100101000000") == 4417977600LL);  // no 32-bit wrap
  CHECK(when("253402300799") == 253402300799LL);  // 9999-12-31 23:59:59
}

TEST_CASE("time_option: +N and -N with a unit are relative to now", "[tools][time_option]") {
  CHECK(when("+30s") == kNow + 30);
  CHECK(when("+5m") == kNow + 300);
  CHECK(when("+2h") == kNow + 7200);
  CHECK(when("+90d") == kNow + 90 * 86400);
  CHECK(when("+2w") == kNow + 14 * 86400);
  CHECK(when("+1w2d") == kNow + 9 * 86400);
  CHECK(when("-1h") == kNow - 3600);
  CHECK(when("-1d12h") == kNow - 129600);
}

TEST_CASE("time_option: a duration without a unit is refused, naming the units", "[tools][time_option]") {
  for (const char* bare : {"+90", "-90", "+0"}) {
    auto e = refusal(bare);
    CHECK(e.detail.find("no unit") != std::string::npos);
    CHECK(e.detail.find(std::string(bare) + "s, ") != std::string::npos);
    CHECK(e.detail.find(std::string(bare) + "d or " + bare + "w") != std::string::npos);
  }
  // A trailing number without a unit is refused too, with the grammar.
  auto e = refusal("+1h30");
  CHECK(e.detail.find("s, m, h, d or w") != std::string::npos);
}

TEST_CASE("time_option: everything else is refused with one text", "[tools][time_option]") {
  for (const char* bad : {"yesterday", "+", "-", "+1y", "+d", "+1H", " 5", "5 ", "1e9", "0x10", "2027-01-15",
                          "+-1d", "1234567890123"}) {
    auto e = refusal(bad);
    CHECK(e.detail == "'" + std::string(bad) + "' is not a time: use " + tools::kTimeGrammar);
  }
  CHECK(refusal("20270230080000").detail.find("not a valid date") != std::string::npos);
  CHECK(refusal("20270115080060").detail.find("not a valid date") != std::string::npos);
  CHECK(refusal("999999999999").detail.find("after 9999") != std::string::npos);
  CHECK(refusal("+99999999w").detail.find("68 years") != std::string::npos);
  auto before = parse_when("--from", "-1d", 0);
  REQUIRE_FALSE(before);
  CHECK(before.error().detail.find("before 1970") != std::string::npos);
}

TEST_CASE("time_option: duration options need a unit on every number", "[tools][time_option]") {
  using kskline::tools::parse_duration_option;
  auto d = parse_duration_option("--validity", "14d");
  REQUIRE(d);
  CHECK(*d == 14 * 86400);
  auto mixed = parse_duration_option("--jitter", "1h30m");
  REQUIRE(mixed);
  CHECK(*mixed == 5400);
  for (const char* bad : {"14", "0", "1h30", "", "d", "+14d", "14D"}) {
    auto e = parse_duration_option("--validity", bad);
    INFO(bad);
    REQUIRE_FALSE(e);
    CHECK(e.error().code == signer::errc::syntax);
    CHECK(e.error().where == "--validity");
  }
  auto bare = parse_duration_option("--validity", "14");
  REQUIRE_FALSE(bare);
  CHECK(bare.error().detail.find("no unit: write 14s, 14m, 14h, 14d or 14w") != std::string::npos);
}
