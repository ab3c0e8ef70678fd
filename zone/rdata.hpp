// RDATA codec driven by the type table: text to wire, wire to text, wire
// validation and canonical form, for every type in RFC 3597 generic form too.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "zone/lexer.hpp"
#include "zone/name.hpp"

namespace kskline::zone {

// Parses the RDATA tokens of the lexer's current entry for `type` (text form
// of a known type, or `\# len hex` for any type) and appends the wire form to
// `out`. Relative names are completed with `origin`. Consumes the entry's
// remaining tokens; errc::bad_rdata (or a more precise code) naming the field.
Result<void> parse_rdata(std::uint16_t type, Lexer& lexer, const Name& origin, Bytes& out);

// Parses RDATA given as a string, e.g. "10 mail.example.com." for MX.
Result<Bytes> parse_rdata_text(std::uint16_t type, std::string_view text, const Name& origin);

// Checks that wire RDATA is well formed for `type` (any bytes for types
// without a row). errc::bad_rdata naming the field.
Result<void> validate_rdata(std::uint16_t type, ByteView rdata);

// Appends the presentation form of valid wire RDATA (as validate_rdata
// accepts) to out; types without a row use the `\# len hex` form.
void append_rdata_text(std::uint16_t type, ByteView rdata, std::string& out);

// The presentation form of wire RDATA.
std::string rdata_to_text(std::uint16_t type, ByteView rdata);

// Lowercases, in place, the names in valid wire RDATA of a type whose names
// are lowercased in canonical form (RFC 4034 §6.2, RFC 6840 §5.1).
void canonicalize_rdata(std::uint16_t type, std::span<std::uint8_t> rdata);

// Parses a TTL: decimal seconds or units (1w2d3h4m5s, case-insensitive),
// at most 2^31-1 (RFC 2181 §8). errc::bad_ttl.
Result<std::uint32_t> parse_ttl(std::string_view text);

}  // namespace kskline::zone
