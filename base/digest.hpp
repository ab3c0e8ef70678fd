// SHA-1 (verification of legacy DS only) and SHA-2 digests through OpenSSL EVP.
#pragma once

#include <memory>

#include "base/bytes.hpp"

namespace kskline::base {

// The digest algorithms the project uses.
enum class DigestAlgorithm { sha1, sha256, sha384, sha512 };

// Returns the output length in octets of an algorithm.
std::size_t digest_size(DigestAlgorithm alg) noexcept;

// An incremental digest; the EVP_MD is fetched once per process and the
// context is reused across reset() calls. Not thread-safe; one per thread.
class Digest {
 public:
  // Starts a digest of the given algorithm.
  explicit Digest(DigestAlgorithm alg);
  ~Digest();
  Digest(Digest&&) noexcept;
  Digest& operator=(Digest&&) noexcept;

  // Restarts the computation, keeping the algorithm.
  void reset();
  // Feeds data.
  void update(ByteView data);
  // Returns the digest of everything fed since the last reset and resets.
  Bytes finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Computes a digest in one call.
Bytes digest(DigestAlgorithm alg, ByteView data);

}  // namespace kskline::base
