// NSEC, NSEC3 and CSYNC type bitmaps (RFC 4034 §4.1.2, RFC 3845): the one
// codec, used by the RDATA codec and by the signer and verifier.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"

namespace kskline::zone {

// Appends the type bitmap of a set of types (any order, duplicates allowed)
// to out: window blocks in increasing order, each with only the octets up to
// the last set bit, so the result always passes validate_type_bitmap. An
// empty set appends nothing.
void append_type_bitmap(std::span<const std::uint16_t> types, Bytes& out);

// The type bitmap of a set of types; see append_type_bitmap.
Bytes make_type_bitmap(std::span<const std::uint16_t> types);

// Checks wire input against RFC 4034 §4.1.2 and RFC 3845: window blocks
// strictly increasing, each of length 1..32 and not truncated, its last octet
// non-zero (so no window is empty). An empty bitmap is valid. errc::bad_rdata
// naming the rule broken.
Result<void> validate_type_bitmap(ByteView bitmap);

// The types a type bitmap lists, ascending. Errors as validate_type_bitmap.
Result<std::vector<std::uint16_t>> read_type_bitmap(ByteView bitmap);

// Whether a valid type bitmap lists `type` (false for invalid input).
bool type_bitmap_has(ByteView bitmap, std::uint16_t type);

}  // namespace kskline::zone
