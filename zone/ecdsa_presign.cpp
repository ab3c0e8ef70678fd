// The one file that uses OpenSSL's deprecated low-level ECDSA interface (see
// the header for why).
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "zone/internal/ecdsa_presign.hpp"

#include <array>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include "zone/algorithm.hpp"
#include "zone/errc.hpp"
#include "zone/internal/openssl_support.hpp"

namespace kskline::zone {
namespace {

using ossl::BnCtxPtr;
using ossl::BnPtr;
using ossl::crypto_fail;
using ossl::PointPtr;
using ossl::SigPtr;

struct EcKeyFree { void operator()(EC_KEY* p) const { EC_KEY_free(p); } };  // deprecated API: here only

// A precomputed nonce: k^-1 mod n and r.
struct Nonce {
  BIGNUM* kinv = nullptr;
  BIGNUM* r = nullptr;
};

void wipe(Nonce& n) {
  BN_clear_free(n.kinv);
  BN_clear_free(n.r);
  n = {};
}

}  // namespace

struct EcdsaPresigner::Impl {
  std::unique_ptr<EC_KEY, EcKeyFree> key;
  BnCtxPtr bn_ctx;
  std::size_t width = 0;
  std::vector<Nonce> pool;

  ~Impl() {
    for (auto& n : pool) wipe(n);
  }
};

EcdsaPresigner::EcdsaPresigner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EcdsaPresigner::EcdsaPresigner(EcdsaPresigner&&) noexcept = default;
EcdsaPresigner& EcdsaPresigner::operator=(EcdsaPresigner&&) noexcept = default;
EcdsaPresigner::~EcdsaPresigner() = default;

Result<EcdsaPresigner> EcdsaPresigner::create(OSSL_LIB_CTX* libctx, const PrivateKey& key) {
  int nid = 0;
  auto impl = std::make_unique<Impl>();
  if (key.algorithm() == alg::ECDSAP256SHA256) {
    nid = NID_X9_62_prime256v1;
    impl->width = 32;
  } else if (key.algorithm() == alg::ECDSAP384SHA384) {
    nid = NID_secp384r1;
    impl->width = 48;
  } else {
    return fail(errc::unsupported_algorithm, "not an ECDSA key (algorithm " + std::to_string(key.algorithm()) + ")");
  }
  auto secret = key.raw_secret();
  if (!secret) return tl::unexpected(secret.error());
  auto pub = key.public_key_field();
  if (!pub) return tl::unexpected(pub.error());
  impl->key.reset(EC_KEY_new_by_curve_name_ex(libctx, nullptr, nid));
  impl->bn_ctx.reset(BN_CTX_secure_new_ex(libctx));
  BnPtr d(BN_secure_new());
  if (!impl->key || !impl->bn_ctx || !d ||
      BN_bin2bn(secret->bytes().data(), static_cast<int>(secret->size()), d.get()) == nullptr ||
      EC_KEY_set_private_key(impl->key.get(), d.get()) != 1) {
    return crypto_fail("importing an ECDSA key");
  }
  const EC_GROUP* group = EC_KEY_get0_group(impl->key.get());
  PointPtr point(EC_POINT_new(group));
  std::array<std::uint8_t, 97> octets{};
  if (pub->size() + 1 > octets.size()) return fail(errc::bad_key, "ECDSA public key too long");
  octets[0] = 0x04;
  std::memcpy(octets.data() + 1, pub->data(), pub->size());
  if (!point || EC_POINT_oct2point(group, point.get(), octets.data(), pub->size() + 1, impl->bn_ctx.get()) != 1 ||
      EC_KEY_set_public_key(impl->key.get(), point.get()) != 1) {
    return crypto_fail("importing an ECDSA public key");
  }
  return EcdsaPresigner(std::move(impl));
}

std::size_t EcdsaPresigner::precompute(std::size_t count) {
  Impl& m = *impl_;
  std::size_t made = 0;
  for (; made < count; ++made) {
    Nonce n;
    if (ECDSA_sign_setup(m.key.get(), m.bn_ctx.get(), &n.kinv, &n.r) != 1) {
      wipe(n);
      ERR_clear_error();
      break;
    }
    m.pool.push_back(n);
  }
  return made;
}

std::size_t EcdsaPresigner::pooled() const { return impl_->pool.size(); }

std::size_t EcdsaPresigner::width() const { return impl_->width; }

Result<void> EcdsaPresigner::sign_digest(ByteView digest, std::uint8_t* out) {
  Impl& m = *impl_;
  SigPtr sig;
  while (!m.pool.empty() && !sig) {
    Nonce n = m.pool.back();
    m.pool.pop_back();
    sig.reset(ECDSA_do_sign_ex(digest.data(), static_cast<int>(digest.size()), n.kinv, n.r, m.key.get()));
    wipe(n);
    // A nonce that gives s = 0 fails (probability about 2^-256): take the next.
    if (!sig) ERR_clear_error();
  }
  if (!sig) sig.reset(ECDSA_do_sign(digest.data(), static_cast<int>(digest.size()), m.key.get()));
  if (!sig) return crypto_fail("ECDSA signing");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  auto w = static_cast<int>(m.width);
  if (BN_bn2binpad(r, out, w) != w || BN_bn2binpad(s, out + w, w) != w) {
    return crypto_fail("encoding the ECDSA signature");
  }
  return {};
}

}  // namespace kskline::zone
