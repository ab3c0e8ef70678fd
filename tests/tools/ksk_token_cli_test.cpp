// `kskline ksk init`, `ksk sign` with the KSK in a real SoftHSM2 token, run as
// the built binary: the DS init prints is the one dnssec-dsfromkey computes
// from keys/, no private key file is written, kskline's requests and Knot
// KSRs (keymgr) are signed through the token, and a wrong PIN or a missing
// token is refused by name with nothing written.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "proto/envelope.hpp"
#include "signer/key_request.hpp"
#include "tests/signer/ksk_test_util.hpp"
#include "tests/support/files.hpp"
#include "tests/support/knot_conf.hpp"
#include "tests/support/process.hpp"
#include "tests/support/softhsm.hpp"
#include "tests/support/terminal.hpp"
#include "tests/support/temp_dir.hpp"
#include "zone/ds.hpp"
#include "zone/rrsig.hpp"

using namespace kskline;
using namespace kskline::test::ksk;

namespace {

// When the tests' KSKs are made (Created, Publish, Activate): a day before
// the requests they sign, whose slots start at kT0 (rule ksk_active).
constexpr std::int64_t kKeysMade = kT0 - 86400;

// A KSK state made by `kskline ksk init` with its KSK in a SoftHSM2 token.
struct TokenCli {
  test::SoftHsm hsm;
  test::TempDir tmp{"kskline-ksk-token-cli"};
  std::string dir = tmp.file("ksk");
  std::string init_out;

  explicit TokenCli(const std::string& extra = "") {
    auto r = test::kskline("ksk init --zone example.com --dir " + test::shell_quote(dir) + " --pkcs11-module " +
                           hsm.module() + " --token " + test::shell_quote(hsm.label) +
                           " --key-label ksk-2026 --pin-file " + test::shell_quote(hsm.pin_file) + " --now " +
                           std::to_string(kKeysMade) + " " + extra + " 2>&1");
    INFO(r.out);
    REQUIRE(r.status == 0);
    init_out = r.out;
  }

  // The lines of init's output that start with `prefix`.
  std::vector<std::string> lines(const std::string& prefix) const {
    std::vector<std::string> out;
    std::istringstream in(init_out);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(prefix, 0) == 0) out.push_back(line);
    }
    return out;
  }

  // The files of keys/ ending in `ext`.
  std::vector<std::string> key_files(const std::string& ext) const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir + "/keys")) {
      if (e.path().extension() == ext) out.push_back(e.path().string());
    }
    return out;
  }

  // `ksk sign FILE -o OUT` answered yes, with `pin` (a --pin-file option or an environment assignment).
  test::CommandResult sign(const std::string& file, const std::string& out, const std::string& env,
                           const std::string& extra) const {
    return test::run("echo yes | " + env + " " + test::shell_quote(KSKLINE_BINARY) + " ksk sign " +
                     test::shell_quote(file) + " -o " + test::shell_quote(out) + " --dir " + test::shell_quote(dir) +
                     " " + extra + " 2>&1");
  }

  // Writes a kskline request for a new ZSK, made a minute before its slots from kT0: its path.
  std::string write_request() const {
    auto zsk = make_zsk();
    const std::string path = tmp.file("request.txt");
    test::spit(path, signer::format_request(make_request({&zsk}, kT0 - 60)));
    return path;
  }

  // The files of ledger/.
  std::size_t ledger_files() const {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir + "/ledger")) ++n;
    return n;
  }
};

// Collapses runs of blanks into one space.
std::string squeeze(const std::string& s) {
  std::istringstream in(s);
  std::string out, word;
  while (in >> word) out += (out.empty() ? "" : " ") + word;
  return out;
}

// The number of DNSKEY RRSIGs in slot 1 of `response`, and whether one of them
// verifies with the KSK of `ds_line` ("example.com. IN DS ...", blanks as any).
struct SlotOneSigned {
  std::size_t signatures = 0;
  bool by_ds = false;
};
SlotOneSigned slot_one_signed(const signer::KeyResponse& response, const std::string& ds_line) {
  std::vector<zone::Record> dnskey, sigs;
  for (const auto& rec : response.slots.at(0).records) {
    if (rec.type == zone::rrtype::DNSKEY) dnskey.push_back(rec);
    if (rec.type == zone::rrtype::RRSIG && zone::parse_rrsig(rec.rdata)->type_covered == zone::rrtype::DNSKEY) {
      sigs.push_back(rec);
    }
  }
  SlotOneSigned out{sigs.size(), false};
  for (const auto& k : dnskey) {
    auto ds = zone::make_ds(k.owner, k.rdata, zone::ds_digest::SHA256);
    if (!ds || squeeze("example.com. IN DS " + zone::ds_rdata_text(*ds)) != squeeze(ds_line)) continue;
    for (const auto& sig : sigs) {
      out.by_ds = out.by_ds ||
                  zone::verify_rrsig(sig.rdata, dnskey, k.owner, k.rdata).status == zone::VerifyStatus::valid;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("ksk_token_cli: init with a token prints the DS dnssec-dsfromkey computes and writes no private key",
          "[tools][ksk_token_cli]") {
  if (!test::have_tool("dnssec-dsfromkey")) FAIL("dnssec-dsfromkey is missing: ./run setup installs bind9-utils");
  TokenCli c;
  CHECK(c.init_out.find("(in the token; no private key file)") != std::string::npos);
  CHECK(c.key_files(".private").empty());
  REQUIRE(c.key_files(".key").size() == 1);
  REQUIRE(c.key_files(".pkcs11").size() == 1);
  CHECK(test::slurp(c.key_files(".pkcs11")[0]).rfind("pkcs11:token=kskline-test;object=ksk-2026;id=%", 0) == 0);
  auto ds = c.lines("example.com. IN DS ");
  REQUIRE(ds.size() == 1);
  auto bind = test::run("dnssec-dsfromkey -2 " + test::shell_quote(c.key_files(".key")[0]));
  INFO(bind.err);
  REQUIRE(bind.status == 0);
  CHECK(squeeze(bind.out) == squeeze(ds[0]));
}

TEST_CASE("ksk_token_cli: ksk sign answers a request through the token and the answer verifies against the DS",
          "[tools][ksk_token_cli]") {
  TokenCli c;
  const std::string ds_line = c.lines("example.com. IN DS ").at(0);
  const std::string request = c.write_request(), out = c.tmp.file("response.txt");
  auto r = c.sign(request, out, "", "--pin-file " + test::shell_quote(c.hsm.pin_file) + " --now " +
                                        std::to_string(kT0));
  INFO(r.out);
  REQUIRE(r.status == 0);
  auto response = signer::parse_response(test::slurp(out), out);
  REQUIRE(response);
  CHECK(slot_one_signed(*response, ds_line).by_ds);
}

TEST_CASE("ksk_token_cli: a keymgr KSR signed through the token passes keymgr validate-skr and import-skr",
          "[tools][ksk_token_cli][knot]") {
  if (!test::have_tool("keymgr")) FAIL("keymgr is missing: ./run setup installs knot-dnssecutils");
  TokenCli c;
  std::filesystem::create_directories(c.tmp.file("zsk"));
  const std::string conf = c.tmp.file("zsk.conf");
  test::spit(conf, test::knot_offline_conf(c.tmp.file("zsk"), "example.com."));
  auto keymgr = [&](const std::string& args) {
    return test::run("keymgr -c " + test::shell_quote(conf) + " example.com. " + args);
  };
  REQUIRE(keymgr("generate zsk=yes algorithm=13").status == 0);
  auto ksr = keymgr("generate-ksr +0 +60d");
  INFO(ksr.err);
  REQUIRE(ksr.status == 0);
  std::string ksr_file = c.tmp.file("knot.ksr"), skr_file = c.tmp.file("knot.skr");
  test::spit(ksr_file, ksr.out);
  auto r = c.sign(ksr_file, skr_file, "KSKLINE_PKCS11_PIN=" + c.hsm.pin, "");
  INFO(r.out);
  REQUIRE(r.status == 0);
  // The SKR carries the token's KSK, the DNSKEY init printed.
  auto dnskey = c.lines("example.com.");
  std::string public_key;
  for (const auto& line : dnskey) {
    if (line.find("DNSKEY\t257 3 13 ") != std::string::npos) public_key = line.substr(line.rfind(' ') + 1);
  }
  REQUIRE(!public_key.empty());
  std::string skr = test::slurp(skr_file);  // keymgr's layout splits the base64 over lines
  skr.erase(std::remove_if(skr.begin(), skr.end(), [](char ch) { return std::isspace(static_cast<unsigned char>(ch)); }),
            skr.end());
  CHECK(skr.find(public_key) != std::string::npos);
  auto validate = keymgr("validate-skr " + test::shell_quote(skr_file));
  INFO(validate.err);
  CHECK(validate.status == 0);
  auto import = keymgr("import-skr " + test::shell_quote(skr_file));
  INFO(import.err);
  CHECK(import.status == 0);
}

TEST_CASE("ksk_token_cli: a wrong PIN and a missing token are refused by name and sign nothing",
          "[tools][ksk_token_cli]") {
  TokenCli c;
  const std::string request = c.write_request(), out = c.tmp.file("response.txt");
  const std::string now = " --now " + std::to_string(kT0);
  test::spit(c.tmp.file("wrong-pin"), "0000\n");
  auto wrong = c.sign(request, out, "", "--pin-file " + test::shell_quote(c.tmp.file("wrong-pin")) + now);
  INFO(wrong.out);
  CHECK(wrong.status == 1);
  CHECK(wrong.out.find("kskline: wrong_pin: token kskline-test: ") != std::string::npos);
  auto wrong_env = c.sign(request, out, "KSKLINE_PKCS11_PIN=0000", now);
  INFO(wrong_env.out);
  CHECK(wrong_env.status == 1);
  CHECK(wrong_env.out.find("kskline: wrong_pin: ") != std::string::npos);
  // A SoftHSM2 configuration without the token: the token is not plugged in.
  test::TempDir empty;
  std::filesystem::create_directories(empty.file("tokens"));
  test::spit(empty.file("softhsm2.conf"), "directories.tokendir = " + empty.file("tokens") + "\n");
  auto missing = c.sign(request, out, "SOFTHSM2_CONF=" + test::shell_quote(empty.file("softhsm2.conf")),
                        "--pin-file " + test::shell_quote(c.hsm.pin_file) + now);
  INFO(missing.out);
  CHECK(missing.status == 1);
  CHECK(missing.out.find("kskline: token_missing: token kskline-test: ") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
  CHECK(c.ledger_files() == 0);
  // --use-existing without a key of that label, named by an RFC 7512 URI: key_not_found.
  test::TempDir other;
  auto absent = test::kskline("ksk init --zone example.com --dir " + test::shell_quote(other.file("ksk")) +
                              " --pkcs11-module " + c.hsm.module() +
                              " --key-label 'pkcs11:token=kskline-test;object=absent' --use-existing --pin-file " +
                              test::shell_quote(c.hsm.pin_file) + " 2>&1");
  INFO(absent.out);
  CHECK(absent.status == 1);
  CHECK(absent.out.find("kskline: key_not_found: ") != std::string::npos);
}

TEST_CASE("ksk_token_cli: --use-existing with an RFC 7512 URI makes a second state with the same KSK",
          "[tools][ksk_token_cli]") {
  TokenCli c;
  test::TempDir other;
  auto again = test::kskline("ksk init --zone example.com --dir " + test::shell_quote(other.file("ksk")) +
                             " --pkcs11-module " + c.hsm.module() +
                             " --key-label 'pkcs11:token=kskline-test;object=ksk-2026' --use-existing --pin-file " +
                             test::shell_quote(c.hsm.pin_file) + " 2>&1");
  INFO(again.out);
  REQUIRE(again.status == 0);
  std::istringstream in(again.out);
  std::string first_ds;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("example.com. IN DS ", 0) == 0) first_ds = line;
  }
  CHECK(first_ds == c.lines("example.com. IN DS ").at(0));
  // Without --use-existing the label is taken: refused, nothing made.
  auto taken = test::kskline("ksk init --zone example.com --dir " + test::shell_quote(other.file("ksk2")) +
                             " --pkcs11-module " + c.hsm.module() + " --token kskline-test --key-label ksk-2026" +
                             " --pin-file " + test::shell_quote(c.hsm.pin_file) + " 2>&1");
  INFO(taken.out);
  CHECK(taken.status == 1);
  CHECK(taken.out.find("bad_state") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(other.file("ksk2/ksk.toml")));
  // An --algorithm the token's key does not have is refused, saying both, nothing made; the one it has is taken.
  const std::string existing = " --pkcs11-module " + c.hsm.module() + " --token kskline-test --key-label ksk-2026" +
                               " --use-existing --pin-file " + test::shell_quote(c.hsm.pin_file);
  auto mismatch = test::kskline("ksk init --zone example.com --dir " + test::shell_quote(other.file("ksk3")) +
                                existing + " --algorithm ECDSAP384SHA384 2>&1");
  INFO(mismatch.out);
  CHECK(mismatch.status == 1);
  CHECK(mismatch.out.find("kskline: token kskline-test, key ksk-2026: a key of algorithm 13 (ECDSAP256SHA256), not "
                          "14 (ECDSAP384SHA384)") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(other.file("ksk3/ksk.toml")));
  auto matching = test::kskline("ksk init --zone example.com --dir " + test::shell_quote(other.file("ksk4")) +
                                existing + " --algorithm 13 2>&1");
  INFO(matching.out);
  CHECK(matching.status == 0);
}

TEST_CASE("ksk_token_cli: a token key named by halves is a usage error naming the option missing, nothing made",
          "[tools][ksk_token_cli]") {
  test::SoftHsm hsm;
  test::TempDir tmp;
  const std::string module = " --pkcs11-module " + hsm.module(), pin = " --pin-file " + test::shell_quote(hsm.pin_file);
  struct Case {
    std::string options, named;
  };
  for (const Case& c : {Case{module + " --key-label ksk-2026", "--token"},
                        Case{" --token kskline-test --key-label ksk-2026", "--pkcs11-module"},
                        Case{module + " --token kskline-test", "--key-label"},
                        Case{module + " --key-label 'pkcs11:object=ksk-2026'", "--key-label"},
                        Case{module + " --key-label 'pkcs11:token=kskline-test;object=ksk;bogus'", "--key-label"}}) {
    for (const std::string& command : {"ksk init --zone example.com --dir " + test::shell_quote(tmp.file("ksk")),
                                      "keygen --zone example.com --algorithm 13 --ksk --dir " + test::shell_quote(tmp.path())}) {
      auto r = test::kskline(command + c.options + pin + " 2>&1");
      INFO(command + c.options << "\n" << r.out);
      CHECK(r.status == 2);
      CHECK(r.out.find("kskline: " + c.named + ": ") != std::string::npos);
      CHECK(std::filesystem::is_empty(tmp.path()));
    }
  }
}

TEST_CASE("ksk_token_cli: a rollover to a new KSK keygen made in the token signs with both KSKs",
          "[tools][ksk_token_cli]") {
  TokenCli c;
  auto made = test::kskline("keygen --zone example.com --algorithm 13 --ksk --dir " +
                            test::shell_quote(c.dir + "/keys") + " --pkcs11-module " + c.hsm.module() + " --token " +
                            test::shell_quote(c.hsm.label) + " --key-label ksk-2027 --pin-file " +
                            test::shell_quote(c.hsm.pin_file) + " --now " + std::to_string(kKeysMade) + " 2>&1");
  INFO(made.out);
  REQUIRE(made.status == 0);
  CHECK(c.key_files(".private").empty());
  CHECK(c.key_files(".pkcs11").size() == 2);
  auto ds = test::kskline("ds " + test::shell_quote(c.dir + "/keys/" + made.out.substr(0, made.out.find('\n')) + ".key"));
  REQUIRE(ds.status == 0);
  const std::string request = c.write_request(), out = c.tmp.file("response.txt");
  auto r = c.sign(request, out, "KSKLINE_PKCS11_PIN=" + c.hsm.pin, "--now " + std::to_string(kT0));
  INFO(r.out);
  REQUIRE(r.status == 0);
  auto response = signer::parse_response(test::slurp(out), out);
  REQUIRE(response);
  // Each DS (the first from init, the new one from kskline ds) names a KSK whose RRSIG verifies.
  for (std::string line : {c.lines("example.com. IN DS ").at(0), ds.out.substr(0, ds.out.find('\n'))}) {
    INFO(line);
    auto verified = slot_one_signed(*response, line);
    CHECK(verified.signatures == 2);
    CHECK(verified.by_ds);
  }
}

TEST_CASE("ksk_token_cli: a token pulled out while the operator reviews is token_removed and nothing is written",
          "[tools][ksk_token_cli]") {
  TokenCli c;
  const std::string request = c.write_request(), out = c.tmp.file("response.txt");
  // The state is opened (the token logged in) at once; the token goes while the question waits for yes.
  auto r = test::run("{ sleep 3; rm -rf " + test::shell_quote(c.hsm.tmp.file("tokens")) + "; echo yes; } | " +
                     test::shell_quote(KSKLINE_BINARY) + " ksk sign " + test::shell_quote(request) + " -o " +
                     test::shell_quote(out) + " --dir " + test::shell_quote(c.dir) + " --pin-file " +
                     test::shell_quote(c.hsm.pin_file) + " --now " + std::to_string(kT0) + " 2>&1");
  INFO(r.out);
  CHECK(r.status == 1);
  CHECK(r.out.find("Type yes to sign") != std::string::npos);
  CHECK(r.out.find("kskline: token_removed: token kskline-test: ") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
  CHECK(c.ledger_files() == 0);
  CHECK(test::kskline("ksk audit verify --dir " + test::shell_quote(c.dir)).status == 0);
}

TEST_CASE("ksk_token_cli: ksk serve over a spool answers through the token with --pin-file", "[tools][ksk_token_cli]") {
  TokenCli c;
  set_policy(c.dir, "auto_approve", "\"always\"");
  const std::string spool = c.tmp.file("stick");
  std::filesystem::create_directories(spool + "/to-ksk");
  auto zsk = make_zsk();
  auto q = make_request({&zsk});
  proto::EnvelopeSpec spec;
  spec.kind = proto::Kind::request;
  spec.payload_type = proto::PayloadType::kskline_request;
  spec.id[0] = 1;
  spec.counter = 1;
  auto env = proto::build_envelope(spec, as_bytes(signer::format_request(q)));
  REQUIRE(env);
  test::spit(spool + "/to-ksk/00000000000000000001-request.kske", std::string(env->begin(), env->end()));
  auto r = test::kskline("ksk serve --link " + test::shell_quote("spool:" + spool) + " --dir " +
                         test::shell_quote(c.dir) + " --batch --now " + std::to_string(kT0) + " --pin-file " +
                         test::shell_quote(c.hsm.pin_file) + " 2>&1");
  INFO(r.out);
  REQUIRE(r.status == 0);
  std::vector<std::string> answers;
  for (const auto& e : std::filesystem::directory_iterator(spool + "/to-zone")) {
    if (e.is_regular_file()) answers.push_back(test::slurp(e.path().string()));
  }
  REQUIRE(answers.size() == 1);
  auto answer = proto::parse_envelope(as_bytes(answers[0]));
  REQUIRE(answer);
  CHECK(answer->header.kind == proto::Kind::response);
  auto response = signer::parse_response(
      std::string_view(reinterpret_cast<const char*>(answer->payload.data()), answer->payload.size()), "payload");
  REQUIRE(response);
  // The DNSKEY RRset is signed by the token's KSK, the key of the DS init printed.
  const std::string ds_line = c.lines("example.com. IN DS ").at(0);
  CHECK(slot_one_signed(*response, ds_line).by_ds);
}

TEST_CASE("ksk_token_cli: without a PIN file or variable the PIN is asked on the terminal and not echoed",
          "[tools][ksk_token_cli]") {
  TokenCli c;
  const std::string request = c.write_request(), out = c.tmp.file("response.txt");
  const std::string sign = "env -u KSKLINE_PKCS11_PIN -u KSKLINE_PKCS11_PIN_FILE " +
                           test::shell_quote(KSKLINE_BINARY) + " ksk sign " + test::shell_quote(request) + " -o " +
                           test::shell_quote(out) + " --dir " + test::shell_quote(c.dir) + " --now " +
                           std::to_string(kT0);
  SECTION("the right PIN, then yes: signed") {
    test::Terminal t(sign);
    REQUIRE(t.wait_for("PIN of token kskline-test: "));
    t.type(c.hsm.pin);
    REQUIRE(t.wait_for("Type yes to sign"));
    t.type("yes");
    INFO(t.output());
    CHECK(t.finish() == 0);
    CHECK(t.output().find(c.hsm.pin) == std::string::npos);
    CHECK(std::filesystem::exists(out));
    CHECK(c.ledger_files() > 0);
  }
  SECTION("a wrong PIN: wrong_pin, nothing asked further or written") {
    test::Terminal t(sign);
    REQUIRE(t.wait_for("PIN of token kskline-test: "));
    t.type("0000");
    INFO(t.output());
    CHECK(t.finish() == 1);
    CHECK(t.output().find("kskline: wrong_pin: token kskline-test: ") != std::string::npos);
    CHECK(t.output().find("Type yes to sign") == std::string::npos);
    CHECK_FALSE(std::filesystem::exists(out));
    CHECK(c.ledger_files() == 0);
  }
  SECTION("Enter alone: pin_required") {
    test::Terminal t(sign);
    REQUIRE(t.wait_for("PIN of token kskline-test: "));
    t.type("");
    INFO(t.output());
    CHECK(t.finish() == 1);
    CHECK(t.output().find("kskline: pin_required: token kskline-test: no PIN typed") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(out));
  }
  SECTION("Ctrl-C at the prompt: the run ends, nothing written, and the terminal echoes again") {
    test::Terminal t(sign);
    REQUIRE(t.wait_for("PIN of token kskline-test: "));
    CHECK_FALSE(t.echoes());
    t.interrupt();
    INFO(t.output());
    CHECK(t.finish() == 128 + SIGINT);
    CHECK(t.echoes());
    CHECK_FALSE(std::filesystem::exists(out));
    CHECK(c.ledger_files() == 0);
  }
  SECTION("no terminal at all (cron): pin_required at once, naming the ways to give it") {
    auto r = test::run("echo yes | setsid -w " + sign + " 2>&1");
    INFO(r.out);
    CHECK(r.status == 1);
    CHECK(r.out.find("kskline: pin_required: token kskline-test: no terminal to ask for the PIN: give --pin-file "
                     "or set KSKLINE_PKCS11_PIN") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(out));
  }
}
