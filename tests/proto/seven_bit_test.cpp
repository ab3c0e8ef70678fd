#include <catch2/catch.hpp>

#include <set>

#include "proto/frame.hpp"
#include "proto/record.hpp"
#include "proto/seven_bit.hpp"
#include "test_support.hpp"

using namespace kskline;
using namespace kskline::proto;
using proto::testing::random_bytes;

namespace {

Bytes enc(ByteView data) {
  Bytes out;
  seven_bit::encode(data, out);
  return out;
}

std::string text(const Bytes& b) { return std::string(b.begin(), b.end()); }

}  // namespace

TEST_CASE("seven_bit: the alphabet is 85 distinct printable characters without the excluded ones", "[proto][seven_bit]") {
  std::set<char> seen(seven_bit::kAlphabet.begin(), seven_bit::kAlphabet.end());
  CHECK(seen.size() == 85);
  for (char c : seven_bit::kAlphabet) {
    CHECK(c >= 0x21);
    CHECK(c <= 0x7E);
  }
  for (char excluded : std::string("\"$':\\^`|~ \r\n")) CHECK(seen.count(excluded) == 0);
  // Digits are in ASCII order, so the digit of each character is its position.
  for (std::size_t i = 0; i < 85; ++i) {
    CHECK(seven_bit::digit_of(static_cast<std::uint8_t>(seven_bit::kAlphabet[i])) == i);
  }
  CHECK_FALSE(seven_bit::digit_of(':'));
  CHECK_FALSE(seven_bit::digit_of(0x80 | '!'));
}

TEST_CASE("seven_bit: known encodings", "[proto][seven_bit]") {
  CHECK(text(enc(Bytes{0, 0, 0, 0})) == "!!!!!");
  // 0xFFFFFFFF = 82*85^4 + 23*85^3 + 54*85^2 + 12*85 + 0
  CHECK(text(enc(Bytes{0xFF, 0xFF, 0xFF, 0xFF})) ==
        std::string{seven_bit::kAlphabet[82], seven_bit::kAlphabet[23], seven_bit::kAlphabet[54],
                    seven_bit::kAlphabet[12], seven_bit::kAlphabet[0]});
  CHECK(text(enc(Bytes{0x00})) == "!!");
  CHECK(text(enc({})).empty());
}

TEST_CASE("seven_bit: round trip of every length from 0 to 600", "[proto][seven_bit]") {
  for (std::size_t n = 0; n <= 600; ++n) {
    Bytes data = random_bytes(n, n);
    Bytes e = enc(data);
    REQUIRE(e.size() == seven_bit::encoded_size(n));
    REQUIRE(seven_bit::decoded_size(e.size()) == n);
    Bytes back;
    REQUIRE(seven_bit::decode(e, back));
    REQUIRE(back == data);
  }
}

TEST_CASE("seven_bit: round trip of extreme values in every tail length", "[proto][seven_bit]") {
  for (std::uint8_t fill : {std::uint8_t{0x00}, std::uint8_t{0xFF}, std::uint8_t{0x80}, std::uint8_t{0x7F}}) {
    for (std::size_t n = 1; n <= 9; ++n) {
      Bytes data(n, fill);
      Bytes back;
      REQUIRE(seven_bit::decode(enc(data), back));
      CHECK(back == data);
    }
  }
}

TEST_CASE("seven_bit: invalid text is refused", "[proto][seven_bit]") {
  Bytes out;
  CHECK_FALSE(seven_bit::decode(as_bytes("!"), out));        // 5k+1 characters
  CHECK_FALSE(seven_bit::decode(as_bytes("!!!!!!"), out));   // 5k+1 characters
  CHECK_FALSE(seven_bit::decode(as_bytes("!!:!!"), out));    // outside the alphabet
  CHECK_FALSE(seven_bit::decode(as_bytes("}}}}}"), out));    // 84*(85^4+...) > 2^32-1
  CHECK_FALSE(seven_bit::decode(as_bytes("}}"), out));       // final group overflows
  out.clear();
  CHECK(seven_bit::decode(as_bytes("!!"), out));
  CHECK(out == Bytes{0});
}

TEST_CASE("seven_bit: the stream decoder equals the batch decoder", "[proto][seven_bit]") {
  Bytes data = random_bytes(1001, 7);
  Bytes e = enc(data);
  seven_bit::StreamDecoder d;
  Bytes out;
  for (auto c : e) REQUIRE(d.push(*seven_bit::digit_of(c), out));
  REQUIRE(d.finish(out));
  CHECK(out == data);
}

TEST_CASE("seven_bit: efficiency of a full-size 7-bit DATA frame on random data is at least 75%", "[proto][seven_bit]") {
  // The largest chunk a 4096-byte frame carries, framed exactly as the engine
  // sends it; efficiency counts every character on the wire.
  const std::size_t chunk = 4096 - kChunkOverhead;
  Bytes data = random_bytes(chunk, 75);
  Frame f{FrameType::data, 0, 1234, 567, encode_chunk(0, data)};
  Bytes wire = encode_frame(f, Encoding::seven_bit, EscapeSet(), 0x01020304);
  double efficiency = static_cast<double>(chunk) / static_cast<double>(wire.size());
  CAPTURE(wire.size(), efficiency);
  CHECK(wire.size() == 5137);
  CHECK(efficiency >= 0.75);
  CHECK(efficiency >= 0.79);  // 4/5 minus framing
  // Every character is printable or the final CR.
  for (std::size_t i = 0; i + 1 < wire.size(); ++i) REQUIRE((wire[i] >= 0x21 && wire[i] <= 0x7E));
  CHECK(wire.back() == '\r');
  // And the largest frame allowed (16384) does better still.
  Bytes big = random_bytes(16384 - kChunkOverhead, 76);
  Frame g{FrameType::data, 0, 0, 0, encode_chunk(0, big)};
  CHECK(static_cast<double>(big.size()) / encode_frame(g, Encoding::seven_bit, EscapeSet(), 0).size() >= 0.795);
}
