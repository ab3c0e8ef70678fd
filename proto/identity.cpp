#include "proto/identity.hpp"

#include <iterator>
#include <stdexcept>
#include <string>

#include <sodium.h>

#include "base/sodium.hpp"
#include "proto/errc.hpp"

namespace kskline::proto {
namespace {

// The one table of policy words, in the order error messages list them.
struct AuthWord {
  AuthPolicy policy;
  std::string_view word;
};
constexpr AuthWord kAuthWords[] = {
    {AuthPolicy::off, "off"},
    {AuthPolicy::optional, "optional"},
    {AuthPolicy::required, "required"},
};

// The refusal of an unknown word, naming the accepted ones ("auto" first
// when a setting may be automatic).
tl::unexpected<Error> unknown_auth_word(std::string_view word, std::string_view where, bool with_auto) {
  std::string accepted = with_auto ? std::string(kAutoAuthWord) + ", " : std::string();
  for (std::size_t i = 0; i < std::size(kAuthWords); ++i) {
    accepted += kAuthWords[i].word;
    if (i + 2 < std::size(kAuthWords)) accepted += ", ";
    if (i + 2 == std::size(kAuthWords)) accepted += " or ";
  }
  return fail(errc::invalid_argument, "'" + std::string(word) + "' is not an authentication policy: use " + accepted,
              std::string(where));
}

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

std::string_view auth_policy_name(AuthPolicy policy) noexcept {
  for (const auto& w : kAuthWords) {
    if (w.policy == policy) return w.word;
  }
  return "?";
}

Result<AuthPolicy> parse_auth_policy(std::string_view word, std::string_view where) {
  for (const auto& w : kAuthWords) {
    if (w.word == word) return w.policy;
  }
  return unknown_auth_word(word, where, false);
}

Result<AuthSetting> parse_auth_setting(std::string_view word, std::string_view where) {
  if (word == kAutoAuthWord) return AuthSetting{};
  auto policy = parse_auth_policy(word, where);
  if (!policy) return unknown_auth_word(word, where, true);
  return AuthSetting{*policy};
}

AuthPolicy resolve_auth(AuthSetting setting, bool peer_pinned) noexcept {
  if (setting) return *setting;
  return peer_pinned ? AuthPolicy::required : AuthPolicy::off;
}

bool PinnedKeys::contains(const PublicKey& key) const noexcept {
  for (const auto& k : keys_) {
    if (k == key) return true;
  }
  return false;
}

}  // namespace kskline::proto
