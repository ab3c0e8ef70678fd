// Shared helpers of the RDATA codec tests (rdata, type_bitmap, svc_params,
// cert_types): RDATA text read and printed by type mnemonic, hex bytes.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "base/encoding.hpp"
#include "zone/name.hpp"
#include "zone/rdata.hpp"
#include "zone/rr_types.hpp"

namespace kskline::test::rdata_text {

// The origin relative names in test RDATA are completed with.
inline const zone::Name& origin() {
  static const zone::Name name = *zone::Name::parse("example.");
  return name;
}

// The code of a type mnemonic that must exist.
inline std::uint16_t type_code(std::string_view mnemonic) {
  auto code = zone::parse_type(mnemonic);
  INFO("type " << mnemonic);
  REQUIRE(code);
  return *code;
}

// Parses RDATA text of a type given by mnemonic.
inline Result<Bytes> try_parse(std::string_view type, std::string_view text) {
  return zone::parse_rdata_text(type_code(type), text, origin());
}

// Parses RDATA text that must be valid.
inline Bytes P(std::string_view type, std::string_view text) {
  auto r = try_parse(type, text);
  INFO(type << " " << text << (r ? std::string() : " -> " + r.error().message()));
  REQUIRE(r);
  return *r;
}

// Bytes from hex with optional blanks.
inline Bytes H(std::string_view hex) {
  std::string compact;
  for (char c : hex) {
    if (c != ' ' && c != '\n') compact.push_back(c);
  }
  auto bytes = base::from_hex(compact);
  REQUIRE(bytes);
  return *bytes;
}

// Lowercase hex of bytes.
inline std::string hex(ByteView b) { return base::to_hex(b); }

// The RFC 3597 generic form of wire RDATA.
inline std::string generic(ByteView wire) {
  std::string text = "\\# " + std::to_string(wire.size());
  if (!wire.empty()) text += " " + base::to_hex(wire);
  return text;
}

// The presentation form of wire RDATA of a type given by mnemonic.
inline std::string print(std::string_view type, ByteView wire) { return zone::rdata_to_text(type_code(type), wire); }

// Expects text to be refused; returns the error for more checks.
inline Error refused(std::string_view type, std::string_view text) {
  auto r = try_parse(type, text);
  INFO(type << " " << text << (r ? " -> " + hex(*r) : std::string()));
  REQUIRE_FALSE(r);
  return r.error();
}

}  // namespace kskline::test::rdata_text
