#include "proto/identity.hpp"

#include <stdexcept>

#include <sodium.h>

#include "base/sodium.hpp"
#include "proto/errc.hpp"

namespace kskline::proto {
namespace {

Bytes prefixed(std::string_view context, ByteView message) {
  Bytes m;
  m.reserve(context.size() + message.size());
  m.insert(m.end(), context.begin(), context.end());
  m.insert(m.end(), message.begin(), message.end());
  return m;
}

}  // namespace

Result<LinkIdentity> LinkIdentity::from_seed(ByteView seed) {
  if (seed.size() != crypto_sign_SEEDBYTES) {
    return fail(errc::bad_key, "an Ed25519 seed is 32 bytes, not " + std::to_string(seed.size()));
  }
  base::init_sodium();
  LinkIdentity id;
  id.secret_ = base::SecureBuffer(crypto_sign_SECRETKEYBYTES);
  if (crypto_sign_seed_keypair(id.public_.data(), id.secret_.bytes().data(), seed.data()) != 0) {
    return fail(errc::bad_key, "libsodium refused the seed");
  }
  return id;
}

LinkIdentity LinkIdentity::generate(Random& random) {
  base::SecureBuffer seed(crypto_sign_SEEDBYTES);
  random.fill(seed.bytes());
  auto id = from_seed(seed.bytes());
  if (!id) throw std::logic_error(id.error().message());
  return std::move(*id);
}

Signature LinkIdentity::sign(std::string_view context, ByteView message) const {
  Bytes m = prefixed(context, message);
  Signature sig{};
  crypto_sign_detached(sig.data(), nullptr, m.data(), m.size(), secret_.bytes().data());
  return sig;
}

bool verify_signature(const PublicKey& key, std::string_view context, ByteView message,
                      const Signature& signature) {
  base::init_sodium();
  Bytes m = prefixed(context, message);
  return crypto_sign_verify_detached(signature.data(), m.data(), m.size(), key.data()) == 0;
}

bool PinnedKeys::contains(const PublicKey& key) const noexcept {
  for (const auto& k : keys_) {
    if (k == key) return true;
  }
  return false;
}

}  // namespace kskline::proto
