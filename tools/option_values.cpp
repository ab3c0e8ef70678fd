#include "tools/option_values.hpp"

#include <cstdio>
#include <cstdlib>

#include "tools/time_option.hpp"
#include "transport/link_spec.hpp"
#include "zone/algorithm.hpp"
#include "zone/ds.hpp"
#include "zone/name.hpp"
#include "zone/rdata.hpp"

namespace kskline::tools {
namespace {

// A validator from a check that returns the error text, or nothing when the
// value is good; `label` is the value's name in messages.
template <class Check>
CLI::Validator validator(Check check, std::string label) {
  return CLI::Validator([check](std::string& text) { return check(text); }, std::move(label));
}

}  // namespace

CLI::Validator time_value() {
  return validator(
      [](const std::string& text) {
        auto when = parse_when("", text, system_now());
        return when ? std::string() : when.error().detail;
      },
      "TIME");
}

CLI::Validator duration_value() {
  return validator(
      [](const std::string& text) {
        auto d = parse_duration_option("", text);
        return d ? std::string() : d.error().detail;
      },
      "DURATION");
}

CLI::Validator ttl_value() {
  return validator(
      [](const std::string& text) {
        return zone::parse_ttl(text) ? std::string() : "'" + text + "' is not a TTL (seconds, or 1h, 1d, ...)";
      },
      "TTL");
}

CLI::Validator word_value(std::string_view what, std::initializer_list<std::string_view> words) {
  std::vector<std::string> list(words.begin(), words.end());
  return validator(
      [what = std::string(what), list](const std::string& text) {
        std::string accepted;
        for (std::size_t i = 0; i < list.size(); ++i) {
          if (text == list[i]) return std::string();
          accepted += (i == 0 ? "" : i + 1 == list.size() ? " or " : ", ") + list[i];
        }
        return "'" + text + "' is not " + what + ": use " + accepted;
      },
      "WORD");
}

CLI::Validator zone_value() {
  return validator(
      [](const std::string& text) {
        const zone::Name root;
        auto name = zone::Name::parse(text, &root);
        return name ? std::string() : "'" + text + "' is not a domain name: " + name.error().message();
      },
      "ZONE");
}

CLI::Validator link_value() {
  return validator(
      [](const std::string& text) {
        auto spec = transport::parse_link_spec(text);
        return spec ? std::string() : spec.error().message();
      },
      "LINK");
}

CLI::Validator algorithm_value() {
  return validator(
      [](const std::string& text) {
        return zone::parse_algorithm(text) ? std::string() : "unknown algorithm '" + text + "'";
      },
      "ALG");
}

CLI::Validator digests_value() {
  return validator(
      [](const std::string& text) {
        auto list = parse_digest_list(text);
        return list ? std::string() : list.error().detail;
      },
      "DIGESTS");
}

CLI::Validator number_value(double low, double high) {
  return validator(
      [low, high](const std::string& text) {
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (end == text.c_str() || *end != '\0' || !(v >= low && v <= high)) {
          char range[64];
          std::snprintf(range, sizeof range, "%.10g to %.10g", low, high);
          return "'" + text + "' is not a number from " + std::string(range);
        }
        return std::string();
      },
      "N");
}

Result<std::vector<std::uint8_t>> parse_digest_list(std::string_view text) {
  std::vector<std::uint8_t> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    auto type = zone::parse_ds_digest_type(text.substr(start, comma - start));
    if (!type) return tl::unexpected(type.error().located("--digest"));
    bool seen = false;
    for (auto d : out) seen = seen || d == *type;
    if (!seen) out.push_back(*type);
    start = comma + 1;
  }
  return out;
}

}  // namespace kskline::tools
