// The OpenSSL keys inside PublicKey and PrivateKey, for the zone module's own
// OpenSSL code (PEM key files) and its tests. Internal to zone/.
#pragma once

#include <cstdint>

#include <openssl/types.h>

#include "base/error.hpp"
#include "zone/dnssec_key.hpp"

namespace kskline::zone {

// Reaches the OpenSSL key of a DNSSEC key; the only way in from outside
// dnssec_key.cpp.
struct OpensslAccess {
  // The OpenSSL key of a public key, owned by it; nullptr for a moved-from key.
  static EVP_PKEY* evp(const PublicKey& key);

  // The OpenSSL key of a private key held in memory, owned by it; nullptr
  // for a key held elsewhere.
  static EVP_PKEY* evp(const PrivateKey& key);

  // Adopts an OpenSSL key (taking ownership) as a key held in memory, after
  // checking that its type and size fit the algorithm; errc::bad_key if not
  // (the key is freed), errc::unsupported_algorithm.
  static Result<PrivateKey> adopt(std::uint8_t algorithm, EVP_PKEY* pkey);
};

}  // namespace kskline::zone
