// Outgoing envelopes: the spec as given, a message id from the random source,
// a signature when an identity is given, and the size limit.
#include <catch2/catch.hpp>

#include "proto/envelope.hpp"
#include "proto/errc.hpp"
#include "tests/proto/test_support.hpp"
#include "transport/outgoing_envelope.hpp"

using namespace kskline;
using namespace kskline::transport;
using proto::testing::SeededRandom;

namespace {

proto::EnvelopeSpec answer_spec() {
  proto::EnvelopeSpec spec;
  spec.kind = proto::Kind::error;
  spec.payload_type = proto::PayloadType::text;
  spec.in_reply_to.fill(0xab);
  spec.counter = 1234;
  spec.id.fill(0x11);  // ignored: the id comes from the random source
  return spec;
}

}  // namespace

TEST_CASE("outgoing_envelope: the spec as given under a message id drawn from the random source",
          "[transport][outgoing_envelope]") {
  const std::string payload = "kskline-refusal 1\n";
  SeededRandom random(9);
  auto bytes = outgoing_envelope(answer_spec(), as_bytes(payload), nullptr, random);
  REQUIRE(bytes);
  auto env = proto::parse_envelope(*bytes);
  REQUIRE(env);
  CHECK(env->header.kind == proto::Kind::error);
  CHECK(env->header.payload_type == proto::PayloadType::text);
  CHECK(env->header.in_reply_to == answer_spec().in_reply_to);
  CHECK(env->header.counter == 1234);
  CHECK_FALSE(env->header.is_signed);
  CHECK(std::string(env->payload.begin(), env->payload.end()) == payload);
  Bytes id = proto::testing::random_bytes(16, 9);
  CHECK(Bytes(env->header.id.begin(), env->header.id.end()) == id);
  // The next message gets the next id.
  auto second = proto::parse_envelope(outgoing_envelope(answer_spec(), as_bytes(payload), nullptr, random).value());
  REQUIRE(second);
  CHECK(second->header.id != env->header.id);
}

TEST_CASE("outgoing_envelope: signed by the identity given, too large is refused", "[transport][outgoing_envelope]") {
  SeededRandom random(10);
  auto identity = proto::LinkIdentity::generate(random);
  const std::string payload(100, 'x');
  auto bytes = outgoing_envelope(answer_spec(), as_bytes(payload), &identity, random);
  REQUIRE(bytes);
  auto env = proto::parse_envelope(*bytes);
  REQUIRE(env);
  REQUIRE(env->signer);
  CHECK(*env->signer == identity.public_key());
  proto::PinnedKeys pinned{{identity.public_key()}};
  CHECK(proto::authenticate(*env, {proto::AuthPolicy::required, &pinned, false}).value() ==
        proto::AuthStatus::authenticated);
  auto big = outgoing_envelope(answer_spec(), as_bytes(payload), nullptr, random, 150);
  REQUIRE_FALSE(big);
  CHECK(big.error().code == proto::errc::too_large);
}
