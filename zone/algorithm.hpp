// The DNSSEC algorithm table (IANA "DNS Security Algorithm Numbers").
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace kskline::zone {

// Algorithm numbers used by name in code.
namespace alg {
inline constexpr std::uint8_t RSASHA1 = 5, RSASHA1_NSEC3_SHA1 = 7, RSASHA256 = 8,
    RSASHA512 = 10, ECDSAP256SHA256 = 13, ECDSAP384SHA384 = 14, ED25519 = 15, ED448 = 16;
}  // namespace alg

// One row of the algorithm table.
struct AlgorithmInfo {
  std::uint8_t number;
  std::string_view mnemonic;  // as in RFC 8624 and BIND key files
  bool supported;             // whether kskline signs and verifies with it
};

// Finds an algorithm's row by number; nullptr when unassigned.
const AlgorithmInfo* find_algorithm(std::uint8_t number);
// Finds an algorithm by mnemonic (case-insensitive) or decimal number;
// nullopt otherwise.
std::optional<std::uint8_t> parse_algorithm(std::string_view text);
// The mnemonic of an algorithm, or its decimal number when unassigned.
std::string algorithm_to_string(std::uint8_t number);
// All rows, ordered by number.
std::span<const AlgorithmInfo> all_algorithms();

}  // namespace kskline::zone
