#include "zone/type_bitmap.hpp"

#include <algorithm>
#include <array>

#include "zone/errc.hpp"

namespace kskline::zone {

void append_type_bitmap(std::span<const std::uint16_t> types, Bytes& out) {
  std::vector<std::uint16_t> sorted(types.begin(), types.end());
  std::sort(sorted.begin(), sorted.end());
  std::size_t i = 0;
  while (i < sorted.size()) {
    const unsigned window = sorted[i] >> 8;
    std::array<std::uint8_t, 32> bits{};
    unsigned length = 0;
    for (; i < sorted.size() && (sorted[i] >> 8) == window; ++i) {
      const unsigned low = sorted[i] & 0xff;
      bits[low / 8] = static_cast<std::uint8_t>(bits[low / 8] | (0x80u >> (low % 8)));
      length = std::max(length, low / 8 + 1);
    }
    out.push_back(static_cast<std::uint8_t>(window));
    out.push_back(static_cast<std::uint8_t>(length));
    out.insert(out.end(), bits.begin(), bits.begin() + length);
  }
}

Bytes make_type_bitmap(std::span<const std::uint16_t> types) {
  Bytes out;
  append_type_bitmap(types, out);
  return out;
}

Result<void> validate_type_bitmap(ByteView bitmap) {
  std::size_t pos = 0;
  int last_window = -1;
  while (pos < bitmap.size()) {
    if (pos + 2 > bitmap.size()) return fail(errc::bad_rdata, "truncated type bitmap window");
    const int window = bitmap[pos];
    const std::size_t length = bitmap[pos + 1];
    if (window <= last_window) return fail(errc::bad_rdata, "type bitmap windows out of order");
    if (length < 1 || length > 32) return fail(errc::bad_rdata, "type bitmap window length not in 1..32");
    if (pos + 2 + length > bitmap.size()) return fail(errc::bad_rdata, "truncated type bitmap");
    if (bitmap[pos + 1 + length] == 0) return fail(errc::bad_rdata, "type bitmap window ends in a zero octet");
    last_window = window;
    pos += 2 + length;
  }
  return {};
}

Result<std::vector<std::uint16_t>> read_type_bitmap(ByteView bitmap) {
  if (auto valid = validate_type_bitmap(bitmap); !valid) return tl::unexpected(valid.error());
  std::vector<std::uint16_t> types;
  for (std::size_t pos = 0; pos < bitmap.size(); pos += 2 + bitmap[pos + 1]) {
    const unsigned window = bitmap[pos];
    for (std::size_t octet = 0; octet < bitmap[pos + 1]; ++octet) {
      const std::uint8_t v = bitmap[pos + 2 + octet];
      for (unsigned bit = 0; bit < 8; ++bit) {
        if (v & (0x80u >> bit)) types.push_back(static_cast<std::uint16_t>(window * 256 + octet * 8 + bit));
      }
    }
  }
  return types;
}

bool type_bitmap_has(ByteView bitmap, std::uint16_t type) {
  auto types = read_type_bitmap(bitmap);
  return types && std::binary_search(types->begin(), types->end(), type);
}

}  // namespace kskline::zone
