#include <catch2/catch.hpp>

#include "base/digest.hpp"
#include "proto/envelope.hpp"
#include "proto/errc.hpp"
#include "test_support.hpp"

using namespace kskline;
using namespace kskline::proto;
using proto::testing::hex;
using proto::testing::random_bytes;

namespace {

EnvelopeSpec spec() {
  EnvelopeSpec s;
  s.kind = Kind::request;
  s.payload_type = PayloadType::kskline_request;
  for (std::size_t i = 0; i < s.id.size(); ++i) s.id[i] = static_cast<std::uint8_t>(i);
  s.counter = 7;
  return s;
}

LinkIdentity test_identity() {
  return *LinkIdentity::from_seed(hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
}

LinkIdentity other_identity() {
  testing::SeededRandom r(99);
  return LinkIdentity::generate(r);
}

// Replaces the trailing digest so that it matches again after an edit.
void refresh_digest(Bytes& env) {
  Bytes d = base::digest(base::DigestAlgorithm::sha256, ByteView(env).first(env.size() - 32));
  std::copy(d.begin(), d.end(), env.end() - 32);
}

}  // namespace

TEST_CASE("envelope: build and parse round trip", "[proto][envelope]") {
  Bytes payload = random_bytes(1000, 1);
  auto env = build_envelope(spec(), payload);
  REQUIRE(env);
  CHECK(env->size() == 72 + 1000 + 32);
  auto e = parse_envelope(*env);
  REQUIRE(e);
  CHECK(e->header.kind == Kind::request);
  CHECK(e->header.payload_type == PayloadType::kskline_request);
  CHECK(e->header.id == spec().id);
  CHECK(e->header.counter == 7);
  CHECK_FALSE(e->header.is_signed);
  CHECK(Bytes(e->payload.begin(), e->payload.end()) == payload);
  CHECK_FALSE(e->signer);
  CHECK(trailing_digest(*env) == e->digest);
  Bytes d = base::digest(base::DigestAlgorithm::sha256, ByteView(*env).first(env->size() - 32));
  CHECK(Bytes(e->digest.begin(), e->digest.end()) == d);
}

TEST_CASE("envelope: the size limit is checked from the header before the payload is read", "[proto][envelope]") {
  auto env = build_envelope(spec(), random_bytes(100, 2));
  REQUIRE(env);
  Bytes header(env->begin(), env->begin() + 72);
  // Claim a payload of 1 TiB: refused from 72 bytes, nothing else read.
  for (int i = 0; i < 8; ++i) header[64 + static_cast<std::size_t>(i)] = 0;
  header[66] = 0x01;  // 2^40
  auto h = parse_envelope_header(header);
  REQUIRE_FALSE(h);
  CHECK(h.error().code == errc::too_large);
  CHECK(h.error().message().find("67108864") != std::string::npos);
  // UINT64_MAX does not overflow the check.
  for (int i = 0; i < 8; ++i) header[64 + static_cast<std::size_t>(i)] = 0xFF;
  CHECK(parse_envelope_header(header).error().code == errc::too_large);
  // A smaller configured limit.
  CHECK(parse_envelope(*env, 150).error().code == errc::too_large);
  CHECK(parse_envelope(*env, 204));
  CHECK(build_envelope(spec(), random_bytes(100, 2), nullptr, 203).error().code == errc::too_large);
}

TEST_CASE("envelope: every single bit flip is detected", "[proto][envelope]") {
  LinkIdentity id = test_identity();
  auto env = build_envelope(spec(), random_bytes(30, 3), &id);
  REQUIRE(env);
  for (std::size_t bit = 0; bit < env->size() * 8; ++bit) {
    Bytes bad = *env;
    bad[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    CAPTURE(bit);
    REQUIRE_FALSE(parse_envelope(bad));
  }
}

TEST_CASE("envelope: malformed headers name the problem", "[proto][envelope]") {
  auto env = build_envelope(spec(), random_bytes(10, 4));
  REQUIRE(env);
  Bytes b = *env;
  b[0] = 'X';
  CHECK(parse_envelope(b).error().code == errc::bad_magic);
  b = *env;
  b[4] = 2;
  auto v = parse_envelope(b);
  CHECK(v.error().code == errc::unsupported_version);
  CHECK(v.error().message().find("version 2") != std::string::npos);
  b = *env;
  b[6] = 0x02;
  CHECK(parse_envelope(b).error().code == errc::malformed);
  b = *env;
  b[5] = 9;
  CHECK(parse_envelope(b).error().code == errc::malformed);
  CHECK(parse_envelope(ByteView(*env).first(50)).error().code == errc::malformed);
  Bytes longer = *env;
  longer.push_back(0);
  CHECK(parse_envelope(longer).error().code == errc::malformed);
}

TEST_CASE("envelope: a signed envelope authenticates with a pinned key", "[proto][envelope]") {
  LinkIdentity id = test_identity();
  auto env = build_envelope(spec(), as_bytes("hello"), &id);
  REQUIRE(env);
  auto e = parse_envelope(*env);
  REQUIRE(e);
  REQUIRE(e->signer);
  CHECK(*e->signer == id.public_key());
  PinnedKeys pins({id.public_key()});
  for (auto policy : {AuthPolicy::optional, AuthPolicy::required}) {
    auto st = authenticate(*e, {policy, &pins, false});
    REQUIRE(st);
    CHECK(*st == AuthStatus::authenticated);
  }
  CHECK(*authenticate(*e, {AuthPolicy::off, nullptr, false}) == AuthStatus::not_checked);
  // The signature covers context || SHA-256(header and payload).
  Bytes covered = base::digest(base::DigestAlgorithm::sha256, e->signed_part);
  CHECK(verify_signature(id.public_key(), kEnvelopeContext, covered, *e->signature));
}

TEST_CASE("envelope: each authentication refusal has its own error", "[proto][envelope]") {
  LinkIdentity id = test_identity();
  LinkIdentity stranger = other_identity();
  PinnedKeys pins({id.public_key()});
  auto unsigned_env = *build_envelope(spec(), as_bytes("x"));
  auto by_stranger = *build_envelope(spec(), as_bytes("x"), &stranger);
  auto signed_env = *build_envelope(spec(), as_bytes("x"), &id);

  SECTION("unsigned when required") {
    auto r = authenticate(*parse_envelope(unsigned_env), {AuthPolicy::required, &pins, false});
    CHECK(r.error().code == errc::auth_unsigned);
    CHECK(*authenticate(*parse_envelope(unsigned_env), {AuthPolicy::optional, &pins, false}) == AuthStatus::unsigned_ok);
  }
  SECTION("unknown key") {
    auto r = authenticate(*parse_envelope(by_stranger), {AuthPolicy::required, &pins, false});
    CHECK(r.error().code == errc::auth_unknown_key);
    CHECK(*authenticate(*parse_envelope(by_stranger), {AuthPolicy::optional, &pins, false}) == AuthStatus::unpinned_key);
  }
  SECTION("bad signature, even with a matching digest") {
    Bytes tampered = signed_env;
    tampered[72] ^= 1;  // the payload
    refresh_digest(tampered);
    auto e = parse_envelope(tampered);
    REQUIRE(e);
    CHECK(authenticate(*e, {AuthPolicy::required, &pins, false}).error().code == errc::auth_bad_signature);
    CHECK(authenticate(*e, {AuthPolicy::optional, &pins, false}).error().code == errc::auth_bad_signature);
  }
  SECTION("downgrade: the signature stripped from a sender that signs") {
    // Strip signer and signature, clear the flag, recompute the digest: a
    // well-formed unsigned envelope an attacker could make.
    Bytes stripped(signed_env.begin(), signed_env.begin() + 72 + 1);
    stripped[6] = 0;
    stripped.resize(stripped.size() + 32);
    refresh_digest(stripped);
    auto e = parse_envelope(stripped);
    REQUIRE(e);
    CHECK(authenticate(*e, {AuthPolicy::required, &pins, true}).error().code == errc::auth_downgrade);
    CHECK(authenticate(*e, {AuthPolicy::optional, &pins, true}).error().code == errc::auth_downgrade);
    CHECK(authenticate(*e, {AuthPolicy::required, &pins, false}).error().code == errc::auth_unsigned);
  }
  SECTION("clearing the signed flag alone breaks the format") {
    Bytes flagless = signed_env;
    flagless[6] = 0;
    refresh_digest(flagless);
    CHECK(parse_envelope(flagless).error().code == errc::malformed);
  }
}
