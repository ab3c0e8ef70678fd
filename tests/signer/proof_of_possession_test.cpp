// Proofs of possession: what the zone side signs the KSK side verifies, and
// every way a proof can be wrong is refused for the right ZSK.
#include <catch2/catch.hpp>

#include "signer/errc.hpp"
#include "signer/internal/proof_of_possession.hpp"
#include "tests/signer/ksk_test_util.hpp"
#include "zone/rrsig.hpp"

using namespace kskline;
using namespace kskline::test::ksk;

namespace {

// A slot of example.com. with the ZSKs' records and proofs made by sign_proof_of_possession.
signer::RequestSlot signed_slot(const std::vector<const zone::KeyPair*>& zsks) {
  signer::RequestSlot s = make_slot(zone_name("example.com."), kT0, kT0 + 14 * kDay, zsks);
  s.proofs.clear();
  for (const auto* k : zsks) {
    auto proof = signer::sign_proof_of_possession(zone_name("example.com."), s, *k, 3600);
    REQUIRE(proof);
    s.proofs.push_back(std::move(*proof));
  }
  return s;
}

Error refused(const signer::RequestSlot& s) {
  auto r = signer::check_proofs_of_possession(zone_name("example.com."), s, "slot 3");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == signer::make_error_code(signer::errc::proof_of_possession));
  return r.error();
}

}  // namespace

TEST_CASE("proof_of_possession: a proof covers the slot's ZSKs over start..end", "[signer][proof_of_possession]") {
  auto zsk1 = make_zsk(), zsk2 = make_zsk("example.com.", 15);
  auto s = signed_slot({&zsk1, &zsk2});
  REQUIRE(s.proofs.size() == 2);
  auto sig = zone::parse_rrsig(s.proofs[1].rdata);
  REQUIRE(sig);
  CHECK(s.proofs[1].type == zone::rrtype::RRSIG);
  CHECK(s.proofs[1].ttl == 3600);
  CHECK(sig->key_tag == zsk2.key_tag);
  CHECK(sig->algorithm == 15);
  CHECK(sig->type_covered == zone::rrtype::DNSKEY);
  CHECK(sig->original_ttl == 3600);
  CHECK(sig->inception == static_cast<std::uint32_t>(kT0));
  CHECK(sig->expiration == static_cast<std::uint32_t>(kT0 + 14 * kDay));
  CHECK(signer::check_proofs_of_possession(zone_name("example.com."), s, "slot 3"));
}

TEST_CASE("proof_of_possession: a missing, forged or mistimed proof names its ZSK", "[signer][proof_of_possession]") {
  auto zsk1 = make_zsk(), zsk2 = make_zsk();
  auto s = signed_slot({&zsk1, &zsk2});
  const std::string where2 = "slot 3, key tag " + std::to_string(zsk2.key_tag);
  SECTION("missing") {
    s.proofs.pop_back();
    auto e = refused(s);
    CHECK(e.where == where2);
    CHECK(e.detail == "no RRSIG by this key over the slot's ZSKs");
  }
  SECTION("a signature that does not verify") {
    s.proofs[0].rdata.back() ^= 1;
    auto e = refused(s);
    CHECK(e.where == "slot 3, key tag " + std::to_string(zsk1.key_tag));
    CHECK(e.detail.rfind("its RRSIG does not verify: ", 0) == 0);
  }
  SECTION("over another window") {
    s.end += 60;
    auto e = refused(s);
    CHECK(e.detail == "its RRSIG's window is not the slot's start..end");
  }
  SECTION("over other ZSKs") {
    auto other = make_zsk();
    s.zsks.push_back(dnskey_record(other, 3600));
    auto e = refused(s);
    CHECK(e.where == "slot 3, key tag " + std::to_string(zsk1.key_tag));
  }
}
