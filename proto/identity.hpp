// Link identities: Ed25519 key pairs (libsodium) that sign envelopes and
// session transcripts, and the set of peer keys an endpoint pins.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/secure_buffer.hpp"
#include "proto/random.hpp"

namespace kskline::proto {

// An Ed25519 public key (32 bytes, RFC 8032 encoding).
using PublicKey = std::array<std::uint8_t, 32>;
// An Ed25519 signature (64 bytes).
using Signature = std::array<std::uint8_t, 64>;

// The context string prefixed to every signed envelope digest.
inline constexpr std::string_view kEnvelopeContext{"kskline-envelope-v1\0", 20};
// The context string prefixed to every signed session transcript.
inline constexpr std::string_view kSessionContext{"kskline-session-v1\0", 19};

// An endpoint's link identity: an Ed25519 key pair whose secret half lives in
// locked, wiped memory (base::SecureBuffer). Move-only.
class LinkIdentity {
 public:
  // Derives the key pair from a 32-byte seed (RFC 8032 secret key);
  // errc::bad_key if the seed is not 32 bytes.
  static Result<LinkIdentity> from_seed(ByteView seed);
  // Generates a new key pair from 32 random bytes.
  static LinkIdentity generate(Random& random);

  // The public key.
  const PublicKey& public_key() const noexcept { return public_; }
  // The 32-byte seed, for writing the key file (secret; do not copy out of
  // secure memory needlessly).
  std::span<const std::uint8_t> seed() const noexcept { return secret_.bytes().first(32); }
  // Signs context || message (libsodium crypto_sign_detached).
  Signature sign(std::string_view context, ByteView message) const;

 private:
  LinkIdentity() = default;
  base::SecureBuffer secret_;  // libsodium's 64-byte secret key: seed || public key
  PublicKey public_{};
};

// Verifies an Ed25519 signature over context || message; true when valid.
bool verify_signature(const PublicKey& key, std::string_view context, ByteView message,
                      const Signature& signature);

// Whether authentication is off, checked when present, or required.
enum class AuthPolicy : std::uint8_t { off = 0, optional = 1, required = 2 };

// The word an operator writes for a policy: "off", "optional", "required".
std::string_view auth_policy_name(AuthPolicy policy) noexcept;

// Reads a policy word (as auth_policy_name writes it). An unknown word is
// errc::invalid_argument at `where` (the option or file:key), its detail
// naming the word and the accepted words.
Result<AuthPolicy> parse_auth_policy(std::string_view word, std::string_view where);

// An authentication setting that may be left automatic (std::nullopt):
// required when a peer key is pinned, else off.
using AuthSetting = std::optional<AuthPolicy>;

// The word for an automatic setting.
inline constexpr std::string_view kAutoAuthWord = "auto";

// Reads a setting: kAutoAuthWord (automatic) or a policy word. An unknown
// word as parse_auth_policy, with "auto" among the accepted words.
Result<AuthSetting> parse_auth_setting(std::string_view word, std::string_view where);

// The policy a setting stands for: itself, or when automatic, required
// when a peer key is pinned and off otherwise.
AuthPolicy resolve_auth(AuthSetting setting, bool peer_pinned) noexcept;

// The peer public keys an endpoint accepts.
class PinnedKeys {
 public:
  PinnedKeys() = default;
  // Pins the given keys.
  explicit PinnedKeys(std::vector<PublicKey> keys) : keys_(std::move(keys)) {}
  // Adds a key.
  void add(const PublicKey& key) { keys_.push_back(key); }
  // Whether a key is pinned.
  bool contains(const PublicKey& key) const noexcept;
  // Whether no key is pinned.
  bool empty() const noexcept { return keys_.empty(); }

 private:
  std::vector<PublicKey> keys_;
};

}  // namespace kskline::proto
