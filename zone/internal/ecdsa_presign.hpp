// ECDSA signing with nonces computed ahead of time. Nearly all of an ECDSA
// signature's cost is the nonce: k, r = (kG).x mod n and k^-1, none of which
// depends on the message. The zone signer computes them on idle cores while
// the zone is still being read and checked, and spends them when it signs.
//
// OpenSSL 3.0 offers this only through the low-level ECDSA_sign_setup and
// ECDSA_do_sign_ex on an EC_KEY (deprecated in 3.0, still present in 3.x);
// this file alone uses them. The EC_KEY lives in the caller's library context.
#pragma once

#include <cstdint>
#include <memory>

#include <openssl/types.h>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "zone/dnssec_key.hpp"

namespace kskline::zone {

// An ECDSA key (algorithm 13 or 14) with a pool of precomputed nonces. Each
// nonce is used for exactly one signature and wiped after. Not thread-safe:
// one per thread. Move-only.
class EcdsaPresigner {
 public:
  // Copies `key` into `libctx` as an EC_KEY. errc::unsupported_algorithm
  // for a key that is not ECDSA P-256/P-384, errc::crypto_failed.
  static Result<EcdsaPresigner> create(OSSL_LIB_CTX* libctx, const PrivateKey& key);

  EcdsaPresigner(EcdsaPresigner&&) noexcept;
  EcdsaPresigner& operator=(EcdsaPresigner&&) noexcept;
  ~EcdsaPresigner();

  // Computes up to `count` more nonces (random k from the library context's
  // private DRBG); returns how many were added (fewer on an OpenSSL error).
  std::size_t precompute(std::size_t count);
  // The number of nonces in the pool.
  std::size_t pooled() const;

  // Signs a message digest (the algorithm's hash of the signed data) and
  // writes r||s, each `width` octets (32 or 48), to `out`. Uses a pooled
  // nonce when there is one, else OpenSSL's own (RFC 6979-style hedged)
  // nonce. errc::crypto_failed.
  Result<void> sign_digest(ByteView digest, std::uint8_t* out);

  // The width of r and s in octets.
  std::size_t width() const;

 private:
  struct Impl;
  explicit EcdsaPresigner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kskline::zone
