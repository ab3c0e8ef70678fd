#include <cstdint>
#include <optional>
#include <vector>

#include <catch2/catch.hpp>

#include "transport/internal/uart_receiver.hpp"

using namespace kskline::transport;

namespace {

// The bits of `bytes` sent back to back, 8N1.
std::vector<bool> line_bits(const std::vector<std::uint8_t>& bytes) {
  std::vector<bool> bits;
  for (auto b : bytes) {
    for (int i = 0; i < 10; ++i) bits.push_back(uart_bit(b, i));
  }
  return bits;
}

// What a receiver makes of `bits`: the bytes and how many had framing errors.
std::vector<std::uint8_t> receive(const std::vector<bool>& bits, int* framing_errors = nullptr) {
  UartReceiver rx;
  std::vector<std::uint8_t> out;
  for (bool bit : bits) {
    if (auto o = rx.on_bit(bit)) {
      out.push_back(o->byte);
      if (framing_errors != nullptr && o->framing_error) ++*framing_errors;
    }
  }
  if (auto o = rx.on_idle(20)) out.push_back(o->byte);
  return out;
}

}  // namespace

TEST_CASE("uart_receiver: characters sent back to back arrive as sent", "[transport][uart_receiver]") {
  std::vector<std::uint8_t> data{0x00, 0xFF, 0x7E, 0x55, 0xA5, 0x01, 0x80};
  int framing = 0;
  CHECK(receive(line_bits(data), &framing) == data);
  CHECK(framing == 0);
}

TEST_CASE("uart_receiver: a flipped data bit changes that bit of that character only", "[transport][uart_receiver]") {
  auto bits = line_bits({0x41, 0x42, 0x43});
  bits[10 + 1 + 3] = !bits[10 + 1 + 3];  // bit 3 of the second character
  CHECK(receive(bits) == std::vector<std::uint8_t>{0x41, 0x4A, 0x43});
}

TEST_CASE("uart_receiver: a flipped stop bit is a framing error and the low bit starts the next character", "[transport][uart_receiver]") {
  auto bits = line_bits({0x41, 0xFF, 0xFF});
  bits[9] = false;  // stop bit of 0x41
  int framing = 0;
  auto got = receive(bits, &framing);
  REQUIRE(!got.empty());
  CHECK(got[0] == 0x41);  // the data is delivered, as Linux does without INPCK
  CHECK(framing >= 1);
  CHECK(got != std::vector<std::uint8_t>{0x41, 0xFF, 0xFF});  // out of step with the sender for a while
}

TEST_CASE("uart_receiver: a flipped start bit loses the character's framing", "[transport][uart_receiver]") {
  std::vector<std::uint8_t> data{0x7E, 0x00, 0x7E};
  auto bits = line_bits(data);
  bits[10] = true;  // start bit of 0x00: the receiver starts at the next falling edge
  auto got = receive(bits);
  CHECK(got != data);
}

TEST_CASE("uart_receiver: noise on an idle line is a false start bit and makes a character", "[transport][uart_receiver]") {
  UartReceiver rx;
  CHECK_FALSE(rx.on_idle(1000));
  CHECK(rx.hunting());
  CHECK_FALSE(rx.on_bit(false));  // one bit time of noise
  CHECK_FALSE(rx.hunting());
  auto out = rx.on_idle(9);
  REQUIRE(out);
  CHECK(out->byte == 0xFF);
  CHECK_FALSE(out->framing_error);
  CHECK(rx.hunting());
}
