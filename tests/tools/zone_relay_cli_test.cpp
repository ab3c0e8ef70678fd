// `kskline zone relay` over a spool (a USB stick): the KSR posted and noted,
// the KSK side's answer taken on the next run, checked against the trust
// anchor and written as received; refusals and bad answers leave the SKR
// unwritten and the note in place. The KSK side here is played by the
// signer library with real keys (tests/signer/test_ksk.hpp); the tests with
// `kskline ksk serve` answering are with the KSK side's foreign-request tests.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "proto/envelope.hpp"
#include "signer/errc.hpp"
#include "signer/fingerprint.hpp"
#include "signer/foreign_dialect.hpp"
#include "signer/refusal.hpp"
#include "tests/signer/test_ksk.hpp"
#include "tests/support/process.hpp"
#include "tests/tools/cli_process.hpp"
#include "tests/transport/transport_test_util.hpp"
#include "transport/file_transfer.hpp"
#include "transport/outgoing_envelope.hpp"
#include "transport/sodium_random.hpp"
#include "transport/spool.hpp"

using namespace kskline;
using kskline::test::kDay;
using kskline::test::kT0;
using kskline::transport::testing::TempDir;
using kskline::transport::testing::slurp;
using kskline::transport::testing::spit;

namespace {

namespace fs = std::filesystem;

const zone::Name& example() {
  static const zone::Name root;
  static const zone::Name name = *zone::Name::parse("example.org.", &root);
  return name;
}

// A fresh ZSK (flags 256) of example.org.
zone::KeyPair make_zsk() {
  auto key = zone::PrivateKey::generate(13);
  REQUIRE(key);
  auto pair = zone::make_key_pair(example(), 256, std::move(*key));
  REQUIRE(pair);
  return std::move(*pair);
}

// A Knot KSR for two weeks of one fresh ZSK, the KSK that answers it, and
// the zone side's files: ksr, anchor (the KSK's DS), the stick.
struct Relay {
  TempDir dir;
  zone::KeyPair ksk = test::make_ksk();
  zone::KeyPair zsk = make_zsk();
  signer::ForeignDocument ksr;
  std::string ksr_file = dir.file("example.org.ksr");
  std::string skr_file = dir.file("example.org.skr");
  std::string stick = dir.file("stick");

  Relay() {
    signer::KeyRequest request;
    request.zone = example();
    request.created = kT0;
    request.dnskey_ttl = 3600;
    for (int i = 0; i < 2; ++i) {
      signer::RequestSlot slot;
      slot.start = kT0 + i * 7 * kDay;
      slot.end = slot.start + 7 * kDay;
      slot.zsks.push_back(zone::make_record(example(), zone::rrtype::DNSKEY, 3600, zsk.dnskey_rdata));
      request.slots.push_back(std::move(slot));
    }
    ksr = signer::from_key_request(request, signer::Dialect::knot, "Knot DNS 3.2.6");
    spit(ksr_file, signer::format_foreign(ksr));
    spit(dir.file("anchor"), test::ds_line(ksk));
    fs::create_directories(stick);
  }

  // `kskline zone relay` of the KSR over the stick.
  test::Ran relay(const std::string& tag = "relay") {
    return test::run(dir, {"zone", "relay", ksr_file, "-o", skr_file, "--trust-anchor", dir.file("anchor"), "--link",
                           "spool:" + stick},
                     tag);
  }

  // The SKR the KSK side answers with, signed by `signer_key`: a bundle at
  // each KSR bundle, each valid from an hour before to a day after the next.
  // (`altered`: the last octet of the first RRSIG's signature flipped.)
  std::string skr(const zone::KeyPair& signer_key, bool altered = false) const {
    signer::KeyRequest slots;
    slots.zone = example();
    slots.created = kT0 + 60;
    slots.dnskey_ttl = 3600;
    for (std::size_t i = 0; i < ksr.bundles.size(); ++i) {
      signer::RequestSlot s;
      s.start = ksr.bundles[i].time;
      s.end = i + 1 < ksr.bundles.size() ? ksr.bundles[i + 1].time : s.start + 14 * kDay;
      s.inception = s.start - 3600;
      s.expiration = s.end + kDay;
      s.zsks = ksr.bundles[i].records;
      slots.slots.push_back(std::move(s));
    }
    auto response = test::answer(slots, "ksr", {&signer_key});
    if (altered) {
      for (auto& r : response.slots.front().records) {
        if (r.type != zone::rrtype::RRSIG) continue;
        r.rdata.back() ^= 0x01;
        break;
      }
    }
    return signer::format_foreign(signer::from_key_response(response, signer::Dialect::knot));
  }

  // The KSR envelope the relay posted (the only file in to-ksk/).
  Bytes posted() const {
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(stick + "/to-ksk")) {
      if (e.is_regular_file()) files.push_back(e.path());
    }
    REQUIRE(files.size() == 1);
    const std::string text = slurp(files[0]);
    return Bytes(text.begin(), text.end());
  }

  // Posts the KSK side's answer to the posted KSR into to-zone/.
  void answer(proto::Kind kind, proto::PayloadType type, const std::string& payload) const {
    auto digest = proto::trailing_digest(posted());
    REQUIRE(digest);
    proto::EnvelopeSpec spec;
    spec.kind = kind;
    spec.payload_type = type;
    spec.in_reply_to = *digest;
    spec.counter = transport::spool_counter();
    transport::SodiumRandom random;
    auto envelope = transport::outgoing_envelope(spec, as_bytes(payload), nullptr, random);
    REQUIRE(envelope);
    auto spool = transport::Spool::open(stick, transport::Side::ksk);
    REQUIRE(spool);
    REQUIRE(spool->post(*envelope));
  }
};

}  // namespace

TEST_CASE("zone_relay: a KSR crosses a USB stick and the checked SKR comes back, as received",
          "[tools][zone_relay]") {
  Relay r;
  auto posted = r.relay("post");
  INFO(posted.out << posted.err);
  REQUIRE(posted.status == 0);
  // The operator reads the digest and words the KSK screen will show.
  CHECK_THAT(posted.out, Catch::Contains(signer::digest_lines(signer::text_sha256(slurp(r.ksr_file)))));
  CHECK(fs::exists(r.skr_file + ".pending"));
  const Bytes envelope = r.posted();  // parse_envelope views these bytes
  auto env = proto::parse_envelope(envelope);
  REQUIRE(env);
  CHECK(env->header.kind == proto::Kind::request);
  CHECK(env->header.payload_type == proto::PayloadType::knot_ksr);
  CHECK(std::string(env->payload.begin(), env->payload.end()) == slurp(r.ksr_file));

  // Back before the KSK side answered: nothing yet, nothing written.
  auto early = r.relay("early");
  CHECK(early.status == 1);
  CHECK_THAT(early.err, Catch::Contains("no answer to the KSR posted"));
  CHECK_FALSE(fs::exists(r.skr_file));

  const std::string skr = r.skr(r.ksk);
  r.answer(proto::Kind::response, proto::PayloadType::knot_skr, skr);
  auto taken = r.relay("take");
  INFO(taken.out << taken.err);
  REQUIRE(taken.status == 0);
  CHECK(slurp(r.skr_file) == skr);
  CHECK_THAT(taken.out, Catch::Contains("keymgr example.org. import-skr " + r.skr_file));
  CHECK_FALSE(fs::exists(r.skr_file + ".pending"));
  CHECK(test::kske_files(r.stick + "/to-zone").empty());
  CHECK(test::kske_files(r.stick + "/to-zone/done").size() == 1);
}

TEST_CASE("zone_relay: an answer that fails the checks or a refusal writes no SKR", "[tools][zone_relay]") {
  Relay r;
  REQUIRE(r.relay("post").status == 0);

  SECTION("signed by a KSK the anchor does not know: refused, the answer and the note stay") {
    const auto impostor = test::make_ksk();
    r.answer(proto::Kind::response, proto::PayloadType::knot_skr, r.skr(impostor));
    auto taken = r.relay("take");
    CHECK(taken.status == 1);
    CHECK_THAT(taken.err, Catch::Contains("untrusted_key"));
    CHECK_FALSE(fs::exists(r.skr_file));
    CHECK(fs::exists(r.skr_file + ".pending"));
    CHECK(test::kske_files(r.stick + "/to-zone").size() == 1);
  }
  SECTION("a signature altered on the way: refused, nothing written") {
    r.answer(proto::Kind::response, proto::PayloadType::knot_skr, r.skr(r.ksk, true));
    auto taken = r.relay("take");
    CHECK(taken.status == 1);
    CHECK_THAT(taken.err, Catch::Contains("bad_signature"));
    CHECK_FALSE(fs::exists(r.skr_file));
  }
  SECTION("a truncated SKR: refused naming the line") {
    std::string skr = r.skr(r.ksk);
    skr.resize(skr.size() / 2);
    r.answer(proto::Kind::response, proto::PayloadType::knot_skr, skr);
    auto taken = r.relay("take");
    CHECK(taken.status == 1);
    CHECK_THAT(taken.err, Catch::Contains("the answer:"));
    CHECK_FALSE(fs::exists(r.skr_file));
  }
  SECTION("an SKR in BIND's dialect to a Knot KSR") {
    r.answer(proto::Kind::response, proto::PayloadType::bind_skr, r.skr(r.ksk));
    auto taken = r.relay("take");
    CHECK(taken.status == 1);
    CHECK_FALSE(fs::exists(r.skr_file));
  }
  SECTION("the KSK side's refusal: reported by name, the note done") {
    const Error why{signer::errc::continuity_broken, "slot 2", "ZSK 12345 was not signed for this period"};
    r.answer(proto::Kind::error, proto::PayloadType::text, signer::format_refusal(why));
    auto taken = r.relay("take");
    CHECK(taken.status == 1);
    CHECK_THAT(taken.err, Catch::Contains("continuity_broken"));
    CHECK_FALSE(fs::exists(r.skr_file));
    CHECK_FALSE(fs::exists(r.skr_file + ".pending"));
  }
}

TEST_CASE("zone_relay: what is not a Knot or BIND KSR, or a note of another KSR, is refused",
          "[tools][zone_relay]") {
  Relay r;
  SECTION("a kskline request names the command that sends it") {
    spit(r.ksr_file, "kskline-request 1\n");
    auto ran = r.relay();
    CHECK(ran.status == 1);
    CHECK_THAT(ran.err, Catch::Contains("kskline zone submit"));
  }
  SECTION("a truncated KSR (no footer) names its file") {
    std::string text = slurp(r.ksr_file);
    spit(r.ksr_file, text.substr(0, text.rfind(";; KeySigningRequest")));
    auto ran = r.relay();
    CHECK(ran.status == 1);
    CHECK_THAT(ran.err, Catch::Contains(r.ksr_file));
    CHECK_FALSE(fs::exists(r.skr_file + ".pending"));
  }
  SECTION("a note of another KSR is not overwritten") {
    REQUIRE(r.relay("post").status == 0);
    const std::string note = slurp(r.skr_file + ".pending");
    spit(r.ksr_file, slurp(r.ksr_file) + "\n");  // another text, another digest
    auto ran = r.relay("other");
    CHECK(ran.status == 1);
    CHECK_THAT(ran.err, Catch::Contains("not_our_request"));
    CHECK(slurp(r.skr_file + ".pending") == note);
  }
  SECTION("the trust anchor is required") {
    auto ran = test::run(r.dir, {"zone", "relay", r.ksr_file, "-o", r.skr_file, "--link", "spool:" + r.stick});
    CHECK(ran.status == 2);
  }
}
