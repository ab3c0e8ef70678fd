// The KSK endpoint answering Knot and BIND requests: the expansion into
// slots by the policy's timing, signatures checked with kskline's verifier
// against the KSK, the ledger keyed by the text's SHA-256, and the named
// refusals of foreign requests (state as before apart from the entry).
#include <catch2/catch.hpp>

#include <filesystem>

#include "base/encoding.hpp"
#include "signer/audit_log.hpp"
#include "signer/errc.hpp"
#include "signer/foreign_dialect.hpp"
#include "signer/ksk_endpoint.hpp"
#include "tests/signer/ksk_test_util.hpp"
#include "zone/rrsig.hpp"

using namespace kskline;
using namespace kskline::test::ksk;

namespace {

// A foreign KSR of `dialect` for two 14-day slots of `zsks` from kT0.
std::string foreign_ksr(const std::vector<const zone::KeyPair*>& zsks, signer::Dialect dialect,
                        std::int64_t start = kT0) {
  return signer::format_foreign(signer::from_key_request(make_request(zsks, kT0, start), dialect));
}

// The number of files in the ledger directory of `dir`.
std::size_t ledger_files(const std::string& dir) {
  std::size_t n = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir + "/ledger")) n += f.is_regular_file();
  return n;
}

// Reviews and must refuse with `code`; checks that only a "refused" entry was added.
void refused_with(const KskState& state, const std::string& text, signer::errc code,
                  const signer::ReviewContext& context = {}) {
  auto e = state.open();
  auto before = signer::read_audit_log(e.audit_path());
  REQUIRE(before);
  std::size_t files = ledger_files(state.dir);
  auto r = e.review(text, "ksr.txt", kT0, context);
  REQUIRE_FALSE(r);
  INFO(r.error().message());
  CHECK(r.error().code == signer::make_error_code(code));
  auto after = signer::read_audit_log(e.audit_path());
  REQUIRE(after);
  REQUIRE(after->size() == before->size() + 1);
  CHECK(after->back().decision == signer::audit_decision::refused);
  CHECK(ledger_files(state.dir) == files);
}

}  // namespace

TEST_CASE("foreign_request: a BIND KSR is answered in BIND's dialect with RRSIGs that verify against the KSK",
          "[signer][foreign_request]") {
  KskState state;
  auto e = state.open();
  auto zsk = make_zsk();
  std::string ksr = foreign_ksr({&zsk}, signer::Dialect::bind);
  auto review = e.review(ksr, "ksr.txt", kT0);
  INFO((review ? std::string() : review.error().message()));
  REQUIRE(review);
  CHECK(review->dialect == signer::Dialect::bind);
  CHECK(review->request.id == base::to_hex(ByteView(review->digest.data(), 16)));
  auto text = e.sign(*review, kT0);
  REQUIRE(text);
  REQUIRE(signer::detect_dialect(*text, "skr") == signer::Dialect::bind);
  auto skr = signer::parse_foreign(*text, "skr", signer::ForeignKind::response);
  INFO((skr ? std::string() : skr.error().message()));
  REQUIRE(skr);
  // Bundles at kT0 and kT0 + 14 d; a new bundle every 14 d - 7 d.
  std::vector<std::int64_t> times;
  for (const auto& b : skr->bundles) times.push_back(b.time);
  CHECK(times == std::vector<std::int64_t>{kT0, kT0 + 7 * kDay, kT0 + 14 * kDay});
  auto ksk = e.ksks(skr->zone).front();
  auto verifier = zone::RrsigVerifier::create(skr->zone, ksk->dnskey_rdata);
  REQUIRE(verifier);
  for (std::size_t i = 0; i < skr->bundles.size(); ++i) {
    INFO("bundle " << i + 1);
    const auto& records = skr->bundles[i].records;
    // BIND's KSR has no bundle at its end: the last bundle's RRSIGs last the full validity.
    const bool last = i + 1 == skr->bundles.size();
    std::int64_t end = last ? skr->bundles[i].time + 14 * kDay - 1 : skr->bundles[i + 1].time;
    std::size_t sigs = 0;
    for (const auto& r : records) {
      if (r.type != zone::rrtype::RRSIG) continue;
      CHECK(r.ttl == 3600);  // BIND: every TTL the DNSKEY TTL
      auto sig = zone::parse_rrsig(r.rdata);
      REQUIRE(sig);
      std::vector<zone::Record> rrset;
      for (const auto& x : records) {
        if (x.type == sig->type_covered) rrset.push_back(x);
      }
      CHECK(verifier->verify(*sig, rrset).status == zone::VerifyStatus::valid);
      CHECK(sig->inception == static_cast<std::uint32_t>(skr->bundles[i].time - kHour));
      // No RRSIG expires inside its bundle's period, the last covers the requested end.
      CHECK(static_cast<std::int64_t>(sig->expiration) > end);
      ++sigs;
    }
    CHECK(sigs == 3);
  }
  CHECK(std::filesystem::exists(state.dir + "/ledger/" + review->request.id + ".slots"));
}

TEST_CASE("foreign_request: a re-sent identical KSR gets the stored answer and a resent entry",
          "[signer][foreign_request]") {
  KskState state;
  auto e = state.open();
  auto zsk = make_zsk();
  std::string ksr = foreign_ksr({&zsk}, signer::Dialect::knot);
  auto first = e.review(ksr, "ksr.txt", kT0);
  REQUIRE(first);
  auto answer = e.sign(*first, kT0);
  REQUIRE(answer);
  auto again = e.review(ksr, "ksr.txt", kT0 + kHour);
  REQUIRE(again);
  REQUIRE(again->stored_response);
  auto second = e.sign(*again, kT0 + kHour);
  REQUIRE(second);
  CHECK(*second == *answer);
  auto log = signer::read_audit_log(e.audit_path());
  REQUIRE(log);
  CHECK(log->back().decision == signer::audit_decision::resent);
}

TEST_CASE("foreign_request: Knot answers give CDS and CDNSKEY TTL 0 and inception 90 min early",
          "[signer][foreign_request]") {
  KskState state;
  auto e = state.open();
  auto zsk = make_zsk();
  auto review = e.review(foreign_ksr({&zsk}, signer::Dialect::knot), "ksr.txt", kT0);
  REQUIRE(review);
  auto text = e.sign(*review, kT0);
  REQUIRE(text);
  auto skr = signer::parse_foreign(*text, "skr", signer::ForeignKind::response);
  REQUIRE(skr);
  // Knot's final bundle at the requested end is signed too.
  CHECK(skr->bundles.back().time == kT0 + 28 * kDay);
  for (const auto& r : skr->bundles.front().records) {
    if (r.type == zone::rrtype::CDS || r.type == zone::rrtype::CDNSKEY) CHECK(r.ttl == 0);
    if (r.type == zone::rrtype::DNSKEY) CHECK(r.ttl == 3600);
    if (r.type == zone::rrtype::RRSIG) {
      auto sig = zone::parse_rrsig(r.rdata);
      REQUIRE(sig);
      CHECK(sig->inception == static_cast<std::uint32_t>(kT0 - 90 * 60));
    }
  }
}

TEST_CASE("foreign_request: a KSK among the request's keys is refused", "[signer][foreign_request]") {
  KskState state;
  auto ksk = make_zsk("example.com.", 13, 0, 257);
  refused_with(state, foreign_ksr({&ksk}, signer::Dialect::bind), signer::errc::bad_zsk_flags);
}

TEST_CASE("foreign_request: the KSK side's own KSK in the request is refused", "[signer][foreign_request]") {
  KskState state;
  // The KSK's own key file, read again, its key under ZSK flags.
  std::string file;
  for (const auto& f : std::filesystem::directory_iterator(state.dir + "/keys")) {
    if (f.path().extension() == ".private") file = f.path().string();
  }
  auto pair = zone::read_key_pair(file);
  REQUIRE(pair);
  auto own = zone::make_key_pair(pair->owner, 256, std::move(pair->key));
  REQUIRE(own);
  refused_with(state, foreign_ksr({&*own}, signer::Dialect::knot), signer::errc::own_ksk_in_request);
}

TEST_CASE("foreign_request: wrong owner, truncated Knot file and policy never are refused",
          "[signer][foreign_request]") {
  KskState state;
  auto zsk = make_zsk();
  auto other = make_zsk("example.net.");
  refused_with(state,
               signer::format_foreign(signer::from_key_request(
                   make_request({&other}, kT0, kT0, 2, "example.net."), signer::Dialect::bind)),
               signer::errc::zone_not_allowed);
  std::string knot = foreign_ksr({&zsk}, signer::Dialect::knot);
  std::string truncated = knot.substr(0, knot.rfind(";; KeySigningRequest 1.0 generated"));
  refused_with(state, truncated, signer::errc::syntax);
  set_policy(state.dir, "knot_requests", "\"never\"");
  refused_with(state, knot, signer::errc::foreign_not_accepted);
}

TEST_CASE("foreign_request: policy authenticated refuses an unauthenticated KSR, confirmed leaves it to the operator",
          "[signer][foreign_request]") {
  KskState state;
  auto zsk = make_zsk();
  std::string bind = foreign_ksr({&zsk}, signer::Dialect::bind);
  {
    set_policy(state.dir, "auto_approve", "\"always\"");
    auto e = state.open();
    auto r = e.review(bind, "ksr.txt", kT0);
    REQUIRE(r);
    CHECK_FALSE(r->auto_approvable);  // --batch refuses it
    auto authenticated = e.review(bind, "link", kT0, signer::ReviewContext{true});
    REQUIRE(authenticated);
    CHECK(authenticated->auto_approvable);
  }
  set_policy(state.dir, "bind_requests", "\"authenticated\"");
  refused_with(state, bind, signer::errc::foreign_not_accepted);
  auto e = state.open();
  CHECK(e.review(bind, "link", kT0, signer::ReviewContext{true}));
}

TEST_CASE("foreign_request: continuity holds across dialects", "[signer][foreign_request]") {
  KskState state;
  auto zsk = make_zsk(), other = make_zsk();
  {
    auto e = state.open();
    auto r = e.review(foreign_ksr({&zsk}, signer::Dialect::knot), "ksr.txt", kT0);
    REQUIRE(r);
    REQUIRE(e.sign(*r, kT0));
  }
  // A BIND request for a signed period with other ZSKs.
  refused_with(state, foreign_ksr({&other}, signer::Dialect::bind, kT0 + 7 * kDay),
               signer::errc::continuity_broken);
}
