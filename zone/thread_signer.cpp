#include "zone/internal/thread_signer.hpp"

#include <array>
#include <optional>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include "zone/errc.hpp"
#include "zone/internal/ecdsa_presign.hpp"
#include "zone/internal/openssl_key.hpp"
#include "zone/internal/openssl_support.hpp"

namespace kskline::zone {
namespace {

using ossl::AlgSpec;
using ossl::BldPtr;
using ossl::BnPtr;
using ossl::crypto_fail;
using ossl::Family;
using ossl::LibCtxPtr;
using ossl::MdCtxPtr;
using ossl::MdPtr;
using ossl::ParamPtr;
using ossl::PkeyCtxPtr;
using ossl::PkeyPtr;

BnPtr secret_bn(ByteView octets) {
  BnPtr bn(BN_secure_new());
  if (bn && BN_bin2bn(octets.data(), static_cast<int>(octets.size()), bn.get()) == nullptr) bn.reset();
  return bn;
}

// Builds a key of `type` in `libctx` from the parameters in `bld`.
Result<PkeyPtr> key_from_params(OSSL_LIB_CTX* libctx, const char* type, OSSL_PARAM_BLD* bld) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(libctx, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_KEYPAIR, params.get()) <= 0) {
    return crypto_fail(std::string("importing a ") + type + " key into a thread's context");
  }
  return PkeyPtr(raw);
}

// A copy of `key` made in `libctx`.
Result<PkeyPtr> import_key(OSSL_LIB_CTX* libctx, const AlgSpec& alg, const PrivateKey& key) {
  BldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld) return crypto_fail("building key parameters");
  if (alg.family == Family::eddsa) {
    auto seed = key.raw_secret();
    if (!seed) return tl::unexpected(seed.error());
    EVP_PKEY* raw = EVP_PKEY_new_raw_private_key_ex(libctx, alg.key_type, nullptr, seed->bytes().data(),
                                                    seed->size());
    if (raw == nullptr) return crypto_fail("importing an EdDSA key into a thread's context");
    return PkeyPtr(raw);
  }
  if (alg.family == Family::ecdsa) {
    auto d = key.raw_secret();
    if (!d) return tl::unexpected(d.error());
    auto pub = key.public_key_field();
    if (!pub) return tl::unexpected(pub.error());
    std::array<std::uint8_t, 97> point{};
    if (pub->size() + 1 > point.size()) return fail(errc::bad_key, "ECDSA public key too long");
    point[0] = 0x04;  // uncompressed x||y
    std::memcpy(point.data() + 1, pub->data(), pub->size());
    BnPtr bn = secret_bn(d->bytes());
    if (!bn || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, alg.group, 0) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, bn.get()) ||
        !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), pub->size() + 1)) {
      return crypto_fail("building ECDSA key parameters");
    }
    return key_from_params(libctx, "EC", bld.get());
  }
  auto s = key.rsa_secrets();
  if (!s) return tl::unexpected(s.error());
  const std::pair<const char*, const base::SecureBuffer*> fields[] = {
      {OSSL_PKEY_PARAM_RSA_N, &s->modulus},           {OSSL_PKEY_PARAM_RSA_E, &s->public_exponent},
      {OSSL_PKEY_PARAM_RSA_D, &s->private_exponent},  {OSSL_PKEY_PARAM_RSA_FACTOR1, &s->prime1},
      {OSSL_PKEY_PARAM_RSA_FACTOR2, &s->prime2},      {OSSL_PKEY_PARAM_RSA_EXPONENT1, &s->exponent1},
      {OSSL_PKEY_PARAM_RSA_EXPONENT2, &s->exponent2}, {OSSL_PKEY_PARAM_RSA_COEFFICIENT1, &s->coefficient},
  };
  std::vector<BnPtr> bns;  // must outlive the parameters built from them
  for (const auto& [param, value] : fields) {
    bns.push_back(secret_bn(value->bytes()));
    if (!bns.back() || !OSSL_PARAM_BLD_push_BN(bld.get(), param, bns.back().get())) {
      return crypto_fail("building RSA key parameters");
    }
  }
  return key_from_params(libctx, "RSA", bld.get());
}

// One key prepared in the thread's context.
struct Prepared {
  const AlgSpec* alg = nullptr;
  PkeyPtr pkey;
  PkeyCtxPtr sign_ctx;  // RSA, ECDSA: sign over a digest
  MdPtr md;             // RSA, ECDSA: fetched in the thread's context
  MdCtxPtr md_ctx;      // per key: OpenSSL 3.0 keeps the first key of a
                        // DigestSign context that is initialised again
  std::optional<EcdsaPresigner> ecdsa;  // ECDSA: signs digests, nonces ahead
  std::size_t max_out = 0;
  std::optional<Signer> held;  // a key held elsewhere: signs through its own session
};

}  // namespace

struct ThreadSigner::Impl {
  LibCtxPtr libctx;
  std::vector<Prepared> keys;
};

ThreadSigner::ThreadSigner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ThreadSigner::ThreadSigner(ThreadSigner&&) noexcept = default;
ThreadSigner& ThreadSigner::operator=(ThreadSigner&&) noexcept = default;
ThreadSigner::~ThreadSigner() = default;

Result<ThreadSigner> ThreadSigner::create(std::span<const PrivateKey* const> keys) {
  auto impl = std::make_unique<Impl>();
  impl->libctx.reset(OSSL_LIB_CTX_new());
  if (!impl->libctx) return crypto_fail("creating a thread's OpenSSL context");
  OSSL_LIB_CTX* libctx = impl->libctx.get();
  for (const PrivateKey* key : keys) {
    Prepared p;
    p.alg = ossl::find_spec(key->algorithm());
    if (p.alg == nullptr) {
      return fail(errc::unsupported_algorithm,
                  "DNSSEC algorithm " + std::to_string(key->algorithm()) + " is not supported");
    }
    if (OpensslAccess::evp(*key) == nullptr) {
      auto held = Signer::create(*key);
      if (!held) return tl::unexpected(held.error());
      p.held = std::move(*held);
      impl->keys.push_back(std::move(p));
      continue;
    }
    p.md_ctx.reset(EVP_MD_CTX_new());
    if (!p.md_ctx) return crypto_fail("creating a digest context");
    if (p.alg->family == Family::ecdsa) {
      p.md.reset(EVP_MD_fetch(libctx, p.alg->md_name, nullptr));
      if (!p.md) return crypto_fail("fetching the digest");
      auto ecdsa = EcdsaPresigner::create(libctx, *key);
      if (!ecdsa) return tl::unexpected(ecdsa.error());
      p.ecdsa = std::move(*ecdsa);
      impl->keys.push_back(std::move(p));
      continue;
    }
    auto pkey = import_key(libctx, *p.alg, *key);
    if (!pkey) return tl::unexpected(pkey.error());
    p.pkey = std::move(*pkey);
    p.max_out = static_cast<std::size_t>(EVP_PKEY_get_size(p.pkey.get()));
    if (p.alg->family == Family::rsa) {
      p.md.reset(EVP_MD_fetch(libctx, p.alg->md_name, nullptr));
      p.sign_ctx.reset(EVP_PKEY_CTX_new_from_pkey(libctx, p.pkey.get(), nullptr));
      if (!p.md || !p.sign_ctx || EVP_PKEY_sign_init(p.sign_ctx.get()) <= 0) {
        return crypto_fail("preparing a signing context");
      }
      if (p.alg->family == Family::rsa && EVP_PKEY_CTX_set_rsa_padding(p.sign_ctx.get(), RSA_PKCS1_PADDING) <= 0) {
        return crypto_fail("setting RSA padding");
      }
      if (EVP_PKEY_CTX_set_signature_md(p.sign_ctx.get(), p.md.get()) <= 0) {
        return crypto_fail("setting the signature digest");
      }
    }
    impl->keys.push_back(std::move(p));
  }
  return ThreadSigner(std::move(impl));
}

std::size_t ThreadSigner::key_count() const { return impl_->keys.size(); }

std::uint8_t ThreadSigner::algorithm(std::size_t key) const { return impl_->keys[key].alg->number; }

Result<void> ThreadSigner::sign(std::size_t key, ByteView data, Bytes& out) {
  Prepared& k = impl_->keys[key];
  if (k.held) return k.held->sign(data, out);
  EVP_MD_CTX* md_ctx = k.md_ctx.get();
  const std::size_t at = out.size();
  if (k.alg->family == Family::eddsa) {
    // OpenSSL 3.0 needs a fresh init for each EdDSA message.
    std::size_t len = k.alg->sig_size;
    out.resize(at + len);
    if (EVP_DigestSignInit_ex(md_ctx, nullptr, nullptr, impl_->libctx.get(), nullptr, k.pkey.get(), nullptr) <= 0 ||
        EVP_DigestSign(md_ctx, out.data() + at, &len, data.data(), data.size()) <= 0 || len != k.alg->sig_size) {
      out.resize(at);
      return crypto_fail("EdDSA signing");
    }
    return {};
  }
  std::uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned dlen = 0;
  if (EVP_DigestInit_ex2(md_ctx, k.md.get(), nullptr) <= 0 ||
      EVP_DigestUpdate(md_ctx, data.data(), data.size()) <= 0 || EVP_DigestFinal_ex(md_ctx, digest, &dlen) <= 0) {
    return crypto_fail("hashing the signed data");
  }
  if (k.alg->family == Family::rsa) {
    std::size_t len = k.max_out;
    out.resize(at + len);
    if (EVP_PKEY_sign(k.sign_ctx.get(), out.data() + at, &len, digest, dlen) <= 0) {
      out.resize(at);
      return crypto_fail("RSA signing");
    }
    out.resize(at + len);
    return {};
  }
  out.resize(at + k.alg->sig_size);
  if (auto r = k.ecdsa->sign_digest(ByteView(digest, dlen), out.data() + at); !r) {
    out.resize(at);
    return r;
  }
  return {};
}

std::size_t ThreadSigner::precompute(std::size_t key, std::size_t count) {
  Prepared& k = impl_->keys[key];
  return k.ecdsa ? k.ecdsa->precompute(count) : 0;
}

std::size_t ThreadSigner::pooled(std::size_t key) const {
  const Prepared& k = impl_->keys[key];
  return k.ecdsa ? k.ecdsa->pooled() : 0;
}

}  // namespace kskline::zone
