// CRC-32C (Castagnoli), the frame check of the link protocol.
#pragma once

#include <cstdint>

#include "base/bytes.hpp"

namespace kskline::proto {

// An incremental CRC-32C (RFC 3720 B.4: reflected polynomial 0x82F63B78,
// initial value and final XOR 0xFFFFFFFF). Feeding data in any number of
// pieces gives the same value as feeding it at once.
class Crc32c {
 public:
  // Feeds data.
  void update(ByteView data) noexcept;
  // Returns the CRC of everything fed since construction or reset(); does not
  // change the state, so more data may be fed afterwards.
  std::uint32_t value() const noexcept { return state_ ^ 0xFFFFFFFFu; }
  // Forgets everything fed.
  void reset() noexcept { state_ = 0xFFFFFFFFu; }

 private:
  std::uint32_t state_ = 0xFFFFFFFFu;
};

// Computes the CRC-32C of data in one call.
std::uint32_t crc32c(ByteView data) noexcept;

}  // namespace kskline::proto
