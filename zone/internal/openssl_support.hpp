// OpenSSL plumbing shared by the zone module's crypto files (keys, per-thread
// signers, ECDSA nonces): how each DNSSEC algorithm maps onto OpenSSL, error
// reporting, and owning pointers. Internal to zone/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <openssl/bn.h>
#include <openssl/core.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "base/error.hpp"

namespace kskline::zone::ossl {

// How an algorithm is implemented.
enum class Family : std::uint8_t { rsa, ecdsa, eddsa };

// One supported DNSSEC algorithm: its family, digest, curve and sizes.
struct AlgSpec {
  std::uint8_t number;
  Family family;
  const char* md_name;     // digest for RSA/ECDSA; nullptr for EdDSA
  const char* key_type;    // OpenSSL key type name
  const char* group;       // ECDSA group name
  int nid;                 // ECDSA curve NID
  std::size_t field_size;  // ECDSA coordinate size / EdDSA key size
  std::size_t sig_size;    // fixed signature size (0 for RSA)
  unsigned bits;           // key size for ECDSA/EdDSA
};

// The row of a DNSSEC algorithm kskline signs with (8, 10, 13, 14, 15, 16);
// nullptr for any other.
const AlgSpec* find_spec(std::uint8_t algorithm);

// Drains OpenSSL's error queue into one line.
std::string errors();

// A zone::errc::crypto_failed error: `what` and the drained OpenSSL errors.
tl::unexpected<Error> crypto_fail(const std::string& what);

// A deleter calling an OpenSSL free function.
template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};

// Owning pointers to OpenSSL objects.
using LibCtxPtr = std::unique_ptr<OSSL_LIB_CTX, Deleter<OSSL_LIB_CTX_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using MdPtr = std::unique_ptr<EVP_MD, Deleter<EVP_MD_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_clear_free>>;  // cleared: may hold secrets
using BnCtxPtr = std::unique_ptr<BN_CTX, Deleter<BN_CTX_free>>;
using BldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM_free>>;
using GroupPtr = std::unique_ptr<EC_GROUP, Deleter<EC_GROUP_free>>;
using PointPtr = std::unique_ptr<EC_POINT, Deleter<EC_POINT_free>>;
using SigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG_free>>;

}  // namespace kskline::zone::ossl
