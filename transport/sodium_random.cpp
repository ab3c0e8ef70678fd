#include "transport/sodium_random.hpp"

#include <cstdlib>

#include <sodium.h>

namespace kskline::transport {

SodiumRandom::SodiumRandom() {
  if (sodium_init() < 0) std::abort();
}

void SodiumRandom::fill(std::span<std::uint8_t> out) {
  if (!out.empty()) randombytes_buf(out.data(), out.size());
}

}  // namespace kskline::transport
