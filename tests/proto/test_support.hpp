// Helpers shared by the proto tests: a seeded Random, hex, and the test
// vectors published in docs/protocol.md.
#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>

#include "base/bytes.hpp"
#include "base/encoding.hpp"
#include "proto/random.hpp"

namespace kskline::proto::testing {

// A deterministic Random for tests (xorshift-free: std::mt19937_64).
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(std::uint64_t seed) : rng_(seed) {}
  void fill(std::span<std::uint8_t> out) override {
    for (auto& b : out) b = static_cast<std::uint8_t>(rng_());
  }

 private:
  std::mt19937_64 rng_;
};

// Random bytes from a seed.
inline Bytes random_bytes(std::size_t n, std::uint64_t seed) {
  SeededRandom r(seed);
  Bytes b(n);
  r.fill(b);
  return b;
}

// Decodes hex, throwing on bad input (test constants only).
inline Bytes hex(std::string_view text) {
  auto b = base::from_hex(text);
  if (!b) throw std::invalid_argument("bad hex in test");
  return *b;
}

// The test vectors of docs/protocol.md: every fenced block opened with
// ```hex NAME, its lines of hex concatenated (spaces ignored).
inline std::map<std::string, Bytes> doc_vectors() {
  std::ifstream in(std::string(KSKLINE_SOURCE_DIR) + "/docs/protocol.md");
  if (!in) throw std::runtime_error("cannot read docs/protocol.md");
  std::map<std::string, Bytes> out;
  std::string line, name, text;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside && line.rfind("```hex ", 0) == 0) {
      inside = true;
      name = line.substr(7);
      text.clear();
    } else if (inside && line.rfind("```", 0) == 0) {
      inside = false;
      out[name] = hex(text);
    } else if (inside) {
      for (char c : line) {
        if (c != ' ') text.push_back(c);
      }
    }
  }
  return out;
}

}  // namespace kskline::proto::testing
