// The test vectors of docs/protocol.md §6, read from the document itself, so
// the published hex and the implementation cannot drift apart.
#include <catch2/catch.hpp>

#include <cstdio>

#include "proto/envelope.hpp"
#include "proto/frame.hpp"
#include "proto/hello.hpp"
#include "proto/record.hpp"
#include "test_support.hpp"

using namespace kskline;
using namespace kskline::proto;
using proto::testing::hex;

namespace {

// RFC 8032 §7.1 TEST 1 secret key: the fixed test link identity.
const char* kTestSeed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

Nonce nonce(std::uint8_t first) {
  Nonce n{};
  for (std::size_t i = 0; i < n.size(); ++i) n[i] = static_cast<std::uint8_t>(first + i);
  return n;
}

Hello vector_hello() {
  Hello h;
  h.nonce = nonce(0x00);
  h.capabilities = kCapBinary;
  h.auth_policy = AuthPolicy::off;
  h.max_frame = 4096;
  h.window = 64;
  h.max_message = kDefaultMaxEnvelope;
  return h;
}

std::uint32_t vector_tag() { return session_tag(nonce(0x00), nonce(0x10)); }

Frame vector_data_frame() {
  return Frame{FrameType::data, 0, 1, 2, encode_chunk(0, as_bytes("kskline"))};
}

EnvelopeSpec vector_spec() {
  EnvelopeSpec s;
  s.kind = Kind::request;
  s.payload_type = PayloadType::kskline_request;
  for (std::size_t i = 0; i < s.id.size(); ++i) s.id[i] = static_cast<std::uint8_t>(i);
  s.counter = 1;
  return s;
}

const char* kPayload = "kskline test vector\n";

// Compares a generated vector with the document; prints it when they differ.
void check_vector(const std::string& name, const Bytes& generated) {
  static const auto doc = testing::doc_vectors();
  auto it = doc.find(name);
  if (it == doc.end() || it->second != generated) {
    std::printf("```hex %s\n", name.c_str());
    std::string h = base::to_hex(generated);
    for (std::size_t i = 0; i < h.size(); i += 64) std::printf("%s\n", h.substr(i, 64).c_str());
    std::printf("```\n");
  }
  CAPTURE(name);
  CHECK(it != doc.end());
  if (it != doc.end()) CHECK(it->second == generated);
}

}  // namespace

TEST_CASE("vectors: the HELLO frame", "[proto][vectors]") {
  Bytes frame = encode_frame(Frame{FrameType::hello, 0, 0, 0, encode_hello(vector_hello())}, Encoding::seven_bit,
                             EscapeSet(), 0);
  check_vector("hello-frame", frame);
  // It is printable text ending with CR, and decodes back.
  for (std::size_t i = 0; i + 1 < frame.size(); ++i) REQUIRE((frame[i] >= 0x21 && frame[i] <= 0x7E));
  FrameDecoder d;
  std::vector<RawFrame> raws;
  d.feed(frame, raws);
  REQUIRE(raws.size() == 1);
  auto f = open_frame(raws[0].logical, std::nullopt);
  REQUIRE(f);
  auto h = parse_hello(f->payload);
  REQUIRE(h);
  CHECK(h->nonce == nonce(0));
}

TEST_CASE("vectors: the session tag", "[proto][vectors]") {
  Bytes tag;
  put_u32(tag, vector_tag());
  check_vector("session-tag", tag);
}

TEST_CASE("vectors: a DATA frame in both encodings", "[proto][vectors]") {
  Frame f = vector_data_frame();
  check_vector("data-frame-binary", encode_frame(f, Encoding::binary, EscapeSet(), vector_tag()));
  check_vector("data-frame-7bit", encode_frame(f, Encoding::seven_bit, EscapeSet(), vector_tag()));
}

TEST_CASE("vectors: an unsigned envelope", "[proto][vectors]") {
  auto env = build_envelope(vector_spec(), as_bytes(kPayload));
  REQUIRE(env);
  check_vector("envelope", *env);
  REQUIRE(parse_envelope(*env));
}

TEST_CASE("vectors: an envelope signed with the RFC 8032 test key", "[proto][vectors]") {
  auto id = LinkIdentity::from_seed(hex(kTestSeed));
  REQUIRE(id);
  auto env = build_envelope(vector_spec(), as_bytes(kPayload), &*id);
  REQUIRE(env);
  check_vector("envelope-signed", *env);
  auto e = parse_envelope(*env);
  REQUIRE(e);
  PinnedKeys pins({id->public_key()});
  CHECK(*authenticate(*e, {AuthPolicy::required, &pins, false}) == AuthStatus::authenticated);
}
