// Byte containers and big-endian helpers used across modules.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace kskline {

// Owned bytes.
using Bytes = std::vector<std::uint8_t>;
// A view of bytes.
using ByteView = std::span<const std::uint8_t>;

// Views the characters of a string as bytes.
inline ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Appends a 16-bit value in network byte order.
inline void put_u16(Bytes& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

// Appends a 32-bit value in network byte order.
inline void put_u32(Bytes& out, std::uint32_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 24));
  out.push_back(static_cast<std::uint8_t>(v >> 16));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

// Reads a 16-bit network-order value; the caller checks that 2 bytes exist.
inline std::uint16_t get_u16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

// Reads a 32-bit network-order value; the caller checks that 4 bytes exist.
inline std::uint32_t get_u32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) |
         (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

}  // namespace kskline
