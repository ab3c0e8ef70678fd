// The production source of randomness: libsodium's CSPRNG.
#pragma once

#include "proto/random.hpp"

namespace kskline::transport {

// A proto::Random backed by libsodium randombytes_buf (the kernel's
// getrandom). Calls sodium_init() on construction; aborts if libsodium
// cannot initialise (no usable entropy source: nothing safe is possible).
class SodiumRandom final : public proto::Random {
 public:
  SodiumRandom();
  // Fills out with cryptographically secure random bytes.
  void fill(std::span<std::uint8_t> out) override;
};

}  // namespace kskline::transport
