#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <optional>

#include "base/error.hpp"
#include "proto/envelope.hpp"
#include "signer/errc.hpp"
#include "signer/zone_state.hpp"
#include "tests/proto/test_support.hpp"
#include "tests/signer/test_ksk.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"
#include "zone/errc.hpp"
#include "zone/key_tag.hpp"
#include "zone/master_file.hpp"
#include "zone/rrsig.hpp"
#include "zone/zone_verifier.hpp"

using namespace kskline;
using namespace kskline::signer;
using kskline::test::kDay;
using kskline::test::kT0;

namespace {

// A zone state for example.org. whose KSK the test holds.
struct Fixture {
  test::TempDir tmp{"kskline-zone-state"};
  zone::KeyPair ksk = test::make_ksk();
  std::string dir = tmp.file("state");
  mutable proto::testing::SeededRandom random{14};  // request ids

  Fixture() {
    test::spit(tmp.file("zone.db"), test::small_zone());
    auto state = ZoneState::init(dir, make_init());
    if (!state) FAIL(state.error().message());
  }

  ZoneInit make_init(const std::string& anchor = {}) const {
    ZoneInit init;
    const zone::Name root;
    init.config.zone = *zone::Name::parse("example.org.", &root);
    init.config.zone_file = tmp.file("zone.db");
    init.config.signed_file = tmp.file("zone.signed");
    init.config.zsk_lifetime = 30 * kDay;
    init.config.prepublish = 2 * kDay;
    init.config.retire = 2 * kDay;
    init.config.slot_interval = 7 * kDay;
    init.config.refresh_margin = 3 * kDay;
    init.trust_anchor = anchor.empty() ? test::ds_line(ksk) : anchor;
    init.trust_anchor_source = "anchor";
    return init;
  }

  ZoneState open() const {
    auto state = ZoneState::open(dir);
    if (!state) FAIL(state.error().message());
    return std::move(*state);
  }

  // Keys until day 60, a request for days 0..40.
  RequestMade request(ZoneState& state, std::int64_t from = kT0, std::int64_t until = kT0 + 40 * kDay) const {
    auto made = state.pregenerate(kT0 + 60 * kDay, kT0);
    REQUIRE(made);
    auto r = state.make_request(from, until, kT0, random);
    if (!r) FAIL(r.error().message());
    return std::move(*r);
  }

  // The state opened, with a request for days 0..40 and the KSK's answer imported.
  ZoneState answered() const {
    auto state = open();
    auto made = request(state);
    REQUIRE(state.import_response(format_response(test::answer(made.request, made.text, {&ksk})), "r1", kT0));
    return state;
  }

  // Every file of the state but the lock, with its content.
  std::map<std::string, std::string> snapshot() const {
    std::map<std::string, std::string> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
      if (e.path().filename() == ".lock") continue;
      out[e.path().string()] = e.is_regular_file() ? test::slurp(e.path().string()) : "<dir>";
    }
    return out;
  }
};

}  // namespace

TEST_CASE("zone_state: init makes the state, a second init and a foreign trust anchor are refused",
          "[signer][zone_state]") {
  Fixture f;
  for (const char* sub : {"keys", "requests", "responses"}) CHECK(std::filesystem::is_directory(f.dir + "/" + sub));
  CHECK(test::slurp(f.dir + "/trust-anchor.db").find("\tDS\t") != std::string::npos);
  auto again = ZoneState::init(f.dir, f.make_init());
  REQUIRE_FALSE(again);
  CHECK(again.error().code == errc::bad_state);

  auto foreign = ZoneState::init(f.tmp.file("other"), f.make_init(test::ds_line(test::make_ksk("example.net."))));
  REQUIRE_FALSE(foreign);
  CHECK(foreign.error().code == errc::wrong_zone);
  CHECK_FALSE(std::filesystem::exists(f.tmp.file("other/kskline-zone.toml")));
  auto not_ds = ZoneState::init(f.tmp.file("other"), f.make_init("example.org. IN A 192.0.2.1\n"));
  REQUIRE_FALSE(not_ds);
  CHECK(not_ds.error().code == errc::bad_config);
  auto none = ZoneState::open(f.tmp.file("nothing"));
  REQUIRE_FALSE(none);
  CHECK(none.error().code == errc::bad_state);
}

TEST_CASE("zone_state: an open state holds the lock, a second opener gets a clear error", "[signer][zone_state]") {
  Fixture f;
  {
    auto first = f.open();
    auto second = ZoneState::open(f.dir);
    REQUIRE_FALSE(second);
    CHECK(second.error().code == base::errc::lock_held);
    CHECK(second.error().detail.find("another kskline command") != std::string::npos);
  }
  CHECK(ZoneState::open(f.dir));
  // The object init returns holds no lock.
  auto made = ZoneState::init(f.tmp.file("second"), f.make_init());
  REQUIRE(made);
  CHECK(ZoneState::open(f.tmp.file("second")));
}

TEST_CASE("zone_state: pregenerate writes BIND key files with the timeline and never regenerates",
          "[signer][zone_state]") {
  Fixture f;
  auto state = f.open();
  auto made = state.pregenerate(kT0 + 60 * kDay, kT0);
  REQUIRE(made);
  CHECK(made->size() == 3);
  auto again = state.pregenerate(kT0 + 60 * kDay, kT0 + kDay);
  REQUIRE(again);
  CHECK(again->empty());
  auto more = state.pregenerate(kT0 + 95 * kDay, kT0 + kDay);
  REQUIRE(more);
  CHECK(more->size() == 1);
  auto far = state.pregenerate(kT0 + 100 * 365 * kDay, kT0);
  REQUIRE_FALSE(far);
  CHECK(far.error().code == errc::bad_config);
  auto keys = state.zsks();
  REQUIRE(keys);
  REQUIRE(keys->size() == 4);
  for (std::size_t i = 1; i < keys->size(); ++i) {
    CHECK((*keys)[i].window.activate == (*keys)[i - 1].window.inactive);
    CHECK((*keys)[i].window.publish == (*keys)[i].window.activate - 2 * kDay);
    CHECK((*keys)[i].pair.flags == 256);
  }
  auto text = test::slurp(f.dir + "/keys/" + (*keys)[1].basename + ".private");
  CHECK(text.find("Publish: 20261229000000\n") != std::string::npos);
  CHECK(text.find("Activate: 20261231000000\n") != std::string::npos);
  CHECK(text.find("Inactive: 20270130000000\n") != std::string::npos);
  CHECK(text.find("Delete: 20270201000000\n") != std::string::npos);
  CHECK(test::file_mode(f.dir + "/keys/" + (*keys)[1].basename + ".private") == 0600);

  // A key file edited out of order is named, not used.
  const std::string edited = f.dir + "/keys/" + (*keys)[1].basename + ".private";
  auto pos = text.find("Inactive: 20270130000000");
  REQUIRE(pos != std::string::npos);
  test::spit(edited, text.substr(0, pos) + "Inactive: 20261201000000" + text.substr(pos + 24));
  auto broken = state.zsks();
  REQUIRE_FALSE(broken);
  CHECK(broken.error().code == errc::bad_state);
  CHECK(broken.error().where == edited);
  CHECK(state.status(kT0).level == StatusLevel::critical);
}

TEST_CASE("zone_state: a request has the rollover slots, the margins and proofs that verify", "[signer][zone_state]") {
  Fixture f;
  auto state = f.open();
  auto made = f.request(state);
  const auto& req = made.request;
  CHECK(req.zone == state.config().zone);
  CHECK(req.dnskey_ttl == 3600);
  REQUIRE(req.slots.size() == 7);
  CHECK(req.slots.front().start == kT0);
  CHECK(req.slots.back().end == kT0 + 40 * kDay);
  for (std::size_t i = 0; i < req.slots.size(); ++i) {
    const auto& s = req.slots[i];
    if (i > 0) CHECK(s.start == req.slots[i - 1].end);
    CHECK(s.inception == s.start - 3600);
    CHECK(s.expiration == s.end + 3 * kDay);  // max(3d, 7200 + 3600)
    REQUIRE(s.proofs.size() == s.zsks.size());
    for (const auto& proof : s.proofs) {
      auto sig = zone::parse_rrsig(proof.rdata);
      REQUIRE(sig);
      CHECK(sig->inception == s.start);
      CHECK(sig->expiration == s.end);
      bool verified = false;
      for (const auto& key : s.zsks) {
        if (zone::key_tag(key.rdata) != sig->key_tag) continue;
        auto v = zone::RrsigVerifier::create(req.zone, key.rdata);
        REQUIRE(v);
        verified = v->verify(*sig, s.zsks).status == zone::VerifyStatus::valid;
      }
      CHECK(verified);
    }
  }
  CHECK(req.slots[4].start == kT0 + 28 * kDay);
  CHECK(req.slots[4].zsks.size() == 2);
  CHECK(req.slots[5].start == kT0 + 32 * kDay);
  CHECK(req.slots[5].zsks.size() == 1);
  CHECK(test::slurp(f.dir + "/requests/" + req.id + ".request") == made.text);
  auto parsed = parse_request(made.text, "r");
  REQUIRE(parsed);
  CHECK(format_request(*parsed) == made.text);
}

TEST_CASE("zone_state: a request beyond the pregenerated ZSKs is refused with the fix", "[signer][zone_state]") {
  Fixture f;
  auto state = f.open();
  REQUIRE(state.pregenerate(kT0 + 20 * kDay, kT0));
  auto r = state.make_request(kT0, kT0 + 90 * kDay, kT0, f.random);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::coverage_gap);
  CHECK(r.error().detail.find("pregenerate") != std::string::npos);
  CHECK(std::filesystem::is_empty(f.dir + "/requests"));
}

TEST_CASE("zone_state: import takes a good response, as text or in an envelope", "[signer][zone_state]") {
  Fixture f;
  auto state = f.open();
  auto made = f.request(state);
  auto text = format_response(test::answer(made.request, made.text, {&f.ksk}));
  auto report = state.import_response(text, "response", kT0);
  if (!report) FAIL(report.error().message());
  CHECK(report->slots == 7);
  CHECK(report->from == kT0);
  CHECK(report->until == kT0 + 40 * kDay);
  CHECK(test::slurp(report->path) == text);
  CHECK(report->path.find("/responses/20261201000000-" + made.request.id + ".response") != std::string::npos);

  auto made2 = state.make_request(kT0 + 40 * kDay, kT0 + 50 * kDay, kT0, f.random);
  REQUIRE(made2);
  auto text2 = format_response(test::answer(made2->request, made2->text, {&f.ksk}));
  proto::EnvelopeSpec spec;
  spec.kind = proto::Kind::file;
  spec.payload_type = proto::PayloadType::kskline_response;
  auto envelope = proto::build_envelope(spec, as_bytes(text2));
  REQUIRE(envelope);
  auto from_envelope = state.import_response(
      std::string_view(reinterpret_cast<const char*>(envelope->data()), envelope->size()), "envelope", kT0);
  if (!from_envelope) FAIL(from_envelope.error().message());
  CHECK(test::slurp(from_envelope->path) == text2);
}

TEST_CASE("zone_state: the request to submit is the newest one not yet answered", "[signer][zone_state]") {
  Fixture f;
  auto state = f.open();
  auto none = state.newest_unanswered_request();
  REQUIRE_FALSE(none);
  CHECK(none.error().code == errc::bad_state);
  auto first = f.request(state);
  auto path = [&](const RequestMade& m) { return f.dir + "/requests/" + m.request.id + ".request"; };
  CHECK(state.newest_unanswered_request() == path(first));
  auto second = state.make_request(kT0 + 40 * kDay, kT0 + 50 * kDay, kT0, f.random);
  REQUIRE(second);
  CHECK(state.newest_unanswered_request() == path(*second));
  REQUIRE(state.import_response(format_response(test::answer(second->request, second->text, {&f.ksk})), "r", kT0));
  CHECK(state.newest_unanswered_request() == path(first));
  REQUIRE(state.import_response(format_response(test::answer(first.request, first.text, {&f.ksk})), "r", kT0));
  CHECK_FALSE(state.newest_unanswered_request());
}

TEST_CASE("zone_state: bad responses are refused with their named error and leave the state byte-identical",
          "[signer][zone_state]") {
  Fixture f;
  auto state = f.open();
  auto made = f.request(state);
  const auto good = test::answer(made.request, made.text, {&f.ksk});
  const auto before = f.snapshot();

  auto refused = [&](const std::string& text, errc code) {
    auto r = state.import_response(text, "bad", kT0);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == code);
    CHECK(f.snapshot() == before);
    return r.error();
  };

  SECTION("forged signature") {
    auto forged = good;
    for (auto& r : forged.slots[2].records) {
      if (r.type == zone::rrtype::RRSIG) {
        r.rdata.back() ^= 0x01;
        break;
      }
    }
    auto e = refused(format_response(forged), errc::bad_signature);
    CHECK(e.where.find("slot 3") != std::string::npos);
  }
  SECTION("signed by a KSK the trust anchor does not know") {
    auto other = test::make_ksk();
    refused(format_response(test::answer(made.request, made.text, {&other})), errc::untrusted_key);
  }
  SECTION("an unknown key slipped into the DNSKEY RRset") {
    auto other = test::make_ksk();
    test::AnswerTweaks tweaks;
    tweaks.extra.push_back(&other);
    refused(format_response(test::answer(made.request, made.text, {&f.ksk}, tweaks)), errc::untrusted_key);
  }
  SECTION("wrong zone") {
    auto other_ksk = test::make_ksk("example.net.");
    auto other = made.request;
    const zone::Name root;
    other.zone = *zone::Name::parse("example.net.", &root);
    for (auto& s : other.slots) {
      for (auto& z : s.zsks) z.owner = other.zone;
    }
    refused(format_response(test::answer(other, made.text, {&other_ksk})), errc::wrong_zone);
  }
  SECTION("truncated") {
    auto text = format_response(good);
    refused(text.substr(0, text.size() / 2), errc::syntax);
  }
  SECTION("not our request: unknown id, or a request text we did not send") {
    auto unknown = good;
    unknown.request_id = std::string(32, 'a');
    refused(format_response(unknown), errc::not_our_request);
    refused(format_response(test::answer(made.request, made.text + "; changed\n", {&f.ksk})), errc::not_our_request);
    auto hostile = good;
    hostile.request_id = "../../etc/passwd";
    auto r = state.import_response(format_response(hostile), "bad", kT0);
    REQUIRE_FALSE(r);
    CHECK(f.snapshot() == before);
  }
  SECTION("a gap: a slot left out") {
    auto gap = good;
    gap.slots.erase(gap.slots.begin() + 3);
    refused(format_response(gap), errc::coverage_gap);
  }
  SECTION("signatures expiring within the refresh margin") {
    test::AnswerTweaks tweaks;
    tweaks.expiration_delta = -2 * kDay;
    refused(format_response(test::answer(made.request, made.text, {&f.ksk}, tweaks)), errc::margin_too_short);
  }
  SECTION("the same answer again (a replay), and a different answer to a request already answered") {
    REQUIRE(state.import_response(format_response(good), "first", kT0));
    const auto imported = f.snapshot();
    auto same = state.import_response(format_response(good), "again", kT0);
    REQUIRE_FALSE(same);
    CHECK(same.error().code == errc::replayed);
    CHECK(f.snapshot() == imported);
    auto other = state.import_response(format_response(test::answer(made.request, made.text, {&f.ksk})), "other", kT0);
    REQUIRE_FALSE(other);
    CHECK(other.error().code == errc::not_our_request);
    CHECK(f.snapshot() == imported);
  }
  SECTION("an envelope holding something else") {
    proto::EnvelopeSpec spec;
    spec.payload_type = proto::PayloadType::kskline_request;
    auto text = format_response(good);
    auto envelope = proto::build_envelope(spec, as_bytes(text));
    REQUIRE(envelope);
    refused(std::string(reinterpret_cast<const char*>(envelope->data()), envelope->size()), errc::syntax);
  }
  SECTION("a damaged envelope") {
    proto::EnvelopeSpec spec;
    spec.payload_type = proto::PayloadType::kskline_response;
    auto text = format_response(good);
    auto envelope = proto::build_envelope(spec, as_bytes(text));
    REQUIRE(envelope);
    (*envelope)[envelope->size() / 2] ^= 0x20;
    auto e = refused(std::string(reinterpret_cast<const char*>(envelope->data()), envelope->size()), errc::syntax);
    CHECK(e.detail.find("damaged envelope") != std::string::npos);
  }
}

TEST_CASE("zone_state: publish signs with the slot for now, the newer request's answer winning, none is refused",
          "[signer][zone_state]") {
  Fixture f;
  auto state = f.open();
  auto made = f.request(state);
  REQUIRE(state.import_response(format_response(test::answer(made.request, made.text, {&f.ksk})), "r1", kT0));

  auto published = state.publish(kT0 + 3600);
  if (!published) FAIL(published.error().message());
  CHECK(published->slot_start == kT0);
  CHECK(published->zsk_tags.size() == 1);
  CHECK(published->output == f.tmp.file("zone.signed"));

  // The published zone verifies with the KSK as the only trust anchor.
  zone::MasterOptions master;
  master.origin = state.config().zone;
  auto list = zone::read_master_file(published->output, master);
  REQUIRE(list);
  zone::VerifyOptions vo;
  vo.now = kT0 + 3600;
  vo.trust_anchors.push_back(zone::make_record(state.config().zone, zone::rrtype::DNSKEY, 3600, f.ksk.dnskey_rdata));
  auto verified = zone::verify_zone(*list, state.config().zone, vo);
  for (const auto& p : verified.problems) UNSCOPED_INFO(zone::format_problem(p));
  CHECK(verified.ok());

  // Each publish has a greater serial, though the zone file's (2026120101,
  // above unixtime) stays the same.
  CHECK(published->summary.serial == 2026120102u);
  auto republished = state.publish(kT0 + 7200);
  REQUIRE(republished);
  CHECK(republished->summary.serial == 2026120103u);

  // During the rollover both ZSKs are published and the old one still signs.
  auto during = state.publish(kT0 + 29 * kDay);
  REQUIRE(during);
  CHECK(during->slot_start == kT0 + 28 * kDay);
  auto after = state.publish(kT0 + 31 * kDay);
  REQUIRE(after);
  CHECK(after->zsk_tags != published->zsk_tags);

  // The answer to a request made later wins for the slots it covers.
  auto made2 = state.make_request(kT0, kT0 + 10 * kDay, kT0 + 60, f.random);
  REQUIRE(made2);
  auto imported2 = state.import_response(format_response(test::answer(made2->request, made2->text, {&f.ksk})), "r2", kT0);
  REQUIRE(imported2);
  auto again = state.publish(kT0 + 3600);
  REQUIRE(again);
  CHECK(again->response == imported2->path);

  const std::string signed_before = test::slurp(f.tmp.file("zone.signed"));
  auto none = state.publish(kT0 + 41 * kDay);
  REQUIRE_FALSE(none);
  CHECK(none.error().code == errc::no_slot_for_now);
  CHECK(test::slurp(f.tmp.file("zone.signed")) == signed_before);
}

TEST_CASE("zone_state: publish keeps its serial in the state and counts from it, not from the signed file",
          "[signer][zone_state]") {
  Fixture f;
  auto state = f.answered();
  const std::string stored = f.dir + "/published-serial";
  CHECK_FALSE(std::filesystem::exists(stored));  // a fresh state: the zone file's serial counts alone
  auto first = state.publish(kT0 + 3600);
  if (!first) FAIL(first.error().message());
  CHECK(first->summary.serial == 2026120102u);
  CHECK(test::slurp(stored) == "2026120102\n");
  // Without the signed file the serial still grows: it comes from the state.
  std::filesystem::remove(f.tmp.file("zone.signed"));
  auto second = state.publish(kT0 + 7200);
  REQUIRE(second);
  CHECK(second->summary.serial == 2026120103u);
  CHECK(test::slurp(stored) == "2026120103\n");
  // A refused publish stores nothing.
  REQUIRE_FALSE(state.publish(kT0 + 41 * kDay));
  CHECK(test::slurp(stored) == "2026120103\n");
  // A stored serial that does not read is refused, and nothing is written.
  test::spit(stored, "20261201xx\n");
  const std::string signed_before = test::slurp(f.tmp.file("zone.signed"));
  auto bad = state.publish(kT0 + 7200);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == errc::bad_state);
  CHECK(bad.error().where == stored);
  CHECK(test::slurp(f.tmp.file("zone.signed")) == signed_before);
}

TEST_CASE("zone_state: a state without a stored serial counts once from the serial of its signed file",
          "[signer][zone_state]") {
  Fixture f;
  auto state = f.answered();
  REQUIRE(state.publish(kT0 + 3600));
  // As a version before the stored serial left it: no published-serial, and
  // a signed file whose serial is larger than the zone file's.
  const std::string stored = f.dir + "/published-serial";
  std::filesystem::remove(stored);
  std::string signed_zone = test::slurp(f.tmp.file("zone.signed"));
  const auto at = signed_zone.find("2026120102");
  REQUIRE(at != std::string::npos);
  signed_zone.replace(at, 10, "2026120150");
  test::spit(f.tmp.file("zone.signed"), signed_zone);
  auto migrated = state.publish(kT0 + 7200);
  if (!migrated) FAIL(migrated.error().message());
  CHECK(migrated->summary.serial == 2026120151u);
  CHECK(test::slurp(stored) == "2026120151\n");
  // From then on the state's serial counts, whatever the signed file says.
  std::filesystem::remove(f.tmp.file("zone.signed"));
  auto next = state.publish(kT0 + 10800);
  REQUIRE(next);
  CHECK(next->summary.serial == 2026120152u);
}

TEST_CASE("zone_state: status reports coverage, the next ZSK event and the KSK deadline", "[signer][zone_state]") {
  Fixture f;
  auto state = f.open();
  auto empty = state.status(kT0);
  CHECK(empty.level == StatusLevel::critical);
  CHECK_FALSE(empty.coverage_end);

  auto made = f.request(state);
  REQUIRE(state.import_response(format_response(test::answer(made.request, made.text, {&f.ksk})), "r", kT0));
  auto s = state.status(kT0 + kDay);
  CHECK(s.level == StatusLevel::ok);
  CHECK(s.coverage_end == kT0 + 40 * kDay);
  CHECK(s.ksk_deadline == kT0 + 26 * kDay);
  CHECK(s.stored_slots == 7);
  CHECK(s.active_zsks == 1);
  REQUIRE(s.next_event);
  CHECK(s.next_event->what == "publish");
  CHECK(s.next_event->time == kT0 + 28 * kDay);
  CHECK(state.status(kT0 + 30 * kDay).level == StatusLevel::warning);
  CHECK(state.status(kT0 + 38 * kDay).level == StatusLevel::critical);
  CHECK(state.status(kT0 + 45 * kDay).level == StatusLevel::critical);
}

TEST_CASE("zone_state: mutated responses are refused or taken, never a crash, and a refusal changes nothing",
          "[signer][zone_state]") {
  Fixture f;
  auto state = f.open();
  auto made = f.request(state, kT0, kT0 + 10 * kDay);
  const std::string good = format_response(test::answer(made.request, made.text, {&f.ksk}));
  std::uint32_t seed = 12345;
  auto next = [&] {
    seed = seed * 1664525u + 1013904223u;
    return seed >> 8;
  };
  std::size_t refused = 0;
  for (int i = 0; i < 300; ++i) {
    std::string text = good;
    for (int n = 1 + static_cast<int>(next() % 3); n > 0; --n) {
      std::size_t at = next() % text.size();
      switch (next() % 3) {
        case 0: text[at] = static_cast<char>(next() & 0xff); break;
        case 1: text.erase(at, 1 + next() % 40); break;
        default: text.insert(at, text.substr(next() % text.size(), 1 + next() % 40)); break;
      }
      if (text.empty()) text = "x";
    }
    const auto before = f.snapshot();
    auto r = state.import_response(text, "mutated", kT0);
    if (!r) {
      ++refused;
      CHECK(f.snapshot() == before);
    }
  }
  CHECK(refused > 250);
}

TEST_CASE("zone_state: RSA and Ed25519 ZSKs and KSKs go through request, import and publish",
          "[signer][zone_state]") {
  for (std::uint8_t alg : {std::uint8_t{8}, std::uint8_t{15}}) {
    INFO("algorithm " << unsigned{alg});
    test::TempDir tmp{"kskline-zone-alg"};
    test::spit(tmp.file("zone.db"), test::small_zone());
    auto ksk = test::make_ksk("example.org.", alg);
    ZoneInit init;
    const zone::Name root;
    init.config.zone = *zone::Name::parse("example.org.", &root);
    init.config.zone_file = tmp.file("zone.db");
    init.config.signed_file = tmp.file("zone.signed");
    init.config.algorithm = alg;
    init.config.rsa_bits = 1024;
    init.trust_anchor = test::ds_line(ksk);
    REQUIRE(ZoneState::init(tmp.file("state"), init));
    auto state = ZoneState::open(tmp.file("state"));
    REQUIRE(state);
    REQUIRE(state->pregenerate(kT0 + 40 * kDay, kT0));
    proto::testing::SeededRandom random(alg);
    auto made = state->make_request(kT0, kT0 + 35 * kDay, kT0, random);
    REQUIRE(made);
    auto imported = state->import_response(format_response(test::answer(made->request, made->text, {&ksk})), "r", kT0);
    if (!imported) FAIL(imported.error().message());
    auto published = state->publish(kT0 + 31 * kDay);
    if (!published) FAIL(published.error().message());
    zone::MasterOptions master;
    master.origin = init.config.zone;
    auto list = zone::read_master_file(published->output, master);
    REQUIRE(list);
    zone::VerifyOptions vo;
    vo.now = kT0 + 31 * kDay;
    vo.trust_anchors.push_back(zone::make_record(init.config.zone, zone::rrtype::DNSKEY, 3600, ksk.dnskey_rdata));
    auto verified = zone::verify_zone(*list, init.config.zone, vo);
    for (const auto& p : verified.problems) UNSCOPED_INFO(zone::format_problem(p));
    CHECK(verified.ok());
  }
}

TEST_CASE("zone_state: publish refuses a zone file over the configured max_records and writes nothing",
          "[signer][zone_state]") {
  Fixture f;
  { auto state = f.answered(); }
  const std::string config = f.dir + "/" + kZoneConfigFile;
  std::string text = test::slurp(config);
  const std::string line = "max_records = " + std::to_string(zone::kDefaultMaxRecords);
  REQUIRE(text.find(line) != std::string::npos);
  text.replace(text.find(line), line.size(), "max_records = 3");
  test::spit(config, text);
  auto state = f.open();
  CHECK(state.config().max_records == 3);
  auto published = state.publish(kT0 + 3600);
  REQUIRE_FALSE(published);
  CHECK(published.error().code == zone::errc::zone_too_large);
  CHECK(published.error().where == f.tmp.file("zone.db") + ":6");
  CHECK_FALSE(std::filesystem::exists(f.tmp.file("zone.signed")));
}

TEST_CASE("zone_state: the answer to the newer request wins whatever the order of import", "[signer][zone_state]") {
  Fixture f;
  std::optional<ZoneState> state(f.open());
  auto older = f.request(*state);  // made at kT0, DNSKEY TTL 1h
  // The operator changes the DNSKEY TTL; the next request, a day later, asks for it.
  state.reset();
  const std::string config_path = f.dir + "/kskline-zone.toml";
  std::string config = test::slurp(config_path);
  auto at = config.find("dnskey_ttl = ");
  REQUIRE(at != std::string::npos);
  config.replace(at, config.find('\n', at) - at, "dnskey_ttl = \"2h\"");
  test::spit(config_path, config);
  state.emplace(f.open());
  auto newer = state->make_request(kT0 + kDay, kT0 + 20 * kDay, kT0 + kDay, f.random);
  REQUIRE(newer);
  // The newer answer arrives first, the older one (a slow stick) after it.
  auto imported_newer =
      state->import_response(format_response(test::answer(newer->request, newer->text, {&f.ksk})), "newer", kT0);
  REQUIRE(imported_newer);
  auto imported_older =
      state->import_response(format_response(test::answer(older.request, older.text, {&f.ksk})), "older", kT0);
  REQUIRE(imported_older);
  auto published = state->publish(kT0 + 2 * kDay);
  REQUIRE(published);
  CHECK(published->response == imported_newer->path);
  const std::string text = test::slurp(published->output);
  CHECK(text.find("example.org.\t7200\tIN\tDNSKEY\t") != std::string::npos);
  CHECK(text.find("example.org.\t3600\tIN\tDNSKEY\t") == std::string::npos);
  // Where only the older request reaches (days 20..40), its answer is used.
  auto later = state->publish(kT0 + 25 * kDay);
  REQUIRE(later);
  CHECK(later->response == imported_older->path);
}

TEST_CASE("zone_state: a refusal is recorded against the request its envelope carried", "[signer][zone_state]") {
  Fixture f;
  auto state = f.open();
  auto made = f.request(state);
  const std::string id = made.request.id;
  CHECK(state.newest_unanswered_request() == f.dir + "/requests/" + id + ".request");
  proto::Sha256 digest{};
  digest[0] = 0x42;
  REQUIRE(state.note_sent(id, digest));
  REQUIRE(state.note_sent(id, digest));  // noted once
  CHECK(test::slurp(f.dir + "/requests/" + id + ".sent") == "42" + std::string(62, '0') + "\n");
  const std::string refusal = "kskline-refusal 1\ncode operator_declined\nmessage the operator typed no\n";

  // An envelope this state never sent, and a payload that is no refusal, change nothing.
  const auto before = f.snapshot();
  proto::Sha256 other{};
  auto stranger = state.record_refusal(other, refusal, "answer");
  REQUIRE_FALSE(stranger);
  CHECK(stranger.error().code == errc::not_our_request);
  auto garbled = state.record_refusal(digest, "kskline-refusal 1\ncode x\n", "answer");
  REQUIRE_FALSE(garbled);
  CHECK(garbled.error().code == errc::syntax);
  CHECK(f.snapshot() == before);

  auto recorded = state.record_refusal(digest, refusal, "answer");
  if (!recorded) FAIL(recorded.error().message());
  CHECK(recorded->request_id == id);
  CHECK(recorded->refusal.code == "operator_declined");
  CHECK_FALSE(recorded->again);
  CHECK(test::slurp(recorded->path) == refusal);
  CHECK(recorded->path == f.dir + "/requests/" + id + ".refused");
  auto again = state.record_refusal(digest, refusal, "answer");
  REQUIRE(again);
  CHECK(again->again);
  // A refused request is not sent again by default.
  auto none = state.newest_unanswered_request();
  REQUIRE_FALSE(none);
  CHECK(none.error().code == errc::bad_state);
}

TEST_CASE("zone_state: publish to another file or as a dry run leaves the signed file and the stored serial alone",
          "[signer][zone_state]") {
  Fixture f;
  auto state = f.answered();
  auto live = state.publish(kT0 + 3600);
  REQUIRE(live);
  CHECK(live->live);
  CHECK(live->notes.empty());  // the keyset's RRSIGs expiring before the zone's is normal
  const std::string signed_before = test::slurp(f.tmp.file("zone.signed"));
  const std::string serial_before = test::slurp(f.dir + "/published-serial");

  PublishTarget elsewhere;
  elsewhere.output = f.tmp.file("zone.test");
  auto other = state.publish(kT0 + 5 * kDay, elsewhere);
  if (!other) FAIL(other.error().message());
  CHECK_FALSE(other->live);
  CHECK(other->written);
  CHECK(other->output == f.tmp.file("zone.test"));
  CHECK(test::slurp(f.tmp.file("zone.test")).find("\tRRSIG\t") != std::string::npos);

  PublishTarget dry;
  dry.dry_run = true;
  auto dried = state.publish(kT0 + 6 * kDay, dry);
  REQUIRE(dried);
  CHECK_FALSE(dried->written);
  CHECK(dried->output == f.tmp.file("zone.signed"));
  CHECK(test::slurp(f.tmp.file("zone.signed")) == signed_before);
  CHECK(test::slurp(f.dir + "/published-serial") == serial_before);
}
