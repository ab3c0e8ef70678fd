#include "signer/config_text.hpp"

#include <cstdio>
#include <utility>

#include "signer/errc.hpp"
#include "zone/rdata.hpp"

namespace kskline::signer {

Result<std::int64_t> parse_duration(std::string_view text, std::string_view what) {
  auto v = zone::parse_ttl(text);
  if (!v) {
    return fail(errc::bad_config,
                "'" + std::string(text) + "' is not a duration (seconds, or units w, d, h, m, s such as 30d, 1h30m)",
                std::string(what));
  }
  return static_cast<std::int64_t>(*v);
}

std::string format_duration(std::int64_t seconds) {
  if (seconds <= 0) return "0";
  std::string out;
  const std::pair<std::int64_t, char> units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
  for (auto [size, unit] : units) {
    if (seconds >= size) {
      out += std::to_string(seconds / size);
      out += unit;
      seconds %= size;
    }
  }
  return out;
}

std::string format_signed_duration(std::int64_t seconds) {
  return seconds < 0 ? "-" + format_duration(-seconds) : format_duration(seconds);
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace kskline::signer
