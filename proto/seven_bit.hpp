// The base-85 codec of the 7-bit printable frame encoding (docs/protocol.md §1.3).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "base/bytes.hpp"
#include "base/error.hpp"

namespace kskline::proto::seven_bit {

// The 85 printable characters that carry digits 0..84, in digit order: ASCII
// 0x21..0x7E without " $ ' : \ ^ ` | ~.
inline constexpr std::string_view kAlphabet =
    "!#%&()*+,-./0123456789;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]_abcdefghijklmnopqrstuvwxyz{}";

// Returns the digit value of a character, or nullopt if it is not in the alphabet.
std::optional<std::uint8_t> digit_of(std::uint8_t c) noexcept;

// Returns the number of characters encode() produces for n bytes:
// 5 per whole group of 4, k+1 for a final group of k = 1..3.
constexpr std::size_t encoded_size(std::size_t n) noexcept {
  return n / 4 * 5 + (n % 4 == 0 ? 0 : n % 4 + 1);
}

// Returns the number of bytes that `chars` characters decode to, or nullopt
// when no byte string encodes to that many characters (5k+1).
constexpr std::optional<std::size_t> decoded_size(std::size_t chars) noexcept {
  if (chars % 5 == 1) return std::nullopt;
  return chars / 5 * 4 + (chars % 5 == 0 ? 0 : chars % 5 - 1);
}

// Appends the base-85 encoding of data to out (characters as bytes).
void encode(ByteView data, Bytes& out);

// Appends the bytes that base-85 text decodes to; errc::malformed on a
// character outside the alphabet, a group above 2^32-1 or a length of 5k+1.
// On error, out holds a partial result the caller must discard.
Result<void> decode(ByteView text, Bytes& out);

// An incremental decoder for the streaming frame decoder: characters are fed
// one at a time, whole groups are decoded as they complete.
class StreamDecoder {
 public:
  // Feeds one alphabet digit (0..84); appends 4 bytes to out when a group
  // completes. Returns false if that group is above 2^32-1.
  bool push(std::uint8_t digit, Bytes& out) noexcept;
  // Decodes a final partial group into out; returns false if it is a single
  // digit or overflows. Resets the decoder.
  bool finish(Bytes& out) noexcept;
  // Forgets a partial group.
  void reset() noexcept { count_ = 0; value_ = 0; }

 private:
  std::uint64_t value_ = 0;
  int count_ = 0;
};

}  // namespace kskline::proto::seven_bit
