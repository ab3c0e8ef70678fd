// Key files: BIND's K<zone>+<alg>+<tag>.key / .private pairs (Private-key-format
// v1.2 as ldns writes it, v1.3 as dnssec-keygen writes it) and PKCS#8 PEM.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/secure_buffer.hpp"
#include "zone/dnssec_key.hpp"
#include "zone/name.hpp"

namespace kskline::zone {

// A DNSSEC key pair with its DNSKEY identity.
struct KeyPair {
  Name owner;                        // the zone
  std::uint16_t flags = 256;         // DNSKEY flags (257 for a KSK)
  std::optional<std::uint32_t> ttl;  // TTL of the .key line, if it had one
  Bytes dnskey_rdata;                // flags, protocol 3, algorithm, public key
  std::uint16_t key_tag = 0;
  PrivateKey key;

  // The DNSSEC algorithm number.
  std::uint8_t algorithm() const { return key.algorithm(); }
};

// Builds a KeyPair from a private key: derives the DNSKEY RDATA and key tag.
// errc::crypto_failed when the public key cannot be read.
Result<KeyPair> make_key_pair(Name owner, std::uint16_t flags, PrivateKey key,
                              std::optional<std::uint32_t> ttl = std::nullopt);

// Key timing metadata as BIND writes it (seconds since 1970, UTC): Created,
// Publish, Activate, Inactive and Delete (RFC 7583 §3.1 names the last one
// Removed, hence `remove`).
struct KeyTimes {
  std::optional<std::int64_t> created, publish, activate;
  // Default member initialisers: {created, publish, activate} stays a complete initialiser.
  std::optional<std::int64_t> inactive{}, remove{};
};

// The file basename of a key, "K<owner>+<alg:3 digits>+<tag:5 digits>", the
// owner absolute and lowercased ("K.+008+..." for the root). errc::bad_name
// when the owner has characters other than letters, digits, '-', '_' and '*'
// in its labels (they could not be a file name safely).
Result<std::string> key_basename(const Name& owner, std::uint8_t algorithm, std::uint16_t key_tag);

// Parses the text of a BIND .private file (Private-key-format v1.x, x >= 2):
// RSA fields Modulus, PublicExponent, PrivateExponent, Prime1, Prime2,
// Exponent1, Exponent2, Coefficient; ECDSA/EdDSA field PrivateKey. Timing
// lines and unknown fields are ignored. Errors name `source`: errc::bad_key
// for a missing, repeated or badly encoded field, errc::unsupported_algorithm
// for an algorithm we do not implement.
Result<PrivateKey> parse_private_key_text(std::string_view text, std::string_view source);

// Formats a private key as a v1.3 .private file: Private-key-format,
// Algorithm "N (MNEMONIC)", the key fields, then Created/Publish/Activate/
// Inactive/Delete (YYYYMMDDHHMMSS) for the times given. The result holds the
// secret.
Result<base::SecureBuffer> format_private_key_text(const PrivateKey& key, const KeyTimes& times);

// The timing lines of a .private file ("Created: YYYYMMDDHHmmSS", Publish,
// Activate, Inactive, Delete), those that are set.
std::string format_key_times_text(const KeyTimes& times);

// Reads the timing lines (Created, Publish, Activate, Inactive, Delete:
// YYYYMMDDHHMMSS, UTC) of a .private file's text; other lines are ignored,
// so the secret fields are never decoded. errc::bad_key naming
// "<source>:<line>" for a malformed or repeated timing line.
Result<KeyTimes> parse_key_times_text(std::string_view text, std::string_view source);

// Reads the timing lines of a key's .private file; `path` is the .key file,
// the .private file or the basename. Errors as parse_key_times_text, and
// base::errc::not_found / io_error naming the file.
Result<KeyTimes> read_key_times(const std::string& path);

// Formats the .key file: BIND's comment lines (";This is a key-signing key,
// keyid N, for Z", timing comments) and "<owner> [ttl] IN DNSKEY ..." line.
std::string format_public_key_text(const KeyPair& pair, const KeyTimes& times);

// The DNSKEY record of a .key file.
struct PublicKeyFile {
  Name owner;
  std::optional<std::uint32_t> ttl;  // when the line has one
  Bytes rdata;
};

// Reads the single DNSKEY record of a .key file (a master-file line whose
// owner is absolute; ';' comments; no $INCLUDE). Errors name the file:
// errc::bad_key when it holds anything but exactly one DNSKEY, master-file
// errors as they come.
Result<PublicKeyFile> read_public_key_file(const std::string& path);

// Reads a BIND key pair from `path`: the .key file, the .private file, or
// the basename without extension. Checks that the .private algorithm equals
// the DNSKEY's and that the private key's public half is the DNSKEY's public
// key (errc::bad_key naming the file if not). Errors name the file.
Result<KeyPair> read_key_pair(const std::string& path);

// Writes `pair` into `dir` as <basename>.private (mode 0600) and
// <basename>.key (0644), never overwriting an existing file (errc::io_error,
// and nothing is left behind). Returns the basename.
Result<std::string> write_key_pair(const std::string& dir, const KeyPair& pair, const KeyTimes& times);

// Reads an unencrypted PKCS#8 (or traditional) PEM private key for
// `algorithm`; errc::bad_key naming the file when it is not a PEM key of the
// algorithm's type and size.
Result<PrivateKey> read_pem_private_key(const std::string& path, std::uint8_t algorithm);

// Reads a PEM private key and gives it the DNSKEY identity a PEM file lacks.
Result<KeyPair> read_pem_key_pair(const std::string& path, const Name& owner, std::uint16_t flags,
                                  std::uint8_t algorithm);

// Writes a private key as unencrypted PKCS#8 PEM, mode 0600, never
// overwriting an existing file.
Result<void> write_pem_private_key(const std::string& path, const PrivateKey& key);

}  // namespace kskline::zone
