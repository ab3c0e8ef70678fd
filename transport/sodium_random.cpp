#include "transport/sodium_random.hpp"

#include <sodium.h>

#include "base/sodium.hpp"

namespace kskline::transport {

SodiumRandom::SodiumRandom() {
  base::init_sodium();
}

void SodiumRandom::fill(std::span<std::uint8_t> out) {
  if (!out.empty()) randombytes_buf(out.data(), out.size());
}

}  // namespace kskline::transport
