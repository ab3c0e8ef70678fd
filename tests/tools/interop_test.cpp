// kskline between the real Knot and BIND programs, end to end through the
// built binary: a Knot zone side's KSR carried by `zone relay` over a serial
// line (linesim) with link identities pinned both ways and answered by `ksk
// serve`, its SKR taken by keymgr; and a BIND 9.20 zone side's KSR answered by
// `ksk sign`, its SKR imported by named 9.20, which then serves a zone that
// dnssec-verify accepts.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "tests/signer/ksk_test_util.hpp"
#include "tests/support/knot_conf.hpp"
#include "tests/support/process.hpp"
#include "tests/support/trixie.hpp"
#include "tests/support/trixie_peers.hpp"
#include "tests/tools/cli_process.hpp"
#include "tests/transport/transport_test_util.hpp"

using namespace kskline;
using kskline::transport::testing::Process;
using kskline::transport::testing::TempDir;
using kskline::transport::testing::slurp;
using kskline::transport::testing::spit;

namespace {

namespace fs = std::filesystem;

// A kskline KSK state for example.com. in dir/ksk; returns its DS lines.
std::string ksk_state(const TempDir& dir) {
  auto init = test::run(dir, {"ksk", "init", "--zone", "example.com", "--dir", dir.file("ksk")}, "init");
  INFO(init.out << init.err);
  REQUIRE(init.status == 0);
  std::string ds;
  for (std::size_t at = init.out.find("example.com. IN DS "); at != std::string::npos;
       at = init.out.find("example.com. IN DS ", at + 1)) {
    ds += init.out.substr(at, init.out.find('\n', at) + 1 - at);
  }
  REQUIRE_FALSE(ds.empty());
  return ds;
}

}  // namespace

TEST_CASE("interop: keymgr's KSR crosses a serial line with zone relay, ksk serve answers, keymgr imports the SKR",
          "[tools][interop]") {
  if (!test::have_tool("keymgr")) FAIL("keymgr is missing: ./run setup installs knot-dnssecutils");
  TempDir dir;
  spit(dir.file("anchor.ds"), ksk_state(dir));
  // The link keys, pinned both ways: the zone side's on the laptop with
  // `ksk pin`, the laptop's on the zone side with --peer.
  REQUIRE(test::run(dir, {"link-keygen", "-o", dir.file("zone-link.id")}).status == 0);
  REQUIRE(test::run(dir, {"ksk", "pin", "--dir", dir.file("ksk"), dir.file("zone-link.id.pub")}).status == 0);
  // Knot KSRs only when they come signed by that key: what the link proved
  // reaches the policy.
  test::ksk::set_policy(dir.file("ksk"), "knot_requests", "\"authenticated\"");

  // The Knot zone side: two ZSKs, the second rolled in after 30 days, and its KSR for 60 days.
  fs::create_directories(dir.file("knot"));
  spit(dir.file("knot.conf"), test::knot_offline_conf(dir.file("knot"), "example.com."));
  const std::string keymgr = "keymgr -c " + test::shell_quote(dir.file("knot.conf")) + " example.com. ";
  REQUIRE(test::run(keymgr + "generate zsk=yes algorithm=13").status == 0);
  REQUIRE(test::run(keymgr + "generate zsk=yes algorithm=13 publish=+30d active=+32d").status == 0);
  auto ksr = test::run(keymgr + "generate-ksr +0 +60d");
  INFO(ksr.err);
  REQUIRE(ksr.status == 0);
  spit(dir.file("example.com.ksr"), ksr.out);

  test::Linesim line(dir, "115200", {"--ber", "1e-5", "--seed", "3"});
  Process serve(test::answered_yes({KSKLINE_BINARY, "ksk", "serve", "--dir", dir.file("ksk"), "--link",
                                    "serial:" + line.b + ",baud=115200", "--count", "1", "--wait", "60"}),
                dir.file("serve.err"));
  auto relayed = test::run(dir,
                           {"zone", "relay", dir.file("example.com.ksr"), "-o", dir.file("example.com.skr"),
                            "--trust-anchor", dir.file("anchor.ds"), "--link", "serial:" + line.a + ",baud=115200",
                            "--identity", dir.file("zone-link.id"), "--peer", dir.file("ksk/link.id.pub"), "--wait",
                            "60", "-q"},
                           "relay");
  auto served = test::finish(serve, dir.file("serve.err"));
  INFO(relayed.out << relayed.err << served.out << served.err);
  REQUIRE(relayed.status == 0);
  CHECK(served.status == 0);
  CHECK_THAT(served.out, Catch::Contains("served: 1 signed, 0 re-sent, 0 refused"));
  CHECK_THAT(relayed.out, Catch::Contains("keymgr example.com. import-skr " + dir.file("example.com.skr")));

  // keymgr takes what came back: validate-skr prints OK and nothing on
  // standard error (it exits 0 on invalid bundles too), import-skr stores it.
  auto validated = test::run(keymgr + "validate-skr " + test::shell_quote(dir.file("example.com.skr")));
  CHECK(validated.status == 0);
  CHECK(validated.err.empty());
  CHECK_THAT(validated.out, Catch::Contains("OK"));
  auto imported = test::run(keymgr + "import-skr " + test::shell_quote(dir.file("example.com.skr")));
  CHECK(imported.status == 0);
  CHECK(imported.err.empty());
  CHECK(test::run(dir, {"ksk", "audit", "verify", "--dir", dir.file("ksk")}).status == 0);
}

TEST_CASE("interop: keymgr 3.4's KSR answered by ksk sign passes keymgr 3.4 validate-skr and import-skr",
          "[tools][interop][trixie]") {
  test::require_trixie();
  test::Knot34 knot;
  REQUIRE(knot.zsk("generate zsk=yes algorithm=13").status == 0);
  REQUIRE(knot.zsk("generate zsk=yes algorithm=13 publish=+30d active=+32d").status == 0);
  auto ksr = knot.zsk("generate-ksr +0 +60d");
  INFO(ksr.err);
  REQUIRE(ksr.status == 0);
  spit(knot.dir.outside("example.com.ksr"), ksr.out);
  TempDir dir;
  ksk_state(dir);
  auto answered = test::run("echo yes | " + test::shell_quote(KSKLINE_BINARY) + " ksk sign --dir " +
                            test::shell_quote(dir.file("ksk")) + " " +
                            test::shell_quote(knot.dir.outside("example.com.ksr")) + " -o " +
                            test::shell_quote(knot.dir.outside("example.com.skr")));
  INFO(answered.out << answered.err);
  REQUIRE(answered.status == 0);
  auto validated = knot.zsk("validate-skr example.com.skr");
  INFO(validated.out << validated.err);
  CHECK(validated.status == 0);
  CHECK(validated.err.empty());  // validate-skr exits 0 on invalid bundles too: they go to stderr
  CHECK_THAT(validated.out, Catch::Contains("OK"));
  auto imported = knot.zsk("import-skr example.com.skr");
  CHECK(imported.status == 0);
  CHECK(imported.err.empty());
  // Every bundle kskline wrote is stored, the KSK's signatures with it.
  auto offline = knot.zsk("show-offline");
  REQUIRE(offline.status == 0);
  const std::size_t bundles = test::offline_bundles(offline.out);
  std::size_t written = 0;
  for (const auto& line : test::lines_of(slurp(knot.dir.outside("example.com.skr")))) {
    written += line.rfind(";; SignedKeyResponse 1.0 ", 0) == 0 && line.find(" generated at ") == std::string::npos;
  }
  CHECK(bundles >= 3);
  CHECK(bundles == written);
}

TEST_CASE("interop: dnssec-ksr 9.20's KSR answered by ksk sign is imported by named 9.20, which serves a valid zone",
          "[tools][interop][trixie]") {
  test::require_trixie();
  test::Bind920 bind;
  spit(bind.dir.outside("example.com.ksr"), bind.request());
  TempDir dir;
  ksk_state(dir);
  // The operator compares the digest and types yes.
  auto answered = test::run("echo yes | " + test::shell_quote(KSKLINE_BINARY) + " ksk sign --dir " +
                            test::shell_quote(dir.file("ksk")) + " " +
                            test::shell_quote(bind.dir.outside("example.com.ksr")) + " -o " +
                            test::shell_quote(bind.dir.outside("example.com.skr")));
  INFO(answered.out << answered.err);
  REQUIRE(answered.status == 0);
  // named needs the KSK's public key in its key directory, nothing more.
  const auto ksk_tags = test::copy_public_keys(dir.file("ksk/keys"), bind.dir.outside("zsk"));
  REQUIRE(ksk_tags.size() == 1);
  const std::string ksk_tag = ksk_tags[0];

  test::Named named(bind.dir, "zsk");
  REQUIRE(named.import_skr("example.com.skr"));
  const std::string answer = named.dnskey_with_ksk();
  INFO(answer);
  CHECK(answer.find("DNSKEY\t257 3 13 ") != std::string::npos);
  CHECK(answer.find(" " + ksk_tag + " example.com. ") != std::string::npos);  // the RRSIG by kskline's KSK
  auto axfr = named.dig("example.com AXFR");
  REQUIRE(axfr.status == 0);
  spit(bind.dir.outside("axfr.db"), axfr.out);
  auto verified = bind.dir.run("dnssec-verify -o example.com axfr.db");
  INFO(axfr.out + verified.out + verified.err);
  CHECK(verified.status == 0);
  CHECK((verified.out + verified.err).find("Zone fully signed") != std::string::npos);
}
