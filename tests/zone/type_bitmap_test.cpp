#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "base/text.hpp"
#include "tests/zone/dnssec_test_util.hpp"
#include "tests/zone/rdata_test_util.hpp"
#include "zone/errc.hpp"
#include "zone/type_bitmap.hpp"

using namespace kskline;
using namespace kskline::zone;
namespace rt = kskline::test::rdata_text;

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

namespace {

// A bitmap breaking one rule of RFC 4034 §4.1.2 / RFC 3845, and the rule.
struct BadBitmap {
  std::string hex;
  std::string rule;
};

std::vector<BadBitmap> bad_bitmaps() {
  return {
      {"00", "truncated type bitmap window"},
      {"0000", "window length not in 1..32"},
      {"0021" + std::string(32 * 2, '0') + "01", "window length not in 1..32"},
      {"000240", "truncated type bitmap"},
      {"000140" "000120", "windows out of order"},  // a window repeated
      {"010140" "000140", "windows out of order"},  // windows decreasing
      {"00024000", "ends in a zero octet"},         // trailing zero octet
      {"000100", "ends in a zero octet"},           // an empty window
      {"000140" "0102c000", "ends in a zero octet"},
  };
}

// The RDATA fields before the bitmap, in hex, of each type that has one.
const std::pair<const char*, const char*> kBitmapTypes[] = {
    {"NSEC", "00"},                                                       // next name: the root
    {"NSEC3", "01 00 0000 00 14 17f3df17b2b2adaef615257de4d2020b80ac6c7c"},  // RFC 5155 fields
    {"CSYNC", "00000001 0000"},                                           // SOA serial, flags
};

}  // namespace

TEST_CASE("type_bitmap: each wire rule is enforced by validate and read", "[zone][type_bitmap]") {
  for (const auto& b : bad_bitmaps()) {
    CAPTURE(b.hex);
    const Bytes bitmap = rt::H(b.hex);
    auto v = validate_type_bitmap(bitmap);
    REQUIRE_FALSE(v);
    CHECK(v.error().code == errc::bad_rdata);
    CHECK(v.error().detail.find(b.rule) != std::string::npos);
    auto r = read_type_bitmap(bitmap);
    REQUIRE_FALSE(r);
    CHECK(r.error().detail == v.error().detail);
  }
  // A trailing zero octet was read by one of the two former codecs.
  CHECK_FALSE(type_bitmap_has(rt::H("00024000"), rrtype::A));
  CHECK(validate_type_bitmap(Bytes{}));
  CHECK(validate_type_bitmap(rt::H("000140" "0101c0" "ff20" + std::string(31 * 2, '0') + "01")));
}

TEST_CASE("type_bitmap: NSEC, NSEC3 and CSYNC RDATA refuse each bad bitmap in wire and generic form",
          "[zone][type_bitmap]") {
  for (auto [type, fields] : kBitmapTypes) {
    for (const auto& b : bad_bitmaps()) {
      CAPTURE(type, b.hex);
      const Bytes wire = rt::H(std::string(fields) + b.hex);
      auto v = validate_rdata(rt::type_code(type), wire);
      REQUIRE_FALSE(v);
      CHECK(v.error().detail.find(b.rule) != std::string::npos);
      auto e = rt::refused(type, rt::generic(wire));
      CHECK(e.code == errc::bad_rdata);
      CHECK(e.where == "rdata:1");
      // Invalid wire has no text form; it prints generic.
      CHECK(rt::print(type, wire) == base::to_upper(rt::generic(wire)));
    }
  }
}

TEST_CASE("type_bitmap: NSEC, NSEC3 and CSYNC text and wire go through the one codec", "[zone][type_bitmap]") {
  const std::uint16_t types[] = {rrtype::CAA, rrtype::A, 65535, rrtype::NSEC, rrtype::A};
  const Bytes bitmap = make_type_bitmap(types);
  for (auto [type, fields] : kBitmapTypes) {
    CAPTURE(type);
    const Bytes wire = rt::H(fields);
    Bytes expected = wire;
    expected.insert(expected.end(), bitmap.begin(), bitmap.end());
    // Text to wire: any order, repeats allowed; the codec's bitmap.
    const std::string text = rt::print(type, wire);  // the fields alone, with an empty bitmap
    Bytes parsed = rt::P(type, text + " CAA A TYPE65535 NSEC A");
    CHECK(parsed == expected);
    // Wire to text: ascending types, read back to the same wire.
    std::string printed = rt::print(type, expected);
    CHECK(printed == text + " A NSEC CAA TYPE65535");
    CHECK(rt::P(type, printed) == expected);
    CHECK(validate_rdata(rt::type_code(type), expected));
  }
}
