// Signing for one worker thread of the zone signer: its own OpenSSL library
// context (OSSL_LIB_CTX), the keys imported into it, and contexts reused
// between signatures, so that threads never share OpenSSL state.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "zone/dnssec_key.hpp"

namespace kskline::zone {

// A thread's signing state. OpenSSL 3.0 threads that sign through the shared
// default library context contend on its locks (about 56,000 instead of
// 65,000 P-256 signatures a second on two cores); each ThreadSigner owns a
// fresh OSSL_LIB_CTX and copies of the keys made in it. RSA and ECDSA hash
// with a reused EVP_MD_CTX; RSA signs the digest with a reused EVP_PKEY_CTX,
// ECDSA through EcdsaPresigner (nonces may be computed ahead); EdDSA signs in
// one shot. A key not held in memory (a token) signs through its own
// KeySession instead. Not thread-safe: make one per thread. Move-only.
class ThreadSigner {
 public:
  // Makes a library context and imports `keys` into it (in this order; the
  // index of a key in `keys` is its index in sign()), or opens a session of
  // a key held elsewhere. The PrivateKeys may go after this returns.
  // errc::unsupported_algorithm, errc::crypto_failed, a holder's errors.
  static Result<ThreadSigner> create(std::span<const PrivateKey* const> keys);

  ThreadSigner(ThreadSigner&&) noexcept;
  ThreadSigner& operator=(ThreadSigner&&) noexcept;
  ~ThreadSigner();

  // The number of keys.
  std::size_t key_count() const;
  // The DNSSEC algorithm of key `key`.
  std::uint8_t algorithm(std::size_t key) const;

  // Appends the DNSSEC signature of `data` with key `key` (< key_count()) to
  // out: PKCS#1 v1.5 for RSA, r||s of fixed width for ECDSA (RFC 6605 §4),
  // raw EdDSA (RFC 8080). errc::crypto_failed with OpenSSL's message; out is
  // unchanged then.
  Result<void> sign(std::size_t key, ByteView data, Bytes& out);

  // Computes up to `count` ECDSA nonces ahead for key `key` (none for other
  // algorithms); returns how many. sign() spends them first.
  std::size_t precompute(std::size_t key, std::size_t count);
  // The number of nonces computed ahead and not yet spent for key `key`.
  std::size_t pooled(std::size_t key) const;

 private:
  struct Impl;
  explicit ThreadSigner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kskline::zone
