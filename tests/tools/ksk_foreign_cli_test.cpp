// `kskline ksk sign` on Knot KSRs written by the real keymgr: the answer
// passes keymgr validate-skr and import-skr, a re-sent KSR gets the same
// answer, and --batch refuses an unauthenticated foreign request.
#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/tools/cli_process.hpp"

using namespace kskline;

namespace {

// A Knot ZSK side (offline-ksk, manual ZSKs) and a kskline KSK state.
struct ForeignCli {
  test::TempDir tmp{"kskline-ksk-foreign"};
  std::string ksk = tmp.file("ksk");
  std::string conf = tmp.file("zsk.conf");

  ForeignCli() {
    std::filesystem::create_directories(tmp.file("zsk"));
    std::string storage = tmp.file("zsk");
    test::spit(conf, "database:\n    storage: " + storage + "\ntemplate:\n  - id: default\n    storage: " + storage +
                         "\npolicy:\n  - id: offline\n    algorithm: ecdsap256sha256\n    offline-ksk: on\n"
                         "    manual: on\n    dnskey-ttl: 3600\n    zone-max-ttl: 3600\n    propagation-delay: 0\n"
                         "zone:\n  - domain: example.com.\n    dnssec-signing: on\n    dnssec-policy: offline\n");
    auto r = test::kskline("ksk init --zone example.com --dir " + test::shell_quote(ksk) + " 2>&1");
    INFO(r.out);
    REQUIRE(r.status == 0);
  }
  test::CommandResult keymgr(const std::string& args) const {
    return test::run("keymgr -c " + test::shell_quote(conf) + " example.com. " + args);
  }
  test::CommandResult sign(const std::string& file, const std::string& out, const std::string& extra = "") const {
    return test::run("echo yes | " + test::shell_quote(KSKLINE_BINARY) + " ksk sign " + test::shell_quote(file) +
                     " -o " + test::shell_quote(out) + " --dir " + test::shell_quote(ksk) + " " + extra + " 2>&1");
  }
};

}  // namespace

TEST_CASE("ksk_foreign_cli: a keymgr KSR signed by ksk sign passes validate-skr and import-skr",
          "[tools][ksk_foreign_cli][knot]") {
  if (!test::have_tool("keymgr")) {
    WARN("keymgr not installed: skipped");
    return;
  }
  ForeignCli c;
  REQUIRE(c.keymgr("generate zsk=yes algorithm=13").status == 0);
  REQUIRE(c.keymgr("generate zsk=yes algorithm=13 publish=+30d active=+35d").status == 0);
  auto ksr = c.keymgr("generate-ksr +0 +90d");
  REQUIRE(ksr.status == 0);
  std::string ksr_file = c.tmp.file("knot.ksr"), skr_file = c.tmp.file("knot.skr");
  test::spit(ksr_file, ksr.out);

  // --batch: an unauthenticated Knot request under the default "confirmed" is refused.
  auto batch = c.sign(ksr_file, skr_file, "--batch");
  INFO(batch.out);
  CHECK(batch.status == 1);
  CHECK_FALSE(std::filesystem::exists(skr_file));

  auto signed_ = c.sign(ksr_file, skr_file);
  INFO(signed_.out);
  REQUIRE(signed_.status == 0);
  CHECK(signed_.out.find("a Knot KSR without proof of possession") != std::string::npos);
  auto validate = c.keymgr("validate-skr " + test::shell_quote(skr_file));
  INFO(validate.err);
  CHECK(validate.status == 0);
  CHECK(validate.err.empty());
  auto import = c.keymgr("import-skr " + test::shell_quote(skr_file));
  INFO(import.err);
  CHECK(import.status == 0);

  // Sent again: the same answer.
  std::string again = c.tmp.file("again.skr");
  auto resent = c.sign(ksr_file, again, "--batch");
  INFO(resent.out);
  REQUIRE(resent.status == 0);
  CHECK(test::slurp(again) == test::slurp(skr_file));
  CHECK(test::slurp(c.ksk + "/audit.log").find("\tresent\t") != std::string::npos);
}
