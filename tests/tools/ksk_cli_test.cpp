// The `kskline ksk` commands run as the built binary: init, sign (operator
// and --batch, text and envelope), refusals that leave the state as it was,
// and audit verify.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <thread>

#include "base/encoding.hpp"
#include "proto/envelope.hpp"
#include "signer/fingerprint.hpp"
#include "signer/key_request.hpp"
#include "tests/signer/ksk_test_util.hpp"
#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/tools/cli_process.hpp"
#include "zone/key_file.hpp"
#include "zone/rrsig.hpp"

using namespace kskline;
using namespace kskline::test::ksk;

namespace {

// A KSK state made by `kskline ksk init` in a temporary directory, its KSK
// active from a day before kT0 (the requests' time).
struct CliState {
  test::TempDir tmp{"kskline-ksk-cli"};
  std::string dir = tmp.path() + "/ksk";
  std::string init_out;

  CliState() {
    auto r = test::kskline("ksk init --zone example.com --dir " + test::shell_quote(dir) + " --now " +
                           std::to_string(kT0 - kDay) + " 2>&1");
    INFO(r.out);
    REQUIRE(r.status == 0);
    init_out = r.out;
  }

  // Writes a request to a file and returns its path.
  std::string request_file(const signer::KeyRequest& q, const std::string& name = "request.txt") const {
    std::string path = tmp.file(name);
    test::spit(path, signer::format_request(q));
    return path;
  }

  // Runs `ksk sign` on a request file at kT0 with `input` on standard input.
  test::CommandResult sign(const std::string& request, const std::string& output, const std::string& extra = "",
                           const std::string& input = "yes") const {
    return test::run("printf '%s\\n' " + test::shell_quote(input) + " | " + test::shell_quote(KSKLINE_BINARY) +
                     " ksk sign " + test::shell_quote(request) + " -o " + test::shell_quote(output) + " --dir " +
                     test::shell_quote(dir) + " --now " + std::to_string(kT0) + " " + extra);
  }

  // The number of entries `ksk audit verify` reports (-1 when it fails).
  int audit_entries() const {
    auto r = test::kskline("ksk audit verify --dir " + test::shell_quote(dir));
    if (r.status != 0) return -1;
    auto at = r.out.find(": ");
    return std::stoi(r.out.substr(at + 2));
  }

  // The number of files in the ledger.
  std::size_t ledger_files() const {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir + "/ledger")) ++n;
    return n;
  }
};

}  // namespace

TEST_CASE("ksk_cli: init prints DS records, the KSK and the link key, and makes the state", "[tools][ksk_cli]") {
  CliState s;
  CHECK(s.init_out.find("example.com. IN DS ") != std::string::npos);
  CHECK(s.init_out.find("IN\tDNSKEY\t257 3 13 ") != std::string::npos);
  CHECK(test::file_mode(s.dir + "/link.id") == 0600);
  std::string pub = test::slurp(s.dir + "/link.id.pub");
  CHECK(!pub.empty());
  CHECK(test::file_mode(s.dir + "/ksk.toml") == 0644);
  std::string key;
  for (const auto& e : std::filesystem::directory_iterator(s.dir + "/keys")) {
    if (e.path().extension() == ".private") {
      CHECK(test::file_mode(e.path().string()) == 0600);
      key = e.path().string();
    }
  }
  REQUIRE(!key.empty());
  if (test::have_tool("dnssec-dsfromkey")) {
    std::string keyfile = key.substr(0, key.size() - 8) + ".key";
    auto oracle = test::run("dnssec-dsfromkey -2 " + test::shell_quote(keyfile));
    REQUIRE(oracle.status == 0);
    // "example.com. IN DS tag alg 2 HEX": the same four fields as ours.
    auto ds = oracle.out.substr(oracle.out.find("DS ") + 3);
    ds.erase(ds.find_last_not_of("\n") + 1);
    CHECK(s.init_out.find("example.com. IN DS " + ds + "\n") != std::string::npos);
  }
  // Never over an existing state.
  auto again = test::kskline("ksk init --zone example.com --dir " + test::shell_quote(s.dir) + " 2>&1");
  CHECK(again.status == 1);
  CHECK(again.out.find("bad_state") != std::string::npos);
}

TEST_CASE("ksk_cli: sign shows the request, signs after yes, and the audit log verifies", "[tools][ksk_cli]") {
  CliState s;
  auto zsk = make_zsk();
  auto q = make_request({&zsk});
  std::string request = s.request_file(q);
  std::string out = s.tmp.file("response.txt");
  auto r = s.sign(request, out);
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  auto digest = signer::text_sha256(signer::format_request(q));
  CHECK(r.out.find(signer::hex_groups(digest)) != std::string::npos);
  CHECK(r.out.find(signer::word_fingerprint(digest)) != std::string::npos);
  CHECK(r.out.find("laptop UTC  2026-12-01 00:00:00") != std::string::npos);
  CHECK(r.out.find("Type yes to sign") != std::string::npos);
  auto response = signer::parse_response(test::slurp(out), out);
  REQUIRE(response);
  CHECK(response->request_id == q.id);
  CHECK(response->request_sha256 == digest);
  // The DNSKEY RRSIG verifies with the KSK in the state's key directory.
  std::string keyfile;
  for (const auto& e : std::filesystem::directory_iterator(s.dir + "/keys")) keyfile = e.path().string();
  auto ksk = zone::read_key_pair(keyfile);
  REQUIRE(ksk);
  std::vector<zone::Record> dnskey;
  zone::Record sig;
  for (const auto& rec : response->slots[0].records) {
    if (rec.type == zone::rrtype::DNSKEY) dnskey.push_back(rec);
    if (rec.type == zone::rrtype::RRSIG) {
      auto p = zone::parse_rrsig(rec.rdata);
      if (p && p->type_covered == zone::rrtype::DNSKEY) sig = rec;
    }
  }
  CHECK(zone::verify_rrsig(sig.rdata, dnskey, ksk->owner, ksk->dnskey_rdata).status == zone::VerifyStatus::valid);
  CHECK(s.audit_entries() == 1);
  // Sent again (the answer was lost): the same answer, no question asked.
  std::string out2 = s.tmp.file("response2.txt");
  auto again = s.sign(request, out2, "--batch", "");
  INFO(again.err);
  REQUIRE(again.status == 0);
  CHECK(test::slurp(out2) == test::slurp(out));
  CHECK(s.audit_entries() == 2);
}

TEST_CASE("ksk_cli: anything but yes declines, and --batch signs only the auto-approvable", "[tools][ksk_cli]") {
  CliState s;
  auto zsk = make_zsk();
  auto q = make_request({&zsk});
  std::string request = s.request_file(q);
  std::string out = s.tmp.file("response.txt");
  auto no = s.sign(request, out, "", "no");
  CHECK(no.status == 1);
  CHECK(no.err.find("operator_declined") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
  auto batch = s.sign(request, out, "--batch");
  CHECK(batch.status == 1);
  CHECK(batch.err.find("not_auto_approvable") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
  CHECK(s.ledger_files() == 0);
  CHECK(test::slurp(s.dir + "/audit.log").find("\tdeclined\t") != std::string::npos);
  REQUIRE(s.sign(request, out).status == 0);
  // The same ZSKs later: --batch signs under the default same-keys rule.
  auto next = make_request({&zsk}, kT0, kT0 + kDay);
  std::string out2 = s.tmp.file("response2.txt");
  auto ok = s.sign(s.request_file(next, "next.txt"), out2, "--batch", "");
  INFO(ok.err);
  CHECK(ok.status == 0);
  CHECK(s.audit_entries() == 4);
}

TEST_CASE("ksk_cli: a refusal is named, audited, and changes nothing else", "[tools][ksk_cli]") {
  CliState s;
  auto zsk = make_zsk();
  std::string out = s.tmp.file("response.txt");
  SECTION("clock skew") {
    auto q = make_request({&zsk}, kT0 - 3 * kHour, kT0);
    auto r = s.sign(s.request_file(q), out);
    CHECK(r.status == 1);
    CHECK(r.err.find("clock_skew") != std::string::npos);
    CHECK(r.err.find("date -u -s") != std::string::npos);
  }
  SECTION("a truncated request") {
    std::string text = signer::format_request(make_request({&zsk}));
    test::spit(s.tmp.file("cut.txt"), text.substr(0, text.size() - 20));
    auto r = s.sign(s.tmp.file("cut.txt"), out);
    CHECK(r.status == 1);
    CHECK(r.err.find("syntax") != std::string::npos);
  }
  SECTION("a wrong zone") {
    auto other = make_zsk("example.net.");
    auto r = s.sign(s.request_file(make_request({&other}, kT0, kT0, 2, "example.net.")), out);
    CHECK(r.status == 1);
    CHECK(r.err.find("zone_not_allowed") != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(out));
  CHECK(s.ledger_files() == 0);
  CHECK(s.audit_entries() == 1);
  CHECK(test::slurp(s.dir + "/audit.log").find("\trefused\t") != std::string::npos);
}

TEST_CASE("ksk_cli: a request envelope is answered with a response envelope", "[tools][ksk_cli]") {
  CliState s;
  auto zsk = make_zsk();
  auto q = make_request({&zsk});
  std::string text = signer::format_request(q);
  proto::EnvelopeSpec spec;
  spec.kind = proto::Kind::request;
  spec.payload_type = proto::PayloadType::kskline_request;
  spec.id[0] = 1;
  auto request = proto::build_envelope(spec, as_bytes(text));
  REQUIRE(request);
  std::string path = s.tmp.file("request.kske");
  test::spit(path, std::string(request->begin(), request->end()));
  auto request_env = proto::parse_envelope(*request);
  REQUIRE(request_env);
  std::string out = s.tmp.file("response.kske");
  auto r = s.sign(path, out);
  INFO(r.err);
  REQUIRE(r.status == 0);
  std::string bytes = test::slurp(out);
  auto env = proto::parse_envelope(as_bytes(bytes));
  REQUIRE(env);
  CHECK(env->header.kind == proto::Kind::response);
  CHECK(env->header.payload_type == proto::PayloadType::kskline_response);
  CHECK(env->header.in_reply_to == request_env->digest);
  CHECK(env->signer.has_value());  // signed by the state's link identity
  auto response = signer::parse_response(
      std::string_view(reinterpret_cast<const char*>(env->payload.data()), env->payload.size()), "payload");
  REQUIRE(response);
  CHECK(response->request_id == q.id);
}

TEST_CASE("ksk_cli: audit verify finds an edited log", "[tools][ksk_cli]") {
  CliState s;
  auto zsk = make_zsk();
  std::string out = s.tmp.file("response.txt");
  REQUIRE(s.sign(s.request_file(make_request({&zsk}, kT0 - 3 * kHour)), out).status == 1);
  REQUIRE(s.sign(s.request_file(make_request({&zsk})), out).status == 0);
  CHECK(s.audit_entries() == 2);
  std::string log = test::slurp(s.dir + "/audit.log");
  auto at = log.find("\trefused\t");
  REQUIRE(at != std::string::npos);
  log.replace(at, 9, "\tsigned\t ");
  test::spit(s.dir + "/audit.log", log);
  auto r = test::kskline("ksk audit verify --dir " + test::shell_quote(s.dir));
  CHECK(r.status == 1);
  CHECK(r.err.find("audit_chain_broken") != std::string::npos);
  CHECK(r.err.find("audit.log:1") != std::string::npos);
}

namespace {

// Writes a request envelope for `q` into SPOOL/to-ksk and returns its digest.
proto::Sha256 post_request(const std::string& spool, const signer::KeyRequest& q, std::uint64_t counter) {
  std::filesystem::create_directories(spool + "/to-ksk");
  std::string text = signer::format_request(q);
  proto::EnvelopeSpec spec;
  spec.kind = proto::Kind::request;
  spec.payload_type = proto::PayloadType::kskline_request;
  spec.id[0] = static_cast<std::uint8_t>(counter);
  spec.id[15] = 0x5a;
  spec.counter = counter;
  auto env = proto::build_envelope(spec, as_bytes(text));
  REQUIRE(env);
  char name[64];
  std::snprintf(name, sizeof name, "%020llu-request.kske", static_cast<unsigned long long>(counter));
  test::spit(spool + "/to-ksk/" + name, std::string(env->begin(), env->end()));
  auto parsed = proto::parse_envelope(*env);
  REQUIRE(parsed);
  return parsed->digest;
}

// The envelopes the KSK side posted into SPOOL/to-zone, oldest name first.
std::vector<std::string> posted(const std::string& spool) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(spool + "/to-zone")) {
    if (e.is_regular_file()) names.push_back(e.path().string());
  }
  std::sort(names.begin(), names.end());
  std::vector<std::string> out;
  for (const auto& n : names) out.push_back(test::slurp(n));
  return out;
}

}  // namespace

TEST_CASE("ksk_cli: serve over a spool answers each request, refusals with an error envelope", "[tools][ksk_cli]") {
  CliState s;
  std::string spool = s.tmp.file("stick");
  auto zsk = make_zsk();
  auto good = make_request({&zsk});
  auto skewed = make_request({&zsk}, kT0 - 5 * kHour);
  auto d1 = post_request(spool, good, 1);
  auto d2 = post_request(spool, skewed, 2);
  set_policy(s.dir, "auto_approve", "\"always\"");
  auto r = test::kskline("ksk serve --link " + test::shell_quote("spool:" + spool) + " --dir " +
                         test::shell_quote(s.dir) + " --batch --now " + std::to_string(kT0));
  INFO(r.out << r.err);
  CHECK(r.status == 1);  // one was refused
  CHECK(r.err.find("clock_skew") != std::string::npos);
  auto answers = posted(spool);
  REQUIRE(answers.size() == 2);
  auto a1 = proto::parse_envelope(as_bytes(answers[0]));
  auto a2 = proto::parse_envelope(as_bytes(answers[1]));
  REQUIRE(a1);
  REQUIRE(a2);
  CHECK(a1->header.kind == proto::Kind::response);
  CHECK(a1->header.in_reply_to == d1);
  CHECK(a1->signer.has_value());
  auto response = signer::parse_response(
      std::string_view(reinterpret_cast<const char*>(a1->payload.data()), a1->payload.size()), "payload");
  REQUIRE(response);
  CHECK(response->request_id == good.id);
  CHECK(a2->header.kind == proto::Kind::error);
  CHECK(a2->header.in_reply_to == d2);
  std::string refusal(reinterpret_cast<const char*>(a2->payload.data()), a2->payload.size());
  CHECK(refusal.rfind("kskline-refusal 1\ncode clock_skew\n", 0) == 0);
  CHECK(s.audit_entries() == 2);
  // The spool is emptied: nothing is answered twice.
  auto again = test::kskline("ksk serve --link " + test::shell_quote("spool:" + spool) + " --dir " +
                             test::shell_quote(s.dir) + " --batch --now " + std::to_string(kT0));
  CHECK(again.status == 0);
  CHECK(posted(spool).size() == 2);
}

namespace {

// A zone side for example.com. (zone init, a zone file, ZSKs, a request)
// that trusts the KSK side of `s` and pins its link key; the KSK side pins
// the zone side's key and signs in batch mode.
std::string zone_side(const CliState& s) {
  std::string zone = s.tmp.file("zone");
  std::string ds;
  for (std::size_t at = s.init_out.find("example.com. IN DS "); at != std::string::npos;
       at = s.init_out.find("example.com. IN DS ", at + 1)) {
    ds += s.init_out.substr(at, s.init_out.find('\n', at) + 1 - at);
  }
  test::spit(s.tmp.file("ds.txt"), ds);
  auto q = [](const std::string& t) { return test::shell_quote(t); };
  auto init = test::kskline("zone init --zone example.com --dir " + q(zone) + " --trust-anchor " +
                            q(s.tmp.file("ds.txt")) + " --peer " + q(s.dir + "/link.id.pub") + " 2>&1");
  INFO(init.out);
  REQUIRE(init.status == 0);
  test::spit(zone + "/zone.db",
             "$ORIGIN example.com.\n$TTL 3600\n@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
             "  IN NS ns1\nns1 IN A 192.0.2.1\n");
  REQUIRE(test::kskline("zone pregenerate --dir " + q(zone) + " --until +60d 2>&1").status == 0);
  auto req = test::kskline("zone request --dir " + q(zone) + " --until +50d -o " + q(s.tmp.file("req.txt")) + " 2>&1");
  INFO(req.out);
  REQUIRE(req.status == 0);
  set_policy(s.dir, "peer", "\"" + zone + "/link.id.pub\"");
  set_policy(s.dir, "auto_approve", "\"always\"");
  return zone;
}

}  // namespace

TEST_CASE("ksk_cli: serve over a spool names a rejected file with its control characters escaped", "[tools][ksk_cli]") {
  CliState s;
  std::string spool = s.tmp.file("stick");
  std::filesystem::create_directories(spool + "/to-ksk");
  test::spit(spool + "/to-ksk/\x1b]0;owned\x07\n.kske", "garbage garbage garbage garbage garbage garbage garbage");
  auto r = test::kskline("ksk serve --link " + test::shell_quote("spool:" + spool) + " --dir " +
                         test::shell_quote(s.dir) + " --batch --now " + std::to_string(kT0));
  INFO(r.out << r.err);
  CHECK(r.status == 1);
  CHECK(r.out.find("0 requests answered (0 signed, 0 re-sent, 0 refused), 1 files rejected") != std::string::npos);
  CHECK(r.err.find("rejected " + spool + "/to-ksk/rejected/\\x1b]0;owned\\x07\\x0a.kske: ") != std::string::npos);
  CHECK(r.err.find('\x1b') == std::string::npos);
  CHECK(r.err.find('\x07') == std::string::npos);
}

TEST_CASE("ksk_cli: serve over a serial line answers zone submit, envelopes authenticated", "[tools][ksk_cli]") {
  CliState s;
  std::string zone = zone_side(s);
  transport::testing::TempDir line_dir;
  test::Linesim line(line_dir, "1000000", {});
  transport::testing::Process serve({KSKLINE_BINARY, "ksk", "serve", "--link", "serial:" + line.b + ",baud=1000000",
                                     "--dir", s.dir, "--batch", "--count", "1", "--wait", "30"},
                                    s.tmp.file("serve.err"));
  auto submit = test::kskline("zone submit --dir " + test::shell_quote(zone) + " --link " +
                              test::shell_quote("serial:" + line.a + ",baud=1000000") + " --wait 30 -q");
  auto served = test::finish(serve, s.tmp.file("serve.err"));
  INFO(submit.out << submit.err << served.out << served.err);
  CHECK(submit.status == 0);
  CHECK(submit.out.find("imported the answer") != std::string::npos);
  CHECK(served.status == 0);
  CHECK(served.out.find("served: 1 signed, 0 re-sent, 0 refused") != std::string::npos);
  CHECK(served.out.rfind("waiting for the zone side's request on serial:" + line.b, 0) == 0);
  CHECK(s.audit_entries() == 1);
}

TEST_CASE("ksk_cli: serve over a spool answers what zone submit posted, zone import takes it", "[tools][ksk_cli]") {
  CliState s;
  std::string zone = zone_side(s);
  std::string spool = s.tmp.file("stick");
  std::filesystem::create_directories(spool);
  auto q = [](const std::string& t) { return test::shell_quote(t); };
  auto submit = test::kskline("zone submit --dir " + q(zone) + " --link " + q("spool:" + spool) + " -q 2>&1");
  INFO(submit.out);
  REQUIRE(submit.status == 0);
  auto served = test::kskline("ksk serve --dir " + q(s.dir) + " --link " + q("spool:" + spool) + " --batch 2>&1");
  INFO(served.out);
  REQUIRE(served.status == 0);
  CHECK(served.out.find("1 requests answered (1 signed, 0 re-sent, 0 refused)") != std::string::npos);
  std::string answer;
  for (const auto& e : std::filesystem::directory_iterator(spool + "/to-zone")) {
    if (e.is_regular_file()) answer = e.path().string();
  }
  REQUIRE(!answer.empty());
  auto imported = test::kskline("zone import " + q(answer) + " --dir " + q(zone) + " 2>&1");
  INFO(imported.out);
  CHECK(imported.status == 0);
}

TEST_CASE("ksk_cli: once ksk pin pinned the zone side, a request envelope must be signed by it", "[tools][ksk_cli]") {
  CliState s;
  Bytes seed(32, 7);
  auto zone_id = proto::LinkIdentity::from_seed(seed);
  REQUIRE(zone_id);
  const std::string key = base::to_base64(zone_id->public_key());
  auto pinned = test::kskline("ksk pin --dir " + test::shell_quote(s.dir) + " " + key);
  INFO(pinned.out << pinned.err);
  REQUIRE(pinned.status == 0);
  CHECK_THAT(pinned.out, Catch::Contains("pinned the zone side's link key " + key));
  CHECK(test::slurp(s.dir + "/ksk.toml").find("\npeer = \"" + key + "\"\n") != std::string::npos);
  CHECK(test::kskline("ksk pin --dir " + test::shell_quote(s.dir) + " not-a-key").status == 1);
  auto zsk = make_zsk();
  std::string text = signer::format_request(make_request({&zsk}));
  proto::EnvelopeSpec spec;
  spec.kind = proto::Kind::request;
  spec.payload_type = proto::PayloadType::kskline_request;
  auto unsigned_env = proto::build_envelope(spec, as_bytes(text));
  auto signed_env = proto::build_envelope(spec, as_bytes(text), &*zone_id);
  REQUIRE(unsigned_env);
  REQUIRE(signed_env);
  test::spit(s.tmp.file("unsigned.kske"), std::string(unsigned_env->begin(), unsigned_env->end()));
  test::spit(s.tmp.file("signed.kske"), std::string(signed_env->begin(), signed_env->end()));
  std::string out = s.tmp.file("response.kske");
  auto refused = s.sign(s.tmp.file("unsigned.kske"), out);
  CHECK(refused.status == 1);
  CHECK_FALSE(std::filesystem::exists(out));
  CHECK(s.audit_entries() == 0);  // not a request the policy looked at
  auto ok = s.sign(s.tmp.file("signed.kske"), out);
  INFO(ok.err);
  CHECK(ok.status == 0);
  CHECK(std::filesystem::exists(out));
}

TEST_CASE("ksk_cli: serve without --batch asks the operator for each request", "[tools][ksk_cli]") {
  CliState s;
  std::string spool = s.tmp.file("stick");
  auto zsk = make_zsk();
  auto first = make_request({&zsk});
  auto second = make_request({&zsk}, kT0, kT0 + kDay);
  post_request(spool, first, 1);
  post_request(spool, second, 2);
  auto r = test::run("printf 'yes\\nno\\n' | " + test::shell_quote(KSKLINE_BINARY) + " ksk serve --link " +
                     test::shell_quote("spool:" + spool) + " --dir " + test::shell_quote(s.dir) + " --now " +
                     std::to_string(kT0));
  INFO(r.out << r.err);
  CHECK(r.status == 1);
  CHECK(r.out.find("Type yes to sign") != std::string::npos);
  CHECK(r.out.find("signed request " + first.id) != std::string::npos);
  CHECK(r.err.find("operator_declined") != std::string::npos);
  auto answers = posted(spool);
  REQUIRE(answers.size() == 2);
  auto a1 = proto::parse_envelope(as_bytes(answers[0]));
  auto a2 = proto::parse_envelope(as_bytes(answers[1]));
  REQUIRE(a1);
  REQUIRE(a2);
  CHECK(a1->header.kind == proto::Kind::response);
  CHECK(a2->header.kind == proto::Kind::error);
  std::string log = test::slurp(s.dir + "/audit.log");
  CHECK(log.find("\tsigned\t") != std::string::npos);
  CHECK(log.find("\tdeclined\t") != std::string::npos);
}

TEST_CASE("ksk_cli: audit verify works while a sign waits for the operator", "[tools][ksk_cli]") {
  CliState s;
  auto zsk = make_zsk();
  std::string request = s.request_file(make_request({&zsk}));
  const std::string bin = test::shell_quote(KSKLINE_BINARY), d = " --dir " + test::shell_quote(s.dir);
  auto r = test::run("(sleep 3; echo yes) | " + bin + " ksk sign " + test::shell_quote(request) + " -o " +
                     test::shell_quote(s.tmp.file("response.txt")) + d + " --now " + std::to_string(kT0) +
                     " >/dev/null 2>&1 & pid=$!; sleep 1; " + bin + " ksk audit verify" + d +
                     " 2>&1; echo verify=$?; wait $pid; echo sign=$?");
  INFO(r.out);
  CHECK(r.out.find("verify=0") != std::string::npos);
  CHECK(r.out.find("sign=0") != std::string::npos);
  CHECK(s.audit_entries() == 1);
}

TEST_CASE("ksk_cli: two signs of one request at once give one answer", "[tools][ksk_cli]") {
  CliState s;
  auto zsk = make_zsk();
  std::string request = s.request_file(make_request({&zsk}));
  const std::string bin = test::shell_quote(KSKLINE_BINARY), d = " --dir " + test::shell_quote(s.dir);
  auto sign = [&](const std::string& delay, const std::string& out) {
    return "(sleep " + delay + "; echo yes) | " + bin + " ksk sign " + test::shell_quote(request) + " -o " +
           test::shell_quote(s.tmp.file(out)) + d + " --now " + std::to_string(kT0) + " >" +
           test::shell_quote(s.tmp.file(out + ".log")) + " 2>&1";
  };
  // Both are reviewed at once; both operators say yes, one after the other.
  auto r = test::run(sign("1", "a.txt") + " & a=$!; " + sign("2", "b.txt") +
                     " & b=$!; wait $a; echo a=$?; wait $b; echo b=$?");
  INFO(r.out);
  CHECK(r.out.find("a=0") != std::string::npos);
  CHECK(r.out.find("b=0") != std::string::npos);
  CHECK(test::slurp(s.tmp.file("a.txt")) == test::slurp(s.tmp.file("b.txt")));
  CHECK(s.ledger_files() == 2);  // one request, one response
  std::string log = test::slurp(s.dir + "/audit.log");
  CHECK(log.find("\tsigned\t") != std::string::npos);
  CHECK(log.find("\tresent\t") != std::string::npos);
  CHECK(s.audit_entries() == 2);
  // Each says what it did: one signed, the other sent that answer again.
  const std::string logs = test::slurp(s.tmp.file("a.txt.log")) + test::slurp(s.tmp.file("b.txt.log"));
  CHECK_THAT(logs, Catch::Contains("signed: response written to "));
  CHECK_THAT(logs, Catch::Contains("re-sent the answer signed before: response written to "));
  // Signing it once more gives the stored answer, and says that nothing new was signed.
  auto again = s.sign(request, s.tmp.file("c.txt"));
  CHECK(again.status == 0);
  CHECK_THAT(again.out, Catch::Contains("re-sent the answer signed before: response written to "));
  CHECK(test::slurp(s.tmp.file("c.txt")) == test::slurp(s.tmp.file("a.txt")));
  CHECK(s.audit_entries() == 3);  // signed, resent, resent
}

TEST_CASE("ksk_cli: a deleted audit log stops signing until audit accept records it", "[tools][ksk_cli]") {
  CliState s;
  auto zsk = make_zsk();
  REQUIRE(s.sign(s.request_file(make_request({&zsk})), s.tmp.file("r1.txt")).status == 0);
  std::filesystem::remove(s.dir + "/audit.log");
  const std::string d = " --dir " + test::shell_quote(s.dir);
  auto verify = test::kskline("ksk audit verify" + d);
  CHECK(verify.status == 1);
  CHECK(verify.err.find("audit_chain_broken") != std::string::npos);
  CHECK(verify.err.find("the head file says it held 1 entry") != std::string::npos);
  CHECK(verify.err.find("kskline ksk audit accept --dir " + s.dir) != std::string::npos);
  std::string request = s.request_file(make_request({&zsk}, kT0 + 1, kT0 + 28 * kDay, 1), "next.txt");
  auto refused = s.sign(request, s.tmp.file("r2.txt"));
  CHECK(refused.status == 1);
  CHECK(refused.err.find("audit_chain_broken") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(s.dir + "/audit.log"));
  CHECK_FALSE(std::filesystem::exists(s.tmp.file("r2.txt")));
  auto accept = test::kskline("ksk audit accept" + d + " --note 'restored from paper'");
  INFO(accept.out << accept.err);
  CHECK(accept.status == 0);
  CHECK(accept.out.find("accepted: ") != std::string::npos);
  std::string log = test::slurp(s.dir + "/audit.log");
  CHECK(log.find("\thead\t") != std::string::npos);
  CHECK(log.find("expected 1 entry") != std::string::npos);
  CHECK(log.find("restored from paper") != std::string::npos);
  CHECK(s.audit_entries() == 1);
  CHECK(s.sign(request, s.tmp.file("r2.txt")).status == 0);
  CHECK(s.audit_entries() == 2);
  auto nothing = test::kskline("ksk audit accept" + d);
  CHECK(nothing.status == 0);
  CHECK(nothing.out.find("nothing to accept") != std::string::npos);
}

TEST_CASE("ksk_cli: an edited audit line stops sign before the operator is asked", "[tools][ksk_cli]") {
  CliState s;
  auto zsk = make_zsk();
  REQUIRE(s.sign(s.request_file(make_request({&zsk})), s.tmp.file("r1.txt")).status == 0);
  std::string log = test::slurp(s.dir + "/audit.log");
  log.replace(log.find("slots"), 5, "SLOTS");
  test::spit(s.dir + "/audit.log", log);
  auto r = s.sign(s.request_file(make_request({&zsk}, kT0 + 1, kT0 + 28 * kDay, 1), "next.txt"),
                  s.tmp.file("r2.txt"));
  CHECK(r.status == 1);
  CHECK(r.err.find("audit_chain_broken") != std::string::npos);
  CHECK(r.err.find("audit.log:1") != std::string::npos);
  CHECK(r.out.find("Type yes to sign") == std::string::npos);
  CHECK(test::slurp(s.dir + "/audit.log") == log);
}

TEST_CASE("ksk_cli: sign and audit verify work while serve waits for a peer on a serial line", "[tools][ksk_cli]") {
  CliState s;
  transport::testing::TempDir line_dir;
  test::Linesim line(line_dir, "1000000", {});
  transport::testing::Process serve({KSKLINE_BINARY, "ksk", "serve", "--link", "serial:" + line.b + ",baud=1000000",
                                     "--dir", s.dir, "--batch", "--count", "1", "--wait", "30"},
                                    s.tmp.file("serve.err"));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // serve has opened the state and waits
  auto zsk = make_zsk();
  auto signed_meanwhile = s.sign(s.request_file(make_request({&zsk})), s.tmp.file("response.txt"));
  INFO(signed_meanwhile.out << signed_meanwhile.err);
  CHECK(signed_meanwhile.status == 0);
  CHECK(s.audit_entries() == 1);
  serve.signal(SIGTERM);
  auto served = test::finish(serve, s.tmp.file("serve.err"));
  INFO(served.out << served.err);
  CHECK(served.err.find("lock") == std::string::npos);
  CHECK(s.audit_entries() == 1);
}
