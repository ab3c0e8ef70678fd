#include <catch2/catch.hpp>

#include <algorithm>

#include "signer/errc.hpp"
#include "signer/response_check.hpp"
#include "tests/signer/test_ksk.hpp"
#include "zone/rrsig.hpp"

using namespace kskline;
using namespace kskline::signer;
using kskline::test::kDay;
using kskline::test::kT0;

namespace {

const zone::Name& example() {
  static const zone::Name root;
  static const zone::Name name = *zone::Name::parse("example.org.", &root);
  return name;
}

// A request of two slots for one fresh ZSK.
KeyRequest two_slots(const zone::KeyPair& zsk) {
  KeyRequest r;
  r.id = std::string(32, 'b');
  r.zone = example();
  r.created = kT0;
  r.dnskey_ttl = 7200;
  for (int i = 0; i < 2; ++i) {
    RequestSlot s;
    s.start = kT0 + i * 7 * kDay;
    s.end = s.start + 7 * kDay;
    s.inception = s.start - 3600;
    s.expiration = s.end + 3 * kDay;
    s.zsks.push_back(zone::make_record(example(), zone::rrtype::DNSKEY, 7200, zsk.dnskey_rdata));
    r.slots.push_back(std::move(s));
  }
  return r;
}

zone::KeyPair make_zsk() {
  auto key = zone::PrivateKey::generate(13);
  REQUIRE(key);
  auto pair = zone::make_key_pair(example(), 256, std::move(*key));
  REQUIRE(pair);
  return std::move(*pair);
}

}  // namespace

TEST_CASE("response_check: trust anchors of DS or DNSKEY records, for the zone only", "[signer][response_check]") {
  auto ksk = test::make_ksk();
  auto ds = parse_trust_anchor(test::ds_line(ksk), "a", example());
  REQUIRE(ds);
  CHECK(ds->matches(ksk.dnskey_rdata));
  CHECK_FALSE(ds->matches(test::make_ksk().dnskey_rdata));
  auto back = parse_trust_anchor(format_trust_anchor(*ds), "b", example());
  REQUIRE(back);
  CHECK(format_trust_anchor(*back) == format_trust_anchor(*ds));

  const std::string dnskey_line =
      zone::to_text(zone::make_record(example(), zone::rrtype::DNSKEY, 3600, ksk.dnskey_rdata)) + "\n";
  auto key = parse_trust_anchor("; comment\n" + dnskey_line, "k", example());
  REQUIRE(key);
  CHECK(key->matches(ksk.dnskey_rdata));

  auto foreign = parse_trust_anchor(test::ds_line(test::make_ksk("example.net.")), "f", example());
  REQUIRE_FALSE(foreign);
  CHECK(foreign.error().code == errc::wrong_zone);
  CHECK(foreign.error().where == "f:1");
  auto empty = parse_trust_anchor("; nothing\n", "e", example());
  REQUIRE_FALSE(empty);
  CHECK(empty.error().code == errc::bad_config);
  auto other_type = parse_trust_anchor("example.org. IN TXT \"ksk\"\n", "t", example());
  REQUIRE_FALSE(other_type);
  CHECK(other_type.error().code == errc::bad_config);
}

TEST_CASE("response_check: a good answer passes, its records take the RRSIGs' Original TTL",
          "[signer][response_check]") {
  auto ksk = test::make_ksk();
  auto zsk = make_zsk();
  auto request = two_slots(zsk);
  auto anchor = parse_trust_anchor(test::ds_line(ksk), "a", example());
  REQUIRE(anchor);
  auto response = test::answer(request, "request text", {&ksk});
  CHECK(check_response(request, response, *anchor, 3 * kDay));
  // A margin longer than what was signed is refused.
  auto longer = check_response(request, response, *anchor, 4 * kDay);
  REQUIRE_FALSE(longer);
  CHECK(longer.error().code == errc::margin_too_short);
  CHECK(longer.error().where.rfind("slot 1, key tag ", 0) == 0);

  auto slot = response.slots[0];
  for (auto& r : slot.records) r.ttl = 60;  // as if a dialect lost them
  for (const auto& r : publishable_records(slot)) CHECK(r.ttl == 7200);
}

TEST_CASE("response_check: each defect has its named refusal", "[signer][response_check]") {
  auto ksk = test::make_ksk();
  auto zsk = make_zsk();
  auto request = two_slots(zsk);
  auto anchor = parse_trust_anchor(test::ds_line(ksk), "a", example());
  REQUIRE(anchor);
  const auto good = test::answer(request, "request text", {&ksk});
  auto refused = [&](const KeyResponse& response, errc code) {
    auto r = check_response(request, response, *anchor, 3 * kDay);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == code);
    return r.error();
  };

  SECTION("a slot that starts elsewhere") {
    auto moved = good;
    moved.slots[1].start += 60;
    CHECK(refused(moved, errc::coverage_gap).where == "slot 2");
  }
  SECTION("a slot too many") {
    auto more = good;
    more.slots.push_back(more.slots.back());
    refused(more, errc::coverage_gap);
  }
  SECTION("signatures valid only after the slot starts") {
    auto late = request;
    late.slots[0].inception = late.slots[0].start + 60;
    refused(test::answer(late, "request text", {&ksk}), errc::coverage_gap);
  }
  SECTION("the ZSK left out of the DNSKEY RRset") {
    auto without = request;
    for (auto& s : without.slots) s.zsks.clear();
    refused(test::answer(without, "request text", {&ksk}), errc::not_our_request);
  }
  SECTION("no CDS RRset") {
    auto no_cds = good;
    for (auto& s : no_cds.slots) {
      std::erase_if(s.records, [](const zone::Record& r) {
        if (r.type == zone::rrtype::CDS) return true;
        auto sig = zone::parse_rrsig(r.rdata);
        return r.type == zone::rrtype::RRSIG && sig && sig->type_covered == zone::rrtype::CDS;
      });
    }
    refused(no_cds, errc::syntax);
  }
  SECTION("an unsigned CDNSKEY RRset") {
    auto unsigned_set = good;
    for (auto& s : unsigned_set.slots) {
      std::erase_if(s.records, [](const zone::Record& r) {
        auto sig = zone::parse_rrsig(r.rdata);
        return r.type == zone::rrtype::RRSIG && sig && sig->type_covered == zone::rrtype::CDNSKEY;
      });
    }
    refused(unsigned_set, errc::untrusted_key);
  }
  SECTION("signed by the anchored KSK and by one the anchor does not know") {
    auto stranger = test::make_ksk();
    auto both = test::answer(request, "request text", {&ksk, &stranger});
    refused(both, errc::untrusted_key);
  }
  SECTION("a response for another zone") {
    auto other = good;
    const zone::Name root;
    other.zone = *zone::Name::parse("example.net.", &root);
    refused(other, errc::wrong_zone);
  }
}

namespace {

// A KSR in Knot's dialect of `request` (bundles at each slot's start and a
// final one at the last slot's end), and the KeyRequest a KSK side signs for
// it: the same ZSKs, cut at `extra` times (refresh bundles), each bundle
// signed from an hour before its start to a day after its end; the final
// bundle valid for two weeks.
struct ForeignPair {
  ForeignDocument ksr;
  KeyRequest signed_slots;
};

ForeignPair foreign_pair(const KeyRequest& request, const std::vector<std::int64_t>& extra) {
  ForeignPair p;
  p.ksr = from_key_request(request, Dialect::knot);
  std::vector<std::int64_t> times;
  for (const auto& b : p.ksr.bundles) times.push_back(b.time);
  times.insert(times.end(), extra.begin(), extra.end());
  std::sort(times.begin(), times.end());
  p.signed_slots = request;
  p.signed_slots.slots.clear();
  for (std::size_t i = 0; i < times.size(); ++i) {
    RequestSlot s;
    s.start = times[i];
    s.end = i + 1 < times.size() ? times[i + 1] : times[i] + 13 * kDay;
    s.inception = s.start - 3600;
    s.expiration = s.end + kDay;
    std::size_t in_effect = 0;
    while (in_effect + 1 < p.ksr.bundles.size() && p.ksr.bundles[in_effect + 1].time <= s.start) ++in_effect;
    s.zsks = p.ksr.bundles[in_effect].records;
    p.signed_slots.slots.push_back(std::move(s));
  }
  return p;
}

}  // namespace

TEST_CASE("response_check: a Knot or BIND SKR must answer every bundle of the KSR, refresh bundles allowed",
          "[signer][response_check]") {
  auto ksk = test::make_ksk();
  auto zsk = make_zsk();
  auto anchor = parse_trust_anchor(test::ds_line(ksk), "a", example());
  REQUIRE(anchor);
  const auto pair = foreign_pair(two_slots(zsk), {kT0 + 3 * kDay, kT0 + 10 * kDay});
  REQUIRE(pair.ksr.bundles.size() == 3);  // both slots and Knot's final bundle
  auto skr_of = [&](const KeyRequest& slots) {
    return from_key_response(test::answer(slots, "ksr", {&ksk}), Dialect::knot);
  };
  const auto good = skr_of(pair.signed_slots);
  REQUIRE(good.bundles.size() == 5);
  CHECK(check_foreign_response(pair.ksr, good, *anchor));
  // Read back from text, as the relay and zone import take it.
  auto text = parse_foreign(format_foreign(good), "skr", ForeignKind::response);
  REQUIRE(text);
  CHECK(check_foreign_response(pair.ksr, *text, *anchor));

  auto refused = [&](const ForeignDocument& skr, errc code) {
    auto r = check_foreign_response(pair.ksr, skr, *anchor);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == code);
    return r.error();
  };
  SECTION("no bundle where the KSR has one") {
    auto fewer = pair.signed_slots;
    fewer.slots.erase(fewer.slots.begin() + 2);  // the one at kT0 + 7 days
    fewer.slots[1].end = fewer.slots[2].start;
    fewer.slots[1].expiration = fewer.slots[1].end + kDay;
    auto e = refused(skr_of(fewer), errc::coverage_gap);
    CHECK(e.detail.find(format_time(kT0 + 7 * kDay)) != std::string::npos);
  }
  SECTION("a bundle before the KSR's first") {
    auto earlier = pair.signed_slots;
    auto first = earlier.slots.front();
    first.start -= kDay;
    first.end = earlier.slots.front().start;
    first.inception = first.start - 3600;
    first.expiration = first.end + kDay;
    earlier.slots.insert(earlier.slots.begin(), first);
    refused(skr_of(earlier), errc::coverage_gap);
  }
  SECTION("an RRSIG that expires before the next bundle") {
    auto short_lived = pair.signed_slots;
    short_lived.slots[1].expiration = short_lived.slots[1].end - 60;
    CHECK(refused(skr_of(short_lived), errc::margin_too_short).where.rfind("slot 2, key tag ", 0) == 0);
  }
  SECTION("a refresh bundle with another ZSK set") {
    auto other = pair.signed_slots;
    auto stranger = make_zsk();
    other.slots[1].zsks = {zone::make_record(example(), zone::rrtype::DNSKEY, 7200, stranger.dnskey_rdata)};
    // The stranger is not a ZSK of the KSR bundle in force at that time.
    refused(skr_of(other), errc::not_our_request);
  }
  SECTION("signed by a KSK the anchor does not know") {
    auto impostor = test::make_ksk();
    refused(from_key_response(test::answer(pair.signed_slots, "ksr", {&impostor}), Dialect::knot),
            errc::untrusted_key);
  }
  SECTION("an SKR for another zone") {
    auto elsewhere = good;
    const zone::Name root;
    elsewhere.zone = *zone::Name::parse("example.net.", &root);
    refused(elsewhere, errc::wrong_zone);
  }
}
