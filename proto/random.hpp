// Randomness as the protocol core sees it: an interface the caller implements.
#pragma once

#include <cstdint>
#include <span>

namespace kskline::proto {

// A source of random bytes (nonces, message ids, key seeds). Production code
// passes a CSPRNG (e.g. libsodium randombytes_buf); tests pass a seeded one.
class Random {
 public:
  virtual ~Random() = default;
  // Fills out with random bytes; must not fail.
  virtual void fill(std::span<std::uint8_t> out) = 0;
};

}  // namespace kskline::proto
