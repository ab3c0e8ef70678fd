// NSEC/NSEC3 type bitmaps (RFC 4034 §4.1.2): building and reading them.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"

namespace kskline::zone {

// Appends the type bitmap of a set of types (any order, duplicates allowed)
// to out: window blocks in order, each with only the octets up to the last
// set bit. An empty set appends nothing.
void append_type_bitmap(std::span<const std::uint16_t> types, Bytes& out);

// The type bitmap of a set of types; see append_type_bitmap.
Bytes make_type_bitmap(std::span<const std::uint16_t> types);

// The types a type bitmap lists, ascending. errc::bad_rdata when the bitmap
// is malformed (truncated, windows out of order, length not in 1..32).
Result<std::vector<std::uint16_t>> read_type_bitmap(ByteView bitmap);

// Whether a well-formed type bitmap lists `type` (false for malformed input).
bool type_bitmap_has(ByteView bitmap, std::uint16_t type);

}  // namespace kskline::zone
