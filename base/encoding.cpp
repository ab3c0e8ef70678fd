#include "base/encoding.hpp"

#include <array>

namespace kskline::base {
namespace {

constexpr char kHexLower[] = "0123456789abcdef";
constexpr char kHexUpper[] = "0123456789ABCDEF";
constexpr char kBase64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kBase32Hex[] = "0123456789abcdefghijklmnopqrstuv";

constexpr std::uint8_t kBad = 0xff;

// Builds a 256-entry reverse lookup table for an alphabet.
template <std::size_t N>
constexpr std::array<std::uint8_t, 256> reverse_table(const char (&alphabet)[N],
                                                      bool fold_case) {
  std::array<std::uint8_t, 256> table{};
  for (auto& v : table) v = kBad;
  for (std::size_t i = 0; i + 1 < N; ++i) {
    auto c = static_cast<unsigned char>(alphabet[i]);
    table[c] = static_cast<std::uint8_t>(i);
    if (fold_case && c >= 'a' && c <= 'z') table[c - 'a' + 'A'] = static_cast<std::uint8_t>(i);
    if (fold_case && c >= 'A' && c <= 'Z') table[c - 'A' + 'a'] = static_cast<std::uint8_t>(i);
  }
  return table;
}

constexpr auto kHexValue = reverse_table(kHexLower, true);
constexpr auto kBase64Value = reverse_table(kBase64, false);
constexpr auto kBase32HexValue = reverse_table(kBase32Hex, true);

std::string hex_with(ByteView data, const char* digits) {
  std::string out;
  out.resize(data.size() * 2);
  for (std::size_t i = 0; i < data.size(); ++i) {
    out[2 * i] = digits[data[i] >> 4];
    out[2 * i + 1] = digits[data[i] & 0x0f];
  }
  return out;
}

tl::unexpected<Error> bad(std::string detail) {
  return fail(errc::bad_encoding, std::move(detail));
}

}  // namespace

std::string to_hex(ByteView data) { return hex_with(data, kHexLower); }
std::string to_hex_upper(ByteView data) { return hex_with(data, kHexUpper); }

Result<void> append_hex(std::string_view text, Bytes& out) {
  if (text.size() % 2 != 0) return bad("odd number of hex digits");
  out.reserve(out.size() + text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    auto hi = kHexValue[static_cast<unsigned char>(text[i])];
    auto lo = kHexValue[static_cast<unsigned char>(text[i + 1])];
    if (hi == kBad || lo == kBad) return bad("invalid hex digit");
    out.push_back(static_cast<std::uint8_t>((hi << 4) | lo));
  }
  return {};
}

Result<Bytes> from_hex(std::string_view text) {
  Bytes out;
  if (auto r = append_hex(text, out); !r) return tl::unexpected(r.error());
  return out;
}

std::string to_base64(ByteView data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) | data[i + 2];
    out.push_back(kBase64[(v >> 18) & 63]);
    out.push_back(kBase64[(v >> 12) & 63]);
    out.push_back(kBase64[(v >> 6) & 63]);
    out.push_back(kBase64[v & 63]);
  }
  if (std::size_t rest = data.size() - i; rest > 0) {
    std::uint32_t v = std::uint32_t{data[i]} << 16;
    if (rest == 2) v |= std::uint32_t{data[i + 1]} << 8;
    out.push_back(kBase64[(v >> 18) & 63]);
    out.push_back(kBase64[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kBase64[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

Result<void> append_base64(std::string_view text, Bytes& out) {
  if (text.size() % 4 != 0) return bad("base64 length is not a multiple of 4");
  out.reserve(out.size() + text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    int pad = 0;
    std::uint32_t v = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      char c = text[i + j];
      if (c == '=') {
        if (!last || j < 2) return bad("misplaced base64 padding");
        ++pad;
        v <<= 6;
        continue;
      }
      if (pad > 0) return bad("misplaced base64 padding");
      auto d = kBase64Value[static_cast<unsigned char>(c)];
      if (d == kBad) return bad("invalid base64 character");
      v = (v << 6) | d;
    }
    // Non-canonical encodings (stray bits in the final group) are refused.
    if ((pad == 1 && (v & 0xff) != 0) || (pad == 2 && (v & 0xffff) != 0)) {
      return bad("non-canonical base64 padding bits");
    }
    out.push_back(static_cast<std::uint8_t>(v >> 16));
    if (pad < 2) out.push_back(static_cast<std::uint8_t>(v >> 8));
    if (pad < 1) out.push_back(static_cast<std::uint8_t>(v));
  }
  return {};
}

Result<Bytes> from_base64(std::string_view text) {
  Bytes out;
  if (auto r = append_base64(text, out); !r) return tl::unexpected(r.error());
  return out;
}

std::string to_base32hex(ByteView data) {
  std::string out;
  out.reserve((data.size() * 8 + 4) / 5);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (auto byte : data) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kBase32Hex[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kBase32Hex[(buffer << (5 - bits)) & 31]);
  return out;
}

Result<void> append_base32hex(std::string_view text, Bytes& out) {
  // Valid unpadded lengths leave 0, 2, 4, 5 or 7 characters in the last group.
  switch (text.size() % 8) {
    case 1: case 3: case 6: return bad("impossible base32hex length");
    default: break;
  }
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    auto d = kBase32HexValue[static_cast<unsigned char>(c)];
    if (d == kBad) return bad("invalid base32hex character");
    buffer = (buffer << 5) | d;
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<std::uint8_t>(buffer >> (bits - 8)));
      bits -= 8;
    }
  }
  if ((buffer & ((1u << bits) - 1)) != 0) return bad("non-canonical base32hex trailing bits");
  return {};
}

Result<Bytes> from_base32hex(std::string_view text) {
  Bytes out;
  if (auto r = append_base32hex(text, out); !r) return tl::unexpected(r.error());
  return out;
}

}  // namespace kskline::base
