#include "zone/internal/presentation.hpp"

#include <arpa/inet.h>

#include "zone/errc.hpp"

namespace kskline::zone::internal {
namespace {

// Appends bytes as the inside of a quoted string, escaping '"', '\' and
// non-printable bytes (\DDD).
void append_escaped(ByteView bytes, std::string& out) {
  for (auto b : bytes) {
    if (b == '"' || b == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(b));
    } else if (b < 0x20 || b > 0x7e) {
      out.push_back('\\');
      out.push_back(static_cast<char>('0' + b / 100));
      out.push_back(static_cast<char>('0' + b / 10 % 10));
      out.push_back(static_cast<char>('0' + b % 10));
    } else {
      out.push_back(static_cast<char>(b));
    }
  }
}

}  // namespace

bool parse_address(int family, std::string_view text, std::uint8_t* addr) {
  if (text.size() >= INET6_ADDRSTRLEN || text.find('\0') != std::string_view::npos) return false;
  std::string copy(text);
  return inet_pton(family, copy.c_str(), addr) == 1;
}

Result<void> append_unescaped(std::string_view text, Bytes& out) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != '\\') {
      out.push_back(static_cast<std::uint8_t>(c));
      continue;
    }
    if (i + 1 >= text.size()) return fail(errc::bad_rdata, "dangling '\\' in string");
    char n = text[i + 1];
    if (n >= '0' && n <= '9') {
      auto digits = text.substr(i + 1, 3);
      auto v = parse_decimal<unsigned>(digits);
      if (digits.size() != 3 || !v || *v > 255) return fail(errc::bad_rdata, "bad \\DDD escape in string");
      out.push_back(static_cast<std::uint8_t>(*v));
      i += 3;
    } else {
      out.push_back(static_cast<std::uint8_t>(n));
      ++i;
    }
  }
  return {};
}

void append_quoted(ByteView bytes, std::string& out) {
  out.push_back('"');
  append_escaped(bytes, out);
  out.push_back('"');
}

}  // namespace kskline::zone::internal
