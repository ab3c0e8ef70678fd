// Tests of zone_merge: the slot choice, and zones signed with the ZSK only by
// the zone signer finished with a KSK answer, checked by the zone verifier
// against the KSK's DS (the CLI tests use dnssec-signzone, ldns-signzone and
// the other validators).
#include "signer/zone_merge.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "signer/errc.hpp"
#include "tests/signer/test_ksk.hpp"
#include "tests/zone/sign_test_util.hpp"
#include "zone/ds.hpp"
#include "zone/rr_types.hpp"
#include "zone/zone_verifier.hpp"

using namespace kskline;
using signer::errc;

namespace {

// A ZSK, a KSK, and the KSK's answer for one slot around test::kNow.
struct Fixture {
  zone::KeyPair zsk = test::key_pair(13, 256);
  zone::KeyPair ksk = test::make_ksk();
  signer::KeyResponse response;

  Fixture() {
    signer::KeyRequest request;
    request.id = std::string(32, 'b');
    request.zone = test::name("example.org.");
    request.created = test::kNow;
    request.dnskey_ttl = 3600;
    signer::RequestSlot slot;
    slot.start = test::kNow - 3600;
    slot.end = test::kNow + 7 * test::kDay;
    slot.inception = test::kNow - 7200;
    slot.expiration = test::kNow + 10 * test::kDay;
    slot.zsks.push_back(zone::make_record(request.zone, zone::rrtype::DNSKEY, 3600, zsk.dnskey_rdata));
    request.slots.push_back(std::move(slot));
    response = test::answer(request, "request", {&ksk});
  }

  // The small zone signed by the zone signer with the ZSK alone.
  zone::RecordList signed_zone(bool nsec3) const {
    zone::SignInput input;
    input.zone = test::read_zone_text(test::small_zone());
    input.keys.push_back(test::copy_key(zsk));
    auto options = test::sign_options();
    if (nsec3) options.nsec3 = zone::Nsec3Settings{};
    auto s = test::sign_to_text(std::move(input), options);
    REQUIRE(test::first_problem(s.report) == "");
    return test::read_zone_text(s.text, "example.org.", "signed.zone");
  }

  // Problems the zone verifier finds in merged records, anchored at the KSK's DS.
  std::vector<std::string> problems(const std::vector<zone::Record>& records) const {
    zone::RecordList list;
    list.records = records;
    list.files = {"merged"};
    zone::VerifyOptions options;
    options.now = test::kNow;
    auto ds = zone::make_ds(ksk.owner, ksk.dnskey_rdata, zone::ds_digest::SHA256);
    REQUIRE(ds);
    options.trust_anchors.push_back(zone::make_record(ksk.owner, zone::rrtype::DS, 3600, *ds));
    auto report = zone::verify_zone(list, test::name("example.org."), options);
    std::vector<std::string> out;
    for (const auto& p : report.problems) out.push_back(zone::format_problem(p));
    return out;
  }
};

std::size_t count(const std::vector<zone::Record>& records, std::uint16_t type) {
  std::size_t n = 0;
  for (const auto& r : records) n += r.type == type;
  return n;
}

}  // namespace

TEST_CASE("zone_merge: slot_at picks the first slot holding now", "[signer][zone_merge]") {
  signer::KeyResponse response;
  response.slots.resize(2);
  response.slots[0].start = 100;
  response.slots[0].end = 200;
  response.slots[1].start = 200;
  response.slots[1].end = 300;
  CHECK(signer::slot_at(response, 99) == nullptr);
  CHECK(signer::slot_at(response, 100) == &response.slots[0]);
  CHECK(signer::slot_at(response, 199) == &response.slots[0]);
  CHECK(signer::slot_at(response, 200) == &response.slots[1]);
  CHECK(signer::slot_at(response, 300) == nullptr);
}

TEST_CASE("zone_merge: a zone signed with the ZSK alone verifies against the KSK after the merge", "[signer][zone_merge]") {
  Fixture f;
  for (bool nsec3 : {false, true}) {
    DYNAMIC_SECTION((nsec3 ? "NSEC3" : "NSEC")) {
      auto zone = f.signed_zone(nsec3);
      CHECK_FALSE(f.problems(zone.records).empty());  // no KSK yet: the anchor does not hold
      std::vector<zone::KeyPair> keys;
      keys.push_back(test::copy_key(f.zsk));
      auto merged = signer::merge_signed_zone(zone, test::name("example.org."), f.response.slots[0], keys);
      REQUIRE(merged);
      CHECK(merged->nsec3 == nsec3);
      CHECK(merged->bitmap_changed);
      CHECK(merged->ksk_tags == std::vector<std::uint16_t>{f.ksk.key_tag});
      CHECK(merged->zsk_tags == std::vector<std::uint16_t>{f.zsk.key_tag});
      CHECK(f.problems(merged->records) == std::vector<std::string>{});
      CHECK(count(merged->records, zone::rrtype::DNSKEY) == 2);
      CHECK(count(merged->records, zone::rrtype::CDS) == 1);
      // The chain keeps its length: no denial record added or removed.
      CHECK(count(merged->records, nsec3 ? zone::rrtype::NSEC3 : zone::rrtype::NSEC) ==
            count(zone.records, nsec3 ? zone::rrtype::NSEC3 : zone::rrtype::NSEC));

      // Merged again, the apex types stay: nothing to re-sign, no key needed.
      zone::RecordList again;
      again.records = merged->records;
      auto twice = signer::merge_signed_zone(again, test::name("example.org."), f.response.slots[0], {});
      REQUIRE(twice);
      CHECK_FALSE(twice->bitmap_changed);
      CHECK(f.problems(twice->records) == std::vector<std::string>{});
    }
  }
}

TEST_CASE("zone_merge: a bitmap change without the ZSK's private key is refused", "[signer][zone_merge]") {
  Fixture f;
  auto merged = signer::merge_signed_zone(f.signed_zone(false), test::name("example.org."), f.response.slots[0], {});
  REQUIRE_FALSE(merged);
  CHECK(merged.error().code == errc::zsk_key_needed);
  CHECK(merged.error().where == "--key");
  CHECK(merged.error().detail.find("ZSK " + std::to_string(f.zsk.key_tag)) != std::string::npos);
}

TEST_CASE("zone_merge: other ZSKs in the slot are refused naming the key tags", "[signer][zone_merge]") {
  Fixture f;
  Fixture other;
  std::vector<zone::KeyPair> keys;
  keys.push_back(test::copy_key(f.zsk));
  auto merged =
      signer::merge_signed_zone(f.signed_zone(false), test::name("example.org."), other.response.slots[0], keys);
  REQUIRE_FALSE(merged);
  CHECK(merged.error().code == errc::zone_keys_differ);
  CHECK(merged.error().where == "key tag " + std::to_string(f.zsk.key_tag));
  CHECK(merged.error().detail.find("the slot's ZSK " + std::to_string(other.zsk.key_tag) + " is not in the zone") !=
        std::string::npos);
  // A --key that is not one of the zone's ZSKs is refused too.
  std::vector<zone::KeyPair> wrong;
  wrong.push_back(test::copy_key(other.zsk));
  auto with_wrong = signer::merge_signed_zone(f.signed_zone(false), test::name("example.org."), f.response.slots[0], wrong);
  REQUIRE_FALSE(with_wrong);
  CHECK(with_wrong.error().code == errc::zone_keys_differ);
  CHECK(with_wrong.error().where == "--key");
}

TEST_CASE("zone_merge: a slot record outside the apex, an unsigned zone and two apex NSEC records are refused", "[signer][zone_merge]") {
  Fixture f;
  auto slot = f.response.slots[0];
  slot.records.front().owner = test::name("www.example.org.");
  std::vector<zone::KeyPair> keys;
  keys.push_back(test::copy_key(f.zsk));
  auto merged = signer::merge_signed_zone(f.signed_zone(false), test::name("example.org."), slot, keys);
  REQUIRE_FALSE(merged);
  CHECK(merged.error().code == errc::wrong_zone);

  zone::RecordList plain = test::read_zone_text(test::small_zone());
  plain.records.push_back(f.response.slots[0].records.front());
  plain.records.back().rdata = f.zsk.dnskey_rdata;
  auto refused = signer::merge_signed_zone(plain, test::name("example.org."), f.response.slots[0], keys);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == errc::syntax);
  CHECK(refused.error().detail.find("not a zone signed with NSEC or NSEC3") != std::string::npos);

  // Two apex NSEC records: which one to fix is not guessed.
  auto doubled = f.signed_zone(false);
  for (const auto& r : doubled.records) {
    if (r.type != zone::rrtype::NSEC || !(r.owner == test::name("example.org."))) continue;
    auto copy = r;
    copy.rdata.back() ^= 0x01;
    doubled.records.push_back(std::move(copy));
    break;
  }
  auto twice = signer::merge_signed_zone(doubled, test::name("example.org."), f.response.slots[0], keys);
  REQUIRE_FALSE(twice);
  CHECK(twice.error().code == errc::syntax);
  CHECK(twice.error().detail.find("a second NSEC record at example.org.") != std::string::npos);
}
