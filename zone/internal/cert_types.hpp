// CERT certificate types (RFC 4398 §2.1): the one table of their mnemonics,
// read and printed as BIND and ldns do.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kskline::zone::internal {

// Reads a certificate type: a mnemonic of the table (any case) or a decimal
// number 0..65535; nullopt otherwise.
std::optional<std::uint16_t> parse_cert_type(std::string_view text);

// The mnemonic of a certificate type, or its decimal number when the table
// has none.
std::string cert_type_to_string(std::uint16_t code);

}  // namespace kskline::zone::internal
