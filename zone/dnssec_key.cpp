#include "zone/dnssec_key.hpp"

#include <array>
#include <cstring>
#include <string>
#include <utility>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "zone/algorithm.hpp"
#include "zone/errc.hpp"
#include "zone/internal/openssl_key.hpp"
#include "zone/internal/openssl_support.hpp"
#include "zone/key_tag.hpp"

namespace kskline::zone {
namespace {

using ossl::AlgSpec;
using ossl::BldPtr;
using ossl::BnCtxPtr;
using ossl::BnPtr;
using ossl::crypto_fail;
using ossl::Family;
using ossl::find_spec;
using ossl::GroupPtr;
using ossl::MdCtxPtr;
using ossl::ParamPtr;
using ossl::PkeyCtxPtr;
using ossl::PkeyPtr;
using ossl::PointPtr;
using ossl::SigPtr;

// RSA modulus sizes accepted when reading keys (RFC 5702 §2 allows 512) and
// when generating them.
constexpr unsigned kRsaMinBits = 512, kRsaMaxBits = 4096;
constexpr unsigned kRsaGenMinBits = 1024, kRsaDefaultBits = 2048;
// Exponents longer than this are refused: they make verification slow and no
// real key uses them (65537 and 3 are one to three octets).
constexpr std::size_t kRsaMaxExponentOctets = 8;


// The EVP_MD of a digest name, fetched once per process.
const EVP_MD* fetch_md(const char* name) {
  static EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  static EVP_MD* sha384 = EVP_MD_fetch(nullptr, "SHA2-384", nullptr);
  static EVP_MD* sha512 = EVP_MD_fetch(nullptr, "SHA2-512", nullptr);
  if (std::strcmp(name, "SHA2-256") == 0) return sha256;
  if (std::strcmp(name, "SHA2-384") == 0) return sha384;
  return sha512;
}

tl::unexpected<Error> bad_key(const std::string& what) {
  ERR_clear_error();
  return fail(errc::bad_key, what);
}

tl::unexpected<Error> unsupported(std::uint8_t algorithm) {
  return fail(errc::unsupported_algorithm,
              "DNSSEC algorithm " + std::to_string(algorithm) + " is not supported");
}


// A BIGNUM from big-endian octets; `secret` puts it in OpenSSL's secure heap.
BnPtr make_bn(ByteView octets, bool secret) {
  BnPtr bn(secret ? BN_secure_new() : BN_new());
  if (bn && BN_bin2bn(octets.data(), static_cast<int>(octets.size()), bn.get()) == nullptr) {
    bn.reset();
  }
  return bn;
}

// Number of significant bits of big-endian octets without leading zeros.
unsigned bit_length(ByteView octets) {
  if (octets.empty()) return 0;
  unsigned bits = static_cast<unsigned>(octets.size() - 1) * 8;
  for (std::uint8_t top = octets[0]; top != 0; top >>= 1) ++bits;
  return bits;
}

// Builds an EVP_PKEY of `type` from parameters.
Result<PkeyPtr> from_params(const char* type, int selection, OSSL_PARAM_BLD* bld, const char* what) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  if (!params) return crypto_fail("building key parameters");
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0) return crypto_fail("creating key context");
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) <= 0) return bad_key(what);
  return PkeyPtr(raw);
}

Result<PkeyPtr> rsa_public_from_dnskey(ByteView key) {
  // RFC 3110 §2: exponent length (1 octet, or 0 then 2 octets), exponent, modulus.
  if (key.empty()) return bad_key("empty RSA public key");
  std::size_t pos = 1;
  std::size_t exp_len = key[0];
  if (exp_len == 0) {
    if (key.size() < 3) return bad_key("truncated RSA exponent length");
    exp_len = (std::size_t{key[1]} << 8) | key[2];
    pos = 3;
  }
  if (exp_len == 0) return bad_key("RSA exponent of length 0");
  if (exp_len > kRsaMaxExponentOctets) {
    return bad_key("RSA exponent of " + std::to_string(exp_len) + " octets (at most 8 accepted)");
  }
  if (key.size() <= pos + exp_len) return bad_key("RSA public key truncated (no modulus)");
  ByteView exponent = key.subspan(pos, exp_len);
  ByteView modulus = key.subspan(pos + exp_len);
  if (exponent[0] == 0 || modulus[0] == 0) return bad_key("RSA number with a leading zero octet");
  unsigned bits = bit_length(modulus);
  if (bits < kRsaMinBits || bits > kRsaMaxBits) {
    return bad_key("RSA modulus of " + std::to_string(bits) + " bits (512..4096 accepted)");
  }
  BnPtr n = make_bn(modulus, false), e = make_bn(exponent, false);
  BldPtr bld(OSSL_PARAM_BLD_new());
  if (!n || !e || !bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get())) {
    return crypto_fail("building RSA public key");
  }
  return from_params("RSA", EVP_PKEY_PUBLIC_KEY, bld.get(), "RSA public key refused by OpenSSL");
}

Result<PkeyPtr> ec_public_from_dnskey(const AlgSpec& spec, ByteView key) {
  if (key.size() != 2 * spec.field_size) {
    return bad_key("ECDSA public key of " + std::to_string(key.size()) + " octets (expected " +
                   std::to_string(2 * spec.field_size) + ")");
  }
  // OpenSSL takes the uncompressed point 04||x||y and checks it is on the curve.
  std::array<std::uint8_t, 97> point{};
  point[0] = 0x04;
  std::memcpy(point.data() + 1, key.data(), key.size());
  BldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, spec.group, 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                        key.size() + 1)) {
    return crypto_fail("building ECDSA public key");
  }
  return from_params("EC", EVP_PKEY_PUBLIC_KEY, bld.get(), "ECDSA public key is not a point on the curve");
}

Result<PkeyPtr> ed_public_from_dnskey(const AlgSpec& spec, ByteView key) {
  if (key.size() != spec.field_size) {
    return bad_key("EdDSA public key of " + std::to_string(key.size()) + " octets (expected " +
                   std::to_string(spec.field_size) + ")");
  }
  EVP_PKEY* raw = EVP_PKEY_new_raw_public_key_ex(nullptr, spec.key_type, nullptr, key.data(), key.size());
  if (raw == nullptr) return bad_key("EdDSA public key refused by OpenSSL");
  return PkeyPtr(raw);
}

// Copies a BIGNUM into secret octets without leading zeros.
base::SecureBuffer bn_secret(const BIGNUM* bn) {
  base::SecureBuffer out(static_cast<std::size_t>(BN_num_bytes(bn)));
  BN_bn2bin(bn, out.bytes().data());
  return out;
}

// Reads a BIGNUM parameter of a key.
BnPtr get_bn(EVP_PKEY* pkey, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) <= 0) return nullptr;
  return BnPtr(bn);
}

// Hashes data with a reused context; returns the digest length or 0.
unsigned hash_into(EVP_MD_CTX* ctx, const EVP_MD* md, ByteView data, std::uint8_t* out) {
  unsigned len = 0;
  if (EVP_DigestInit_ex2(ctx, md, nullptr) <= 0 || EVP_DigestUpdate(ctx, data.data(), data.size()) <= 0 ||
      EVP_DigestFinal_ex(ctx, out, &len) <= 0) {
    return 0;
  }
  return len;
}

// A key context prepared for sign (or verify) with PKCS#1 v1.5 / ECDSA and md.
Result<PkeyCtxPtr> prepared_ctx(EVP_PKEY* pkey, const AlgSpec& spec, bool for_signing) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx) return crypto_fail("creating key context");
  int ok = for_signing ? EVP_PKEY_sign_init(ctx.get()) : EVP_PKEY_verify_init(ctx.get());
  if (ok <= 0) return crypto_fail("initialising key context");
  if (spec.family == Family::rsa &&
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) <= 0) {
    return crypto_fail("setting RSA padding");
  }
  if (EVP_PKEY_CTX_set_signature_md(ctx.get(), fetch_md(spec.md_name)) <= 0) {
    return crypto_fail("setting signature digest");
  }
  return ctx;
}

// Whether an EC key's group is the algorithm's curve.
bool ec_group_matches(EVP_PKEY* pkey, const AlgSpec& spec) {
  char name[64];
  std::size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len) <= 0) {
    return false;
  }
  int nid = OBJ_sn2nid(name);
  if (nid == NID_undef) nid = EC_curve_nist2nid(name);
  return nid == spec.nid;
}

// Checks that RSA numbers n, e, d, p, q, dP, dQ, qInv (in this order) belong
// together: n = p*q, e*d = 1 mod p-1 and mod q-1, dP = d mod p-1,
// dQ = d mod q-1, qInv*q = 1 mod p. errc::bad_key naming the first mismatch.
Result<void> rsa_consistent(const BnPtr (&v)[8]) {
  const BIGNUM *n = v[0].get(), *e = v[1].get(), *d = v[2].get(), *p = v[3].get(), *q = v[4].get(),
               *dp = v[5].get(), *dq = v[6].get(), *qinv = v[7].get();
  BnCtxPtr ctx(BN_CTX_secure_new());
  BnPtr t(BN_secure_new()), p1(BN_secure_new()), q1(BN_secure_new());
  if (!ctx || !t || !p1 || !q1 || !BN_sub(p1.get(), p, BN_value_one()) || !BN_sub(q1.get(), q, BN_value_one())) {
    return crypto_fail("checking the RSA key");
  }
  // BN_* failures (e.g. a zero modulus) count as mismatches.
  auto mismatch = [](bool ok) {
    if (!ok) ERR_clear_error();
    return !ok;
  };
  if (mismatch(BN_mul(t.get(), p, q, ctx.get()) && BN_cmp(t.get(), n) == 0)) {
    return fail(errc::bad_key, "RSA Modulus is not Prime1 * Prime2");
  }
  for (const BIGNUM* m : {p1.get(), q1.get()}) {
    if (mismatch(BN_mod_mul(t.get(), e, d, m, ctx.get()) && BN_is_one(t.get()))) {
      return fail(errc::bad_key, "RSA PrivateExponent does not invert PublicExponent");
    }
  }
  if (mismatch(BN_mod(t.get(), d, p1.get(), ctx.get()) && BN_cmp(t.get(), dp) == 0) ||
      mismatch(BN_mod(t.get(), d, q1.get(), ctx.get()) && BN_cmp(t.get(), dq) == 0)) {
    return fail(errc::bad_key, "RSA Exponent1/Exponent2 do not match PrivateExponent");
  }
  if (mismatch(BN_mod_mul(t.get(), qinv, q, p, ctx.get()) && BN_is_one(t.get()))) {
    return fail(errc::bad_key, "RSA Coefficient is not the inverse of Prime2 mod Prime1");
  }
  return {};
}

}  // namespace

// ---------------------------------------------------------------- DNSKEY RDATA

Result<DnskeyView> parse_dnskey(ByteView rdata) {
  if (rdata.size() < 4) return fail(errc::bad_key, "DNSKEY RDATA shorter than 4 octets");
  if (rdata.size() == 4) return fail(errc::bad_key, "DNSKEY without a public key");
  DnskeyView v;
  v.flags = get_u16(rdata.data());
  v.protocol = rdata[2];
  v.algorithm = rdata[3];
  v.public_key = rdata.subspan(4);
  return v;
}

Bytes make_dnskey_rdata(std::uint16_t flags, std::uint8_t algorithm, ByteView public_key) {
  Bytes out;
  out.reserve(4 + public_key.size());
  put_u16(out, flags);
  out.push_back(kDnskeyProtocol);
  out.push_back(algorithm);
  out.insert(out.end(), public_key.begin(), public_key.end());
  return out;
}

bool algorithm_supported(std::uint8_t algorithm) { return find_spec(algorithm) != nullptr; }

// ---------------------------------------------------------------- PublicKey

// The OpenSSL key of a PublicKey.
struct PublicKey::Impl {
  PkeyPtr pkey;
};

PublicKey::PublicKey(std::uint8_t algorithm, std::shared_ptr<const Impl> impl)
    : algorithm_(algorithm), impl_(std::move(impl)) {}

Result<PublicKey> PublicKey::from_dnskey(std::uint8_t algorithm, ByteView public_key) {
  const AlgSpec* spec = find_spec(algorithm);
  if (spec == nullptr) return unsupported(algorithm);
  Result<PkeyPtr> pkey = spec->family == Family::rsa     ? rsa_public_from_dnskey(public_key)
                         : spec->family == Family::ecdsa ? ec_public_from_dnskey(*spec, public_key)
                                                         : ed_public_from_dnskey(*spec, public_key);
  if (!pkey) return tl::unexpected(pkey.error());
  return PublicKey(algorithm, std::make_shared<const Impl>(Impl{std::move(*pkey)}));
}

Result<PublicKey> PublicKey::from_dnskey_rdata(ByteView rdata) {
  auto v = parse_dnskey(rdata);
  if (!v) return tl::unexpected(v.error());
  return from_dnskey(v->algorithm, v->public_key);
}

Result<void> check_usable_dnskey(ByteView rdata) {
  auto v = parse_dnskey(rdata);
  if (!v) return tl::unexpected(v.error());
  if (!algorithm_supported(v->algorithm)) return {};
  auto usable = PublicKey::from_dnskey(v->algorithm, v->public_key);
  if (!usable) {
    return fail(errc::bad_key, "DNSKEY " + std::to_string(key_tag(rdata)) + "/" + algorithm_to_string(v->algorithm) +
                                   " is not a usable key: " + usable.error().message());
  }
  return {};
}

unsigned PublicKey::bits() const {
  return impl_ ? static_cast<unsigned>(EVP_PKEY_get_bits(impl_->pkey.get())) : 0;
}

// ---------------------------------------------------------------- keys in memory

namespace {

// A signing session of a key in OpenSSL: contexts reused between signatures.
class OpensslSession final : public KeySession {
 public:
  // Prepares signing with `pkey` (taking a reference).
  static Result<std::unique_ptr<KeySession>> open(const AlgSpec& spec, EVP_PKEY* pkey) {
    auto session = std::unique_ptr<OpensslSession>(new OpensslSession(spec));
    EVP_PKEY_up_ref(pkey);
    session->pkey_.reset(pkey);
    session->md_ctx_.reset(EVP_MD_CTX_new());
    if (!session->md_ctx_) return crypto_fail("creating digest context");
    session->max_out_ = static_cast<std::size_t>(EVP_PKEY_get_size(pkey));
    if (spec.family != Family::eddsa) {
      auto ctx = prepared_ctx(pkey, spec, true);
      if (!ctx) return tl::unexpected(ctx.error());
      session->pkey_ctx_ = std::move(*ctx);
    }
    return std::unique_ptr<KeySession>(std::move(session));
  }

  Result<void> sign(ByteView data, Bytes& out) override {
    const AlgSpec& spec = spec_;
    std::size_t at = out.size();
    if (spec.family == Family::eddsa) {
      // One-shot EdDSA; OpenSSL 3.0 needs a fresh init per message.
      out.resize(at + spec.sig_size);
      std::size_t len = spec.sig_size;
      if (EVP_DigestSignInit_ex(md_ctx_.get(), nullptr, nullptr, nullptr, nullptr, pkey_.get(), nullptr) <= 0 ||
          EVP_DigestSign(md_ctx_.get(), out.data() + at, &len, data.data(), data.size()) <= 0 ||
          len != spec.sig_size) {
        out.resize(at);
        return crypto_fail("EdDSA signing");
      }
      return {};
    }
    std::uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned dlen = hash_into(md_ctx_.get(), fetch_md(spec.md_name), data, digest);
    if (dlen == 0) return crypto_fail("hashing");
    if (spec.family == Family::rsa) {
      out.resize(at + max_out_);
      std::size_t len = max_out_;
      if (EVP_PKEY_sign(pkey_ctx_.get(), out.data() + at, &len, digest, dlen) <= 0) {
        out.resize(at);
        return crypto_fail("RSA signing");
      }
      out.resize(at + len);
      return {};
    }
    // ECDSA: OpenSSL gives DER; DNSSEC wants r||s of fixed width (RFC 6605 §4).
    std::uint8_t der[160];
    std::size_t der_len = sizeof der;
    if (EVP_PKEY_sign(pkey_ctx_.get(), der, &der_len, digest, dlen) <= 0) return crypto_fail("ECDSA signing");
    const std::uint8_t* p = der;
    SigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
    if (!sig) return crypto_fail("decoding the ECDSA signature");
    const BIGNUM* r = nullptr;
    const BIGNUM* s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    auto w = static_cast<int>(spec.field_size);
    out.resize(at + spec.sig_size);
    if (BN_bn2binpad(r, out.data() + at, w) != w || BN_bn2binpad(s, out.data() + at + w, w) != w) {
      out.resize(at);
      return crypto_fail("encoding the ECDSA signature");
    }
    return {};
  }

 private:
  explicit OpensslSession(const AlgSpec& spec) : spec_(spec) {}

  const AlgSpec& spec_;
  PkeyPtr pkey_;          // a reference to the signing key
  MdCtxPtr md_ctx_;       // hashing (RSA, ECDSA) or DigestSign (EdDSA)
  PkeyCtxPtr pkey_ctx_;   // sign context over the digest (RSA, ECDSA)
  std::size_t max_out_ = 0;
};

// A private key held in memory by OpenSSL (read from a file or generated).
class OpensslKey final : public PrivateKeyHolder {
 public:
  OpensslKey(const AlgSpec& spec, PkeyPtr pkey) : spec_(spec), pkey_(std::move(pkey)) {}

  std::uint8_t algorithm() const override { return spec_.number; }
  unsigned bits() const override { return static_cast<unsigned>(EVP_PKEY_get_bits(pkey_.get())); }

  Result<Bytes> public_key_field() const override {
    Bytes out;
    if (spec_.family == Family::rsa) {
      BnPtr n = get_bn(pkey_.get(), OSSL_PKEY_PARAM_RSA_N), e = get_bn(pkey_.get(), OSSL_PKEY_PARAM_RSA_E);
      if (!n || !e) return crypto_fail("reading the RSA public key");
      auto elen = static_cast<std::size_t>(BN_num_bytes(e.get()));
      auto nlen = static_cast<std::size_t>(BN_num_bytes(n.get()));
      if (elen <= 255) {
        out.push_back(static_cast<std::uint8_t>(elen));
      } else {
        out.push_back(0);
        put_u16(out, static_cast<std::uint16_t>(elen));
      }
      std::size_t at = out.size();
      out.resize(at + elen + nlen);
      BN_bn2bin(e.get(), out.data() + at);
      BN_bn2bin(n.get(), out.data() + at + elen);
      return out;
    }
    if (spec_.family == Family::ecdsa) {
      BnPtr x = get_bn(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_X), y = get_bn(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_Y);
      if (!x || !y) return crypto_fail("reading the ECDSA public key");
      out.resize(2 * spec_.field_size);
      auto w = static_cast<int>(spec_.field_size);
      if (BN_bn2binpad(x.get(), out.data(), w) != w || BN_bn2binpad(y.get(), out.data() + w, w) != w) {
        return crypto_fail("encoding the ECDSA public key");
      }
      return out;
    }
    out.resize(spec_.field_size);
    std::size_t len = out.size();
    if (EVP_PKEY_get_raw_public_key(pkey_.get(), out.data(), &len) <= 0 || len != spec_.field_size) {
      return crypto_fail("reading the EdDSA public key");
    }
    return out;
  }

  Result<std::unique_ptr<KeySession>> open_session() const override { return OpensslSession::open(spec_, pkey_.get()); }

  // The RSA numbers; errc::bad_key for a non-RSA key.
  Result<RsaSecrets> rsa_secrets() const {
    if (spec_.family != Family::rsa) return fail(errc::bad_key, "not an RSA key");
    const char* names[] = {OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
                           OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
                           OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
                           OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    RsaSecrets s;
    base::SecureBuffer* slots[] = {&s.modulus,  &s.public_exponent, &s.private_exponent, &s.prime1,
                                   &s.prime2,   &s.exponent1,       &s.exponent2,        &s.coefficient};
    for (std::size_t i = 0; i < 8; ++i) {
      BnPtr bn = get_bn(pkey_.get(), names[i]);
      if (!bn) return crypto_fail(std::string("reading RSA parameter ") + names[i]);
      *slots[i] = bn_secret(bn.get());
    }
    return s;
  }

  // The ECDSA scalar or EdDSA seed; errc::bad_key for an RSA key.
  Result<base::SecureBuffer> raw_secret() const {
    if (spec_.family == Family::rsa) return fail(errc::bad_key, "an RSA key has no single raw secret");
    base::SecureBuffer out(spec_.field_size);
    if (spec_.family == Family::ecdsa) {
      BnPtr d = get_bn(pkey_.get(), OSSL_PKEY_PARAM_PRIV_KEY);
      auto w = static_cast<int>(spec_.field_size);
      if (!d || BN_bn2binpad(d.get(), out.bytes().data(), w) != w) {
        return crypto_fail("reading the ECDSA private key");
      }
      return out;
    }
    std::size_t len = out.size();
    if (EVP_PKEY_get_raw_private_key(pkey_.get(), out.bytes().data(), &len) <= 0 || len != spec_.field_size) {
      return crypto_fail("reading the EdDSA private key");
    }
    return out;
  }

  // The OpenSSL key, owned by this object.
  EVP_PKEY* evp() const { return pkey_.get(); }

 private:
  const AlgSpec& spec_;
  PkeyPtr pkey_;
};

// The OpenSSL key of a holder, if it is one; nullptr otherwise.
const OpensslKey* in_memory(const PrivateKeyHolder* holder) { return dynamic_cast<const OpensslKey*>(holder); }

// The error for reading the secret of a key not held in memory.
tl::unexpected<Error> not_in_memory() {
  return fail(errc::bad_key, "the private key is not held in memory; its secret cannot be read");
}

}  // namespace

// ---------------------------------------------------------------- PrivateKey

Result<PrivateKey> PrivateKey::generate(std::uint8_t algorithm, unsigned bits) {
  const AlgSpec* spec = find_spec(algorithm);
  if (spec == nullptr) return unsupported(algorithm);
  if (spec->family == Family::rsa) {
    if (bits == 0) bits = kRsaDefaultBits;
    if (bits < kRsaGenMinBits || bits > kRsaMaxBits) {
      return fail(errc::bad_key, "RSA key size " + std::to_string(bits) + " out of range 1024..4096");
    }
  } else if (bits != 0 && bits != spec->bits) {
    return fail(errc::bad_key, "algorithm " + std::to_string(algorithm) + " has a fixed key size of " +
                                   std::to_string(spec->bits) + " bits");
  }
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, spec->key_type, nullptr));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0) return crypto_fail("key generation");
  if (spec->family == Family::rsa) {
    BnPtr e(BN_new());
    if (!e || !BN_set_word(e.get(), RSA_F4) ||
        EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), static_cast<int>(bits)) <= 0 ||
        EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx.get(), e.get()) <= 0) {
      return crypto_fail("RSA key generation parameters");
    }
  } else if (spec->family == Family::ecdsa) {
    if (EVP_PKEY_CTX_set_group_name(ctx.get(), spec->group) <= 0) return crypto_fail("ECDSA curve");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &raw) <= 0) return crypto_fail("key generation");
  return PrivateKey(algorithm, std::make_shared<const OpensslKey>(*spec, PkeyPtr(raw)));
}

Result<PrivateKey> PrivateKey::from_rsa(std::uint8_t algorithm, const RsaSecrets& s) {
  const AlgSpec* spec = find_spec(algorithm);
  if (spec == nullptr) return unsupported(algorithm);
  if (spec->family != Family::rsa) return fail(errc::bad_key, "RSA numbers for a non-RSA algorithm");
  struct Field {
    const char* param;
    const base::SecureBuffer* value;
    bool secret;
  };
  const Field fields[] = {
      {OSSL_PKEY_PARAM_RSA_N, &s.modulus, false},
      {OSSL_PKEY_PARAM_RSA_E, &s.public_exponent, false},
      {OSSL_PKEY_PARAM_RSA_D, &s.private_exponent, true},
      {OSSL_PKEY_PARAM_RSA_FACTOR1, &s.prime1, true},
      {OSSL_PKEY_PARAM_RSA_FACTOR2, &s.prime2, true},
      {OSSL_PKEY_PARAM_RSA_EXPONENT1, &s.exponent1, true},
      {OSSL_PKEY_PARAM_RSA_EXPONENT2, &s.exponent2, true},
      {OSSL_PKEY_PARAM_RSA_COEFFICIENT1, &s.coefficient, true},
  };
  unsigned bits = bit_length(s.modulus.bytes());
  if (bits < kRsaMinBits || bits > kRsaMaxBits) {
    return fail(errc::bad_key, "RSA modulus of " + std::to_string(bits) + " bits (512..4096 accepted)");
  }
  if (s.public_exponent.size() > kRsaMaxExponentOctets) {
    return fail(errc::bad_key, "RSA public exponent longer than 8 octets");
  }
  BldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld) return crypto_fail("building RSA key");
  BnPtr bns[8];
  for (std::size_t i = 0; i < 8; ++i) {
    if (fields[i].value->size() == 0) return fail(errc::bad_key, "an RSA number is empty");
    bns[i] = make_bn(fields[i].value->bytes(), fields[i].secret);
    if (!bns[i] || !OSSL_PARAM_BLD_push_BN(bld.get(), fields[i].param, bns[i].get())) {
      return crypto_fail("building RSA key");
    }
  }
  // The numbers are independent fields of a file: check they belong together.
  // (OpenSSL would not notice a wrong prime: its CRT fault check silently
  // falls back to the private exponent.)
  if (auto c = rsa_consistent(bns); !c) return tl::unexpected(c.error());
  auto pkey = from_params("RSA", EVP_PKEY_KEYPAIR, bld.get(), "RSA private key refused by OpenSSL");
  if (!pkey) return tl::unexpected(pkey.error());
  PrivateKey key(algorithm, std::make_shared<const OpensslKey>(*spec, std::move(*pkey)));
  // And that OpenSSL signs with them as we expect.
  static constexpr std::uint8_t kProbe[] = {'k', 's', 'k', 'l', 'i', 'n', 'e'};
  auto sig = key.sign(kProbe);
  if (!sig) return fail(errc::bad_key, "RSA private key numbers are inconsistent (signing failed)");
  auto pub = key.public_key();
  auto ok = pub ? verify_data(*pub, kProbe, *sig) : Result<bool>(false);
  if (!ok || !*ok) return fail(errc::bad_key, "RSA private key numbers are inconsistent");
  return key;
}

Result<PrivateKey> PrivateKey::from_raw(std::uint8_t algorithm, ByteView secret) {
  const AlgSpec* spec = find_spec(algorithm);
  if (spec == nullptr) return unsupported(algorithm);
  if (spec->family == Family::rsa) return fail(errc::bad_key, "RSA keys are not one raw number");
  if (spec->family == Family::eddsa) {
    if (secret.size() != spec->field_size) {
      return fail(errc::bad_key, "EdDSA private key of " + std::to_string(secret.size()) +
                                     " octets (expected " + std::to_string(spec->field_size) + ")");
    }
    EVP_PKEY* raw =
        EVP_PKEY_new_raw_private_key_ex(nullptr, spec->key_type, nullptr, secret.data(), secret.size());
    if (raw == nullptr) return bad_key("EdDSA private key refused by OpenSSL");
    return PrivateKey(algorithm, std::make_shared<const OpensslKey>(*spec, PkeyPtr(raw)));
  }
  // ECDSA: derive the public point d*G, since OpenSSL 3.0 does not on import.
  if (secret.empty() || secret.size() > spec->field_size) {
    return fail(errc::bad_key, "ECDSA private key of " + std::to_string(secret.size()) +
                                   " octets (expected " + std::to_string(spec->field_size) + ")");
  }
  GroupPtr group(EC_GROUP_new_by_curve_name(spec->nid));
  BnCtxPtr bn_ctx(BN_CTX_secure_new());
  BnPtr d = make_bn(secret, true);
  if (!group || !bn_ctx || !d) return crypto_fail("ECDSA key import");
  if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(group.get())) >= 0) {
    return fail(errc::bad_key, "ECDSA private key is not in 1..order-1");
  }
  PointPtr point(EC_POINT_new(group.get()));
  std::array<std::uint8_t, 97> pub{};
  std::size_t pub_len = 0;
  if (!point || !EC_POINT_mul(group.get(), point.get(), d.get(), nullptr, nullptr, bn_ctx.get()) ||
      (pub_len = EC_POINT_point2oct(group.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED, pub.data(),
                                    pub.size(), bn_ctx.get())) == 0) {
    return crypto_fail("deriving the ECDSA public key");
  }
  BldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, spec->group, 0) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, pub.data(), pub_len)) {
    return crypto_fail("building ECDSA key");
  }
  auto pkey = from_params("EC", EVP_PKEY_KEYPAIR, bld.get(), "ECDSA private key refused by OpenSSL");
  if (!pkey) return tl::unexpected(pkey.error());
  return PrivateKey(algorithm, std::make_shared<const OpensslKey>(*spec, std::move(*pkey)));
}

Result<PrivateKey> PrivateKey::from_holder(std::shared_ptr<const PrivateKeyHolder> holder) {
  if (!holder) return fail(errc::bad_key, "no key");
  const std::uint8_t algorithm = holder->algorithm();
  if (find_spec(algorithm) == nullptr) return unsupported(algorithm);
  return PrivateKey(algorithm, std::move(holder));
}

PrivateKey::PrivateKey(std::uint8_t algorithm, std::shared_ptr<const PrivateKeyHolder> holder)
    : algorithm_(algorithm), holder_(std::move(holder)) {}
PrivateKey::PrivateKey(PrivateKey&&) noexcept = default;
PrivateKey& PrivateKey::operator=(PrivateKey&&) noexcept = default;
PrivateKey::~PrivateKey() = default;

unsigned PrivateKey::bits() const { return holder_->bits(); }

Result<Bytes> PrivateKey::public_key_field() const { return holder_->public_key_field(); }

Result<PublicKey> PrivateKey::public_key() const {
  if (const OpensslKey* key = in_memory(holder_.get())) {
    // The public half shares the OpenSSL key.
    EVP_PKEY_up_ref(key->evp());
    return PublicKey(algorithm_, std::make_shared<const PublicKey::Impl>(PublicKey::Impl{PkeyPtr(key->evp())}));
  }
  auto field = holder_->public_key_field();
  if (!field) return tl::unexpected(field.error());
  return PublicKey::from_dnskey(algorithm_, *field);
}

Result<Bytes> PrivateKey::sign(ByteView data) const {
  auto session = holder_->open_session();
  if (!session) return tl::unexpected(session.error());
  Bytes out;
  if (auto r = (*session)->sign(data, out); !r) return tl::unexpected(r.error());
  return out;
}

Result<RsaSecrets> PrivateKey::rsa_secrets() const {
  const OpensslKey* key = in_memory(holder_.get());
  if (key == nullptr) return not_in_memory();
  return key->rsa_secrets();
}

Result<base::SecureBuffer> PrivateKey::raw_secret() const {
  const OpensslKey* key = in_memory(holder_.get());
  if (key == nullptr) return not_in_memory();
  return key->raw_secret();
}

// ---------------------------------------------------------------- Signer

Signer::Signer(std::uint8_t algorithm, std::unique_ptr<KeySession> session)
    : algorithm_(algorithm), session_(std::move(session)) {}
Signer::Signer(Signer&&) noexcept = default;
Signer& Signer::operator=(Signer&&) noexcept = default;
Signer::~Signer() = default;

Result<Signer> Signer::create(const PrivateKey& key) {
  auto session = key.holder_->open_session();
  if (!session) return tl::unexpected(session.error());
  return Signer(key.algorithm(), std::move(*session));
}

Result<void> Signer::sign(ByteView data, Bytes& out) { return session_->sign(data, out); }

Result<Bytes> Signer::sign(ByteView data) {
  Bytes out;
  if (auto r = sign(data, out); !r) return tl::unexpected(r.error());
  return out;
}

// ---------------------------------------------------------------- Verifier

struct Verifier::Impl {
  const AlgSpec* spec = nullptr;
  PkeyPtr pkey;
  MdCtxPtr md_ctx;
  PkeyCtxPtr pkey_ctx;
  std::size_t rsa_size = 0;
};

Verifier::Verifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Verifier::Verifier(Verifier&&) noexcept = default;
Verifier& Verifier::operator=(Verifier&&) noexcept = default;
Verifier::~Verifier() = default;

Result<Verifier> Verifier::create(const PublicKey& key) {
  const AlgSpec* spec = find_spec(key.algorithm());
  if (spec == nullptr) return unsupported(key.algorithm());
  EVP_PKEY* pkey = OpensslAccess::evp(key);
  if (pkey == nullptr) return fail(errc::bad_key, "empty public key");
  auto impl = std::make_unique<Impl>();
  impl->spec = spec;
  EVP_PKEY_up_ref(pkey);
  impl->pkey.reset(pkey);
  impl->md_ctx.reset(EVP_MD_CTX_new());
  if (!impl->md_ctx) return crypto_fail("creating digest context");
  if (spec->family != Family::eddsa) {
    auto ctx = prepared_ctx(pkey, *spec, false);
    if (!ctx) return tl::unexpected(ctx.error());
    impl->pkey_ctx = std::move(*ctx);
  }
  impl->rsa_size = static_cast<std::size_t>(EVP_PKEY_get_size(pkey));
  return Verifier(std::move(impl));
}

std::uint8_t Verifier::algorithm() const { return impl_->spec->number; }

bool Verifier::verify(ByteView data, ByteView signature) {
  Impl& m = *impl_;
  const AlgSpec& spec = *m.spec;
  bool valid = false;
  if (spec.family == Family::eddsa) {
    valid = signature.size() == spec.sig_size &&
            EVP_DigestVerifyInit_ex(m.md_ctx.get(), nullptr, nullptr, nullptr, nullptr, m.pkey.get(),
                                    nullptr) > 0 &&
            EVP_DigestVerify(m.md_ctx.get(), signature.data(), signature.size(), data.data(), data.size()) == 1;
    ERR_clear_error();
    return valid;
  }
  std::uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned dlen = hash_into(m.md_ctx.get(), fetch_md(spec.md_name), data, digest);
  if (dlen == 0) {
    ERR_clear_error();
    return false;
  }
  if (spec.family == Family::rsa) {
    valid = signature.size() == m.rsa_size &&
            EVP_PKEY_verify(m.pkey_ctx.get(), signature.data(), signature.size(), digest, dlen) == 1;
    ERR_clear_error();
    return valid;
  }
  // ECDSA: rebuild the DER form OpenSSL verifies from r||s.
  if (signature.size() != spec.sig_size) return false;
  SigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(signature.data(), static_cast<int>(spec.field_size), nullptr);
  BIGNUM* s = BN_bin2bn(signature.data() + spec.field_size, static_cast<int>(spec.field_size), nullptr);
  if (!sig || r == nullptr || s == nullptr || !ECDSA_SIG_set0(sig.get(), r, s)) {
    BN_free(r);
    BN_free(s);
    ERR_clear_error();
    return false;
  }
  std::uint8_t der[160];
  int der_len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (der_len > 0 && static_cast<std::size_t>(der_len) <= sizeof der) {
    std::uint8_t* p = der;
    der_len = i2d_ECDSA_SIG(sig.get(), &p);
    valid = der_len > 0 &&
            EVP_PKEY_verify(m.pkey_ctx.get(), der, static_cast<std::size_t>(der_len), digest, dlen) == 1;
  }
  ERR_clear_error();
  return valid;
}

// ---------------------------------------------------------------- OpenSSL access

EVP_PKEY* OpensslAccess::evp(const PublicKey& key) { return key.impl_ ? key.impl_->pkey.get() : nullptr; }

EVP_PKEY* OpensslAccess::evp(const PrivateKey& key) {
  const OpensslKey* held = in_memory(key.holder_.get());
  return held != nullptr ? held->evp() : nullptr;
}

Result<PrivateKey> OpensslAccess::adopt(std::uint8_t algorithm, EVP_PKEY* raw) {
  PkeyPtr pkey(raw);
  const AlgSpec* spec = find_spec(algorithm);
  if (spec == nullptr) return unsupported(algorithm);
  if (!pkey) return fail(errc::bad_key, "no key");
  std::string want = "a key for algorithm " + std::to_string(algorithm);
  if (!EVP_PKEY_is_a(pkey.get(), spec->key_type)) {
    return fail(errc::bad_key, std::string("the key is of type ") + EVP_PKEY_get0_type_name(pkey.get()) +
                                   ", not " + want);
  }
  if (spec->family == Family::rsa) {
    auto bits = static_cast<unsigned>(EVP_PKEY_get_bits(pkey.get()));
    if (bits < kRsaMinBits || bits > kRsaMaxBits) {
      return fail(errc::bad_key, "RSA modulus of " + std::to_string(bits) + " bits (512..4096 accepted)");
    }
  } else if (spec->family == Family::ecdsa && !ec_group_matches(pkey.get(), *spec)) {
    return bad_key(std::string("the EC key is not on curve ") + spec->group + ", as " + want + " must be");
  }
  return PrivateKey(algorithm, std::make_shared<const OpensslKey>(*spec, std::move(pkey)));
}

// ---------------------------------------------------------------- one-shot

Result<bool> verify_data(const PublicKey& key, ByteView data, ByteView signature) {
  auto verifier = Verifier::create(key);
  if (!verifier) return tl::unexpected(verifier.error());
  return verifier->verify(data, signature);
}

}  // namespace kskline::zone
