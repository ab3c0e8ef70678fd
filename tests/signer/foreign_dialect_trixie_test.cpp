// The dialects against the programs of Debian 13 (tests/support/trixie.hpp):
// keymgr 3.4, dnssec-ksr 9.20 and named 9.20, run in the root `./run setup`
// makes. A missing root is a failure naming `./run setup`, not a skip.
#include <catch2/catch.hpp>

#include <chrono>
#include <set>
#include <sstream>
#include <thread>

#include "signer/foreign_dialect.hpp"
#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/trixie.hpp"
#include "zone/key_tag.hpp"
#include "zone/rr_types.hpp"

using namespace kskline;
using namespace kskline::signer;

namespace {

void require_trixie() {
  const auto missing = test::trixie_missing();
  if (!missing.empty()) FAIL(missing);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

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

// Knot 3.4's two sides in a work directory of the root, as the keymgr 3.2 tests' KnotSetup.
struct Knot34 {
  test::TrixieDir dir;

  Knot34() {
    std::filesystem::create_directories(dir.outside("zsk"));
    std::filesystem::create_directories(dir.outside("ksk"));
    test::spit(dir.outside("zsk.conf"), conf(dir.inside("zsk"), ""));
    test::spit(dir.outside("ksk.conf"), conf(dir.inside("ksk"), "    cds-cdnskey-publish: always\n"));
  }

  static std::string conf(const std::string& storage, const std::string& extra) {
    return "database:\n    storage: " + storage + "\ntemplate:\n  - id: default\n    storage: " + storage +
           "\npolicy:\n  - id: offline\n    algorithm: ecdsap256sha256\n    offline-ksk: on\n    manual: on\n"
           "    dnskey-ttl: 3600\n    zone-max-ttl: 3600\n    propagation-delay: 0\n" +
           extra + "zone:\n  - domain: example.com.\n    dnssec-signing: on\n    dnssec-policy: offline\n";
  }
  test::CommandResult zsk(const std::string& args) const { return dir.run("keymgr -c zsk.conf example.com. " + args); }
  test::CommandResult ksk(const std::string& args) const { return dir.run("keymgr -c ksk.conf example.com. " + args); }
};

// A BIND 9.20 dnssec-policy with an offline KSK, for dnssec-ksr and named.
constexpr const char* kBindPolicy =
    "dnssec-policy \"offline\" {\n  offline-ksk yes;\n  dnskey-ttl 3600;\n  keys {\n"
    "    ksk key-directory lifetime unlimited algorithm ecdsap256sha256;\n"
    "    zsk key-directory lifetime P60D algorithm ecdsap256sha256;\n  };\n};\n";

// dnssec-ksr 9.20's ZSK side (zsk/) and KSK side (ksk/, one KSK made by dnssec-keygen) in a work directory.
struct Bind920 {
  test::TrixieDir dir;

  Bind920() {
    std::filesystem::create_directories(dir.outside("zsk"));
    std::filesystem::create_directories(dir.outside("ksk"));
    test::spit(dir.outside("policy.conf"), kBindPolicy);
  }
  test::CommandResult ksr(const std::string& args) const {
    return dir.run("dnssec-ksr -k offline -l policy.conf " + args);
  }
  // keygen and request for 90 days from now: the KSR's text.
  std::string request() const {
    auto keygen = ksr("-K zsk -i now -e +90d keygen example.com");
    INFO(keygen.err);
    REQUIRE(keygen.status == 0);
    auto request = ksr("-K zsk -i now -e +90d request example.com");
    INFO(request.err);
    REQUIRE(request.status == 0);
    return request.out;
  }
  // A KSK made by dnssec-keygen and dnssec-ksr sign of `ksr_file` (in the work directory): the SKR's text.
  std::string sign(const std::string& ksr_file) const {
    auto keygen = dir.run("dnssec-keygen -q -K ksk -f KSK -a ECDSAP256SHA256 -L 3600 example.com");
    INFO(keygen.err);
    REQUIRE(keygen.status == 0);
    auto sign = ksr("-K ksk -f " + test::shell_quote(ksr_file) + " -i now -e +90d sign example.com");
    INFO(sign.err);
    REQUIRE(sign.status == 0);
    return sign.out;
  }
};

// named 9.20 serving example.com with the offline-ksk policy from `keys`
// (the ZSKs and the KSK's public key) on 127.0.0.1, with rndc on another
// port; stopped at the end.
struct Named {
  const test::TrixieDir& dir;
  int port = test::free_port();
  int control = test::free_port();

  Named(const test::TrixieDir& d, const std::string& keys) : dir(d) {
    test::spit(dir.outside("example.com.db"),
               "$TTL 3600\nexample.com. IN SOA ns.example.com. host.example.com. 1 3600 900 604800 300\n"
               "example.com. IN NS ns.example.com.\nns.example.com. IN A 192.0.2.1\nwww.example.com. IN A 192.0.2.2\n");
    const std::string key = "key \"rndc-key\" { algorithm hmac-sha256; secret \"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=\"; };\n";
    test::spit(dir.outside("rndc.conf"), key + "options { default-key \"rndc-key\"; default-server 127.0.0.1; default-port " +
                                             std::to_string(control) + "; };\n");
    test::spit(dir.outside("named.conf"),
               std::string(kBindPolicy) + key + "controls { inet 127.0.0.1 port " + std::to_string(control) +
                   " allow { 127.0.0.1; } keys { \"rndc-key\"; }; };\n"
                   "options { directory \"" + dir.inside("") + "\"; listen-on port " + std::to_string(port) +
                   " { 127.0.0.1; }; listen-on-v6 { none; }; pid-file \"" + dir.inside("named.pid") +
                   "\"; recursion no; dnssec-validation no; allow-transfer { any; }; };\n"
                   "logging { channel l { file \"" + dir.inside("named.log") +
                   "\"; severity info; }; category default { l; }; category dnssec { l; }; };\n"
                   "zone \"example.com\" { type primary; file \"" + dir.inside("example.com.db") +
                   "\"; dnssec-policy \"offline\"; key-directory \"" + dir.inside(keys) + "\"; inline-signing yes; };\n");
    REQUIRE(port != 0);
    REQUIRE(control != 0);
    auto started = dir.run("named -c named.conf -n 1");
    INFO(started.err);
    REQUIRE(started.status == 0);
    REQUIRE(wait_log("running"));
  }

  ~Named() {
    const auto pid = test::slurp(dir.outside("named.pid"));
    if (!pid.empty()) test::run("kill " + std::to_string(std::stol(pid)));
    for (int i = 0; i < 50 && std::filesystem::exists(dir.outside("named.pid")); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  Named(const Named&) = delete;
  Named& operator=(const Named&) = delete;

  std::string log() const { return test::slurp(dir.outside("named.log")); }

  // Whether named's log has a line containing `text` within 10 seconds.
  bool wait_log(const std::string& text) const {
    for (int i = 0; i < 100; ++i) {
      if (log().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // `rndc skr -import FILE example.com`; whether named's log says it took it.
  // rndc prints "import failed: success" and exits 0 whether it did or not;
  // named logs "reconfiguring zone keys" right after the command when it did.
  bool import_skr(const std::string& file) const {
    auto rndc = dir.run("rndc -c rndc.conf skr -import " + test::shell_quote(dir.inside(file)) + " example.com");
    INFO(rndc.out + rndc.err);
    REQUIRE(rndc.status == 0);
    const std::string command = "received control channel command 'skr -import " + dir.inside(file) + " example.com'";
    REQUIRE(wait_log(command));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const auto lines = lines_of(log());
    for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
      if (lines[i].find(command) != std::string::npos) {
        return lines[i + 1].find("zone example.com/IN (signed): reconfiguring zone keys") != std::string::npos;
      }
    }
    return false;
  }

  test::CommandResult dig(const std::string& args) const {
    return dir.run("dig +norec +noall +answer -p " + std::to_string(port) + " @127.0.0.1 " + args);
  }
};

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
  std::size_t shown = 0;
  for (const auto& line : lines_of(offline.out)) shown += line.rfind(";; Offline records for", 0) == 0 ? 1 : 0;
  CHECK(shown == response->bundles.size());

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
  const auto ksk_tags = key_file_tags(bind.dir.outside("ksk"));
  REQUIRE(ksk_tags.size() == 1);
  const auto ksk_tag = std::to_string(*ksk_tags.begin());
  // named's key directory: the ZSKs and the KSK's public key, not its private key.
  for (const auto& entry : std::filesystem::directory_iterator(bind.dir.outside("ksk"))) {
    if (entry.path().extension() == ".key") {
      std::filesystem::copy_file(entry.path(), bind.dir.outside("zsk/" + entry.path().filename().string()));
    }
  }

  Named named(bind.dir, "zsk");
  // Before the import named has no KSK to serve.
  CHECK(named.dig("example.com DNSKEY").out.find("DNSKEY\t257 ") == std::string::npos);
  test::spit(bind.dir.outside("broken.skr"), text.substr(0, text.find("\n;; SignedKeyResponse 1.0 generated")) + "\nexample.com. 3600 IN\n");
  CHECK_FALSE(named.import_skr("broken.skr"));  // the log tells a refused SKR apart
  REQUIRE(named.import_skr("ours.skr"));

  std::string answer;
  for (int i = 0; i < 50; ++i) {
    answer = named.dig("+dnssec example.com DNSKEY").out;
    if (answer.find("DNSKEY\t257 ") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
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
