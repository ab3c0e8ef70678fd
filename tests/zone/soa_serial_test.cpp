#include <catch2/catch.hpp>

#include "tests/zone/dnssec_test_util.hpp"
#include "zone/errc.hpp"
#include "zone/soa_serial.hpp"

using namespace kskline;
using namespace kskline::zone;

namespace {
constexpr std::int64_t k20240601 = 1717200000;  // 2024-06-01 00:00:00 UTC
}

TEST_CASE("soa_serial: policy names parse case-insensitively and print back", "[zone][soa_serial]") {
  for (auto p : {SerialPolicy::keep, SerialPolicy::increment, SerialPolicy::unixtime, SerialPolicy::dateserial}) {
    CHECK(parse_serial_policy(serial_policy_name(p)) == p);
  }
  CHECK(parse_serial_policy("DateSerial") == SerialPolicy::dateserial);
  CHECK_FALSE(parse_serial_policy("date"));
  CHECK_FALSE(parse_serial_policy(""));
}

TEST_CASE("soa_serial: keep and increment", "[zone][soa_serial]") {
  CHECK(next_serial(SerialPolicy::keep, 42, k20240601) == 42);
  CHECK(next_serial(SerialPolicy::increment, 42, k20240601) == 43);
  // RFC 1982 wrap, skipping 0 as BIND does.
  CHECK(next_serial(SerialPolicy::increment, 0xffffffffu, k20240601) == 1);
}

TEST_CASE("soa_serial: unixtime takes the clock unless the serial is already later", "[zone][soa_serial]") {
  CHECK(next_serial(SerialPolicy::unixtime, 1000, k20240601) == 1717200000u);
  // A date-like serial is later than the clock in RFC 1982 terms.
  CHECK(next_serial(SerialPolicy::unixtime, 2024010101, k20240601) == 2024010102u);
  CHECK(next_serial(SerialPolicy::unixtime, 1717200000u, k20240601) == 1717200001u);
  CHECK(next_serial(SerialPolicy::unixtime, 1800000000u, k20240601) == 1800000001u);
}

TEST_CASE("soa_serial: dateserial takes YYYYMMDD00 unless the serial is already later", "[zone][soa_serial]") {
  CHECK(next_serial(SerialPolicy::dateserial, 2024010101, k20240601) == 2024060100u);
  CHECK(next_serial(SerialPolicy::dateserial, 2024060100u, k20240601) == 2024060101u);
  CHECK(next_serial(SerialPolicy::dateserial, 2024060107u, k20240601 + 86399) == 2024060108u);
  CHECK(next_serial(SerialPolicy::dateserial, 2024060107u, k20240601 + 86400) == 2024060200u);
}

TEST_CASE("soa_serial: reading and replacing the serial of SOA RDATA", "[zone][soa_serial]") {
  Bytes soa = test::rdata(rrtype::SOA, "ns1.example.org. hostmaster.example.org. 2024010101 7200 3600 1209600 300");
  auto s = soa_serial(soa);
  REQUIRE(s);
  CHECK(*s == 2024010101u);
  REQUIRE(set_soa_serial(soa, 7));
  CHECK(*soa_serial(soa) == 7u);
  CHECK(soa == test::rdata(rrtype::SOA, "ns1.example.org. hostmaster.example.org. 7 7200 3600 1209600 300"));

  Bytes short_soa(soa.begin(), soa.end() - 1);
  auto bad = soa_serial(short_soa);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == errc::bad_rdata);
  CHECK_FALSE(set_soa_serial(short_soa, 1));
  CHECK_FALSE(soa_serial(Bytes{}));
}
