#include "transport/internal/uart_receiver.hpp"

namespace kskline::transport {

std::optional<UartOutput> UartReceiver::on_bit(bool bit) noexcept {
  if (position_ == 0) {
    if (!bit) {
      position_ = 1;
      value_ = 0;
    }
    return std::nullopt;
  }
  if (position_ <= 8) {
    if (bit) value_ = static_cast<std::uint8_t>(value_ | (1u << (position_ - 1)));
    ++position_;
    return std::nullopt;
  }
  UartOutput out{value_, !bit};
  if (bit) {
    position_ = 0;
  } else {
    position_ = 1;  // the low stop bit is taken as the next start bit
    value_ = 0;
  }
  return out;
}

std::optional<UartOutput> UartReceiver::on_idle(std::uint64_t count) noexcept {
  std::optional<UartOutput> out;
  while (count > 0 && position_ != 0) {
    if (auto b = on_bit(true)) out = b;
    --count;
  }
  return out;
}

}  // namespace kskline::transport
