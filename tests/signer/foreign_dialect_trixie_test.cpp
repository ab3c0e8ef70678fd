// The dialects against the programs of Debian 13 (tests/support/trixie.hpp):
// keymgr 3.4, dnssec-ksr 9.20 and named 9.20, run in the root `./run setup`
// makes. A missing root is a failure naming `./run setup`, not a skip.
#include <catch2/catch.hpp>

#include <set>
#include <sstream>

#include "signer/foreign_dialect.hpp"
#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/trixie.hpp"
#include "tests/support/trixie_peers.hpp"
#include "zone/key_tag.hpp"
#include "zone/rr_types.hpp"

using namespace kskline;
using namespace kskline::signer;

namespace {

using test::Bind920;
using test::Knot34;
using test::Named;
using test::lines_of;
using test::require_trixie;

std::set<std::uint16_t> tags_of(const ForeignBundle& bundle, std::uint16_t type = zone::rrtype::DNSKEY) {
  std::set<std::uint16_t> out;
  for (const auto& r : bundle.records) {
    if (r.type == type) out.insert(zone::key_tag(r.rdata));
  }
  return out;
}

// The key tags of a key directory's "K<zone>+<alg>+<tag>.key" files.
std::set<std::uint16_t> key_file_tags(const std::string& dir) {
  std::set<std::uint16_t> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto name = entry.path().filename().string();
    if (name.size() > 9 && name.compare(name.size() - 4, 4, ".key") == 0) {
      out.insert(static_cast<std::uint16_t>(std::stoul(name.substr(name.size() - 9, 5))));
    }
  }
  return out;
}

}  // namespace

TEST_CASE("foreign_dialect: a KSR from keymgr 3.4 reads, and an SKR kskline writes passes keymgr 3.4 validate-skr and import-skr",
          "[signer][foreign_dialect][trixie]") {
  require_trixie();
  Knot34 knot;
  REQUIRE(knot.zsk("generate zsk=yes algorithm=13").status == 0);
  REQUIRE(knot.zsk("generate zsk=yes algorithm=13 publish=+30d active=+35d").status == 0);
  REQUIRE(knot.ksk("generate ksk=yes algorithm=13 publish=-1d ready=-1d active=-1d").status == 0);
  auto ksr = knot.zsk("generate-ksr +0 +90d");
  INFO(ksr.err);
  REQUIRE(ksr.status == 0);
  REQUIRE(ksr.err.empty());

  auto request = parse_foreign(ksr.out, "ksr", ForeignKind::request);
  INFO(ksr.out);
  REQUIRE(request);
  CHECK(request->dialect == Dialect::knot);
  CHECK(request->generator.rfind("Knot DNS 3.4", 0) == 0);
  REQUIRE(request->bundles.size() >= 3);
  CHECK(request->bundles.back().time - request->bundles.front().time == 90 * 86400);
  CHECK(tags_of(request->bundles.front()).size() == 1);
  CHECK(tags_of(request->bundles.back()).size() == 2);
  CHECK(format_foreign(*request) == ksr.out);  // kskline's Knot writer prints what keymgr 3.4 printed

  // keymgr 3.4 signs kskline's rewrite of the KSR; the SKR goes through
  // kskline's model and back out, and the ZSK side takes it.
  test::spit(knot.dir.outside("ours.ksr"), format_foreign(from_key_request(to_key_request(*request), Dialect::knot)));
  auto skr = knot.ksk("sign-ksr ours.ksr");
  INFO(skr.err);
  REQUIRE(skr.status == 0);
  REQUIRE(skr.err.empty());
  auto response = parse_foreign(skr.out, "skr", ForeignKind::response);
  REQUIRE(response);
  const auto text = format_foreign(from_key_response(to_key_response(*response), Dialect::knot, "kskline test"));
  test::spit(knot.dir.outside("ours.skr"), text);
  INFO(text);
  auto validated = knot.zsk("validate-skr ours.skr");
  CHECK(validated.status == 0);
  CHECK(validated.err.empty());  // validate-skr exits 0 on errors too; they go to stderr
  CHECK(validated.out.find("OK") != std::string::npos);
  auto imported = knot.zsk("import-skr ours.skr");
  CHECK(imported.status == 0);
  CHECK(imported.err.empty());
  auto offline = knot.zsk("show-offline");
  REQUIRE(offline.status == 0);
  CHECK(test::offline_bundles(offline.out) == response->bundles.size());

  // The check is real: a changed signature makes validate-skr 3.4 complain.
  auto bad = text;
  auto sig = bad.find("RRSIG DNSKEY");
  sig = bad.find("\t\t\t\t", bad.find('\n', bad.find('\n', sig) + 1)) + 4;
  bad[sig] = bad[sig] == 'A' ? 'B' : 'A';
  test::spit(knot.dir.outside("bad.skr"), bad);
  CHECK_FALSE(knot.zsk("validate-skr bad.skr").err.empty());
}

TEST_CASE("foreign_dialect: dnssec-ksr 9.20 keygen and request give a KSR kskline reads as BIND's, and dnssec-ksr signs kskline's rewrite",
          "[signer][foreign_dialect][trixie]") {
  require_trixie();
  Bind920 bind;
  const auto ksr = bind.request();
  INFO(ksr);
  REQUIRE(detect_dialect(ksr, "ksr") == Dialect::bind);
  auto request = parse_foreign(ksr, "ksr", ForeignKind::request);
  REQUIRE(request);
  CHECK(request->dialect == Dialect::bind);
  CHECK(request->generator.rfind("9.20", 0) == 0);
  REQUIRE(request->bundles.size() >= 2);
  std::set<std::uint16_t> tags;
  for (const auto& b : request->bundles) {
    CHECK_FALSE(tags_of(b).empty());
    for (auto t : tags_of(b)) tags.insert(t);
    for (const auto& r : b.records) CHECK(r.ttl == 3600);
  }
  CHECK(tags == key_file_tags(bind.dir.outside("zsk")));  // every ZSK dnssec-ksr made, and no other key
  CHECK(to_key_request(*request).dnskey_ttl == 3600);

  // kskline's BIND writer: dnssec-ksr sign reads it and answers every bundle.
  test::spit(bind.dir.outside("ours.ksr"), format_foreign(from_key_request(to_key_request(*request), Dialect::bind)));
  auto skr = parse_foreign(bind.sign("ours.ksr"), "skr", ForeignKind::response);
  REQUIRE(skr);
  std::set<std::int64_t> skr_times;
  for (const auto& b : skr->bundles) skr_times.insert(b.time);
  for (const auto& b : request->bundles) CHECK(skr_times.count(b.time) == 1);
}

TEST_CASE("foreign_dialect: named 9.20 imports an SKR kskline writes in BIND's dialect and serves the KSK with its RRSIG",
          "[signer][foreign_dialect][trixie]") {
  require_trixie();
  Bind920 bind;
  test::spit(bind.dir.outside("bind.ksr"), bind.request());
  auto signed_by_bind = parse_foreign(bind.sign("bind.ksr"), "skr", ForeignKind::response);
  REQUIRE(signed_by_bind);
  const auto text = format_foreign(from_key_response(to_key_response(*signed_by_bind), Dialect::bind));
  test::spit(bind.dir.outside("ours.skr"), text);
  INFO(text);
  // named's key directory: the ZSKs and the KSK's public key, not its private key.
  const auto ksk_tags = test::copy_public_keys(bind.dir.outside("ksk"), bind.dir.outside("zsk"));
  REQUIRE(ksk_tags.size() == 1);
  const std::string ksk_tag = ksk_tags[0];

  Named named(bind.dir, "zsk");
  // Before the import named has no KSK to serve.
  CHECK(named.dig("example.com DNSKEY").out.find("DNSKEY\t257 ") == std::string::npos);
  test::spit(bind.dir.outside("broken.skr"), text.substr(0, text.find("\n;; SignedKeyResponse 1.0 generated")) + "\nexample.com. 3600 IN\n");
  CHECK_FALSE(named.import_skr("broken.skr"));  // the log tells a refused SKR apart
  REQUIRE(named.import_skr("ours.skr"));

  const std::string answer = named.dnskey_with_ksk();
  INFO(answer);
  CHECK(answer.find("DNSKEY\t257 3 13 ") != std::string::npos);
  CHECK(answer.find("RRSIG\tDNSKEY 13 2 3600 ") != std::string::npos);
  CHECK(answer.find(" " + ksk_tag + " example.com. ") != std::string::npos);  // the RRSIG by the KSK

  auto axfr = named.dig("example.com AXFR");
  REQUIRE(axfr.status == 0);
  test::spit(bind.dir.outside("axfr.db"), axfr.out);
  auto verified = bind.dir.run("dnssec-verify -o example.com axfr.db");
  INFO(axfr.out + verified.out + verified.err);
  CHECK(verified.status == 0);
  CHECK((verified.out + verified.err).find("Zone fully signed") != std::string::npos);
}
