// Reading a fuzzer's input as a sequence of small fields, for targets that
// drive a structured sequence of operations rather than parse one buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/bytes.hpp"

namespace kskline::fuzz {

// The fuzz input, consumed from the front; reads past the end give zeros
// and empty views, so a target never needs to check lengths.
class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  // Whether anything is left.
  bool more() const { return pos_ < size_; }
  // The next octet (0 past the end).
  std::uint8_t u8() { return pos_ < size_ ? data_[pos_++] : 0; }
  // The next two octets, big-endian.
  std::uint16_t u16() { return static_cast<std::uint16_t>(u8() << 8 | u8()); }
  // Up to n next octets.
  ByteView bytes(std::size_t n) {
    n = n < size_ - pos_ ? n : size_ - pos_;
    ByteView out(data_ + pos_, n);
    pos_ += n;
    return out;
  }
  // Everything left.
  ByteView rest() { return bytes(size_ - pos_); }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

// The input as text.
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Stops the process so that libFuzzer (or the replay driver) reports the
// input: a property the target checks did not hold.
[[noreturn]] inline void property_failed() { __builtin_trap(); }

}  // namespace kskline::fuzz
