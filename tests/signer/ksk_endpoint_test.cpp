// The KSK endpoint: signing, every policy refusal (one test each, with its
// exact code), the request ledger's replay and reuse rules, continuity,
// auto-approval, the audit entries it writes and the state lock.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include <openssl/crypto.h>

#include "base/encoding.hpp"
#include "signer/audit_log.hpp"
#include "signer/errc.hpp"
#include "signer/ksk_endpoint.hpp"
#include "signer/operator_table.hpp"
#include "tests/signer/ksk_test_util.hpp"
#include "zone/ds.hpp"
#include "zone/key_tag.hpp"

using namespace kskline;
using namespace kskline::test::ksk;

namespace {

// Reviews a request that must be refused and returns the error.
Error refusal(signer::KskEndpoint& e, const signer::KeyRequest& q, std::int64_t now = kT0) {
  auto r = e.review(signer::format_request(q), "request.txt", now);
  REQUIRE_FALSE(r);
  INFO(r.error().message());
  return r.error();
}

// Whether the error is `code`.
bool is(const Error& e, signer::errc code) {
  INFO(e.message());
  return e.code == signer::make_error_code(code);
}

// The records of a slot of one type.
std::vector<zone::Record> of_type(const std::vector<zone::Record>& records, std::uint16_t type) {
  std::vector<zone::Record> out;
  std::copy_if(records.begin(), records.end(), std::back_inserter(out), [&](const zone::Record& r) { return r.type == type; });
  return out;
}

// The RRSIGs among records that cover `type`.
std::vector<zone::Rrsig> sigs_over(const std::vector<zone::Record>& records, std::uint16_t type) {
  std::vector<zone::Rrsig> out;
  for (const auto& r : of_type(records, zone::rrtype::RRSIG)) {
    auto s = zone::parse_rrsig(r.rdata);
    REQUIRE(s);
    if (s->type_covered == type) out.push_back(*s);
  }
  return out;
}

// Signs a request with an endpoint and returns the response text.
std::string sign_ok(signer::KskEndpoint& e, const signer::KeyRequest& q, std::int64_t now = kT0) {
  auto r = e.review(signer::format_request(q), "request.txt", now);
  INFO((r ? std::string() : r.error().message()));
  REQUIRE(r);
  auto s = e.sign(*r, now);
  INFO((s ? std::string() : s.error().message()));
  REQUIRE(s);
  return *s;
}

}  // namespace

TEST_CASE("ksk_endpoint: signs DNSKEY, CDS and CDNSKEY per slot with RRSIGs by the KSK that verify",
          "[signer][ksk_endpoint]") {
  KskState state;
  auto e = state.open();
  auto zsk1 = make_zsk(), zsk2 = make_zsk();
  auto q = make_request({&zsk1, &zsk2});
  std::string text = sign_ok(e, q);
  auto response = signer::parse_response(text, "response");
  REQUIRE(response);
  CHECK(response->request_id == q.id);
  CHECK(response->request_sha256 == signer::text_sha256(signer::format_request(q)));
  CHECK(response->zone == q.zone);
  CHECK(response->created == kT0);
  REQUIRE(response->slots.size() == 2);
  auto ksks = e.ksks(q.zone);
  REQUIRE(ksks.size() == 1);
  const auto& ksk = *ksks.front();
  auto verifier = zone::RrsigVerifier::create(q.zone, ksk.dnskey_rdata);
  REQUIRE(verifier);
  for (std::size_t i = 0; i < 2; ++i) {
    INFO("slot " << i + 1);
    const auto& slot = response->slots[i];
    CHECK(slot.start == q.slots[i].start);
    CHECK(slot.end == q.slots[i].end);
    auto dnskey = of_type(slot.records, zone::rrtype::DNSKEY);
    REQUIRE(dnskey.size() == 3);
    std::vector<Bytes> rdatas;
    for (const auto& r : dnskey) {
      CHECK(r.ttl == 3600);
      rdatas.push_back(r.rdata);
    }
    CHECK(std::count(rdatas.begin(), rdatas.end(), ksk.dnskey_rdata) == 1);
    CHECK(std::count(rdatas.begin(), rdatas.end(), zsk1.dnskey_rdata) == 1);
    CHECK(std::count(rdatas.begin(), rdatas.end(), zsk2.dnskey_rdata) == 1);
    auto cds = of_type(slot.records, zone::rrtype::CDS);
    REQUIRE(cds.size() == 1);
    auto ds = zone::make_ds(q.zone, ksk.dnskey_rdata, zone::ds_digest::SHA256);
    REQUIRE(ds);
    CHECK(cds.front().rdata == *ds);
    auto cdnskey = of_type(slot.records, zone::rrtype::CDNSKEY);
    REQUIRE(cdnskey.size() == 1);
    CHECK(cdnskey.front().rdata == ksk.dnskey_rdata);
    for (auto [type, rrset] : {std::pair{zone::rrtype::DNSKEY, dnskey}, std::pair{zone::rrtype::CDS, cds},
                               std::pair{zone::rrtype::CDNSKEY, cdnskey}}) {
      auto sigs = sigs_over(slot.records, type);
      REQUIRE(sigs.size() == 1);
      CHECK(sigs.front().key_tag == ksk.key_tag);
      CHECK(sigs.front().inception == static_cast<std::uint32_t>(q.slots[i].inception));
      CHECK(sigs.front().expiration == static_cast<std::uint32_t>(q.slots[i].expiration));
      CHECK(sigs.front().original_ttl == 3600);
      auto v = verifier->verify(sigs.front(), rrset);
      INFO(v.reason);
      CHECK(v.status == zone::VerifyStatus::valid);
    }
  }
  auto count = signer::verify_audit_log(e.audit_path());
  REQUIRE(count);
  CHECK(*count == 1);
  CHECK(test::slurp(e.audit_path()).find("\tsigned\t" + base::to_hex(signer::text_sha256(text)) + "\t") !=
        std::string::npos);
}

TEST_CASE("ksk_endpoint: the review carries the table, the SHA-256 words and the skew", "[signer][ksk_endpoint]") {
  KskState state;
  auto e = state.open();
  auto zsk = make_zsk();
  auto q = make_request({&zsk}, kT0 - 120);
  auto r = e.review(signer::format_request(q), "request.txt", kT0);
  REQUIRE(r);
  CHECK(r->skew == 120);
  CHECK(r->digest == signer::text_sha256(signer::format_request(q)));
  CHECK(std::count(r->words.begin(), r->words.end(), ' ') == 5);
  CHECK(r->table.find("example.com.") != std::string::npos);
  CHECK(r->table.find(std::to_string(zsk.key_tag) + "/13/256") != std::string::npos);
  CHECK(r->table.find("2026-12-01 00:00:00") != std::string::npos);
  CHECK(r->table.find(r->words) != std::string::npos);
  CHECK_FALSE(r->auto_approvable);  // same-keys: nothing signed yet
  CHECK_FALSE(r->stored_response);
}

TEST_CASE("ksk_endpoint: zone_not_allowed", "[signer][ksk_endpoint]") {
  KskState state;
  auto e = state.open();
  auto zsk = make_zsk("example.net.");
  auto q = make_request({&zsk}, kT0, kT0, 2, "example.net.");
  CHECK(is(refusal(e, q), signer::errc::zone_not_allowed));
}

TEST_CASE("ksk_endpoint: algorithm_not_allowed", "[signer][ksk_endpoint]") {
  KskState state;
  set_policy(state.dir, "algorithms", "[13]");
  auto e = state.open();
  auto zsk = make_zsk("example.com.", 15);
  auto err = refusal(e, make_request({&zsk}));
  CHECK(is(err, signer::errc::algorithm_not_allowed));
  CHECK(err.where == "slot 1, key tag " + std::to_string(zsk.key_tag));
}

TEST_CASE("ksk_endpoint: key_size_not_allowed", "[signer][ksk_endpoint]") {
  KskState state;
  auto e = state.open();
  auto zsk = make_zsk("example.com.", 8, 1024);
  CHECK(is(refusal(e, make_request({&zsk})), signer::errc::key_size_not_allowed));
}

TEST_CASE("ksk_endpoint: bad_zsk_flags", "[signer][ksk_endpoint]") {
  KskState state;
  auto e = state.open();
  auto sep = make_zsk("example.com.", 13, 0, 257);
  CHECK(is(refusal(e, make_request({&sep})), signer::errc::bad_zsk_flags));
  auto revoked = make_zsk("example.com.", 13, 0, 256 | 128);
  CHECK(is(refusal(e, make_request({&revoked})), signer::errc::bad_zsk_flags));
}

TEST_CASE("ksk_endpoint: key_tag_collision between ZSKs of a slot", "[signer][ksk_endpoint]") {
  KskState state;
  auto e = state.open();
  auto zsk = make_zsk();
  auto err = refusal(e, make_request({&zsk, &zsk}));
  CHECK(is(err, signer::errc::key_tag_collision));
  CHECK(err.where == "slot 1, key tag " + std::to_string(zsk.key_tag));
}

TEST_CASE("ksk_endpoint: key_tag_collision with a KSK of the zone", "[signer][ksk_endpoint]") {
  KskState state;
  auto e = state.open();
  std::uint16_t ksk_tag = e.ksks(zone_name("example.com.")).front()->key_tag;
  // An Ed25519 ZSK (any 32 octets are a public key) whose last two octets
  // are chosen so that its tag is the KSK's.
  auto zsk = make_zsk("example.com.", 15);
  Bytes rdata = zsk.dnskey_rdata;
  bool found = false;
  for (unsigned v = 0; v < 65536 && !found; ++v) {
    rdata[rdata.size() - 2] = static_cast<std::uint8_t>(v >> 8);
    rdata[rdata.size() - 1] = static_cast<std::uint8_t>(v);
    found = zone::key_tag(rdata) == ksk_tag;
  }
  REQUIRE(found);
  auto q = make_request({&zsk});
  for (auto& slot : q.slots) slot.zsks[0].rdata = rdata;
  auto err = refusal(e, q);
  CHECK(is(err, signer::errc::key_tag_collision));
  CHECK(err.detail.find("KSK") != std::string::npos);
}

TEST_CASE("ksk_endpoint: proof_of_possession missing or not verifying", "[signer][ksk_endpoint]") {
  KskState state;
  auto e = state.open();
  auto zsk1 = make_zsk(), zsk2 = make_zsk();
  auto q = make_request({&zsk1, &zsk2});
  SECTION("a proof is missing") {
    q.slots[1].proofs.pop_back();
    auto err = refusal(e, q);
    CHECK(is(err, signer::errc::proof_of_possession));
    CHECK(err.where.rfind("slot 2, key tag ", 0) == 0);
  }
  SECTION("a proof's signature is corrupted") {
    q.slots[0].proofs[0].rdata.back() ^= 1;
    CHECK(is(refusal(e, q), signer::errc::proof_of_possession));
  }
  SECTION("a proof by another key") {
    auto other = make_zsk();
    sign_proofs(q.slots[0], q.zone, {&zsk1, &other});
    CHECK(is(refusal(e, q), signer::errc::proof_of_possession));
  }
  SECTION("a proof over another window") {
    q.slots[0].start += 60;
    sign_proofs(q.slots[0], q.zone, {&zsk1, &zsk2});
    q.slots[0].start -= 60;
    CHECK(is(refusal(e, q), signer::errc::proof_of_possession));
  }
}

TEST_CASE("ksk_endpoint: too_many_keys", "[signer][ksk_endpoint]") {
  KskState state;
  auto e = state.open();
  std::vector<zone::KeyPair> zsks;
  for (int i = 0; i < 5; ++i) zsks.push_back(make_zsk());
  std::vector<const zone::KeyPair*> ptrs;
  for (const auto& k : zsks) ptrs.push_back(&k);
  CHECK(is(refusal(e, make_request(ptrs)), signer::errc::too_many_keys));
}

TEST_CASE("ksk_endpoint: too_many_slots", "[signer][ksk_endpoint]") {
  KskState state;
  set_policy(state.dir, "max_slots", "2");
  auto e = state.open();
  auto zsk = make_zsk();
  CHECK(is(refusal(e, make_request({&zsk}, kT0, kT0, 3)), signer::errc::too_many_slots));
}

TEST_CASE("ksk_endpoint: slots_not_continuous for a gap, disorder or an overlap out of bounds",
          "[signer][ksk_endpoint]") {
  KskState state;
  auto e = state.open();
  auto zsk = make_zsk();
  auto q = make_request({&zsk}, kT0, kT0, 3);
  SECTION("a gap") {
    q.slots[1] = make_slot(q.zone, kT0 + 15 * kDay, kT0 + 28 * kDay, {&zsk});
    auto err = refusal(e, q);
    CHECK(is(err, signer::errc::slots_not_continuous));
    CHECK(err.where == "slot 1");
  }
  SECTION("out of order") {
    std::swap(q.slots[1], q.slots[2]);
    CHECK(is(refusal(e, q), signer::errc::slots_not_continuous));
  }
  SECTION("signatures end too soon after the next slot starts") {
    q.slots[1] = make_slot(q.zone, kT0 + 14 * kDay, kT0 + 28 * kDay, {&zsk}, 3600, 60);
    auto err = refusal(e, q);
    CHECK(is(err, signer::errc::slots_not_continuous));
    CHECK(err.where == "slot 2");
  }
  SECTION("signatures last too long after the next slot starts") {
    q.slots[2] = make_slot(q.zone, kT0 + 28 * kDay, kT0 + 42 * kDay, {&zsk}, 3600, 20 * kDay);
    CHECK(is(refusal(e, q), signer::errc::slots_not_continuous));
  }
}

TEST_CASE("ksk_endpoint: validity_out_of_bounds", "[signer][ksk_endpoint]") {
  KskState state;
  auto e = state.open();
  auto zsk = make_zsk();
  signer::KeyRequest q = make_request({&zsk}, kT0, kT0, 1);
  q.slots[0] = make_slot(q.zone, kT0, kT0 + 85 * kDay, {&zsk});  // 92 days > 90
  CHECK(is(refusal(e, q), signer::errc::validity_out_of_bounds));
}

TEST_CASE("ksk_endpoint: beyond_horizon", "[signer][ksk_endpoint]") {
  KskState state;
  set_policy(state.dir, "horizon", "\"60d\"");
  set_policy(state.dir, "max_validity", "\"60d\"");
  auto e = state.open();
  auto zsk = make_zsk();
  auto err = refusal(e, make_request({&zsk}, kT0, kT0, 4));  // the last expires after 63 days
  CHECK(is(err, signer::errc::beyond_horizon));
  CHECK(err.where == "slot 4");
}

TEST_CASE("ksk_endpoint: starts_in_past", "[signer][ksk_endpoint]") {
  KskState state;
  auto e = state.open();
  auto zsk = make_zsk();
  auto q = make_request({&zsk}, kT0 + 2 * kDay, kT0);
  CHECK(is(refusal(e, q, kT0 + 2 * kDay), signer::errc::starts_in_past));
}

TEST_CASE("ksk_endpoint: dnskey_ttl_out_of_bounds", "[signer][ksk_endpoint]") {
  KskState state;
  auto e = state.open();
  auto zsk = make_zsk();
  CHECK(is(refusal(e, make_request({&zsk}, kT0, kT0, 2, "example.com.", 60)), signer::errc::dnskey_ttl_out_of_bounds));
  CHECK(is(refusal(e, make_request({&zsk}, kT0, kT0, 2, "example.com.", 172800)),
           signer::errc::dnskey_ttl_out_of_bounds));
}

TEST_CASE("ksk_endpoint: response_too_large", "[signer][ksk_endpoint]") {
  KskState state;
  auto e = state.open();
  std::vector<zone::KeyPair> zsks;
  for (int i = 0; i < 4; ++i) zsks.push_back(make_zsk("example.com.", 8, 2048));
  std::vector<const zone::KeyPair*> ptrs;
  for (const auto& k : zsks) ptrs.push_back(&k);
  auto err = refusal(e, make_request(ptrs, kT0, kT0, 1));
  CHECK(is(err, signer::errc::response_too_large));
  CHECK(err.detail.find("1232") != std::string::npos);
  // Three of them fit: 12 + 17 + 11 + 80 (KSK) + 3 * 276 + 107 (RRSIG) = 1055.
  ptrs.pop_back();
  auto ok = e.review(signer::format_request(make_request(ptrs, kT0, kT0, 1)), "request.txt", kT0);
  CHECK(ok);
}

TEST_CASE("ksk_endpoint: clock_skew says how to set the laptop's clock", "[signer][ksk_endpoint]") {
  KskState state;
  auto e = state.open();
  auto zsk = make_zsk();
  auto err = refusal(e, make_request({&zsk}, kT0 - 2 * kHour, kT0));
  CHECK(is(err, signer::errc::clock_skew));
  CHECK(err.detail.find("date -u -s") != std::string::npos);
  auto ahead = refusal(e, make_request({&zsk}, kT0 + 2 * kHour, kT0));
  CHECK(is(ahead, signer::errc::clock_skew));
}

TEST_CASE("ksk_endpoint: truncated, forged and malformed requests are refused", "[signer][ksk_endpoint]") {
  KskState state;
  auto e = state.open();
  auto zsk = make_zsk();
  std::string text = signer::format_request(make_request({&zsk}));
  SECTION("truncated") {
    auto r = e.review(text.substr(0, text.size() / 2), "request.txt", kT0);
    REQUIRE_FALSE(r);
    CHECK(is(r.error(), signer::errc::syntax));
  }
  SECTION("garbage") {
    auto r = e.review("hello\n", "request.txt", kT0);
    REQUIRE_FALSE(r);
    CHECK(is(r.error(), signer::errc::syntax));
  }
  SECTION("a ZSK's key replaced (the proof no longer verifies)") {
    auto other = make_zsk();
    auto q = make_request({&zsk});
    q.slots[0].zsks[0].rdata = other.dnskey_rdata;
    CHECK(is(refusal(e, q), signer::errc::proof_of_possession));
  }
  auto count = signer::verify_audit_log(e.audit_path());
  REQUIRE(count);
  CHECK(*count == 1);
  CHECK(test::slurp(e.audit_path()).find("\trefused\t-\t") != std::string::npos);
}

TEST_CASE("ksk_endpoint: a refusal is audited with its reason and changes nothing else", "[signer][ksk_endpoint]") {
  KskState state;
  auto e = state.open();
  auto zsk = make_zsk();
  auto q = make_request({&zsk}, kT0, kT0, 2, "example.com.", 60);
  refusal(e, q);
  std::string log = test::slurp(e.audit_path());
  CHECK(log.find("\trefused\t") != std::string::npos);
  CHECK(log.find("dnskey_ttl_out_of_bounds") != std::string::npos);
  CHECK(log.find(base::to_hex(signer::text_sha256(signer::format_request(q)))) != std::string::npos);
  auto ledger = signer::RequestLedger::open(state.dir + "/ledger");
  REQUIRE(ledger);
  auto found = ledger->find(q.id);
  REQUIRE(found);
  CHECK_FALSE(*found);
}

TEST_CASE("ksk_endpoint: the same request again gets the stored answer", "[signer][ksk_endpoint]") {
  KskState state;
  auto e = state.open();
  auto zsk = make_zsk();
  auto q = make_request({&zsk});
  std::string first = sign_ok(e, q);
  // Days later, when the time checks would refuse it, the answer is the same.
  auto r = e.review(signer::format_request(q), "request.txt", kT0 + 5 * kDay);
  REQUIRE(r);
  REQUIRE(r->stored_response);
  CHECK(*r->stored_response == first);
  CHECK(r->auto_approvable);
  auto again = e.sign(*r, kT0 + 5 * kDay);
  REQUIRE(again);
  CHECK(*again == first);
  CHECK(test::slurp(e.audit_path()).find("\tresent\t") != std::string::npos);
  auto count = signer::verify_audit_log(e.audit_path());
  REQUIRE(count);
  CHECK(*count == 2);
}

TEST_CASE("ksk_endpoint: request_id_reused", "[signer][ksk_endpoint]") {
  KskState state;
  auto e = state.open();
  auto zsk = make_zsk();
  auto q = make_request({&zsk});
  sign_ok(e, q);
  q.created += 1;
  CHECK(is(refusal(e, q), signer::errc::request_id_reused));
}

TEST_CASE("ksk_endpoint: continuity with the ZSKs signed for the first slot's start", "[signer][ksk_endpoint]") {
  KskState state;
  auto e = state.open();
  auto zsk1 = make_zsk(), zsk2 = make_zsk();
  sign_ok(e, make_request({&zsk1}));  // kT0 .. kT0 + 28 days with zsk1
  SECTION("another ZSK set from the middle of a signed period") {
    auto q = make_request({&zsk2}, kT0 + 14 * kDay, kT0 + 14 * kDay);
    auto err = refusal(e, q, kT0 + 14 * kDay);
    CHECK(is(err, signer::errc::continuity_broken));
    CHECK(err.where == "slot 1");
  }
  SECTION("the same ZSKs, then a rollover, are signed") {
    auto q = make_request({&zsk1}, kT0 + 14 * kDay, kT0 + 14 * kDay, 1);
    q.slots.push_back(make_slot(q.zone, kT0 + 28 * kDay, kT0 + 42 * kDay, {&zsk1, &zsk2}));
    sign_ok(e, q, kT0 + 14 * kDay);
  }
  SECTION("after the signed period anything may start") {
    sign_ok(e, make_request({&zsk2}, kT0 + 28 * kDay, kT0 + 28 * kDay), kT0 + 28 * kDay);
  }
}

TEST_CASE("ksk_endpoint: same-keys auto-approval", "[signer][ksk_endpoint]") {
  KskState state;
  auto e = state.open();
  auto zsk1 = make_zsk(), zsk2 = make_zsk();
  sign_ok(e, make_request({&zsk1}));
  auto same = e.review(signer::format_request(make_request({&zsk1}, kT0 + kDay, kT0 + kDay)), "r", kT0 + kDay);
  REQUIRE(same);
  CHECK(same->auto_approvable);
  auto q = make_request({&zsk1}, kT0 + kDay, kT0 + kDay, 1);
  q.slots.push_back(make_slot(q.zone, q.slots[0].end, q.slots[0].end + 14 * kDay, {&zsk1, &zsk2}));
  auto rollover = e.review(signer::format_request(q), "r", kT0 + kDay);
  REQUIRE(rollover);
  CHECK_FALSE(rollover->auto_approvable);
}

TEST_CASE("ksk_endpoint: auto_approve never and always", "[signer][ksk_endpoint]") {
  auto zsk = make_zsk();
  for (auto [rule, expect] : {std::pair{"\"never\"", false}, std::pair{"\"always\"", true}}) {
    KskState state;
    set_policy(state.dir, "auto_approve", rule);
    auto e = state.open();
    auto r = e.review(signer::format_request(make_request({&zsk})), "r", kT0);
    REQUIRE(r);
    CHECK(r->auto_approvable == expect);
  }
}

TEST_CASE("ksk_endpoint: decline is audited and signs nothing", "[signer][ksk_endpoint]") {
  KskState state;
  auto e = state.open();
  auto zsk = make_zsk();
  auto q = make_request({&zsk});
  auto r = e.review(signer::format_request(q), "r", kT0);
  REQUIRE(r);
  auto d = e.decline(*r, kT0, Error{signer::errc::operator_declined, "", "the operator typed no"});
  REQUIRE(d);
  CHECK(test::slurp(e.audit_path()).find("\tdeclined\t-\t") != std::string::npos);
  CHECK(test::slurp(e.audit_path()).find("operator_declined") != std::string::npos);
  // Declined is not signed: the same request may be reviewed and signed later.
  sign_ok(e, q);
}

TEST_CASE("ksk_endpoint: the state is locked only while it is read or written", "[signer][ksk_endpoint]") {
  KskState state;
  auto e = state.open();
  auto zsk = make_zsk();
  auto r = e.review(signer::format_request(make_request({&zsk})), "r", kT0);
  REQUIRE(r);
  // Between review and sign (while the operator is asked) others may use the state.
  {
    auto other = signer::lock_state_dir(state.dir, "kskline ksk audit verify");
    REQUIRE(other);
  }
  auto second = signer::KskEndpoint::open(state.dir, "second");
  REQUIRE(second);
  REQUIRE(e.sign(*r, kT0));
}

TEST_CASE("ksk_endpoint: two ceremonies signing the same request give one answer", "[signer][ksk_endpoint]") {
  KskState state;
  auto a = state.open();
  auto b = state.open();
  auto zsk = make_zsk();
  std::string text = signer::format_request(make_request({&zsk}));
  auto ra = a.review(text, "a", kT0);
  auto rb = b.review(text, "b", kT0);
  REQUIRE(ra);
  REQUIRE(rb);
  CHECK_FALSE(rb->stored_response);
  auto sa = a.sign(*ra, kT0);
  auto sb = b.sign(*rb, kT0);  // reviewed before a signed: b sees the ledger as it is now
  REQUIRE(sa);
  REQUIRE(sb);
  CHECK(*sa == *sb);
  std::string log = test::slurp(a.audit_path());
  CHECK(log.find("\tsigned\t") != std::string::npos);
  CHECK(log.find("\tresent\t") != std::string::npos);
  CHECK(signer::check_audit_state(state.dir));
}

TEST_CASE("ksk_endpoint: a ceremony signs against what another signed while its operator was asked",
          "[signer][ksk_endpoint]") {
  KskState state;
  auto a = state.open();
  auto b = state.open();
  auto zsk1 = make_zsk(), zsk2 = make_zsk();
  auto late = b.review(signer::format_request(make_request({&zsk2}, kT0 + 14 * kDay, kT0 + 14 * kDay)), "b",
                       kT0 + 14 * kDay);
  REQUIRE(late);  // nothing signed yet: continuity holds
  sign_ok(a, make_request({&zsk1}));  // kT0 .. kT0 + 28 days with zsk1
  auto s = b.sign(*late, kT0 + 14 * kDay);
  REQUIRE_FALSE(s);
  CHECK(is(s.error(), signer::errc::continuity_broken));
  CHECK(test::slurp(a.audit_path()).find("\trefused\t") != std::string::npos);
}

TEST_CASE("ksk_endpoint: init makes a KSK per zone and refuses an existing state", "[signer][ksk_endpoint]") {
  KskState state({"example.com.", "example.org."});
  CHECK(test::file_mode(state.dir) == 0700);
  CHECK(state.init.key_files.size() == 2);
  CHECK(state.init.ds_records.find("example.com. IN DS ") != std::string::npos);
  CHECK(state.init.ds_records.find("example.org. IN DS ") != std::string::npos);
  for (const auto& f : state.init.key_files) CHECK(test::file_mode(state.dir + "/keys/" + f + ".private") == 0600);
  {
    auto e = state.open();
    REQUIRE(e.ksks(zone_name("example.org.")).size() == 1);
    CHECK(e.ksks(zone_name("example.org.")).front()->flags == 257);
  }
  signer::KskInitOptions o;
  o.zones.push_back(zone_name("example.com."));
  auto again = signer::init_ksk_state(state.dir, o, kT0);
  REQUIRE_FALSE(again);
  CHECK(again.error().code == signer::make_error_code(signer::errc::bad_state));
}

TEST_CASE("ksk_endpoint: init imports existing KSKs and refuses ZSKs", "[signer][ksk_endpoint]") {
  test::TempDir tmp;
  auto ksk = make_zsk("example.com.", 13, 0, 257);
  auto zsk = make_zsk("example.com.", 13, 0, 256);
  auto kname = zone::write_key_pair(tmp.path(), ksk, {});
  auto zname = zone::write_key_pair(tmp.path(), zsk, {});
  REQUIRE(kname);
  REQUIRE(zname);
  signer::KskInitOptions o;
  o.zones.push_back(zone_name("example.com."));
  o.imports.push_back(tmp.file(*zname + ".private"));
  auto refused = signer::init_ksk_state(tmp.file("bad"), o, kT0);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == signer::make_error_code(signer::errc::bad_config));
  o.imports = {tmp.file(*kname + ".key")};
  o.ds_digests = {2, 4};
  auto made = signer::init_ksk_state(tmp.file("ksk"), o, kT0);
  REQUIRE(made);
  REQUIRE(made->key_files.size() == 1);
  CHECK(made->key_files.front() == *kname);
  auto ds256 = zone::make_ds(ksk.owner, ksk.dnskey_rdata, 2);
  auto ds384 = zone::make_ds(ksk.owner, ksk.dnskey_rdata, 4);
  CHECK(made->ds_records == "example.com. IN DS " + zone::ds_rdata_text(*ds256) + "\nexample.com. IN DS " +
                                zone::ds_rdata_text(*ds384) + "\n");
  auto e = signer::KskEndpoint::open(tmp.file("ksk"));
  REQUIRE(e);
  CHECK(e->ksks(ksk.owner).front()->dnskey_rdata == ksk.dnskey_rdata);
}

TEST_CASE("ksk_endpoint: the KSKs are held in OpenSSL's secure heap", "[signer][ksk_endpoint]") {
  KskState state;
  auto e = state.open();
  CHECK(e.secure_heap());
  CHECK(CRYPTO_secure_malloc_initialized() == 1);
  CHECK(CRYPTO_secure_used() > 0);
}

TEST_CASE("ksk_endpoint: with two KSKs of a zone (a KSK rollover) both are listed and both sign",
          "[signer][ksk_endpoint]") {
  KskState state;
  auto second = make_zsk("example.com.", 13, 0, 257);
  REQUIRE(zone::write_key_pair(state.dir + "/keys", second, {}));
  auto e = state.open();
  REQUIRE(e.ksks(second.owner).size() == 2);
  auto zsk = make_zsk();
  auto response = signer::parse_response(sign_ok(e, make_request({&zsk}, kT0, kT0, 1)), "response");
  REQUIRE(response);
  const auto& records = response->slots.at(0).records;
  CHECK(of_type(records, zone::rrtype::DNSKEY).size() == 3);
  CHECK(of_type(records, zone::rrtype::CDS).size() == 2);
  CHECK(of_type(records, zone::rrtype::CDNSKEY).size() == 2);
  for (const auto* k : e.ksks(second.owner)) {
    auto verifier = zone::RrsigVerifier::create(second.owner, k->dnskey_rdata);
    REQUIRE(verifier);
    for (auto type : {zone::rrtype::DNSKEY, zone::rrtype::CDS, zone::rrtype::CDNSKEY}) {
      auto sigs = sigs_over(records, type);
      REQUIRE(sigs.size() == 2);
      bool valid = false;
      for (const auto& sig : sigs) {
        if (sig.key_tag == k->key_tag) valid = verifier->verify(sig, of_type(records, type)).status == zone::VerifyStatus::valid;
      }
      CHECK(valid);
    }
  }
}

TEST_CASE("ksk_endpoint: mutated and truncated requests are refused or signed, never crash, always audited",
          "[signer][ksk_endpoint]") {
  KskState state;
  auto e = state.open();
  auto zsk = make_zsk();
  std::string text = signer::format_request(make_request({&zsk}));
  std::uint32_t seed = 12345;
  auto next = [&seed] {
    seed = seed * 1103515245u + 12345u;
    return seed >> 8;
  };
  std::size_t refused = 0, signed_ = 0;
  for (int i = 0; i < 300; ++i) {
    std::string t = text;
    if (i % 3 == 0) {
      t.resize(next() % t.size());
    } else {
      for (int n = 0; n < 1 + i % 4; ++n) t[next() % t.size()] = static_cast<char>(next() & 0xff);
    }
    auto r = e.review(t, "mutated", kT0);
    if (!r) {
      ++refused;
      continue;
    }
    // A mutation inside a comment or blank space may leave a valid request.
    auto s = e.sign(*r, kT0);
    if (s) ++signed_;
  }
  CHECK(refused > 250);
  auto count = signer::verify_audit_log(e.audit_path());
  REQUIRE(count);
  CHECK(*count >= refused + signed_);
}

namespace {

// A state with two signed requests (two "signed" entries), an endpoint open
// on it, and a third request ready to review.
struct AuditedState {
  KskState state;
  signer::KskEndpoint e = state.open();
  zone::KeyPair zsk = make_zsk();
  std::string log = state.dir + "/audit.log";
  std::string head = state.dir + "/audit.head";

  AuditedState() {
    sign_ok(e, make_request({&zsk}));
    sign_ok(e, make_request({&zsk}, kT0 + 1, kT0 + 28 * kDay, 1));
  }

  // The log's lines.
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    std::string text = test::slurp(log), line;
    for (char c : text) {
      if (c == '\n') {
        out.push_back(line);
        line.clear();
      } else {
        line.push_back(c);
      }
    }
    return out;
  }

  void write_lines(const std::vector<std::string>& ls) const {
    std::string text;
    for (const auto& l : ls) text += l + "\n";
    test::spit(log, text);
  }

  // Checks that the break is found where expected, that nothing is signed
  // nor appended until it is accepted, and that signing goes on after.
  void found(const std::string& where, const std::string& what) {
    auto c = signer::check_audit_state(state.dir);
    REQUIRE_FALSE(c);
    INFO(c.error().message());
    CHECK(is(c.error(), signer::errc::audit_chain_broken));
    CHECK(c.error().where == where);
    CHECK(c.error().detail.find(what) != std::string::npos);
    CHECK(c.error().detail.find("kskline ksk audit accept --dir " + state.dir) != std::string::npos);
    std::string before = std::filesystem::exists(log) ? test::slurp(log) : std::string("(none)");
    auto q = make_request({&zsk}, kT0 + 28 * kDay, kT0 + 28 * kDay, 2);
    auto r = e.review(signer::format_request(q), "r", kT0 + 28 * kDay);
    REQUIRE_FALSE(r);
    CHECK(is(r.error(), signer::errc::audit_chain_broken));
    CHECK_FALSE(signer::KskEndpoint::open(state.dir));
    CHECK((std::filesystem::exists(log) ? test::slurp(log) : std::string("(none)")) == before);
    auto accepted = signer::accept_audit_break(state.dir, kT0 + 28 * kDay, "test");
    REQUIRE(accepted);
    CHECK(accepted->problem.find(what) != std::string::npos);
    CHECK(accepted->entry.decision == signer::audit_decision::head);
    CHECK(accepted->entry.reason.find("the ledger holds 2 signed requests") != std::string::npos);
    auto ok = signer::check_audit_state(state.dir);
    INFO((ok ? std::string() : ok.error().message()));
    REQUIRE(ok);
    sign_ok(e, q, kT0 + 28 * kDay);
    CHECK(signer::check_audit_state(state.dir));
  }
};

}  // namespace

TEST_CASE("ksk_endpoint: a deleted audit log is found and must be accepted", "[signer][ksk_endpoint]") {
  AuditedState s;
  std::filesystem::remove(s.log);
  s.found(s.log, "missing or empty, but the head file says it held 2 entries");
}

TEST_CASE("ksk_endpoint: an audit log truncated by one line is found and must be accepted",
          "[signer][ksk_endpoint]") {
  AuditedState s;
  auto ls = s.lines();
  ls.pop_back();
  s.write_lines(ls);
  s.found(s.log + ":2", "lines 2..2 were removed");
}

TEST_CASE("ksk_endpoint: an edited audit line is found and the broken log is kept aside on accept",
          "[signer][ksk_endpoint]") {
  AuditedState s;
  auto ls = s.lines();
  ls[0].replace(ls[0].find("signed"), 6, "SIGNED");
  s.write_lines(ls);
  s.found(s.log + ":1", "unknown decision");
  bool archived = false;
  for (const auto& f : std::filesystem::directory_iterator(s.state.dir)) {
    archived = archived || f.path().filename().string().rfind("audit.log.broken-", 0) == 0;
  }
  CHECK(archived);
}

TEST_CASE("ksk_endpoint: an audit log rewritten with recomputed hashes is found by its head",
          "[signer][ksk_endpoint]") {
  AuditedState s;
  // A new chain of the same length, every hash right: only the head can tell.
  std::filesystem::remove(s.log);
  for (int i = 0; i < 2; ++i) {
    REQUIRE(signer::append_audit_entry(s.log, kT0, std::string(64, 'a'), signer::audit_decision::signed_, "forged",
                                       "-", signer::kAuditHeadGenesis));
  }
  s.found(s.log + ":2", "the log was rewritten");
}

TEST_CASE("ksk_endpoint: a line appended to the audit log by hand is found", "[signer][ksk_endpoint]") {
  AuditedState s;
  REQUIRE(signer::append_audit_entry(s.log, kT0, std::string(64, 'b'), signer::audit_decision::declined, "by hand",
                                     "-"));
  s.found(s.log + ":3", "line 3 was not written by kskline");
}

TEST_CASE("ksk_endpoint: a deleted audit head file is found", "[signer][ksk_endpoint]") {
  AuditedState s;
  std::filesystem::remove(s.head);
  s.found(s.head, "the head file is missing");
}

TEST_CASE("ksk_endpoint: a log shorter than the ledger's signed requests is found", "[signer][ksk_endpoint]") {
  AuditedState s;
  // Log and head gone together look like a state from before audit.head,
  // but the ledger still holds two signed requests.
  std::filesystem::remove(s.log);
  std::filesystem::remove(s.head);
  s.found(s.log, "the ledger holds 2 signed requests but the log records 0");
}

TEST_CASE("ksk_endpoint: a state from before audit.head gets it from the verified log", "[signer][ksk_endpoint]") {
  KskState state;
  const std::string log = state.dir + "/audit.log", head = state.dir + "/audit.head";
  std::filesystem::remove(head);
  // The log as an older kskline wrote it: the first entry chains to 64 zeros.
  auto zsk = make_zsk();
  auto q = make_request({&zsk});
  {
    auto e = state.open();  // an empty log: the head is simply made
    sign_ok(e, q);
  }
  std::filesystem::remove(log);
  std::filesystem::remove(head);
  REQUIRE(signer::append_audit_entry(log, kT0, std::string(64, 'c'), signer::audit_decision::signed_, "old", "-"));
  auto c = signer::check_audit_state(state.dir);
  REQUIRE(c);
  CHECK_FALSE(c->head);
  auto e = state.open();
  auto made = signer::check_audit_state(state.dir);
  REQUIRE(made);
  REQUIRE(made->head);
  CHECK(made->head->count == 2);
  CHECK(made->entries.back().decision == signer::audit_decision::head);
  CHECK(made->entries.front().previous == signer::kAuditGenesis);
  // From now on a lost head file is found.
  std::filesystem::remove(head);
  CHECK_FALSE(signer::check_audit_state(state.dir));
}

TEST_CASE("ksk_endpoint: accepting a sound audit log records nothing", "[signer][ksk_endpoint]") {
  AuditedState s;
  std::string before = test::slurp(s.log);
  auto a = signer::accept_audit_break(s.state.dir, kT0, "");
  REQUIRE(a);
  CHECK(a->problem.empty());
  CHECK(test::slurp(s.log) == before);
}

TEST_CASE("ksk_endpoint: an entry appended just before a crash, its head not yet rewritten, is no break",
          "[signer][ksk_endpoint]") {
  AuditedState s;
  auto c = signer::check_audit_state(s.state.dir);
  REQUIRE(c);
  const auto& last = c->entries.back();
  // The head as it is between "entry named" and "head rewritten".
  REQUIRE(signer::write_audit_head(s.head, signer::AuditHead{last.sequence - 1, last.previous, last.hash}));
  auto after = signer::check_audit_state(s.state.dir);
  INFO((after ? std::string() : after.error().message()));
  REQUIRE(after);
  CHECK(after->head->count == 2);
  sign_ok(s.e, make_request({&s.zsk}, kT0 + 2, kT0 + 28 * kDay, 1));
  // A pending hash that is not the last line's does not excuse a line added by hand.
  REQUIRE(signer::write_audit_head(s.head, signer::AuditHead{last.sequence - 1, last.previous, std::string(64, 'e')}));
  CHECK_FALSE(signer::check_audit_state(s.state.dir));
}

TEST_CASE("ksk_endpoint: ksk_not_active when the only KSK activates after a slot's start, naming its tag and time",
          "[signer][ksk_endpoint]") {
  // A state made (and its KSK activated) ten days after the request's first slot.
  test::TempDir tmp{"kskline-ksk"};
  signer::KskInitOptions o;
  o.zones = {zone_name("example.com.")};
  REQUIRE(signer::init_ksk_state(tmp.file("ksk"), o, kT0 + 10 * kDay));
  auto opened = signer::KskEndpoint::open(tmp.file("ksk"));
  REQUIRE(opened);
  auto& e = *opened;
  const auto tag = e.ksks(zone_name("example.com.")).at(0)->key_tag;
  auto zsk = make_zsk();
  auto err = refusal(e, make_request({&zsk}, kT0, kT0, 2));
  CHECK(is(err, signer::errc::ksk_not_active));
  CHECK(err.where == "slot 1");
  CHECK_THAT(err.message(), Catch::Contains("key tag " + std::to_string(tag) + " activates at " +
                                            signer::table_time(kT0 + 10 * kDay)));
  CHECK_THAT(err.message(), Catch::Contains(signer::table_time(kT0)));
  // Audited as a refusal; nothing signed.
  CHECK_THAT(test::slurp(e.audit_path()), Catch::Contains("\trefused\t-\t"));
  CHECK_THAT(test::slurp(e.audit_path()), Catch::Contains("ksk_not_active"));
  // The same KSK signs a request that starts once it is active.
  CHECK_FALSE(sign_ok(e, make_request({&zsk}, kT0 + 10 * kDay, kT0 + 10 * kDay, 2), kT0 + 10 * kDay).empty());
}

TEST_CASE("ksk_endpoint: a pre-published second KSK is in the DNSKEY RRset but does not sign before its Activate",
          "[signer][ksk_endpoint]") {
  KskState state;  // its KSK active since kT0 - 1 day
  auto second = make_zsk("example.com.", 13, 0, 257);
  zone::KeyTimes times;
  times.publish = kT0 - kDay;
  times.activate = kT0 + 14 * kDay;
  REQUIRE(zone::write_key_pair(state.dir + "/keys", second, times));
  auto e = state.open();
  auto zsk = make_zsk();
  auto response = signer::parse_response(sign_ok(e, make_request({&zsk}, kT0, kT0, 2)), "response");
  REQUIRE(response);
  REQUIRE(response->slots.size() == 2);
  // Slot 1 (from kT0): both KSKs published, only the first signs.
  const auto& first = response->slots[0].records;
  CHECK(of_type(first, zone::rrtype::DNSKEY).size() == 3);
  CHECK(of_type(first, zone::rrtype::CDS).size() == 2);
  for (auto type : {zone::rrtype::DNSKEY, zone::rrtype::CDS, zone::rrtype::CDNSKEY}) {
    auto sigs = sigs_over(first, type);
    REQUIRE(sigs.size() == 1);
    CHECK(sigs[0].key_tag != second.key_tag);
  }
  // Slot 2 (from kT0 + 14 days, the second KSK's Activate): both sign.
  for (auto type : {zone::rrtype::DNSKEY, zone::rrtype::CDS, zone::rrtype::CDNSKEY}) {
    CHECK(sigs_over(response->slots[1].records, type).size() == 2);
  }
}

TEST_CASE("ksk_endpoint: a KSK whose Inactive time has passed does not sign, and alone is ksk_not_active",
          "[signer][ksk_endpoint]") {
  KskState state;
  // The state's own KSK went inactive at kT0 + 14 days.
  std::string private_file;
  for (const auto& entry : std::filesystem::directory_iterator(state.dir + "/keys")) {
    if (entry.path().extension() == ".private") private_file = entry.path().string();
  }
  REQUIRE_FALSE(private_file.empty());
  test::spit(private_file, test::slurp(private_file) + "Inactive: 20261215000000\n");  // kT0 + 14 days
  auto e = state.open();
  auto zsk = make_zsk();
  // Slot 2 starts at kT0 + 14 days, when it is inactive.
  auto err = refusal(e, make_request({&zsk}, kT0, kT0, 2));
  CHECK(is(err, signer::errc::ksk_not_active));
  CHECK(err.where == "slot 2");
  CHECK_THAT(err.message(), Catch::Contains("went inactive at 2026-12-15 00:00:00"));
  // A request inside its active time is signed.
  CHECK_FALSE(sign_ok(e, make_request({&zsk}, kT0, kT0, 1)).empty());
}

TEST_CASE("ksk_endpoint: an exec-only state has no KSK, opens, reviews a Knot KSR and refuses to sign it itself",
          "[signer][ksk_endpoint]") {
  test::TempDir tmp{"kskline-ksk"};
  signer::KskInitOptions o;
  o.zones = {zone_name("example.com.")};
  o.exec_only = true;
  auto made = signer::init_ksk_state(tmp.file("ksk"), o, kT0 - kDay);
  REQUIRE(made);
  CHECK(made->key_files.empty());
  CHECK(made->ds_records.empty());
  CHECK(std::filesystem::is_empty(tmp.file("ksk/keys")));
  // Without [exec] only = true the same state would be refused: a zone without a KSK.
  auto opened = signer::KskEndpoint::open(tmp.file("ksk"));
  INFO((opened ? std::string() : opened.error().message()));
  REQUIRE(opened);
  auto& e = *opened;
  CHECK(e.config().exec.only);
  CHECK(e.ksks(zone_name("example.com.")).empty());
  auto zsk = make_zsk();
  const std::string ksr = signer::format_foreign(
      signer::from_key_request(make_request({&zsk}, kT0, kT0, 2), signer::Dialect::knot, "Knot DNS 3.2.6"));
  auto review = e.review(ksr, "example.com.ksr", kT0);
  INFO((review ? std::string() : review.error().message()));
  REQUIRE(review);
  auto own = e.sign(*review, kT0);
  REQUIRE_FALSE(own);
  CHECK(is(own.error(), signer::errc::bad_state));
  CHECK_THAT(own.error().message(), Catch::Contains("--exec"));
  // Imports make no sense there.
  o.imports = {"Kexample.com.+013+12345.key"};
  auto imported = signer::init_ksk_state(tmp.file("other"), o, kT0);
  REQUIRE_FALSE(imported);
  CHECK(is(imported.error(), signer::errc::bad_config));
}

TEST_CASE("ksk_endpoint: sign_external checks the command's SKR and audits exec_answered or exec_refused",
          "[signer][ksk_endpoint]") {
  KskState state;
  auto e = state.open();
  auto zsk = make_zsk();
  const signer::KeyRequest asked = make_request({&zsk}, kT0, kT0, 2);
  const std::string ksr =
      signer::format_foreign(signer::from_key_request(asked, signer::Dialect::knot, "Knot DNS 3.2.6"));
  auto review = e.review(ksr, "example.com.ksr", kT0);
  REQUIRE(review);
  // The state's own answer, as a command would write it: it answers the KSR.
  std::string path_seen;
  auto good = e.sign_external(*review, kT0, "sign-it {}", [&](const std::string& path) -> Result<std::string> {
    path_seen = path;
    CHECK(test::slurp(path) == ksr);
    CHECK((test::file_mode(path) & 0777) == 0600);
    // An answer signed by a second state with its own KSK (the "laptop tool").
    KskState tool;
    auto t = tool.open();
    auto r = t.review(ksr, "example.com.ksr", kT0);
    REQUIRE(r);
    auto s = t.sign(*r, kT0);
    REQUIRE(s);
    return *s;
  });
  INFO((good ? std::string() : good.error().message()));
  REQUIRE(good);
  CHECK_FALSE(std::filesystem::exists(path_seen));
  auto log = test::slurp(e.audit_path());
  CHECK_THAT(log, Catch::Contains("\texec_answered\t"));
  CHECK_THAT(log, Catch::Contains("answered by: sign-it {}"));
  // The same KSR again: the stored answer, the command not run.
  auto again = e.review(ksr, "example.com.ksr", kT0);
  REQUIRE(again);
  auto resent = e.sign_external(*again, kT0, "sign-it {}", [](const std::string&) -> Result<std::string> {
    FAIL("the command ran for a request answered before");
    return std::string();
  });
  REQUIRE(resent);
  CHECK(*resent == *good);

  // A later KSR, answered with the first SKR: not its answer (no bundle at its first time).
  const std::string ksr2 = signer::format_foreign(signer::from_key_request(
      make_request({&zsk}, kT0 + kDay, kT0 + kDay, 2), signer::Dialect::knot, "Knot DNS 3.2.6"));
  auto review2 = e.review(ksr2, "second.ksr", kT0 + kDay);
  INFO((review2 ? std::string() : review2.error().message()));
  REQUIRE(review2);
  auto wrong = e.sign_external(*review2, kT0 + kDay, "stale {}",
                               [&](const std::string&) -> Result<std::string> { return *good; });
  REQUIRE_FALSE(wrong);
  CHECK(is(wrong.error(), signer::errc::exec_failed));
  CHECK_THAT(wrong.error().message(), Catch::Contains("does not answer the request"));
  auto garbage = e.sign_external(*review2, kT0 + kDay, "garbage {}",
                                 [&](const std::string&) -> Result<std::string> { return std::string("hello\n"); });
  REQUIRE_FALSE(garbage);
  CHECK(is(garbage.error(), signer::errc::exec_failed));
  CHECK_THAT(garbage.error().message(), Catch::Contains("not a knot SKR"));
  log = test::slurp(e.audit_path());
  CHECK_THAT(log, Catch::Contains("\texec_refused\t-\t"));
  CHECK_THAT(log, Catch::Contains("command: garbage {}"));
  CHECK(signer::check_audit_state(state.dir));
}

TEST_CASE("ksk_endpoint: with exec.anchor set, sign_external takes only an SKR signed by the pinned KSK",
          "[signer][ksk_endpoint]") {
  KskState state, tool, stranger;  // the laptop tool's KSK is tool's; stranger's is another
  test::spit(state.dir + "/tool.ds", tool.init.ds_records);
  test::spit(state.dir + "/ksk.toml", test::slurp(state.dir + "/ksk.toml") + "\n[exec]\nanchor = \"tool.ds\"\n");
  auto e = state.open();
  CHECK(e.config().exec.anchor == "tool.ds");
  auto zsk = make_zsk();
  const std::string ksr = signer::format_foreign(
      signer::from_key_request(make_request({&zsk}, kT0, kT0, 2), signer::Dialect::knot, "Knot DNS 3.2.6"));
  auto answer_by = [&](const KskState& s) {
    return [&s, &ksr](const std::string&) -> Result<std::string> {
      auto t = s.open();
      auto r = t.review(ksr, "example.com.ksr", kT0);
      REQUIRE(r);
      return t.sign(*r, kT0);
    };
  };
  auto review = e.review(ksr, "example.com.ksr", kT0);
  REQUIRE(review);
  auto foreign = e.sign_external(*review, kT0, "other {}", answer_by(stranger));
  REQUIRE_FALSE(foreign);
  CHECK(is(foreign.error(), signer::errc::exec_failed));
  CHECK_THAT(foreign.error().message(), Catch::Contains("untrusted_key"));
  auto pinned = e.sign_external(*review, kT0, "tool {}", answer_by(tool));
  INFO((pinned ? std::string() : pinned.error().message()));
  CHECK(pinned);
}
