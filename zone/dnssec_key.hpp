// DNSSEC keys: DNSKEY RDATA, public keys from its public-key field, private
// keys behind one interface (held in memory by OpenSSL 3, or elsewhere: a
// PKCS#11 token), key generation, and signing / verifying raw data with the
// algorithms kskline supports (8, 10, 13, 14, 15, 16).
#pragma once

#include <cstdint>
#include <memory>

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

// Reaches the OpenSSL keys inside PublicKey and PrivateKey; defined in
// zone/internal/openssl_key.hpp, for zone/ alone.
struct OpensslAccess;

// A DNSSEC public key (an OpenSSL key inside). Copies share the key;
// read-only and safe to share between threads.
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

  // The DNSSEC algorithm number.
  std::uint8_t algorithm() const { return algorithm_; }
  // The key size in bits (modulus size for RSA, curve size otherwise).
  unsigned bits() const;

 private:
  friend struct OpensslAccess;
  friend class PrivateKey;
  struct Impl;
  PublicKey(std::uint8_t algorithm, std::shared_ptr<const Impl> impl);
  std::uint8_t algorithm_ = 0;
  std::shared_ptr<const Impl> impl_;
};

// Refuses DNSKEY RDATA of an algorithm kskline implements whose public key
// cannot verify anything (errc::bad_key, naming its key tag and algorithm);
// a key of another algorithm passes, as validators ignore it (RFC 4035 §5.2).
Result<void> check_usable_dnskey(ByteView rdata);

// The secret numbers of an RSA key as big-endian octets without leading zeros,
// named as in BIND private-key files.
struct RsaSecrets {
  base::SecureBuffer modulus, public_exponent, private_exponent, prime1, prime2,
      exponent1, exponent2, coefficient;
};

// State a private key keeps between signatures (OpenSSL contexts, a token
// session). Not thread-safe: one per thread. It stays usable when the
// PrivateKey it came from is gone.
class KeySession {
 public:
  virtual ~KeySession() = default;

  // Appends the DNSSEC signature of `data` to `out`: PKCS#1 v1.5 for RSA,
  // r||s of fixed width (64/96 octets) for ECDSA, raw EdDSA. On an error
  // (errc::crypto_failed, or the holder's own) `out` is unchanged.
  virtual Result<void> sign(ByteView data, Bytes& out) = 0;
};

// Where a private key is held and how it signs: what a kind of key
// implements for PrivateKey (OpenSSL in memory is one; a PKCS#11 token is
// another). Implementations are immutable and safe to share between threads.
class PrivateKeyHolder {
 public:
  virtual ~PrivateKeyHolder() = default;

  // The DNSSEC algorithm number.
  virtual std::uint8_t algorithm() const = 0;
  // The key size in bits (modulus size for RSA, curve size otherwise).
  virtual unsigned bits() const = 0;
  // The DNSKEY public-key field (RFC 3110 / 6605 / 8080 form).
  virtual Result<Bytes> public_key_field() const = 0;
  // Starts a signing session. errc::crypto_failed, or the holder's own.
  virtual Result<std::unique_ptr<KeySession>> open_session() const = 0;
};

// A DNSSEC private key: its algorithm, public key and signing, whoever holds
// the secret. Keys made by generate, from_rsa and from_raw are held in memory
// by OpenSSL (which clears the material when the last reference goes); only
// those give their secret numbers out. Move-only.
class PrivateKey {
 public:
  // Generates a key in memory. RSA (8, 10): `bits` 1024..4096 (0 means
  // 2048), public exponent 65537. ECDSA and EdDSA ignore `bits` unless it is
  // nonzero and differs from the curve's size. errc::unsupported_algorithm,
  // errc::bad_key for a size out of range, errc::crypto_failed.
  static Result<PrivateKey> generate(std::uint8_t algorithm, unsigned bits = 0);

  // Builds an RSA key in memory from its numbers (all eight must be
  // present). errc::bad_key when they are empty or do not belong together.
  static Result<PrivateKey> from_rsa(std::uint8_t algorithm, const RsaSecrets& secrets);

  // Builds an ECDSA key in memory from its private scalar (32 or 48 octets,
  // in 1..order-1) or an EdDSA key from its seed (32 or 57 octets).
  // errc::bad_key on a wrong length or value.
  static Result<PrivateKey> from_raw(std::uint8_t algorithm, ByteView secret);

  // A key held by `holder`, which the key and its Signers share.
  // errc::bad_key for no holder, errc::unsupported_algorithm for an
  // algorithm kskline does not sign with.
  static Result<PrivateKey> from_holder(std::shared_ptr<const PrivateKeyHolder> holder);

  PrivateKey(PrivateKey&&) noexcept;
  PrivateKey& operator=(PrivateKey&&) noexcept;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;
  ~PrivateKey();

  // The DNSSEC algorithm number.
  std::uint8_t algorithm() const { return algorithm_; }
  // The key size in bits (modulus size for RSA, curve size otherwise).
  unsigned bits() const;

  // The DNSKEY public-key field of this key (RFC 3110 / 6605 / 8080 form).
  Result<Bytes> public_key_field() const;
  // The public half. errc::bad_key when the holder's public key is malformed.
  Result<PublicKey> public_key() const;

  // Returns the DNSSEC signature of `data` (one session; see Signer to sign
  // many). Errors as KeySession::sign.
  Result<Bytes> sign(ByteView data) const;

  // The RSA numbers; errc::bad_key for a non-RSA key or a key not held in
  // memory.
  Result<RsaSecrets> rsa_secrets() const;
  // The ECDSA scalar (padded to 32/48 octets) or EdDSA seed; errc::bad_key
  // for an RSA key or a key not held in memory.
  Result<base::SecureBuffer> raw_secret() const;

 private:
  friend struct OpensslAccess;
  friend class Signer;
  PrivateKey(std::uint8_t algorithm, std::shared_ptr<const PrivateKeyHolder> holder);
  std::uint8_t algorithm_ = 0;
  std::shared_ptr<const PrivateKeyHolder> holder_;
};

// Signs data with one private key, keeping its session between calls. Not
// thread-safe: make one per thread (the key may be shared).
class Signer {
 public:
  // Opens a session of `key`; the PrivateKey may go first.
  // errc::crypto_failed, or the holder's own.
  static Result<Signer> create(const PrivateKey& key);

  Signer(Signer&&) noexcept;
  Signer& operator=(Signer&&) noexcept;
  ~Signer();

  // The DNSSEC algorithm number.
  std::uint8_t algorithm() const { return algorithm_; }
  // Appends the DNSSEC signature of `data` to `out`; see KeySession::sign.
  Result<void> sign(ByteView data, Bytes& out);
  // Returns the DNSSEC signature of `data`; see the appending overload.
  Result<Bytes> sign(ByteView data);

 private:
  Signer(std::uint8_t algorithm, std::unique_ptr<KeySession> session);
  std::uint8_t algorithm_ = 0;
  std::unique_ptr<KeySession> session_;
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

// Verifies once (creates a Verifier); errors only when the key is unusable.
Result<bool> verify_data(const PublicKey& key, ByteView data, ByteView signature);

}  // namespace kskline::zone
