#include "zone/algorithm.hpp"

#include <array>
#include <charconv>

#include "base/text.hpp"

namespace kskline::zone {
namespace {

constexpr std::array<AlgorithmInfo, 13> kAlgorithms{{
    {1, "RSAMD5", false},
    {3, "DSA", false},
    {5, "RSASHA1", false},
    {6, "DSA-NSEC3-SHA1", false},
    {7, "RSASHA1-NSEC3-SHA1", false},
    {8, "RSASHA256", true},
    {10, "RSASHA512", true},
    {12, "ECC-GOST", false},
    {13, "ECDSAP256SHA256", true},
    {14, "ECDSAP384SHA384", true},
    {15, "ED25519", true},
    {16, "ED448", true},
    {253, "PRIVATEDNS", false},
}};

}  // namespace

const AlgorithmInfo* find_algorithm(std::uint8_t number) {
  for (const auto& row : kAlgorithms) {
    if (row.number == number) return &row;
  }
  return nullptr;
}

std::optional<std::uint8_t> parse_algorithm(std::string_view text) {
  for (const auto& row : kAlgorithms) {
    if (base::iequals(row.mnemonic, text)) return row.number;
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || value > 255) {
    return std::nullopt;
  }
  return static_cast<std::uint8_t>(value);
}

std::string algorithm_to_string(std::uint8_t number) {
  if (const auto* row = find_algorithm(number)) return std::string(row->mnemonic);
  return std::to_string(number);
}

std::span<const AlgorithmInfo> all_algorithms() { return kAlgorithms; }

}  // namespace kskline::zone
