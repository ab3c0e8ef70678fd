#include <catch2/catch.hpp>

#include "proto/errc.hpp"
#include "proto/hello.hpp"
#include "test_support.hpp"

using namespace kskline;
using namespace kskline::proto;

namespace {

Hello sample() {
  Hello h;
  h.confirmed = true;
  for (std::size_t i = 0; i < 16; ++i) {
    h.echo[i] = static_cast<std::uint8_t>(0xE0 + i);
    h.nonce[i] = static_cast<std::uint8_t>(i);
  }
  h.capabilities = kCapBinary | kCapSigns;
  h.auth_policy = AuthPolicy::required;
  h.max_frame = 2048;
  h.window = 128;
  h.max_message = 1 << 20;
  h.escapes = EscapeSet::with_xonxoff();
  PublicKey k{};
  k[0] = 0x42;
  h.identity = k;
  return h;
}

}  // namespace

TEST_CASE("hello: encode and parse round trip", "[proto][hello]") {
  Hello h = sample();
  Bytes b = encode_hello(h);
  CHECK(b.size() == 82 + 32);
  auto p = parse_hello(b);
  REQUIRE(p);
  CHECK(p->confirmed);
  CHECK(p->echo == h.echo);
  CHECK(p->nonce == h.nonce);
  CHECK(p->capabilities == (kCapBinary | kCapSigns | kCapIdentity));
  CHECK(p->auth_policy == AuthPolicy::required);
  CHECK(p->max_frame == 2048);
  CHECK(p->window == 128);
  CHECK(p->max_message == (1u << 20));
  CHECK(p->escapes == h.escapes);
  CHECK(p->identity == h.identity);
  h.identity.reset();
  auto q = parse_hello(encode_hello(h));
  REQUIRE(q);
  CHECK_FALSE(q->identity);
  CHECK((q->capabilities & kCapIdentity) == 0);
}

TEST_CASE("hello: unknown extensions are ignored, truncated ones refused", "[proto][hello]") {
  Bytes b = encode_hello(sample());
  Bytes ext = b;
  for (std::uint8_t v : {0x09, 0x03, 0x01, 0x02, 0x03}) ext.push_back(v);
  CHECK(parse_hello(ext));
  ext.pop_back();
  CHECK(parse_hello(ext).error().code == errc::malformed);
  CHECK_FALSE(parse_hello(ByteView(b).first(81)));
  Bytes no_key = b;
  no_key.resize(82);  // identity bit set, key missing
  CHECK_FALSE(parse_hello(no_key));
}

TEST_CASE("hello: negotiation takes the highest common version and the smaller limits", "[proto][hello]") {
  Hello a = sample(), b = sample();
  b.max_frame = 1024;
  b.window = 32;
  b.escapes = EscapeSet();
  b.escapes.add(0x00);
  b.capabilities = 0;
  b.max_message = 1000;
  auto n = negotiate(a, b);
  REQUIRE(n);
  CHECK(n->version == 1);
  CHECK_FALSE(n->binary_allowed);
  CHECK(n->max_frame == 1024);
  CHECK(n->window == 32);
  CHECK(n->escapes.contains(0x00));
  CHECK(n->escapes.contains(0x11));
  CHECK(n->peer_max_message == 1000);
  b.capabilities = kCapBinary;
  CHECK(negotiate(a, b)->binary_allowed);
  // A newer peer that still speaks version 1 talks version 1.
  b.min_version = 1;
  b.max_version = 3;
  CHECK(negotiate(a, b)->version == 1);
}

TEST_CASE("hello: no common version is refused naming both ranges", "[proto][hello]") {
  Hello ours = sample(), theirs = sample();
  theirs.min_version = 2;
  theirs.max_version = 3;
  auto n = negotiate(ours, theirs);
  REQUIRE_FALSE(n);
  CHECK(n.error().code == errc::version_mismatch);
  CHECK(n.error().message().find("2..3") != std::string::npos);
  CHECK(n.error().message().find("upgrade this side") != std::string::npos);
}

TEST_CASE("hello: the session tag is symmetric and depends on both nonces", "[proto][hello]") {
  Nonce a{}, b{}, c{};
  a[0] = 1;
  b[0] = 2;
  c[0] = 3;
  CHECK(session_tag(a, b) == session_tag(b, a));
  CHECK(session_tag(a, b) != session_tag(a, c));
  CHECK(binding_transcript(as_bytes("x"), as_bytes("y")) != binding_transcript(as_bytes("y"), as_bytes("x")));
  CHECK(binding_transcript(as_bytes("x"), as_bytes("y")).size() == 64);
}
