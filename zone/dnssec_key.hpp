// DNSSEC keys: DNSKEY RDATA, public keys from its public-key field, private
// keys, key generation, and signing / verifying raw data with the algorithms
// kskline supports (8, 10, 13, 14, 15, 16) through OpenSSL 3.
#pragma once

#include <cstdint>
#include <memory>

#include <openssl/types.h>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/secure_buffer.hpp"

namespace kskline::zone {

// DNSKEY flag bits (RFC 4034 §2.1.1, RFC 5011 §7).
namespace dnskey_flag {
inline constexpr std::uint16_t ZONE = 0x0100, REVOKE = 0x0080, SEP = 0x0001;
}  // namespace dnskey_flag

// The DNSKEY protocol field's only value (RFC 4034 §2.1.2).
inline constexpr std::uint8_t kDnskeyProtocol = 3;

// The fields of DNSKEY RDATA; public_key views the parsed buffer.
struct DnskeyView {
  std::uint16_t flags = 0;
  std::uint8_t protocol = 0;
  std::uint8_t algorithm = 0;
  ByteView public_key;
};

// Splits DNSKEY RDATA into its fields. errc::bad_key when it is shorter than
// the 4 fixed octets or its public key is empty.
Result<DnskeyView> parse_dnskey(ByteView rdata);

// Builds DNSKEY RDATA (protocol 3) from its fields.
Bytes make_dnskey_rdata(std::uint16_t flags, std::uint8_t algorithm, ByteView public_key);

// Whether kskline signs and verifies with a DNSSEC algorithm number.
bool algorithm_supported(std::uint8_t algorithm);

// A DNSSEC public key held as an OpenSSL EVP_PKEY. Copies share the key
// (reference counted); read-only and safe to share between threads.
class PublicKey {
 public:
  // Decodes the public-key field of a DNSKEY: RSA in RFC 3110 form (exponent
  // length, exponent, modulus; 512..4096-bit modulus), ECDSA as x||y (RFC 6605;
  // the point must lie on the curve), EdDSA raw (RFC 8080).
  // errc::unsupported_algorithm for other algorithms, errc::bad_key for
  // malformed material.
  static Result<PublicKey> from_dnskey(std::uint8_t algorithm, ByteView public_key);

  // As from_dnskey, taking whole DNSKEY RDATA.
  static Result<PublicKey> from_dnskey_rdata(ByteView rdata);

  PublicKey(const PublicKey& other);
  PublicKey& operator=(const PublicKey& other);
  PublicKey(PublicKey&&) noexcept;
  PublicKey& operator=(PublicKey&&) noexcept;
  ~PublicKey();

  // The DNSSEC algorithm number.
  std::uint8_t algorithm() const { return algorithm_; }
  // The OpenSSL key, owned by this object.
  EVP_PKEY* evp() const { return pkey_; }

 private:
  friend class PrivateKey;
  PublicKey(std::uint8_t algorithm, EVP_PKEY* pkey) : algorithm_(algorithm), pkey_(pkey) {}
  std::uint8_t algorithm_ = 0;
  EVP_PKEY* pkey_ = nullptr;
};

// The secret numbers of an RSA key as big-endian octets without leading zeros,
// named as in BIND private-key files.
struct RsaSecrets {
  base::SecureBuffer modulus, public_exponent, private_exponent, prime1, prime2,
      exponent1, exponent2, coefficient;
};

// A DNSSEC private key held as an OpenSSL EVP_PKEY. Move-only; OpenSSL frees
// (and clears) the key material when the last reference goes.
class PrivateKey {
 public:
  // Generates a key. RSA (8, 10): `bits` 1024..4096 (0 means 2048), public
  // exponent 65537. ECDSA and EdDSA ignore `bits` unless it is nonzero and
  // differs from the curve's size. errc::unsupported_algorithm,
  // errc::bad_key for a size out of range, errc::crypto_failed.
  static Result<PrivateKey> generate(std::uint8_t algorithm, unsigned bits = 0);

  // Builds an RSA key from its numbers (all eight must be present).
  // errc::bad_key when they are empty or OpenSSL refuses them.
  static Result<PrivateKey> from_rsa(std::uint8_t algorithm, const RsaSecrets& secrets);

  // Builds an ECDSA key from its private scalar (32 or 48 octets, in
  // 1..order-1) or an EdDSA key from its seed (32 or 57 octets).
  // errc::bad_key on a wrong length or value.
  static Result<PrivateKey> from_raw(std::uint8_t algorithm, ByteView secret);

  // Adopts an OpenSSL key (taking ownership) after checking that its type and
  // size fit the algorithm; errc::bad_key if not (the key is freed).
  static Result<PrivateKey> adopt(std::uint8_t algorithm, EVP_PKEY* pkey);

  PrivateKey(PrivateKey&&) noexcept;
  PrivateKey& operator=(PrivateKey&&) noexcept;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;
  ~PrivateKey();

  // The DNSSEC algorithm number.
  std::uint8_t algorithm() const { return algorithm_; }
  // The key size in bits (modulus size for RSA, curve size otherwise).
  unsigned bits() const;
  // The OpenSSL key, owned by this object.
  EVP_PKEY* evp() const { return pkey_; }

  // The DNSKEY public-key field of this key (RFC 3110 / 6605 / 8080 form).
  Result<Bytes> public_key_field() const;
  // The public half, sharing the OpenSSL key.
  PublicKey public_key() const;

  // The RSA numbers; errc::bad_key for a non-RSA key.
  Result<RsaSecrets> rsa_secrets() const;
  // The ECDSA scalar (padded to 32/48 octets) or EdDSA seed; errc::bad_key
  // for an RSA key.
  Result<base::SecureBuffer> raw_secret() const;

 private:
  PrivateKey(std::uint8_t algorithm, EVP_PKEY* pkey) : algorithm_(algorithm), pkey_(pkey) {}
  std::uint8_t algorithm_ = 0;
  EVP_PKEY* pkey_ = nullptr;
};

// Signs data with one private key, keeping OpenSSL contexts alive between
// calls. Not thread-safe: make one per thread (the key may be shared).
class Signer {
 public:
  // Prepares signing with `key`, whose OpenSSL key the signer shares
  // (reference counted: the PrivateKey may go first).
  // errc::unsupported_algorithm, errc::crypto_failed.
  static Result<Signer> create(const PrivateKey& key);

  Signer(Signer&&) noexcept;
  Signer& operator=(Signer&&) noexcept;
  ~Signer();

  // The DNSSEC algorithm number.
  std::uint8_t algorithm() const;
  // Appends the DNSSEC signature of `data` to `out`: PKCS#1 v1.5 for RSA,
  // r||s of fixed width (64/96 octets) for ECDSA, raw EdDSA.
  // errc::crypto_failed with OpenSSL's message.
  Result<void> sign(ByteView data, Bytes& out);
  // Returns the DNSSEC signature of `data`; see the appending overload.
  Result<Bytes> sign(ByteView data);

 private:
  struct Impl;
  explicit Signer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Verifies signatures made with one public key, keeping OpenSSL contexts
// alive between calls. Not thread-safe: make one per thread.
class Verifier {
 public:
  // Prepares verification with `key`, whose OpenSSL key it shares.
  // errc::unsupported_algorithm, errc::crypto_failed.
  static Result<Verifier> create(const PublicKey& key);

  Verifier(Verifier&&) noexcept;
  Verifier& operator=(Verifier&&) noexcept;
  ~Verifier();

  // The DNSSEC algorithm number.
  std::uint8_t algorithm() const;
  // Whether `signature` (DNSSEC wire form) is a valid signature of `data`.
  // Any malformed signature is simply not valid.
  bool verify(ByteView data, ByteView signature);

 private:
  struct Impl;
  explicit Verifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Signs once (creates a Signer); see Signer::sign.
Result<Bytes> sign_data(const PrivateKey& key, ByteView data);
// Verifies once (creates a Verifier); errors only when the key is unusable.
Result<bool> verify_data(const PublicKey& key, ByteView data, ByteView signature);

}  // namespace kskline::zone
