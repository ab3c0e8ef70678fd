#include <catch2/catch.hpp>

#include "proto/errc.hpp"
#include "proto/identity.hpp"
#include "test_support.hpp"

using namespace kskline;
using namespace kskline::proto;
using proto::testing::hex;

namespace {

// RFC 8032 §7.1, TEST 1.
const char* kSeed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const char* kPublic = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const char* kSignatureOfEmpty =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

}  // namespace

TEST_CASE("identity: RFC 8032 test 1 key and signature", "[proto][identity]") {
  auto id = LinkIdentity::from_seed(hex(kSeed));
  REQUIRE(id);
  CHECK(Bytes(id->public_key().begin(), id->public_key().end()) == hex(kPublic));
  Signature sig = id->sign("", {});
  CHECK(Bytes(sig.begin(), sig.end()) == hex(kSignatureOfEmpty));
  CHECK(verify_signature(id->public_key(), "", {}, sig));
  CHECK(Bytes(id->seed().begin(), id->seed().end()) == hex(kSeed));
}

TEST_CASE("identity: the context string separates signatures", "[proto][identity]") {
  testing::SeededRandom random(1);
  LinkIdentity id = LinkIdentity::generate(random);
  Bytes message = testing::random_bytes(40, 2);
  Signature sig = id.sign(kEnvelopeContext, message);
  CHECK(verify_signature(id.public_key(), kEnvelopeContext, message, sig));
  CHECK_FALSE(verify_signature(id.public_key(), kSessionContext, message, sig));
  CHECK_FALSE(verify_signature(id.public_key(), "", message, sig));
  Bytes other = message;
  other[0] ^= 1;
  CHECK_FALSE(verify_signature(id.public_key(), kEnvelopeContext, other, sig));
  Signature flipped = sig;
  flipped[10] ^= 4;
  CHECK_FALSE(verify_signature(id.public_key(), kEnvelopeContext, message, flipped));
  CHECK(kEnvelopeContext.size() == 20);
  CHECK(kEnvelopeContext.back() == '\0');
}

TEST_CASE("identity: a seed of the wrong size is refused", "[proto][identity]") {
  auto id = LinkIdentity::from_seed(Bytes(31, 1));
  REQUIRE_FALSE(id);
  CHECK(id.error().code == errc::bad_key);
}

TEST_CASE("identity: generated identities differ by seed and pinning finds keys", "[proto][identity]") {
  testing::SeededRandom r1(1), r2(2);
  LinkIdentity a = LinkIdentity::generate(r1);
  LinkIdentity b = LinkIdentity::generate(r2);
  CHECK(a.public_key() != b.public_key());
  PinnedKeys pins;
  CHECK(pins.empty());
  pins.add(a.public_key());
  CHECK(pins.contains(a.public_key()));
  CHECK_FALSE(pins.contains(b.public_key()));
}

TEST_CASE("identity: every authentication policy word reads back as its policy", "[proto][identity]") {
  for (auto policy : {AuthPolicy::off, AuthPolicy::optional, AuthPolicy::required}) {
    auto word = auth_policy_name(policy);
    INFO(word);
    auto parsed = parse_auth_policy(word, "--auth");
    REQUIRE(parsed);
    CHECK(*parsed == policy);
    auto setting = parse_auth_setting(word, "--auth");
    REQUIRE(setting);
    CHECK(*setting == policy);
  }
  CHECK(auth_policy_name(AuthPolicy::off) == "off");
  CHECK(auth_policy_name(AuthPolicy::optional) == "optional");
  CHECK(auth_policy_name(AuthPolicy::required) == "required");
}

TEST_CASE("identity: an unknown policy word is refused naming the word, the place and the words", "[proto][identity]") {
  auto policy = parse_auth_policy("Required", "kskline-zone.toml link.auth");
  REQUIRE_FALSE(policy);
  CHECK(policy.error().code == errc::invalid_argument);
  CHECK(policy.error().where == "kskline-zone.toml link.auth");
  CHECK(policy.error().detail == "'Required' is not an authentication policy: use off, optional or required");
  // "auto" is a setting, not a policy.
  CHECK_FALSE(parse_auth_policy("auto", "x"));
  CHECK_FALSE(parse_auth_policy("", "x"));
  auto setting = parse_auth_setting("maybe", "--auth");
  REQUIRE_FALSE(setting);
  CHECK(setting.error().where == "--auth");
  CHECK(setting.error().detail == "'maybe' is not an authentication policy: use auto, off, optional or required");
}

TEST_CASE("identity: an automatic setting is required with a pinned peer, else off", "[proto][identity]") {
  auto setting = parse_auth_setting("auto", "x");
  REQUIRE(setting);
  CHECK_FALSE(setting->has_value());
  CHECK(resolve_auth(*setting, true) == AuthPolicy::required);
  CHECK(resolve_auth(*setting, false) == AuthPolicy::off);
  for (auto policy : {AuthPolicy::off, AuthPolicy::optional, AuthPolicy::required}) {
    CHECK(resolve_auth(policy, true) == policy);
    CHECK(resolve_auth(policy, false) == policy);
  }
}
