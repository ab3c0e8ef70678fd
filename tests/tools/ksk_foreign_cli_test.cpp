// `kskline ksk sign` on Knot KSRs written by the real keymgr: the answer
// passes keymgr validate-skr and import-skr, a re-sent KSR gets the same
// answer, and --batch refuses an unauthenticated foreign request.
#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/support/files.hpp"
#include "tests/support/knot_conf.hpp"
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
    test::spit(conf, test::knot_offline_conf(tmp.file("zsk"), "example.com."));
    auto r = test::kskline("ksk init --zone example.com --dir " + test::shell_quote(ksk) + " 2>&1");
    INFO(r.out);
    REQUIRE(r.status == 0);
  }
  test::CommandResult keymgr(const std::string& args) const {
    return test::run("keymgr -c " + test::shell_quote(conf) + " example.com. " + args);
  }
  // A KSR keymgr wrote for 60 days of one ZSK.
  std::string ksr() const {
    REQUIRE(keymgr("generate zsk=yes algorithm=13").status == 0);
    auto made = keymgr("generate-ksr +0 +60d");
    INFO(made.err);
    REQUIRE(made.status == 0);
    return made.out;
  }
  // The files of the ledger.
  std::size_t ledger_files() const {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(ksk + "/ledger")) ++n;
    return n;
  }
  test::CommandResult sign(const std::string& file, const std::string& out, const std::string& extra = "") const {
    return test::run("echo yes | " + test::shell_quote(KSKLINE_BINARY) + " ksk sign " + test::shell_quote(file) +
                     " -o " + test::shell_quote(out) + " --dir " + test::shell_quote(ksk) + " " + extra + " 2>&1");
  }
};

}  // namespace

TEST_CASE("ksk_foreign_cli: a keymgr KSR signed by ksk sign passes validate-skr and import-skr",
          "[tools][ksk_foreign_cli][knot]") {
  if (!test::have_tool("keymgr")) FAIL("keymgr is missing: ./run setup installs knot-dnssecutils");
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

TEST_CASE("ksk_foreign_cli: a spoiled keymgr KSR is a named refusal that signs nothing and keeps the audit log sound",
          "[tools][ksk_foreign_cli][knot]") {
  if (!test::have_tool("keymgr")) FAIL("keymgr is missing: ./run setup installs knot-dnssecutils");
  ForeignCli c;
  const std::string ksr = c.ksr();
  // Each spoiling of keymgr's text, and the refusal it must get.
  struct Spoiled {
    std::string what, text, refusal;
  };
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string t = ksr;
    const auto at = t.find(from);
    REQUIRE(at != std::string::npos);
    return t.replace(at, from.size(), to);
  };
  const std::string first_header_end = "=========\n";
  const std::vector<Spoiled> cases{
      {"a record of another owner", replaced(first_header_end, first_header_end + "example.net. 3600 DNSKEY 256 3 13 "
                                                                                    "( AQID )\n"),
       "syntax"},
      {"a record of another type", replaced(first_header_end, first_header_end + "example.com. 3600 TXT \"x\"\n"),
       "syntax"},
      {"a KSK among the ZSKs", replaced(" DNSKEY 256 ", " DNSKEY 257 "), "bad_zsk_flags"},
      {"no footer (truncated)", ksr.substr(0, ksr.rfind(";; KeySigningRequest")), "syntax"},
  };
  for (const auto& spoiled : cases) {
    INFO(spoiled.what);
    const std::string in = c.tmp.file("spoiled.ksr"), out = c.tmp.file("spoiled.skr");
    test::spit(in, spoiled.text);
    auto refused = c.sign(in, out);
    INFO(refused.out);
    CHECK(refused.status == 1);
    CHECK(refused.out.find("kskline: " + spoiled.refusal + ": ") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(out));
    CHECK(c.ledger_files() == 0);
    CHECK(test::kskline("ksk audit verify --dir " + test::shell_quote(c.ksk)).status == 0);
  }
  // The KSR as keymgr wrote it is still signed afterwards.
  test::spit(c.tmp.file("good.ksr"), ksr);
  CHECK(c.sign(c.tmp.file("good.ksr"), c.tmp.file("good.skr")).status == 0);
}
