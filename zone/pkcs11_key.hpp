// DNSSEC private keys held in a PKCS#11 token (an HSM, a smart card,
// SoftHSM2): RFC 7512 key URIs, the module loaded with dlopen, one session
// per token and run, logged in once, and keys found, generated and used for
// signing through the C API behind PrivateKeyHolder, so that whatever signs
// with a PrivateKey signs with a token key unchanged. The secret never
// leaves the token.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/secure_buffer.hpp"
#include "zone/dnssec_key.hpp"
#include "zone/key_file.hpp"

namespace kskline::zone {

// A key in a token as an RFC 7512 URI names it: the token's label, the key's
// label (CKA_LABEL) and id (CKA_ID), and the module that reaches the token
// (the URI's module-path query attribute).
struct Pkcs11KeyRef {
  std::string module;  // path of the PKCS#11 module (.so)
  std::string token;   // token label
  std::string object;  // key label
  Bytes id;            // key id; empty: any
};

// Parses an RFC 7512 URI "pkcs11:token=T;object=K[;id=%01%02][;type=private]
// [?module-path=/path/lib.so]" (percent-escapes decoded; other attributes
// ignored). errc::bad_key naming the URI when it is not a pkcs11: URI, an
// escape is malformed, or it names no token or no object.
Result<Pkcs11KeyRef> parse_pkcs11_uri(std::string_view uri);

// Formats a reference as an RFC 7512 URI (token, object, id, and the module
// as module-path), escaping every octet outside the unreserved set.
std::string format_pkcs11_uri(const Pkcs11KeyRef& ref);

// Gives the PIN of the token labelled `token` (from a file, an environment
// variable, a prompt). Errors as the source has them.
using PinSource = std::function<Result<base::SecureBuffer>(std::string_view token)>;

// Reads a PIN from the first line of `path` (the line end dropped).
// base::errc::not_found / io_error naming the file, errc::pin_required when it is empty.
Result<base::SecureBuffer> read_pin_file(const std::string& path);

// A PinSource that reads KSKLINE_PKCS11_PIN, then the file named by
// KSKLINE_PKCS11_PIN_FILE; errc::pin_required when neither is set.
PinSource environment_pin_source();

// One token reached through its module: one read-write session, logged in
// as the user once when opened, shared by every key found in it. Signing is
// serialised on the session. The module is finalised when the last token of
// it and the last key of those tokens are gone; it stays mapped
// (RTLD_NODELETE), so that nothing it registered runs after it is unmapped
// and a leak report can name it.
class Pkcs11Token {
 public:
  // Loads `module` (dlopen), finds the token labelled `token` among the
  // slots with a token present, opens a session and logs in with the PIN
  // from `pin`. errc::pkcs11_module for a module that cannot be loaded,
  // errc::token_missing when no slot holds that token, errc::wrong_pin when
  // the token refuses the PIN (errc::pin_locked when it is locked),
  // errc::pkcs11_failed for any other refusal (the CKR_ name in detail).
  static Result<std::shared_ptr<Pkcs11Token>> open(const std::string& module, const std::string& token,
                                                    const PinSource& pin);

  ~Pkcs11Token();
  Pkcs11Token(const Pkcs11Token&) = delete;
  Pkcs11Token& operator=(const Pkcs11Token&) = delete;

  // The token's label.
  const std::string& label() const noexcept { return label_; }
  // The module path it was opened with.
  const std::string& module() const noexcept { return module_; }

  // Whether the token holds a private key labelled `label` (with id `id`
  // when not empty). Errors as find_key for a token that is gone.
  Result<bool> has_key(std::string_view label, ByteView id = {});

  // A key of this token and where it is found again.
  struct Key {
    PrivateKey key;     // signs in the token
    Pkcs11KeyRef ref;   // module, token label, the key's label and id
  };

  // The private key labelled `label` (and id `id` when not empty) as a
  // PrivateKey signing in the token; its public key is read from the token's
  // public key object of the same id. `algorithm` picks 8 or 10 for an RSA
  // key (0: 8) and, when nonzero, must match the key's type and curve.
  // errc::key_not_found, errc::bad_key for several keys of that label or a
  // type kskline does not sign with, errc::token_removed when the token
  // went away, errc::pkcs11_failed.
  Result<Key> find_key(std::string_view label, ByteView id = {}, std::uint8_t algorithm = 0);

  // Generates a key pair in the token (private key sensitive, not
  // extractable, persistent), labelled `label` with a random 16-octet id,
  // and returns it as find_key would. RSA `bits` 1024..4096 (0: 2048).
  // errc::unsupported_algorithm when the token lacks the mechanisms (the
  // generation or the signing one), otherwise errors as find_key.
  Result<Key> generate_key(std::string_view label, std::uint8_t algorithm, unsigned bits = 0);

  // A loaded and initialised module (pkcs11_key.cpp alone uses it).
  struct Module;
  // The token's logged-in session, shared with its keys (pkcs11_key.cpp alone uses it).
  struct Impl;

 private:
  Pkcs11Token() = default;
  std::string module_, label_;
  std::shared_ptr<Impl> impl_;
};

// The tokens of one run: each (module, token) opened and logged in once,
// with the PIN from `pin`.
class Pkcs11Tokens {
 public:
  // Tokens asked for later get their PIN from `pin`.
  explicit Pkcs11Tokens(PinSource pin) : pin_(std::move(pin)) {}

  // The open token (Pkcs11Token::open the first time). Errors as open.
  Result<std::shared_ptr<Pkcs11Token>> get(const std::string& module, const std::string& token);

 private:
  PinSource pin_;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<Pkcs11Token>> open_;
};

// The file beside a token key's .key file that names it: its RFC 7512 URI
// with module-path on the first line, then its timing lines
// ("K<zone>+<alg>+<tag>.pkcs11").
inline constexpr std::string_view kPkcs11KeySuffix = ".pkcs11";

// Writes a token key into `dir` as <basename>.key (0644) and
// <basename>.pkcs11 (its URI and `times`, 0644); no private key file. Never overwrites
// (errc::io_error as write_key_pair). Returns the basename.
Result<std::string> write_pkcs11_key_pair(const std::string& dir, const KeyPair& pair, const Pkcs11KeyRef& ref,
                                          const KeyTimes& times);

// Reads a token key from its .pkcs11 file (or the .key file or basename):
// the DNSKEY from the .key file, the key from the token the URI names
// (opened through `tokens`), and checks that the token's public key is the
// DNSKEY's (errc::bad_key naming the file if not). Errors name the file.
Result<KeyPair> read_pkcs11_key_pair(const std::string& path, Pkcs11Tokens& tokens);

// The timing lines (Created, Publish, Activate, ...) of a .pkcs11 file, which
// write_pkcs11_key_pair puts after its URI line.
Result<KeyTimes> read_pkcs11_key_times(const std::string& path);

// The name of a PKCS#11 error of zone::errc (token_missing, wrong_pin, ...)
// as printed in refusals; nullptr for the other codes.
const char* pkcs11_errc_name(std::error_code code) noexcept;

}  // namespace kskline::zone
