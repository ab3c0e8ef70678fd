// Presentation-form pieces shared by the RDATA codec and its per-kind codecs
// (SVCB parameters, CERT types): decimal numbers, IP addresses and
// <character-string> escapes (RFC 1035 §5.1).
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/error.hpp"

namespace kskline::zone::internal {

// Parses an unsigned decimal number of 1..10 digits that fits T (no sign, no
// blanks); nullopt otherwise.
template <class T>
std::optional<T> parse_decimal(std::string_view text) {
  T value{};
  if (text.empty() || text.size() > 10) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Parses an IPv4 (AF_INET) or IPv6 (AF_INET6) address into addr (4 or 16
// octets); false unless the whole text is one address (inet_pton would stop
// at an embedded NUL).
bool parse_address(int family, std::string_view text, std::uint8_t* addr);

// Decodes the escapes of a <character-string> (\X and \DDD) and appends the
// bytes to out. errc::bad_rdata for a dangling '\' or a bad \DDD.
Result<void> append_unescaped(std::string_view text, Bytes& out);

// Appends bytes as a quoted string, escaping '"', '\' and non-printable
// bytes (\DDD).
void append_quoted(ByteView bytes, std::string& out);

}  // namespace kskline::zone::internal
