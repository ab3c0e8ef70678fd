// `ksk serve --exec` and `ksk sign --exec` with the real keymgr 3.2 holding
// the KSK on the laptop: kskline is the cable and the audit log. A keymgr
// zone side's KSR crosses a serial line (linesim) with `zone relay`, the
// laptop's keymgr sign-ksr answers, keymgr import-skr takes the SKR; BIND
// 9.20's dnssec-ksr sign (Debian 13 root) answers a dnssec-ksr KSR that
// named then imports and serves; and
// commands that fail, write garbage, answer another request or hang are
// each a named refusal (exec_failed), audited, with nothing else changed.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

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

// Two keymgr KASP databases for example.com.: the zone side's (two ZSKs,
// the second rolled in after 30 days) and the laptop's (one KSK, active a
// day ago), and the zone side's KSR for 60 days in dir/example.com.ksr.
struct KnotSides {
  const TempDir& dir;
  std::string zone_keymgr, ksk_keymgr;

  explicit KnotSides(const TempDir& d) : dir(d) {
    fs::create_directories(dir.file("knot-zone"));
    fs::create_directories(dir.file("knot-ksk"));
    spit(dir.file("zone.conf"), test::knot_offline_conf(dir.file("knot-zone"), "example.com."));
    spit(dir.file("ksk.conf"), test::knot_offline_conf(dir.file("knot-ksk"), "example.com.", test::kKnotKskSide));
    zone_keymgr = "keymgr -c " + test::shell_quote(dir.file("zone.conf")) + " example.com. ";
    ksk_keymgr = "keymgr -c " + test::shell_quote(dir.file("ksk.conf")) + " example.com. ";
    REQUIRE(test::run(zone_keymgr + "generate zsk=yes algorithm=13").status == 0);
    REQUIRE(test::run(zone_keymgr + "generate zsk=yes algorithm=13 publish=+30d active=+32d").status == 0);
    REQUIRE(test::run(ksk_keymgr + "generate ksk=yes algorithm=13 publish=-1d ready=-1d active=-1d").status == 0);
    auto ksr = test::run(zone_keymgr + "generate-ksr +0 +60d");
    INFO(ksr.err);
    REQUIRE(ksr.status == 0);
    spit(dir.file("example.com.ksr"), ksr.out);
    auto ds = test::run(ksk_keymgr + "ds");
    INFO(ds.err);
    REQUIRE(ds.status == 0);
    REQUIRE_FALSE(ds.out.empty());
    spit(dir.file("anchor.ds"), ds.out);
  }

  // The --exec template that has the laptop's keymgr sign a KSR.
  std::string sign_ksr() const { return "keymgr -c '" + dir.file("ksk.conf") + "' example.com. sign-ksr {}"; }
};

// An exec-only KSK state for example.com. in dir/ksk.
std::string exec_state(const TempDir& dir) {
  auto init = test::run(dir, {"ksk", "init", "--zone", "example.com", "--dir", dir.file("ksk"), "--exec-only"}, "init");
  INFO(init.out << init.err);
  REQUIRE(init.status == 0);
  CHECK_THAT(init.out, Catch::Contains("no KSK here"));
  CHECK(transport::testing::list_dir(dir.file("ksk/keys")).empty());
  return dir.file("ksk");
}

// The audit log's lines.
std::vector<std::string> audit_lines(const std::string& ksk) {
  std::vector<std::string> lines;
  std::string text = slurp(ksk + "/audit.log");
  for (std::size_t at = 0; at < text.size();) {
    auto end = text.find('\n', at);
    lines.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return lines;
}

}  // namespace

TEST_CASE("ksk_exec_cli: keymgr sign-ksr answers a KSR relayed over a serial line and keymgr imports the SKR",
          "[tools][ksk_exec][interop]") {
  if (!test::have_tool("keymgr")) FAIL("keymgr is missing: ./run setup installs knot-dnssecutils");
  TempDir dir;
  KnotSides knot(dir);
  const std::string ksk = exec_state(dir);
  REQUIRE(test::run(dir, {"link-keygen", "-o", dir.file("zone-link.id")}).status == 0);
  REQUIRE(test::run(dir, {"ksk", "pin", "--dir", ksk, dir.file("zone-link.id.pub")}).status == 0);
  test::ksk::set_policy(ksk, "knot_requests", "\"authenticated\"");
  // The laptop pins its keymgr's KSK as the signer does: keymgr's own DS lines.
  spit(ksk + "/exec-anchor.ds", slurp(dir.file("anchor.ds")));
  test::ksk::set_policy(ksk, "anchor", "\"exec-anchor.ds\"");

  test::Linesim line(dir, "115200", {"--ber", "1e-5", "--seed", "5"});
  Process serve(test::answered_yes({KSKLINE_BINARY, "ksk", "serve", "--dir", ksk, "--link",
                                    "serial:" + line.b + ",baud=115200", "--count", "1", "--wait", "60", "--exec",
                                    knot.sign_ksr()}),
                dir.file("serve.err"));
  auto relayed = test::run(dir,
                           {"zone", "relay", dir.file("example.com.ksr"), "-o", dir.file("example.com.skr"),
                            "--trust-anchor", dir.file("anchor.ds"), "--link", "serial:" + line.a + ",baud=115200",
                            "--identity", dir.file("zone-link.id"), "--peer", ksk + "/link.id.pub", "--wait", "60",
                            "-q"},
                           "relay");
  auto served = test::finish(serve, dir.file("serve.err"));
  INFO(relayed.out << relayed.err << served.out << served.err);
  REQUIRE(relayed.status == 0);
  CHECK(served.status == 0);
  CHECK_THAT(served.out, Catch::Contains("answered (--exec) request"));

  // The zone side's keymgr takes what the laptop's keymgr wrote.
  auto validated = test::run(knot.zone_keymgr + "validate-skr " + test::shell_quote(dir.file("example.com.skr")));
  CHECK(validated.status == 0);
  CHECK(validated.err.empty());
  auto imported = test::run(knot.zone_keymgr + "import-skr " + test::shell_quote(dir.file("example.com.skr")));
  CHECK(imported.status == 0);
  CHECK(imported.err.empty());

  // The audit log names the command; the request file is gone.
  auto lines = audit_lines(ksk);
  REQUIRE_FALSE(lines.empty());
  CHECK_THAT(lines.back(), Catch::Contains("\texec_answered\t"));
  CHECK_THAT(lines.back(), Catch::Contains("sign-ksr {}"));
  CHECK(transport::testing::list_dir(ksk + "/tmp").empty());
  CHECK(test::run(dir, {"ksk", "audit", "verify", "--dir", ksk}).status == 0);
}

TEST_CASE("ksk_exec_cli: a failing, silent, garbage-writing, wrong or hanging command is a named refusal, audited",
          "[tools][ksk_exec]") {
  if (!test::have_tool("keymgr")) FAIL("keymgr is missing: ./run setup installs knot-dnssecutils");
  TempDir dir;
  KnotSides knot(dir);
  const std::string ksk = exec_state(dir);
  // Another KSR (other ZSKs) and keymgr's answer to it: a real SKR that
  // answers a different request.
  fs::create_directories(dir.file("knot-other"));
  spit(dir.file("other.conf"), test::knot_offline_conf(dir.file("knot-other"), "example.com."));
  const std::string other = "keymgr -c " + test::shell_quote(dir.file("other.conf")) + " example.com. ";
  REQUIRE(test::run(other + "generate zsk=yes algorithm=13").status == 0);
  auto other_ksr = test::run(other + "generate-ksr +0 +60d");
  REQUIRE(other_ksr.status == 0);
  spit(dir.file("other.ksr"), other_ksr.out);
  auto other_skr = test::run(knot.ksk_keymgr + "sign-ksr " + test::shell_quote(dir.file("other.ksr")));
  REQUIRE(other_skr.status == 0);
  spit(dir.file("other.skr"), other_skr.out);

  struct Case {
    std::string command;
    std::string says;
  };
  const std::vector<Case> cases{
      {"false {}", "the command exited with status 1"},
      {"sh -c 'echo no such key >&2; exit 3' {}", "exited with status 3: no such key"},
      {"true {}", "wrote nothing on stdout"},
      {"echo garbage {}", "its output is not a knot SKR"},
      {"sh -c 'cat \"$1\"' sh '" + dir.file("other.skr") + "' {}", "does not answer the request"},
      {"sh -c 'sleep 100' {}", "did not finish within 1 s (killed)"},
  };
  std::size_t before = audit_lines(ksk).size();
  for (const auto& c : cases) {
    INFO("--exec " << c.command);
    const std::string& command = c.command;
    Process sign(test::answered_yes({KSKLINE_BINARY, "ksk", "sign", dir.file("example.com.ksr"), "-o",
                                     dir.file("out.skr"), "--dir", ksk, "--exec", command, "--exec-timeout", "1"}),
                 dir.file("sign.err"));
    auto r = test::finish(sign, dir.file("sign.err"));
    INFO(r.out << r.err);
    CHECK(r.status == 1);
    CHECK_THAT(r.err, Catch::Contains("kskline: exec_failed: --exec: "));
    CHECK_THAT(r.err, Catch::Contains(c.says));
    CHECK_FALSE(fs::exists(dir.file("out.skr")));
    auto lines = audit_lines(ksk);
    REQUIRE(lines.size() == before + 1);
    before = lines.size();
    CHECK_THAT(lines.back(), Catch::Contains("\texec_refused\t-\t"));
    CHECK_THAT(lines.back(), Catch::Contains("command: " + command));
    CHECK(transport::testing::list_dir(ksk + "/ledger").empty());
    CHECK(transport::testing::list_dir(ksk + "/tmp").empty());
  }
  CHECK(test::run(dir, {"ksk", "audit", "verify", "--dir", ksk}).status == 0);

  // The same request, now answered by keymgr: written, audited, in the ledger.
  Process sign(test::answered_yes({KSKLINE_BINARY, "ksk", "sign", dir.file("example.com.ksr"), "-o",
                                   dir.file("out.skr"), "--dir", ksk, "--exec", knot.sign_ksr()}),
               dir.file("sign.err"));
  auto r = test::finish(sign, dir.file("sign.err"));
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("answered by the --exec command"));
  CHECK(fs::exists(dir.file("out.skr")));
  CHECK_THAT(audit_lines(ksk).back(), Catch::Contains("\texec_answered\t"));
  CHECK_FALSE(transport::testing::list_dir(ksk + "/ledger").empty());
  CHECK(test::run(dir, {"ksk", "audit", "verify", "--dir", ksk}).status == 0);
}

TEST_CASE("ksk_exec_cli: an exec-only state refuses to sign without --exec and a template without {}",
          "[tools][ksk_exec]") {
  TempDir dir;
  spit(dir.file("example.com.ksr"), "irrelevant");
  const std::string ksk = exec_state(dir);
  auto without = test::run(dir, {"ksk", "sign", dir.file("example.com.ksr"), "-o", dir.file("out"), "--dir", ksk});
  INFO(without.err);
  CHECK(without.status == 1);
  CHECK_THAT(without.err, Catch::Contains("kskline: bad_state: "));
  CHECK_THAT(without.err, Catch::Contains("give --exec 'COMMAND {}'"));
  auto no_path = test::run(dir, {"ksk", "sign", dir.file("example.com.ksr"), "-o", dir.file("out"), "--dir", ksk,
                                 "--exec", "keymgr example.com. sign-ksr"});
  INFO(no_path.err);
  CHECK(no_path.status == 2);
  CHECK_THAT(no_path.err, Catch::Contains("the command has no {}"));
  CHECK(audit_lines(ksk).size() <= 1);
}

TEST_CASE("ksk_exec_cli: dnssec-ksr 9.20 sign answers a dnssec-ksr KSR through ksk sign --exec, named imports it",
          "[tools][ksk_exec][trixie]") {
  test::require_trixie();
  test::Bind920 bind;
  spit(bind.dir.outside("example.com.ksr"), bind.request());
  // The laptop's BIND KSK, made by dnssec-keygen in ksk/ of the Debian 13 root.
  auto keygen = bind.dir.run("dnssec-keygen -q -K ksk -f KSK -a ECDSAP256SHA256 -L 3600 example.com");
  INFO(keygen.err);
  REQUIRE(keygen.status == 0);
  TempDir dir;
  const std::string ksk = exec_state(dir);
  // dnssec-ksr runs inside the root: the command copies the request file in.
  const std::string inside = bind.dir.inside("request.ksr");
  const std::string command =
      "sh -c 'cp \"$1\" " + bind.dir.outside("request.ksr") + " && chroot " + test::trixie_root() +
      " sh -c \"cd " + bind.dir.inside("") + " && dnssec-ksr -k offline -l policy.conf -K ksk -f " + inside +
      " -i now -e +90d sign example.com\"' sh {}";
  Process sign(test::answered_yes({KSKLINE_BINARY, "ksk", "sign", bind.dir.outside("example.com.ksr"), "-o",
                                   bind.dir.outside("example.com.skr"), "--dir", ksk, "--exec", command}),
               dir.file("sign.err"));
  auto r = test::finish(sign, dir.file("sign.err"));
  INFO(command << "\n" << r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(audit_lines(ksk).back(), Catch::Contains("\texec_answered\t"));

  // named takes the SKR dnssec-ksr wrote and serves the KSK's DNSKEY and its RRSIG.
  const auto ksk_tags = test::copy_public_keys(bind.dir.outside("ksk"), bind.dir.outside("zsk"));
  REQUIRE(ksk_tags.size() == 1);
  const std::string ksk_tag = ksk_tags[0];
  test::Named named(bind.dir, "zsk");
  REQUIRE(named.import_skr("example.com.skr"));
  const std::string answer = named.dnskey_with_ksk();
  INFO(answer);
  CHECK(answer.find(" " + ksk_tag + " example.com. ") != std::string::npos);
  CHECK(test::run(dir, {"ksk", "audit", "verify", "--dir", ksk}).status == 0);
}

TEST_CASE("ksk_exec_cli: over a USB stick a failing command's refusal reaches zone relay by name",
          "[tools][ksk_exec]") {
  if (!test::have_tool("keymgr")) FAIL("keymgr is missing: ./run setup installs knot-dnssecutils");
  TempDir dir;
  KnotSides knot(dir);
  const std::string ksk = exec_state(dir);
  const std::string stick = dir.file("stick");
  fs::create_directories(stick);
  const std::vector<std::string> relay{"zone", "relay", dir.file("example.com.ksr"), "-o", dir.file("example.com.skr"),
                                       "--trust-anchor", dir.file("anchor.ds"), "--link", "spool:" + stick};
  auto posted = test::run(dir, relay, "post");
  INFO(posted.out << posted.err);
  REQUIRE(posted.status == 0);

  Process serve(test::answered_yes({KSKLINE_BINARY, "ksk", "serve", "--dir", ksk, "--link", "spool:" + stick,
                                    "--exec", "sh -c 'echo keymgr: no active KSK >&2; exit 1' {}"}),
                dir.file("serve.err"));
  auto served = test::finish(serve, dir.file("serve.err"));
  INFO(served.out << served.err);
  CHECK(served.status == 1);
  CHECK_THAT(served.out, Catch::Contains("1 refused"));
  CHECK_THAT(served.err, Catch::Contains("kskline: exec_failed: "));

  auto taken = test::run(dir, relay, "take");
  INFO(taken.out << taken.err);
  CHECK(taken.status == 1);
  CHECK_THAT(taken.err, Catch::Contains("exec_failed"));
  CHECK_THAT(taken.err, Catch::Contains("exited with status 1: keymgr: no active KSK"));
  CHECK_FALSE(fs::exists(dir.file("example.com.skr")));
  CHECK_THAT(audit_lines(ksk).back(), Catch::Contains("\texec_refused\t-\t"));
  CHECK(transport::testing::list_dir(ksk + "/ledger").empty());
  CHECK(test::run(dir, {"ksk", "audit", "verify", "--dir", ksk}).status == 0);
}
