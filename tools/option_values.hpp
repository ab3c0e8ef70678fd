// The values of command-line options, checked when the command line is read:
// a malformed value is a usage error (exit 2) before the command does
// anything, whichever command and option it is.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/error.hpp"

namespace kskline::tools {

// The longest wait an option of seconds takes (--wait, --timeout): about 31 years.
inline constexpr double kMaxSeconds = 1e9;

// A time option (parse_when at the clock's now).
CLI::Validator time_value();

// A duration option (parse_duration_option): every number has a unit.
CLI::Validator duration_value();

// A TTL: seconds, or a duration with units (zone::parse_ttl).
CLI::Validator ttl_value();

// One of `words`; otherwise "'x' is not WHAT: use a, b or c".
CLI::Validator word_value(std::string_view what, std::initializer_list<std::string_view> words);

// A domain name (zone::Name::parse; relative names are read from the root).
CLI::Validator zone_value();

// A link spec (transport::parse_link_spec): serial:PATH[,...], spool:DIR or loopback[,...].
CLI::Validator link_value();

// A DNSSEC algorithm, number or mnemonic (zone::parse_algorithm).
CLI::Validator algorithm_value();

// DS digest types, comma-separated (parse_digest_list).
CLI::Validator digests_value();

// A number from `low` to `high` (what CLI11 reads for the option's type).
CLI::Validator number_value(double low, double high);

// The DS digest types of a comma-separated list ("sha256,sha384"), each once,
// in the order given. zone::parse_ds_digest_type's error naming --digest otherwise.
Result<std::vector<std::uint8_t>> parse_digest_list(std::string_view text);

}  // namespace kskline::tools
