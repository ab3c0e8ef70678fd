// The KSK side's policy rules: the tables name every rule in the order it
// runs, each rule refuses on its own what it is named for (with its code and
// where), and the table run refuses with the same error, so the table is what
// KskEndpoint::review runs (tests/signer/ksk_endpoint_test.cpp pins the
// refusals end to end).
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "signer/errc.hpp"
#include "signer/internal/request_rules.hpp"
#include "tests/signer/ksk_test_util.hpp"
#include "zone/key_tag.hpp"

using namespace kskline;
using namespace kskline::test::ksk;

namespace {

signer::RequestLedger open_ledger(const std::string& dir) {
  auto ledger = signer::RequestLedger::open(dir);
  REQUIRE(ledger);
  return std::move(*ledger);
}

// A policy for example.com., its KSK and an empty ledger; now is kT0.
struct Rules {
  test::TempDir tmp{"kskline-rules"};
  signer::RequestLedger ledger = open_ledger(tmp.file("ledger"));
  signer::Policy policy;
  zone::KeyPair ksk = make_zsk("example.com.", 13, 0, 257);
  std::vector<const zone::KeyPair*> ksks{&ksk};
  std::int64_t now = kT0;

  Rules() { policy.zones = {zone_name("example.com.")}; }

  signer::RuleInput input(const signer::KeyRequest& q) const {
    return signer::RuleInput{q, policy, ksks, ledger, "request.txt", "ksk-dir", now};
  }
};

// Runs the rule `name` alone, wherever its table is: a slot rule on every
// slot, a key rule on every ZSK of every slot; the first refusal.
Result<void> run_rule(std::string_view name, const signer::RuleInput& in) {
  for (const auto& rule : signer::request_rules()) {
    if (rule.name == name) return rule.check(in);
  }
  for (const auto& rule : signer::slot_rules()) {
    if (rule.name != name) continue;
    for (std::size_t i = 0; i < in.request.slots.size(); ++i) {
      if (auto r = rule.check(in, i); !r) return r;
    }
    return {};
  }
  for (const auto& rule : signer::key_rules()) {
    if (rule.name != name) continue;
    for (std::size_t i = 0; i < in.request.slots.size(); ++i) {
      for (std::size_t k = 0; k < in.request.slots[i].zsks.size(); ++k) {
        if (auto r = rule.check(in, i, k); !r) return r;
      }
    }
    return {};
  }
  FAIL("no rule named " << name);
  return {};
}

// The rule `name` refuses `in` with `code` at `where`, and the whole table
// refuses it with the same error.
void refuses(std::string_view name, const signer::RuleInput& in, signer::errc code, const std::string& where) {
  INFO("rule " << name);
  auto alone = run_rule(name, in);
  REQUIRE_FALSE(alone);
  INFO(alone.error().message());
  CHECK(alone.error().code == signer::make_error_code(code));
  CHECK(alone.error().where == where);
  auto all = signer::check_request_rules(in);
  REQUIRE_FALSE(all);
  CHECK(all.error().code == alone.error().code);
  CHECK(all.error().message() == alone.error().message());
}

std::string key_at(std::size_t slot, const zone::KeyPair& k) {
  return "slot " + std::to_string(slot) + ", key tag " + std::to_string(k.key_tag);
}

template <class Table>
std::vector<std::string> names(Table table) {
  std::vector<std::string> out;
  for (const auto& rule : table) out.emplace_back(rule.name);
  return out;
}

}  // namespace

TEST_CASE("request_rules: the tables name the rules in the order they run", "[signer][request_rules]") {
  CHECK(names(signer::request_rules()) ==
        std::vector<std::string>{"zone_served", "zone_has_ksk", "clock_skew", "has_slots", "slot_count", "dnskey_ttl",
                                 "each_slot", "continuity"});
  CHECK(names(signer::slot_rules()) ==
        std::vector<std::string>{"key_count", "each_zsk", "window_order", "validity", "next_slot_start", "overlap",
                                 "start_in_past", "horizon", "ksk_active", "proof_of_possession", "response_size"});
  CHECK(names(signer::key_rules()) == std::vector<std::string>{"dnskey_rdata", "own_ksk", "zsk_flags", "algorithm", "public_key",
                                                               "rsa_size", "tag_not_ksk", "tag_unique"});
}

TEST_CASE("request_rules: a request that keeps the policy passes every rule", "[signer][request_rules]") {
  Rules rules;
  auto zsk = make_zsk();
  auto q = make_request({&zsk});
  auto in = rules.input(q);
  for (const auto& table : {names(signer::request_rules()), names(signer::slot_rules()), names(signer::key_rules())}) {
    for (const auto& name : table) {
      INFO(name);
      CHECK(run_rule(name, in));
    }
  }
  CHECK(signer::check_request_rules(in));
}

TEST_CASE("request_rules: the first rule in table order refuses", "[signer][request_rules]") {
  Rules rules;
  auto sep = make_zsk("example.com.", 13, 0, 257);
  auto other = make_zsk("example.com.", 13, 0, 257);
  auto q = make_request({&sep, &other}, kT0, kT0, 2, "example.com.", 60);
  rules.policy.max_keys_per_slot = 1;
  // dnskey_ttl (a request rule) before key_count (a slot rule) before zsk_flags (a key rule).
  auto first = signer::check_request_rules(rules.input(q));
  REQUIRE_FALSE(first);
  CHECK(first.error().code == signer::make_error_code(signer::errc::dnskey_ttl_out_of_bounds));
  q.dnskey_ttl = 3600;
  auto second = signer::check_request_rules(rules.input(q));
  REQUIRE_FALSE(second);
  CHECK(second.error().code == signer::make_error_code(signer::errc::too_many_keys));
  rules.policy.max_keys_per_slot = 4;
  auto third = signer::check_request_rules(rules.input(q));
  REQUIRE_FALSE(third);
  CHECK(third.error().code == signer::make_error_code(signer::errc::bad_zsk_flags));
  CHECK(third.error().where == key_at(1, sep));
}

TEST_CASE("request_rules: zone_served", "[signer][request_rules]") {
  Rules rules;
  rules.policy.zones = {zone_name("example.net.")};
  auto zsk = make_zsk();
  auto q = make_request({&zsk});
  refuses("zone_served", rules.input(q), signer::errc::zone_not_allowed, "request.txt");
}

TEST_CASE("request_rules: zone_has_ksk", "[signer][request_rules]") {
  Rules rules;
  rules.ksks.clear();
  auto zsk = make_zsk();
  auto q = make_request({&zsk});
  refuses("zone_has_ksk", rules.input(q), signer::errc::bad_state, "ksk-dir");
}

TEST_CASE("request_rules: clock_skew", "[signer][request_rules]") {
  Rules rules;
  auto zsk = make_zsk();
  auto q = make_request({&zsk}, kT0 - 2 * kHour, kT0);
  refuses("clock_skew", rules.input(q), signer::errc::clock_skew, "request.txt");
  auto err = signer::check_request_rules(rules.input(q));
  REQUIRE_FALSE(err);
  CHECK(err.error().detail.find("date -u -s '2026-11-30 22:00:00'") != std::string::npos);
  CHECK(err.error().detail.find("(2h apart; the policy allows 1h)") != std::string::npos);
}

TEST_CASE("request_rules: has_slots", "[signer][request_rules]") {
  Rules rules;
  auto zsk = make_zsk();
  auto q = make_request({&zsk});
  q.slots.clear();
  refuses("has_slots", rules.input(q), signer::errc::syntax, "request.txt");
}

TEST_CASE("request_rules: slot_count", "[signer][request_rules]") {
  Rules rules;
  rules.policy.max_slots = 1;
  auto zsk = make_zsk();
  auto q = make_request({&zsk});
  refuses("slot_count", rules.input(q), signer::errc::too_many_slots, "request.txt");
}

TEST_CASE("request_rules: dnskey_ttl", "[signer][request_rules]") {
  Rules rules;
  auto zsk = make_zsk();
  auto low = make_request({&zsk}, kT0, kT0, 2, "example.com.", 60);
  refuses("dnskey_ttl", rules.input(low), signer::errc::dnskey_ttl_out_of_bounds, "request.txt");
  auto high = make_request({&zsk}, kT0, kT0, 2, "example.com.", 172800);
  refuses("dnskey_ttl", rules.input(high), signer::errc::dnskey_ttl_out_of_bounds, "request.txt");
}

TEST_CASE("request_rules: each_slot runs the slot rules on every slot", "[signer][request_rules]") {
  Rules rules;
  auto zsk = make_zsk();
  auto q = make_request({&zsk}, kT0, kT0, 3);
  q.slots[2].inception = q.slots[2].start + 1;
  refuses("each_slot", rules.input(q), signer::errc::validity_out_of_bounds, "slot 3");
}

TEST_CASE("request_rules: continuity", "[signer][request_rules]") {
  Rules rules;
  auto zsk1 = make_zsk(), zsk2 = make_zsk();
  auto signed_before = make_request({&zsk1});  // kT0 .. kT0 + 28 days
  REQUIRE(rules.ledger.record(signed_before.id, signer::format_request(signed_before), "response"));
  rules.now = kT0 + 14 * kDay;
  auto q = make_request({&zsk2}, rules.now, rules.now);
  refuses("continuity", rules.input(q), signer::errc::continuity_broken, "slot 1");
  auto same = make_request({&zsk1}, rules.now, rules.now, 1);
  CHECK(run_rule("continuity", rules.input(same)));
}

TEST_CASE("request_rules: key_count", "[signer][request_rules]") {
  Rules rules;
  rules.policy.max_keys_per_slot = 1;
  auto zsk1 = make_zsk(), zsk2 = make_zsk();
  auto q = make_request({&zsk1, &zsk2});
  refuses("key_count", rules.input(q), signer::errc::too_many_keys, "slot 1");
}

TEST_CASE("request_rules: each_zsk runs the key rules on every ZSK", "[signer][request_rules]") {
  Rules rules;
  auto zsk = make_zsk();
  auto sep = make_zsk("example.com.", 13, 0, 257);
  auto q = make_request({&zsk}, kT0, kT0, 1);
  q.slots.push_back(make_slot(q.zone, q.slots[0].end, q.slots[0].end + 14 * kDay, {&zsk, &sep}));
  refuses("each_zsk", rules.input(q), signer::errc::bad_zsk_flags, key_at(2, sep));
}

TEST_CASE("request_rules: window_order", "[signer][request_rules]") {
  Rules rules;
  auto zsk = make_zsk();
  auto q = make_request({&zsk});
  q.slots[0].inception = q.slots[0].start + 1;
  refuses("window_order", rules.input(q), signer::errc::validity_out_of_bounds, "slot 1");
}

TEST_CASE("request_rules: validity", "[signer][request_rules]") {
  Rules rules;
  rules.policy.max_validity = 10 * kDay;
  auto zsk = make_zsk();
  auto q = make_request({&zsk});
  refuses("validity", rules.input(q), signer::errc::validity_out_of_bounds, "slot 1");
}

TEST_CASE("request_rules: next_slot_start", "[signer][request_rules]") {
  Rules rules;
  auto zsk = make_zsk();
  auto q = make_request({&zsk});
  q.slots[1] = make_slot(q.zone, kT0 + 15 * kDay, kT0 + 28 * kDay, {&zsk});
  refuses("next_slot_start", rules.input(q), signer::errc::slots_not_continuous, "slot 1");
}

TEST_CASE("request_rules: overlap", "[signer][request_rules]") {
  Rules rules;
  rules.policy.max_overlap = kDay;
  auto zsk = make_zsk();
  auto q = make_request({&zsk});
  refuses("overlap", rules.input(q), signer::errc::slots_not_continuous, "slot 1");
}

TEST_CASE("request_rules: start_in_past", "[signer][request_rules]") {
  Rules rules;
  rules.now = kT0 + 2 * kDay;
  auto zsk = make_zsk();
  auto q = make_request({&zsk}, rules.now, kT0);
  refuses("start_in_past", rules.input(q), signer::errc::starts_in_past, "slot 1");
}

TEST_CASE("request_rules: horizon", "[signer][request_rules]") {
  Rules rules;
  rules.policy.horizon = 30 * kDay;
  auto zsk = make_zsk();
  auto q = make_request({&zsk});  // the second slot's signatures expire after 35 days
  refuses("horizon", rules.input(q), signer::errc::beyond_horizon, "slot 2");
}

TEST_CASE("request_rules: proof_of_possession, unless the policy waives it", "[signer][request_rules]") {
  Rules rules;
  auto zsk1 = make_zsk(), zsk2 = make_zsk();
  auto q = make_request({&zsk1, &zsk2});
  q.slots[1].proofs.erase(q.slots[1].proofs.begin());
  refuses("proof_of_possession", rules.input(q), signer::errc::proof_of_possession, key_at(2, zsk1));
  rules.policy.require_proof = false;
  CHECK(signer::check_request_rules(rules.input(q)));
}

TEST_CASE("request_rules: response_size", "[signer][request_rules]") {
  Rules rules;
  std::vector<zone::KeyPair> zsks;
  for (int i = 0; i < 4; ++i) zsks.push_back(make_zsk("example.com.", 8, 2048));
  std::vector<const zone::KeyPair*> ptrs;
  for (const auto& k : zsks) ptrs.push_back(&k);
  auto q = make_request(ptrs, kT0, kT0, 1);
  refuses("response_size", rules.input(q), signer::errc::response_too_large, "slot 1");
}

TEST_CASE("request_rules: dnskey_rdata", "[signer][request_rules]") {
  Rules rules;
  auto zsk = make_zsk();
  auto q = make_request({&zsk}, kT0, kT0, 1);
  q.slots[0].zsks[0].rdata.resize(3);
  refuses("dnskey_rdata", rules.input(q), signer::errc::syntax,
          "slot 1, key tag " + std::to_string(zone::key_tag(q.slots[0].zsks[0].rdata)));
}

TEST_CASE("request_rules: zsk_flags", "[signer][request_rules]") {
  Rules rules;
  auto revoked = make_zsk("example.com.", 13, 0, 256 | 128);
  auto q = make_request({&revoked});
  refuses("zsk_flags", rules.input(q), signer::errc::bad_zsk_flags, key_at(1, revoked));
}

TEST_CASE("request_rules: algorithm", "[signer][request_rules]") {
  Rules rules;
  rules.policy.algorithms = {13};
  auto zsk = make_zsk("example.com.", 15);
  auto q = make_request({&zsk});
  refuses("algorithm", rules.input(q), signer::errc::algorithm_not_allowed, key_at(1, zsk));
}

TEST_CASE("request_rules: public_key", "[signer][request_rules]") {
  Rules rules;
  auto zsk = make_zsk();
  auto q = make_request({&zsk}, kT0, kT0, 1);
  q.slots[0].zsks[0].rdata.resize(4 + 10);  // a P-256 key of 10 octets
  refuses("public_key", rules.input(q), signer::errc::syntax,
          "slot 1, key tag " + std::to_string(zone::key_tag(q.slots[0].zsks[0].rdata)));
}

TEST_CASE("request_rules: rsa_size", "[signer][request_rules]") {
  Rules rules;
  auto zsk = make_zsk("example.com.", 8, 1024);
  auto q = make_request({&zsk}, kT0, kT0, 1);
  refuses("rsa_size", rules.input(q), signer::errc::key_size_not_allowed, key_at(1, zsk));
}

TEST_CASE("request_rules: own_ksk, and tag_not_ksk behind it", "[signer][request_rules]") {
  Rules rules;
  auto zsk = make_zsk();
  rules.ksks = {&rules.ksk, &zsk};  // a KSK that is the ZSK's key
  auto q = make_request({&zsk});
  refuses("own_ksk", rules.input(q), signer::errc::own_ksk_in_request, key_at(1, zsk));
  auto tag = run_rule("tag_not_ksk", rules.input(q));
  REQUIRE_FALSE(tag);
  CHECK(tag.error().code == signer::make_error_code(signer::errc::key_tag_collision));
}

TEST_CASE("request_rules: tag_unique", "[signer][request_rules]") {
  Rules rules;
  auto zsk = make_zsk();
  auto q = make_request({&zsk, &zsk});
  refuses("tag_unique", rules.input(q), signer::errc::key_tag_collision, key_at(1, zsk));
}

TEST_CASE("request_rules: auto_approvable by the policy's auto_approve", "[signer][request_rules]") {
  Rules rules;
  auto zsk1 = make_zsk(), zsk2 = make_zsk();
  auto q = make_request({&zsk1});
  rules.policy.auto_approve = signer::AutoApprove::never;
  CHECK(signer::auto_approvable(rules.input(q)) == false);
  rules.policy.auto_approve = signer::AutoApprove::always;
  CHECK(signer::auto_approvable(rules.input(q)) == true);
  rules.policy.auto_approve = signer::AutoApprove::same_keys;
  CHECK(signer::auto_approvable(rules.input(q)) == false);  // nothing signed yet
  auto signed_before = make_request({&zsk1});
  REQUIRE(rules.ledger.record(signed_before.id, signer::format_request(signed_before), "response"));
  CHECK(signer::auto_approvable(rules.input(q)) == true);
  auto other = make_request({&zsk2});
  CHECK(signer::auto_approvable(rules.input(other)) == false);
}
