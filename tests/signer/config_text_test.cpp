#include <catch2/catch.hpp>

#include "signer/config_text.hpp"
#include "signer/errc.hpp"

using namespace kskline::signer;

TEST_CASE("config_text: durations take seconds or units in any combination", "[signer][config_text]") {
  CHECK(parse_duration("90", "x") == 90);
  CHECK(parse_duration("90s", "x") == 90);
  CHECK(parse_duration("5m", "x") == 300);
  CHECK(parse_duration("2h", "x") == 7200);
  CHECK(parse_duration("3d", "x") == 3 * 86400);
  CHECK(parse_duration("2w", "x") == 14 * 86400);
  CHECK(parse_duration("1h30m", "x") == 5400);
  for (const char* t : {"", "d", "-1d", "1y", "1.5d", "4294967296"}) {
    INFO(t);
    auto d = parse_duration(t, "policy.horizon");
    REQUIRE_FALSE(d);
    CHECK(d.error().code == errc::bad_config);
    CHECK(d.error().where == "policy.horizon");
  }
}

TEST_CASE("config_text: durations are written in units and read back", "[signer][config_text]") {
  CHECK(format_duration(0) == "0");
  CHECK(format_duration(90061) == "1d1h1m1s");
  CHECK(format_duration(14 * 86400) == "14d");
  for (std::int64_t s : {1, 59, 3600, 90061, 30 * 86400}) CHECK(parse_duration(format_duration(s), "x") == s);
}

TEST_CASE("config_text: signed durations carry a minus below zero", "[signer][config_text]") {
  CHECK(format_signed_duration(0) == "0");
  CHECK(format_signed_duration(36 * 3600) == "1d12h");
  CHECK(format_signed_duration(-35 * 86400) == "-35d");
  CHECK(format_signed_duration(-90) == "-1m30s");
}

TEST_CASE("config_text: strings are quoted for TOML and JSON", "[signer][config_text]") {
  CHECK(quoted("plain") == "\"plain\"");
  CHECK(quoted("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(quoted(std::string("tab\tnl\n")) == "\"tab\\u0009nl\\u000a\"");
}
