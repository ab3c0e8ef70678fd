// The receiving half of a UART at the bit level, as `kskline linesim` runs
// it: noise on a start bit, a stop bit or an idle line does what it does to
// a 16550, not only to the data bits.
#pragma once

#include <cstdint>
#include <optional>

namespace kskline::transport {

// What the receiver made of the bits it was given.
struct UartOutput {
  std::uint8_t byte = 0;
  bool framing_error = false;  // the stop bit read as 0 (delivered anyway, as Linux does without INPCK)
};

// A start bit (0), 8 data bits least significant first, a stop bit (1); the
// line idles at 1. After a framing error the receiver takes the 0 it read
// as the next start bit, as a 16550 resynchronises.
class UartReceiver {
 public:
  // Takes one bit time of the line; returns a byte when this bit ended one.
  std::optional<UartOutput> on_bit(bool bit) noexcept;
  // Takes `count` bit times of an idle line (all 1) at once; returns the
  // byte that ended among them, if one did (at most one can).
  std::optional<UartOutput> on_idle(std::uint64_t count) noexcept;
  // Whether it is between characters, waiting for a start bit.
  bool hunting() const noexcept { return position_ == 0; }

 private:
  int position_ = 0;  // 0: hunting; 1..8: data bits read + 1; 9: stop bit next
  std::uint8_t value_ = 0;
};

// The ten bit times of one 8N1 character, least significant data bit first.
inline bool uart_bit(std::uint8_t byte, int index) noexcept {
  if (index == 0) return false;
  if (index == 9) return true;
  return ((byte >> (index - 1)) & 1) != 0;
}

}  // namespace kskline::transport
