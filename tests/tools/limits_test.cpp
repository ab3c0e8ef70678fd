// Every limit of docs/hardening.md, "Limits", driven to its error in one
// place, one test each, through the public API of the module that keeps it:
// what a peer or a file can make kskline hold is bounded, and going over the
// bound is refused by name.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "proto/arq.hpp"
#include "proto/envelope.hpp"
#include "proto/errc.hpp"
#include "proto/frame.hpp"
#include "proto/session.hpp"
#include "signer/errc.hpp"
#include "signer/policy.hpp"
#include "tests/proto/sim_peer.hpp"
#include "tests/signer/ksk_test_util.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/zone/limits_test_util.hpp"
#include "transport/disk_partial_store.hpp"
#include "transport/disk_replay_ledger.hpp"
#include "transport/errc.hpp"
#include "transport/identity_file.hpp"
#include "transport/spool.hpp"
#include "zone/errc.hpp"
#include "zone/master_file.hpp"
#include "zone/zone_check.hpp"

using namespace kskline;
using kskline::test::spit;
using kskline::test::TempDir;

namespace {

// Whether the error has `code`, showing its message when it has not.
template <class Errc>
bool is(const Error& e, Errc code) {
  INFO(e.message());
  return e.code == make_error_code(code);
}

// Whether the error's message says `text`.
bool says(const Error& e, const std::string& text) {
  INFO(e.message());
  return e.message().find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("limits: an envelope over 64 MiB is too_large from its header, a smaller limit too", "[tools][limits]") {
  proto::EnvelopeSpec spec;
  spec.kind = proto::Kind::request;
  spec.payload_type = proto::PayloadType::text;
  auto env = proto::build_envelope(spec, Bytes(100, 7));
  REQUIRE(env);
  // The header claims a payload of 64 MiB: one octet over the default limit with the header and digest.
  Bytes header(env->begin(), env->begin() + 72);
  for (int i = 0; i < 8; ++i) header[64 + static_cast<std::size_t>(i)] = 0;
  header[68] = 0x04;  // 2^26
  auto h = proto::parse_envelope_header(header);
  REQUIRE_FALSE(h);
  CHECK(is(h.error(), proto::errc::too_large));
  CHECK(says(h.error(), "67108864"));
  // The limit a peer announced in its HELLO is passed the same way.
  auto small = proto::parse_envelope(*env, env->size() - 1);
  REQUIRE_FALSE(small);
  CHECK(is(small.error(), proto::errc::too_large));
  CHECK(proto::parse_envelope(*env, env->size()));
}

TEST_CASE("limits: a frame payload over 16,384 octets is refused from the frame header", "[tools][limits]") {
  proto::EngineConfig c = proto::testing::test_config();
  c.max_frame = 16385;
  auto bad = c.validate();
  REQUIRE_FALSE(bad);
  CHECK(is(bad.error(), proto::errc::invalid_argument));
  CHECK(says(bad.error(), "max_frame must be 256..16384"));
  c.max_frame = 16384;
  CHECK(c.validate());
  // A decoder asked for more keeps to 16,384: a header that claims 16,385 is dropped at once.
  proto::FrameDecoder d(100000);
  std::vector<proto::RawFrame> raws;
  d.feed(Bytes{proto::kDelimiter, 0x15, 0, 0, 0, 0, 0, 0x40, 0x01}, raws);
  CHECK(raws.empty());
  CHECK(d.stats().oversized == 1);
}

TEST_CASE("limits: a peer owed more than 256 answers is a protocol_violation, an ACK holds 16 SACK ranges", "[tools][limits]") {
  using namespace kskline::proto;
  testing::SeededRandom r(1);
  EngineConfig c = testing::test_config();
  c.window = 1024;
  Engine e(c, r, Timestamp{});
  Nonce peer{};
  peer[0] = 0x99;
  const std::uint32_t tag = testing::fake_handshake(e, peer, at_micros(1000));
  // OFFERs in order, and the engine never gets to send its answers.
  std::uint16_t sent = 0;
  for (; sent < 300 && e.phase() == Engine::Phase::established; ++sent) {
    Sha256 d{};
    d[0] = static_cast<std::uint8_t>(sent);
    d[1] = static_cast<std::uint8_t>(sent >> 8);
    Frame f{FrameType::data, 0, sent, 0, encode_record(OfferRecord{d, 1000, 4096})};
    e.handle_bytes(encode_frame(f, Encoding::binary, EscapeSet(), tag), at_micros(2000));
  }
  CHECK(e.phase() == Engine::Phase::closed);
  CHECK(sent > 256);
  std::optional<Error> closed;
  while (auto ev = e.poll_event()) {
    if (auto* c = std::get_if<event::Closed>(&*ev)) closed = c->error;
  }
  REQUIRE(closed);
  CHECK(is(*closed, errc::protocol_violation));
  CHECK(says(*closed, "floods"));
  // An ACK carries at most 16 SACK ranges: one with 17 does not parse.
  std::vector<SackRange> ranges;
  for (std::uint16_t i = 0; i < kMaxSackRanges; ++i) {
    ranges.push_back({static_cast<std::uint16_t>(2 * i), static_cast<std::uint16_t>(2 * i + 1)});
  }
  CHECK(parse_sack(encode_sack(ranges)) == ranges);
  ranges.push_back({40, 41});
  CHECK_FALSE(parse_sack(encode_sack(ranges)));
}

TEST_CASE("limits: a receiver keeps 4 partial messages and drops the least recently touched", "[tools][limits]") {
  TempDir dir;
  auto store = transport::DiskPartialStore::open(dir.file("partial"));
  REQUIRE(store);
  auto digest = [](int n) {
    proto::Sha256 d{};
    d[0] = static_cast<std::uint8_t>(n);
    return d;
  };
  for (int i = 0; i < 5; ++i) {
    REQUIRE((*store)->open(digest(i), 1000));
    REQUIRE((*store)->write(digest(i), 0, Bytes(10, 1)));
  }
  CHECK((*store)->held_bytes(digest(0)) == 0);
  for (int i = 1; i < 5; ++i) CHECK((*store)->held_bytes(digest(i)) == 10);
  // With no room at all, a message is refused by name.
  transport::DiskPartialStore::Options none;
  none.max_partials = 0;
  auto full = transport::DiskPartialStore::open(dir.file("none"), none);
  REQUIRE(full);
  auto refused = (*full)->open(digest(9), 1000);
  REQUIRE_FALSE(refused);
  CHECK(is(refused.error(), proto::errc::too_large));
}

TEST_CASE("limits: a spool inbound folder of more than 1,000 files is too_many_files, none read", "[tools][limits]") {
  TempDir dir;
  auto spool = transport::Spool::open(dir.path(), transport::Side::ksk);
  REQUIRE(spool);
  auto ledger = transport::DiskReplayLedger::open(dir.file("ledger"));
  REQUIRE(ledger);
  for (std::size_t i = 0; i <= transport::kMaxInboundEntries; ++i) {
    spit(dir.file("to-ksk/junk-" + std::to_string(i)), "x");
  }
  proto::PinnedKeys pinned;
  transport::SpoolRules rules;
  rules.policy = proto::AuthPolicy::required;
  rules.pinned = &pinned;
  bool acted = false;
  auto r = spool->receive(rules, **ledger, [&](const proto::Envelope&, ByteView) -> Result<void> {
    acted = true;
    return {};
  });
  REQUIRE_FALSE(r);
  CHECK(is(r.error(), transport::errc::too_many_files));
  CHECK(says(r.error(), "1000"));
  CHECK_FALSE(acted);
}

TEST_CASE("limits: more slots than max_slots or ZSKs than max_keys_per_slot are refused by the KSK", "[tools][limits]") {
  using namespace kskline::test::ksk;
  auto review = [](signer::KskEndpoint& e, const signer::KeyRequest& q) {
    auto r = e.review(signer::format_request(q), "request.txt", kT0);
    REQUIRE_FALSE(r);
    return r.error();
  };
  {
    KskState state;
    auto e = state.open();
    std::vector<zone::KeyPair> zsks;
    for (int i = 0; i < 5; ++i) zsks.push_back(make_zsk());
    std::vector<const zone::KeyPair*> five;
    for (const auto& k : zsks) five.push_back(&k);
    CHECK(is(review(e, make_request(five)), signer::errc::too_many_keys));
  }
  {
    KskState state;
    set_policy(state.dir, "max_slots", "2");
    auto e = state.open();
    auto zsk = make_zsk();
    CHECK(is(review(e, make_request({&zsk}, kT0, kT0, 3)), signer::errc::too_many_slots));
  }
  // No policy may allow more than 10,000 slots.
  auto config = signer::parse_config("zones = [\"example.com.\"]\n[policy]\nmax_slots = 10001\n", "ksk.toml");
  REQUIRE_FALSE(config);
  CHECK(says(config.error(), "policy.max_slots"));
}

TEST_CASE("limits: a DNSKEY RRset whose response would pass 1,232 octets is response_too_large", "[tools][limits]") {
  using namespace kskline::test::ksk;
  KskState state;
  auto e = state.open();
  std::vector<zone::KeyPair> zsks;
  for (int i = 0; i < 4; ++i) zsks.push_back(make_zsk("example.com.", 8, 2048));
  std::vector<const zone::KeyPair*> four;
  for (const auto& k : zsks) four.push_back(&k);
  auto r = e.review(signer::format_request(make_request(four, kT0, kT0, 1)), "request.txt", kT0);
  REQUIRE_FALSE(r);
  CHECK(is(r.error(), signer::errc::response_too_large));
  CHECK(says(r.error(), "1232"));
}

TEST_CASE("limits: $INCLUDE nested deeper than 8 levels is include_failed", "[tools][limits]") {
  TempDir dir;
  // top.db includes d1.db, which includes d2.db, ... d9.db: 9 levels.
  spit(dir.file("top.db"), "$TTL 300\n$INCLUDE d1.db\n");
  for (int i = 1; i < 9; ++i) spit(dir.file("d" + std::to_string(i) + ".db"), "$INCLUDE d" + std::to_string(i + 1) + ".db\n");
  spit(dir.file("d9.db"), "x TXT deep\n");
  zone::MasterOptions options;
  options.origin = *zone::Name::parse("example.");
  auto deep = zone::read_master_file(dir.file("top.db"), options);
  REQUIRE_FALSE(deep);
  CHECK(is(deep.error(), zone::errc::include_failed));
  CHECK(says(deep.error(), "deeper than 8 levels"));
  CHECK(deep.error().where == dir.file("d8.db") + ":1");
  // Eight levels read.
  spit(dir.file("d8.db"), "x TXT deep\n");
  CHECK(zone::read_master_file(dir.file("top.db"), options));
}

TEST_CASE("limits: a link identity or public key file over 4,096 octets is refused unread", "[tools][limits]") {
  TempDir dir;
  auto written = transport::new_identity_files(dir.file("link.id"));
  REQUIRE(written);
  CHECK(transport::read_public_key(dir.file("link.id.pub")));
  for (const std::string file : {"link.id", "link.id.pub"}) {
    std::string text = test::slurp(dir.file(file));
    text += "# " + std::string(4096, 'x') + "\n";
    spit(dir.file(file), text);
    std::filesystem::permissions(dir.file(file), std::filesystem::perms(0600));
  }
  auto secret = transport::read_identity_file(dir.file("link.id"));
  REQUIRE_FALSE(secret);
  CHECK(is(secret.error(), base::errc::io_error));
  CHECK(says(secret.error(), "larger than 4096"));
  auto pub = transport::read_public_key(dir.file("link.id.pub"));
  REQUIRE_FALSE(pub);
  CHECK(says(pub.error(), "larger than 4096"));
}

TEST_CASE("limits: a zone of more records than max_records (100,000,000 by default) is zone_too_large",
          "[tools][limits]") {
  CHECK(zone::MasterOptions{}.max_records == 100'000'000);
  zone::MasterOptions options;
  options.origin = *zone::Name::parse("example.");
  options.max_records = 1000;
  CHECK(zone::read_master_text(test::zone_of_records(1000), "zone.db", options));
  auto over = zone::read_master_text(test::zone_of_records(1001), "zone.db", options);
  REQUIRE_FALSE(over);
  CHECK(is(over.error(), zone::errc::zone_too_large));
  CHECK(over.error().where == "zone.db:1002");
  CHECK(says(over.error(), "more than 1000 records"));
}

TEST_CASE("limits: an RRset over 65,535 octets in wire form is rrset_too_large", "[tools][limits]") {
  const auto origin = *zone::Name::parse("example.");
  zone::MasterOptions options;
  options.origin = origin;
  auto fits = zone::read_master_text(test::big_rrset_zone(257), "zone.db", options);
  REQUIRE(fits);
  CHECK(zone::check_zone(*fits, origin).problems.empty());
  auto over = zone::read_master_text(test::big_rrset_zone(258), "zone.db", options);
  REQUIRE(over);
  auto report = zone::check_zone(*over, origin);
  REQUIRE(report.problems.size() == 1);
  CHECK(is(report.problems[0], zone::errc::rrset_too_large));
  CHECK(report.problems[0].where == "zone.db:" + std::to_string(test::kBigRRsetFirstLine + 257));
  CHECK(says(report.problems[0], "big.example. TXT"));
}
