// The test vectors of docs/formats.md, read from the document itself: a
// request made from fixed Ed25519 keys (whose signatures are deterministic)
// must be exactly the document's text, and the KSK endpoint, given the same
// request, KSK and clock, must answer exactly the document's response.
#include <catch2/catch.hpp>

#include <string>

#include "base/encoding.hpp"
#include "signer/key_request.hpp"
#include "signer/ksk_endpoint.hpp"
#include "tests/signer/ksk_test_util.hpp"
#include "zone/key_file.hpp"
#include "zone/rrsig.hpp"

using namespace kskline;
using namespace kskline::test::ksk;

namespace {

constexpr std::int64_t kCreated = 1798761600;  // 2027-01-01 00:00:00 UTC
constexpr std::int64_t kSigned = kCreated + 900;  // the KSK laptop signs 15 minutes later
constexpr std::int64_t kFirstSlot = kCreated + kDay;

// An Ed25519 key whose seed is the 32 octets first, first+1, ...
zone::KeyPair fixed_key(std::uint8_t first, std::uint16_t flags) {
  Bytes seed(32);
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(first + i);
  auto key = zone::PrivateKey::from_raw(15, seed);
  REQUIRE(key);
  auto pair = zone::make_key_pair(zone_name("example.com."), flags, std::move(*key));
  REQUIRE(pair);
  return std::move(*pair);
}

// The text of the fenced block that follows `heading` in the document.
std::string block_after(const std::string& doc, const std::string& heading) {
  auto at = doc.find(heading);
  REQUIRE(at != std::string::npos);
  auto open = doc.find("```text\n", at);
  REQUIRE(open != std::string::npos);
  open += 8;
  auto close = doc.find("```", open);
  REQUIRE(close != std::string::npos);
  return doc.substr(open, close - open);
}

// The value of "label: `value`" after `heading`.
std::string value_after(const std::string& doc, const std::string& heading, const std::string& label) {
  auto at = doc.find(heading);
  REQUIRE(at != std::string::npos);
  auto l = doc.find(label + ": `", at);
  REQUIRE(l != std::string::npos);
  l += label.size() + 3;
  return doc.substr(l, doc.find('`', l) - l);
}

// The request of the vector: two weekly slots of one ZSK.
signer::KeyRequest vector_request(const zone::KeyPair& zsk) {
  signer::KeyRequest q;
  q.id = "00112233445566778899aabbccddeeff";
  q.zone = zone_name("example.com.");
  q.created = kCreated;
  q.dnskey_ttl = 3600;
  for (int i = 0; i < 2; ++i) {
    q.slots.push_back(make_slot(q.zone, kFirstSlot + i * 7 * kDay, kFirstSlot + (i + 1) * 7 * kDay, {&zsk}, 3600,
                                3 * kDay));
  }
  return q;
}

}  // namespace

TEST_CASE("formats: the request vector is what kskline writes, and its proofs verify", "[signer][formats]") {
  const std::string doc = test::slurp(std::string(KSKLINE_SOURCE_DIR) + "/docs/formats.md");
  const std::string text = block_after(doc, "### Request vector");
  auto zsk = fixed_key(0x01, 256);
  CHECK(signer::format_request(vector_request(zsk)) == text);
  auto digest = signer::text_sha256(text);
  CHECK(base::to_hex(ByteView(digest.data(), digest.size())) == value_after(doc, "### Request vector", "SHA-256"));

  auto parsed = signer::parse_request(text, "docs/formats.md");
  REQUIRE(parsed);
  REQUIRE(parsed->slots.size() == 2);
  for (const auto& slot : parsed->slots) {
    REQUIRE(slot.proofs.size() == 1);
    auto v = zone::verify_rrsig(slot.proofs[0].rdata, slot.zsks, parsed->zone, zsk.dnskey_rdata);
    CHECK(v.status == zone::VerifyStatus::valid);
  }
}

TEST_CASE("formats: the KSK endpoint answers the request vector with the response vector", "[signer][formats]") {
  const std::string doc = test::slurp(std::string(KSKLINE_SOURCE_DIR) + "/docs/formats.md");
  const std::string request = block_after(doc, "### Request vector");
  const std::string response = block_after(doc, "### Response vector");

  // A KSK state holding the fixed KSK, imported as BIND key files.
  test::TempDir tmp{"kskline-vectors"};
  auto ksk = fixed_key(0x21, 257);
  auto base = zone::write_key_pair(tmp.path(), ksk, {});
  REQUIRE(base);
  signer::KskInitOptions o;
  o.zones.push_back(zone_name("example.com."));
  o.imports.push_back(tmp.file(*base + ".key"));
  REQUIRE(signer::init_ksk_state(tmp.file("ksk"), o, kCreated));
  auto endpoint = signer::KskEndpoint::open(tmp.file("ksk"));
  REQUIRE(endpoint);
  auto review = endpoint->review(request, "docs/formats.md", kSigned);
  INFO((review ? std::string() : review.error().message()));
  REQUIRE(review);
  auto signed_text = endpoint->sign(*review, kSigned);
  REQUIRE(signed_text);
  CHECK(*signed_text == response);

  auto parsed = signer::parse_response(response, "docs/formats.md");
  REQUIRE(parsed);
  CHECK(parsed->request_sha256 == signer::text_sha256(request));
}
