// The production source of randomness: libsodium's CSPRNG.
#pragma once

#include "proto/random.hpp"

namespace kskline::transport {

// A proto::Random backed by libsodium randombytes_buf (the kernel's
// getrandom). Initialises libsodium on construction (base::init_sodium,
// which throws when it cannot: no usable entropy source).
class SodiumRandom final : public proto::Random {
 public:
  SodiumRandom();
  // Fills out with cryptographically secure random bytes.
  void fill(std::span<std::uint8_t> out) override;
};

}  // namespace kskline::transport
