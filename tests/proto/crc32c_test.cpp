#include <catch2/catch.hpp>

#include <array>
#include <random>
#include <string>

#include "proto/crc32c.hpp"

using namespace kskline;
using proto::Crc32c;
using proto::crc32c;

namespace {

// Bit-at-a-time reference implementation, independent of the tables.
std::uint32_t reference(ByteView data) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (auto byte : data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
  }
  return crc ^ 0xFFFFFFFFu;
}

Bytes ascending() {
  Bytes b(32);
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i);
  return b;
}

Bytes descending() {
  Bytes b(32);
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(31 - i);
  return b;
}

}  // namespace

TEST_CASE("crc32c: RFC 3720 B.4 test vectors", "[proto][crc32c]") {
  CHECK(crc32c(Bytes(32, 0x00)) == 0x8A9136AAu);
  CHECK(crc32c(Bytes(32, 0xFF)) == 0x62A8AB43u);
  CHECK(crc32c(ascending()) == 0x46DD794Eu);
  CHECK(crc32c(descending()) == 0x113FDB5Cu);
}

TEST_CASE("crc32c: the check value of \"123456789\"", "[proto][crc32c]") {
  CHECK(crc32c(as_bytes("123456789")) == 0xE3069283u);
}

TEST_CASE("crc32c: empty input", "[proto][crc32c]") {
  CHECK(crc32c({}) == 0u);
  Crc32c c;
  CHECK(c.value() == 0u);
  c.update({});
  CHECK(c.value() == 0u);
}

TEST_CASE("crc32c: incremental equals one-shot at every split point", "[proto][crc32c]") {
  std::mt19937 rng(3720);
  Bytes random(100);
  for (auto& b : random) b = static_cast<std::uint8_t>(rng());
  const std::array<Bytes, 5> inputs = {Bytes(32, 0x00), Bytes(32, 0xFF), ascending(), descending(), random};
  for (const auto& input : inputs) {
    ByteView all(input);
    std::uint32_t expected = crc32c(all);
    for (std::size_t split = 0; split <= all.size(); ++split) {
      CAPTURE(input.size(), split);
      Crc32c c;
      c.update(all.first(split));
      c.update(all.subspan(split));
      REQUIRE(c.value() == expected);
    }
    // Byte at a time.
    Crc32c bytewise;
    for (std::size_t i = 0; i < all.size(); ++i) bytewise.update(all.subspan(i, 1));
    CHECK(bytewise.value() == expected);
  }
}

TEST_CASE("crc32c: matches a bitwise reference at every length and alignment", "[proto][crc32c]") {
  std::mt19937 rng(4960);
  Bytes data(600);
  for (auto& b : data) b = static_cast<std::uint8_t>(rng());
  ByteView all(data);
  for (std::size_t offset = 0; offset < 8; ++offset) {
    for (std::size_t len = 0; offset + len <= 520; ++len) {
      CAPTURE(offset, len);
      REQUIRE(crc32c(all.subspan(offset, len)) == reference(all.subspan(offset, len)));
    }
  }
  CHECK(reference(as_bytes("123456789")) == 0xE3069283u);  // the reference itself is right
}

TEST_CASE("crc32c: value does not disturb the running state", "[proto][crc32c]") {
  Crc32c c;
  c.update(as_bytes("1234"));
  CHECK(c.value() == crc32c(as_bytes("1234")));
  CHECK(c.value() == crc32c(as_bytes("1234")));
  c.update(as_bytes("56789"));
  CHECK(c.value() == 0xE3069283u);
}

TEST_CASE("crc32c: reset forgets what was fed", "[proto][crc32c]") {
  Crc32c c;
  c.update(as_bytes("garbage"));
  c.reset();
  c.update(as_bytes("123456789"));
  CHECK(c.value() == 0xE3069283u);
}

TEST_CASE("crc32c: a single bit flip changes the value", "[proto][crc32c]") {
  Bytes data = ascending();
  std::uint32_t clean = crc32c(data);
  for (std::size_t i = 0; i < data.size() * 8; ++i) {
    Bytes flipped = data;
    flipped[i / 8] ^= static_cast<std::uint8_t>(1u << (i % 8));
    CAPTURE(i);
    REQUIRE(crc32c(flipped) != clean);
  }
}
