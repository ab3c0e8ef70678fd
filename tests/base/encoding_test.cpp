#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "base/encoding.hpp"

using namespace kskline;
using base::errc;

namespace {

Bytes bytes_of(std::string_view s) {
  auto v = as_bytes(s);
  return Bytes(v.begin(), v.end());
}

// RFC 4648 §10 test inputs.
const std::vector<std::string> kInputs = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};

Bytes random_bytes(std::mt19937& rng, std::size_t n) {
  std::uniform_int_distribution<int> byte(0, 255);
  Bytes out(n);
  for (auto& b : out) b = static_cast<std::uint8_t>(byte(rng));
  return out;
}

}  // namespace

TEST_CASE("encoding: base64 matches RFC 4648 section 10", "[base][encoding]") {
  const std::vector<std::string> expected = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (std::size_t i = 0; i < kInputs.size(); ++i) {
    CAPTURE(kInputs[i]);
    CHECK(base::to_base64(as_bytes(kInputs[i])) == expected[i]);
    auto decoded = base::from_base64(expected[i]);
    REQUIRE(decoded);
    CHECK(*decoded == bytes_of(kInputs[i]));
  }
}

TEST_CASE("encoding: base32hex matches RFC 4648 section 10, unpadded and lowercase", "[base][encoding]") {
  // RFC 4648 gives "CPNMUOJ1E8======"; DNS (RFC 5155) uses it without padding, lowercase.
  const std::vector<std::string> expected = {"", "co", "cpng", "cpnmu", "cpnmuog", "cpnmuoj1", "cpnmuoj1e8"};
  for (std::size_t i = 0; i < kInputs.size(); ++i) {
    CAPTURE(kInputs[i]);
    CHECK(base::to_base32hex(as_bytes(kInputs[i])) == expected[i]);
    auto decoded = base::from_base32hex(expected[i]);
    REQUIRE(decoded);
    CHECK(*decoded == bytes_of(kInputs[i]));
  }
}

TEST_CASE("encoding: base32hex decoding accepts either case", "[base][encoding]") {
  auto upper = base::from_base32hex("CPNMUOJ1E8");
  REQUIRE(upper);
  CHECK(*upper == bytes_of("foobar"));
  auto mixed = base::from_base32hex("CpNmUoJ1e8");
  REQUIRE(mixed);
  CHECK(*mixed == bytes_of("foobar"));
  // Every digit of the alphabet, both cases, maps to the same value.
  auto lower_all = base::from_base32hex("0123456789abcdefghijklmnopqrstuv");
  auto upper_all = base::from_base32hex("0123456789ABCDEFGHIJKLMNOPQRSTUV");
  REQUIRE(lower_all);
  REQUIRE(upper_all);
  CHECK(*lower_all == *upper_all);
  CHECK(base::to_base32hex(*lower_all) == "0123456789abcdefghijklmnopqrstuv");
}

TEST_CASE("encoding: hex matches RFC 4648 section 10 in both cases", "[base][encoding]") {
  const std::vector<std::string> expected = {"", "66", "666f", "666f6f", "666f6f62", "666f6f6261", "666f6f626172"};
  for (std::size_t i = 0; i < kInputs.size(); ++i) {
    CAPTURE(kInputs[i]);
    CHECK(base::to_hex(as_bytes(kInputs[i])) == expected[i]);
    auto decoded = base::from_hex(expected[i]);
    REQUIRE(decoded);
    CHECK(*decoded == bytes_of(kInputs[i]));
  }
  CHECK(base::to_hex_upper(as_bytes("foobar")) == "666F6F626172");
  auto upper = base::from_hex("666F6F626172");
  REQUIRE(upper);
  CHECK(*upper == bytes_of("foobar"));
  Bytes all{0x00, 0x01, 0x7f, 0x80, 0xab, 0xcd, 0xef, 0xff};
  CHECK(base::to_hex(all) == "00017f80abcdefff");
  CHECK(base::to_hex_upper(all) == "00017F80ABCDEFFF");
}

TEST_CASE("encoding: append functions keep what is already in the output", "[base][encoding]") {
  Bytes out{0x01, 0x02};
  REQUIRE(base::append_hex("ff", out));
  REQUIRE(base::append_base64("Zg==", out));
  REQUIRE(base::append_base32hex("co", out));
  CHECK(out == Bytes{0x01, 0x02, 0xff, 'f', 'f'});
}

TEST_CASE("encoding: malformed base64 is refused", "[base][encoding]") {
  const std::vector<std::string> bad = {
      "Zg=",       // length not a multiple of 4
      "Zm9vY",     // length not a multiple of 4
      "Zm9*",      // character outside the alphabet
      "Zm9v\n",    // whitespace is not accepted
      "Zm-_",      // base64url characters are not base64
      "Z===",      // padding in the second position
      "====",      // nothing but padding
      "Zg=a",      // data after padding
      "Zg==Zm9v",  // padding before the last group
      "Zh==",      // non-canonical: stray bits after one byte
      "Zm9=",      // non-canonical: stray bits after two bytes
  };
  for (const auto& text : bad) {
    CAPTURE(text);
    auto r = base::from_base64(text);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::bad_encoding);
  }
}

TEST_CASE("encoding: malformed base32hex is refused", "[base][encoding]") {
  const std::vector<std::string> bad = {
      "c",          // impossible length (1 mod 8)
      "cpn",        // impossible length (3 mod 8)
      "cpnmuo",     // impossible length (6 mod 8)
      "0",          // impossible lengths whose leftover bits are all zero,
      "co0",        // so only the length check can refuse them
      "cpnmu0",
      "cpnmuoj1e",  // 9 = 1 mod 8
      "cw",         // 'w' is outside base32hex
      "CW",
      "co======",   // padding is not accepted
      "cp",         // non-canonical: stray bits after one byte
      "cpnh",       // non-canonical: stray bits after two bytes
      "c o ",       // whitespace
  };
  for (const auto& text : bad) {
    CAPTURE(text);
    auto r = base::from_base32hex(text);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::bad_encoding);
  }
}

TEST_CASE("encoding: malformed hex is refused", "[base][encoding]") {
  const std::vector<std::string> bad = {"a", "abc", "0g", "g0", "zz", "0x12", "12 34", "1-"};
  for (const auto& text : bad) {
    CAPTURE(text);
    auto r = base::from_hex(text);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::bad_encoding);
  }
}

TEST_CASE("encoding: random data round-trips at every length 0..64", "[base][encoding]") {
  std::mt19937 rng(20240611);
  for (std::size_t n = 0; n <= 64; ++n) {
    for (int trial = 0; trial < 8; ++trial) {
      Bytes data = random_bytes(rng, n);
      CAPTURE(n, trial);

      auto hex = base::to_hex(data);
      CHECK(hex.size() == 2 * n);
      auto from_hex = base::from_hex(hex);
      REQUIRE(from_hex);
      CHECK(*from_hex == data);
      auto from_upper = base::from_hex(base::to_hex_upper(data));
      REQUIRE(from_upper);
      CHECK(*from_upper == data);

      auto b64 = base::to_base64(data);
      CHECK(b64.size() == (n + 2) / 3 * 4);
      auto from_b64 = base::from_base64(b64);
      REQUIRE(from_b64);
      CHECK(*from_b64 == data);

      auto b32 = base::to_base32hex(data);
      CHECK(b32.size() == (n * 8 + 4) / 5);
      auto from_b32 = base::from_base32hex(b32);
      REQUIRE(from_b32);
      CHECK(*from_b32 == data);
    }
  }
}
