#include <catch2/catch.hpp>

#include "tests/zone/dnssec_test_util.hpp"
#include "zone/errc.hpp"
#include "zone/type_bitmap.hpp"

using namespace kskline;
using namespace kskline::zone;

TEST_CASE("type_bitmap: RFC 4034 §4.3 example bitmap, built in any order and read back",
          "[zone][type_bitmap]") {
  // "alfa.example.com. NSEC host.example.com. A MX RRSIG NSEC TYPE1234"
  const std::uint16_t types[] = {1234, rrtype::NSEC, rrtype::A, rrtype::RRSIG, rrtype::MX, rrtype::A};
  const Bytes bitmap = make_type_bitmap(types);
  Bytes nsec = test::rdata(rrtype::NSEC, "host.example.com. A MX RRSIG NSEC TYPE1234");
  const std::size_t name_len = 18;  // host.example.com. in wire form
  CHECK(bitmap == Bytes(nsec.begin() + name_len, nsec.end()));
  auto back = read_type_bitmap(bitmap);
  REQUIRE(back);
  CHECK(*back == std::vector<std::uint16_t>{rrtype::A, rrtype::MX, rrtype::RRSIG, rrtype::NSEC, 1234});
  CHECK(make_type_bitmap({}).empty());
}

TEST_CASE("type_bitmap: malformed bitmaps are refused", "[zone][type_bitmap]") {
  CHECK(read_type_bitmap(Bytes{0}).error().code == errc::bad_rdata);             // truncated window
  CHECK(read_type_bitmap(Bytes{0, 0}).error().code == errc::bad_rdata);          // length 0
  CHECK(read_type_bitmap(Bytes{0, 33}).error().code == errc::bad_rdata);         // length > 32
  CHECK(read_type_bitmap(Bytes{0, 2, 0x40}).error().code == errc::bad_rdata);    // truncated bits
  CHECK(read_type_bitmap(Bytes{1, 1, 0x40, 0, 1, 0x40}).error().code == errc::bad_rdata);  // order
  CHECK_FALSE(type_bitmap_has(Bytes{0, 2, 0x40}, rrtype::A));
}
