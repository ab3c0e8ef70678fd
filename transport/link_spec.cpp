#include "transport/link_spec.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>
#include <vector>

#include "transport/errc.hpp"

namespace kskline::transport {
namespace {

tl::unexpected<Error> bad(std::string detail) { return fail(errc::bad_link_spec, std::move(detail)); }

std::vector<std::string_view> split_commas(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    std::size_t comma = text.find(',', start);
    out.push_back(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

Result<std::uint64_t> parse_unsigned(std::string_view key, std::string_view value, std::uint64_t lo,
                                     std::uint64_t hi) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (value.empty() || ec != std::errc() || p != value.data() + value.size()) {
    return bad(std::string(key) + "=" + std::string(value) + ": not a whole number");
  }
  if (v < lo || v > hi) {
    return bad(std::string(key) + "=" + std::string(value) + ": must be " + std::to_string(lo) + ".." +
               std::to_string(hi));
  }
  return v;
}

Result<double> parse_probability(std::string_view key, std::string_view value) {
  std::string s(value);
  char* end = nullptr;
  double v = s.empty() ? NAN : std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v)) {
    return bad(std::string(key) + "=" + s + ": not a number");
  }
  if (v < 0 || v > 1) return bad(std::string(key) + "=" + s + ": must be a probability, 0..1");
  return v;
}

// Splits the options after the first field into key/value pairs, refusing
// empty ones, missing '=' and repeats.
Result<std::vector<std::pair<std::string_view, std::string_view>>> options(
    const std::vector<std::string_view>& parts, std::string_view kind) {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  std::set<std::string_view> seen;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    std::string_view part = parts[i];
    std::size_t eq = part.find('=');
    if (part.empty()) return bad("empty option in a " + std::string(kind) + " link spec");
    if (eq == std::string_view::npos || eq == 0) {
      return bad("option '" + std::string(part) + "' of a " + std::string(kind) + " link must be NAME=VALUE");
    }
    std::string_view key = part.substr(0, eq);
    if (!seen.insert(key).second) return bad("option '" + std::string(key) + "' given twice");
    out.emplace_back(key, part.substr(eq + 1));
  }
  return out;
}

Result<LinkSpec> parse_serial(std::string_view rest) {
  auto parts = split_commas(rest);
  SerialLink link;
  link.path = std::string(parts[0]);
  if (link.path.empty()) return bad("serial link without a device path (serial:PATH[,baud=N]...)");
  auto opts = options(parts, "serial");
  if (!opts) return tl::unexpected(opts.error());
  SerialSettings& s = link.settings;
  for (auto [key, value] : *opts) {
    if (key == "baud") {
      auto v = parse_unsigned(key, value, 50, 4000000);
      if (!v) return tl::unexpected(v.error());
      s.baud = static_cast<std::uint32_t>(*v);
    } else if (key == "bits") {
      if (value != "7" && value != "8") return bad("bits=" + std::string(value) + ": must be 7 or 8");
      s.data_bits = static_cast<std::uint8_t>(value[0] - '0');
    } else if (key == "stop") {
      if (value != "1" && value != "2") return bad("stop=" + std::string(value) + ": must be 1 or 2");
      s.stop_bits = static_cast<std::uint8_t>(value[0] - '0');
    } else if (key == "parity") {
      if (value == "none") {
        s.parity = Parity::none;
      } else if (value == "even") {
        s.parity = Parity::even;
      } else if (value == "odd") {
        s.parity = Parity::odd;
      } else {
        return bad("parity=" + std::string(value) + ": must be none, even or odd");
      }
    } else if (key == "flow") {
      if (value == "none") {
        s.flow = Flow::none;
      } else if (value == "xonxoff") {
        s.flow = Flow::xonxoff;
      } else if (value == "rtscts") {
        s.flow = Flow::rtscts;
      } else {
        return bad("flow=" + std::string(value) + ": must be none, xonxoff or rtscts");
      }
    } else {
      return bad("unknown serial option '" + std::string(key) + "' (baud, flow, parity, bits, stop)");
    }
  }
  return LinkSpec(std::move(link));
}

Result<LinkSpec> parse_loopback(std::string_view text) {
  auto parts = split_commas(text);
  if (parts[0] != "loopback") return bad("unknown link kind '" + std::string(parts[0]) + "'");
  auto opts = options(parts, "loopback");
  if (!opts) return tl::unexpected(opts.error());
  LoopbackLink link;
  for (auto [key, value] : *opts) {
    if (key == "ber" || key == "drop" || key == "dup") {
      auto p = parse_probability(key, value);
      if (!p) return tl::unexpected(p.error());
      (key == "ber" ? link.ber : key == "drop" ? link.drop : link.dup) = *p;
    } else if (key == "seed") {
      auto v = parse_unsigned(key, value, 0, UINT64_MAX);
      if (!v) return tl::unexpected(v.error());
      link.seed = *v;
    } else if (key == "baud") {
      auto v = parse_unsigned(key, value, 0, 100000000);  // 0: unlimited
      if (!v) return tl::unexpected(v.error());
      link.baud = static_cast<std::uint32_t>(*v);
    } else {
      return bad("unknown loopback option '" + std::string(key) + "' (ber, drop, dup, baud, seed)");
    }
  }
  return LinkSpec(link);
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

std::uint32_t SerialSettings::bits_per_char() const noexcept {
  return 1u + data_bits + (parity == Parity::none ? 0u : 1u) + stop_bits;
}

std::uint32_t SerialSettings::bytes_per_second() const noexcept { return baud / bits_per_char(); }

std::string_view to_string(Flow flow) noexcept {
  switch (flow) {
    case Flow::none: return "none";
    case Flow::xonxoff: return "xonxoff";
    case Flow::rtscts: return "rtscts";
  }
  return "none";
}

std::string_view to_string(Parity parity) noexcept {
  switch (parity) {
    case Parity::none: return "none";
    case Parity::even: return "even";
    case Parity::odd: return "odd";
  }
  return "none";
}

Result<LinkSpec> parse_link_spec(std::string_view text) {
  if (text.rfind("serial:", 0) == 0) return parse_serial(text.substr(7));
  if (text.rfind("spool:", 0) == 0) {
    std::string dir(text.substr(6));
    if (dir.empty()) return bad("spool link without a directory (spool:DIR)");
    return LinkSpec(SpoolLink{std::move(dir)});
  }
  if (text == "loopback" || text.rfind("loopback,", 0) == 0) return parse_loopback(text);
  std::string shown(text.substr(0, 64));
  return bad("unknown link '" + shown +
             "': expected serial:PATH[,baud=N][,flow=none|xonxoff|rtscts][,parity=none|even|odd][,bits=7|8][,stop=1|2], "
             "spool:DIR or loopback[,ber=X][,drop=X][,seed=N]");
}

std::string to_string(const LinkSpec& spec) {
  if (const auto* s = std::get_if<SerialLink>(&spec)) {
    const SerialSettings& v = s->settings;
    return "serial:" + s->path + ",baud=" + std::to_string(v.baud) + ",flow=" + std::string(to_string(v.flow)) +
           ",parity=" + std::string(to_string(v.parity)) + ",bits=" + std::to_string(v.data_bits) +
           ",stop=" + std::to_string(v.stop_bits);
  }
  if (const auto* s = std::get_if<SpoolLink>(&spec)) return "spool:" + s->dir;
  const auto& l = std::get<LoopbackLink>(spec);
  return "loopback,ber=" + number(l.ber) + ",drop=" + number(l.drop) + ",dup=" + number(l.dup) +
         ",baud=" + std::to_string(l.baud) + ",seed=" + std::to_string(l.seed);
}

}  // namespace kskline::transport
