// Tests of `kskline zone verify` through the built binary: zones signed by
// ldns-signzone and dnssec-signzone are accepted; a corpus of broken zones,
// each made by mutating a good signed zone deterministically, is rejected
// with the right reason on standard error.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <sstream>
#include <regex>
#include <string>
#include <vector>

#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/zone/dnssec_test_util.hpp"

namespace {

using kskline::test::have_tool;
using kskline::test::shell_quote;
using kskline::test::slurp;
using kskline::test::spit;

// The unsigned test zone: delegations with and without DS, glue, an empty
// non-terminal, a wildcard, a DNAME with occluded data below, mixed case, and
// an empty non-terminal (ent) with only an insecure delegation below it.
const char* const kZone = R"($ORIGIN example.com.
$TTL 3600
@       SOA   ns1 hostmaster 2024010101 7200 3600 1209600 300
@       NS    ns1
@       NS    ns.sec
@       MX    10 mail
ns1     A     192.0.2.1
mail    A     192.0.2.2
www     A     192.0.2.3
www     TXT   "hello world"
*.wild  A     192.0.2.4
a.b.c   AAAA  2001:db8::1
sec     NS    ns.sec
sec     DS    12345 13 2 0102030405060708091011121314151617181920212223242526272829303132
ns.sec  A     192.0.2.5
insec   NS    ns.elsewhere.net.
d.ent   NS    ns.elsewhere.net.
dn      DNAME other.net.
x.dn    A     192.0.2.6
MiXeD   TXT   "case"
)";

// Signature window of every signed test zone, and times inside and around it.
const char* const kInception = "20240101000000";
const char* const kExpiration = "20340101000000";
const char* const kInside = "20250101000000";

using Run = kskline::test::CommandResult;

// A directory for keys and zones that lives as long as the test program.
kskline::test::TempDir& work() {
  static kskline::test::TempDir dir;
  return dir;
}

// `kskline zone verify FILE --now <inside> ARGS`.
Run verify(const std::string& file, const std::string& args = std::string("--now ") + kInside) {
  return kskline::test::kskline("zone verify " + shell_quote(file) + " " + args);
}

// Whether a string holds a line containing every one of `parts`.
bool has_line(const std::string& text, const std::vector<std::string>& parts) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    bool all = true;
    for (const auto& p : parts) all = all && line.find(p) != std::string::npos;
    if (all) return true;
  }
  return false;
}

enum class Tool { ldns, bind };
enum class Denial { nsec, nsec3, nsec3_optout };

// The mnemonic and key size of an algorithm for both key generators.
std::string alg_name(int alg) {
  switch (alg) {
    case 8: return "RSASHA256";
    case 13: return "ECDSAP256SHA256";
    case 15: return "ED25519";
    case 14: return "ECDSAP384SHA384";
    default: return std::to_string(alg);
  }
}

// A key directory with a KSK and a ZSK of each algorithm, made by `tool`.
struct Keys {
  std::string dir;
  std::vector<std::string> ksks, zsks;  // basenames (ldns) inside dir
};

const Keys& keys(Tool tool, const std::vector<int>& algs) {
  static std::map<std::string, Keys> cache;
  std::string id = tool == Tool::ldns ? "ldns" : "bind";
  for (int a : algs) id += "-" + std::to_string(a);
  auto it = cache.find(id);
  if (it != cache.end()) return it->second;
  Keys k;
  k.dir = work().file("keys-" + id);
  REQUIRE(kskline::test::run("mkdir -p " + shell_quote(k.dir)).status == 0);
  for (int alg : algs) {
    const std::string bits = alg == 8 ? " -b 2048" : "";
    for (bool ksk : {true, false}) {
      std::string cmd;
      if (tool == Tool::ldns) {
        cmd = "cd " + shell_quote(k.dir) + " && ldns-keygen -a " + alg_name(alg) + bits + (ksk ? " -k" : "") +
              " example.com";
      } else {
        cmd = "dnssec-keygen -q -K " + shell_quote(k.dir) + " -a " + alg_name(alg) + bits + (ksk ? " -f KSK" : "") +
              " example.com";
      }
      auto r = kskline::test::run(cmd + " 2>/dev/null");
      REQUIRE(r.status == 0);
      auto words = kskline::test::words(r.out);
      REQUIRE(!words.empty());
      (ksk ? k.ksks : k.zsks).push_back(words.back());
    }
  }
  return cache.emplace(id, std::move(k)).first->second;
}

// Signs the test zone (cached) and returns the signed file's path.
std::string signed_zone(Tool tool, const std::vector<int>& algs, Denial denial, const std::string& extra = "") {
  static std::map<std::string, std::string> cache;
  const Keys& k = keys(tool, algs);
  std::string id = k.dir + "-" + std::to_string(static_cast<int>(denial)) + extra;
  auto it = cache.find(id);
  if (it != cache.end()) return it->second;
  const std::string input = work().file("input.zone");
  spit(input, kZone);
  const std::string out = work().file("signed-" + std::to_string(cache.size()) + ".zone");
  std::string cmd;
  if (tool == Tool::ldns) {
    cmd = "cd " + shell_quote(k.dir) + " && ldns-signzone -i " + kInception + " -e " + kExpiration;
    if (denial == Denial::nsec3) cmd += " -n -t 0";
    if (denial == Denial::nsec3_optout) cmd += " -n -p -t 2 -s beef";
    cmd += " " + extra + " -o example.com. -f " + shell_quote(out) + " " + shell_quote(input);
    for (const auto& b : k.ksks) cmd += " " + b;
    for (const auto& b : k.zsks) cmd += " " + b;
  } else {
    // -d: the dsset- file goes beside the keys, not into the current directory.
    cmd = "dnssec-signzone -q -S -K " + shell_quote(k.dir) + " -d " + shell_quote(k.dir) + " -s " + kInception +
          " -e " + kExpiration;
    if (denial == Denial::nsec3) cmd += " -3 - -H 0";
    if (denial == Denial::nsec3_optout) cmd += " -3 beef -H 2 -A";
    cmd += " " + extra + " -o example.com. -f " + shell_quote(out) + " " + shell_quote(input);
  }
  auto r = kskline::test::run(cmd + " 2>&1");
  INFO(cmd << "\n" << r.out);
  REQUIRE(r.status == 0);
  return cache.emplace(id, out).first->second;
}

// The lines of a file.
std::vector<std::string> lines_of(const std::string& path) {
  std::vector<std::string> lines;
  std::istringstream in(slurp(path));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The fields of a one-line record: owner, TTL, class, type, RDATA...
std::vector<std::string> fields(const std::string& line) { return kskline::test::words(line); }

bool is_record(const std::string& line, const std::string& owner, const std::string& type,
               const std::string& covered = "") {
  auto f = fields(line);
  if (f.size() < 5 || f[0] != owner || f[3] != type) return false;
  return covered.empty() || f[4] == covered;
}

// Writes `lines` (after `mutate`) to a new file and returns its path.
std::string mutated(const std::string& source, const std::function<void(std::vector<std::string>&)>& mutate) {
  static int counter = 0;
  auto lines = lines_of(source);
  mutate(lines);
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  const std::string path = work().file("mutated-" + std::to_string(++counter) + ".zone");
  spit(path, text);
  return path;
}

// Removes the lines matching a predicate; returns how many.
std::size_t remove_lines(std::vector<std::string>& lines, const std::function<bool(const std::string&)>& pred) {
  const auto before = lines.size();
  std::erase_if(lines, pred);
  return before - lines.size();
}

// Expects rejection with a line naming `owner`, `type` and containing `reason`.
void expect_rejected(const Run& r, const std::string& owner, const std::string& reason) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  CHECK(r.status == 1);
  CHECK(has_line(r.err, {owner, reason}));
  CHECK(r.out.find("problem") != std::string::npos);
}

bool have_tools() {
  for (const char* t : {"ldns-signzone", "ldns-keygen", "dnssec-signzone", "dnssec-keygen"}) {
    if (!have_tool(t)) {
      WARN(std::string(t) + " not installed; skipped");
      return false;
    }
  }
  return true;
}

// The NSEC zone every mutation starts from: ldns-signzone, ECDSA P-256.
std::string good_nsec() { return signed_zone(Tool::ldns, {13}, Denial::nsec); }
std::string good_nsec3() { return signed_zone(Tool::ldns, {13}, Denial::nsec3); }

}  // namespace

TEST_CASE("zone_verify: accepts zones signed by ldns-signzone (NSEC, NSEC3, Opt-Out, algorithms 8, 13, 15)",
          "[tools][zone_verify]") {
  if (!have_tools()) return;
  for (int alg : {8, 13, 15}) {
    for (auto denial : {Denial::nsec, Denial::nsec3, Denial::nsec3_optout}) {
      const auto zone = signed_zone(Tool::ldns, {alg}, denial);
      const auto r = verify(zone);
      INFO("algorithm " << alg << " denial " << static_cast<int>(denial) << "\n" << r.out << r.err);
      CHECK(r.status == 0);
      CHECK(r.err.empty());
      CHECK(r.out.find(", OK") != std::string::npos);
      CHECK(r.out.find(denial == Denial::nsec ? "NSEC chain" : "NSEC3 chain") != std::string::npos);
    }
  }
}

TEST_CASE("zone_verify: accepts zones signed by dnssec-signzone (NSEC, NSEC3, Opt-Out, algorithms 8, 13, 15)",
          "[tools][zone_verify]") {
  if (!have_tools()) return;
  for (int alg : {8, 13, 15}) {
    for (auto denial : {Denial::nsec, Denial::nsec3, Denial::nsec3_optout}) {
      const auto zone = signed_zone(Tool::bind, {alg}, denial);
      const auto r = verify(zone);
      INFO("algorithm " << alg << " denial " << static_cast<int>(denial) << "\n" << r.out << r.err);
      CHECK(r.status == 0);
      CHECK(r.err.empty());
    }
  }
}

TEST_CASE("zone_verify: accepts two algorithms and a ZONEMD, the origin defaults to the SOA owner",
          "[tools][zone_verify]") {
  if (!have_tools()) return;
  const auto two = signed_zone(Tool::ldns, {13, 15}, Denial::nsec);
  auto r = verify(two, std::string("--origin example.com --threads 3 --now ") + kInside);
  INFO(r.err);
  CHECK(r.status == 0);
  const auto zonemd = signed_zone(Tool::ldns, {13}, Denial::nsec, "-z 1:1");
  r = verify(zonemd);
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.out.find("ZONEMD checked") != std::string::npos);
  CHECK(r.out.find("example.com.: ") != std::string::npos);
}

TEST_CASE("zone_verify: rejects a tampered signature", "[tools][zone_verify]") {
  if (!have_tools()) return;
  const auto zone = mutated(good_nsec(), [](auto& lines) {
    for (auto& l : lines) {
      if (is_record(l, "www.example.com.", "RRSIG", "A")) {
        // Change one base64 character in the middle of the signature.
        const auto pos = l.size() - 20;
        l[pos] = l[pos] == 'A' ? 'B' : 'A';
      }
    }
  });
  expect_rejected(verify(zone), "www.example.com. A", "signature does not verify");
}

TEST_CASE("zone_verify: rejects expired and not-yet-valid RRSIGs at --now", "[tools][zone_verify]") {
  if (!have_tools()) return;
  expect_rejected(verify(good_nsec(), "--now 20350101000000"), "www.example.com. A", "expired at 20340101000000");
  // Seconds since 1970 are accepted too (2023-01-01).
  expect_rejected(verify(good_nsec(), "--now 1672531200"), "example.com. SOA", "not yet valid");
  CHECK(verify(good_nsec(), "--now 1735689600").status == 0);  // 2025-01-01
  CHECK(verify(good_nsec(), "--now yesterday").status == 2);
}

TEST_CASE("zone_verify: --now takes the shared time grammar, a bare +N is refused", "[tools][zone_verify]") {
  // Refused before the zone is read, so no signed zone is needed.
  auto bare = verify("/nonexistent.zone", "--now +90");
  CHECK(bare.status == 2);
  CHECK(bare.err.find("--now: '+90' has no unit: write +90s, +90m, +90h, +90d or +90w") != std::string::npos);
  auto word = verify("/nonexistent.zone", "--now yesterday");
  CHECK(word.status == 2);
  CHECK(word.err.find("--now: 'yesterday' is not a time: use YYYYMMDDHHmmSS") != std::string::npos);
  if (!have_tools()) return;
  // The zone's window is 2024..2034.
  CHECK(verify(good_nsec(), "--now now").status == 0);
  CHECK(verify(good_nsec(), "--now +1w").status == 0);
  expect_rejected(verify(good_nsec(), "--now +3000w"), "www.example.com. A", "expired at 20340101000000");
  expect_rejected(verify(good_nsec(), "--now -1500w"), "example.com. SOA", "not yet valid");
}

TEST_CASE("zone_verify: a zone over --max-records is refused before it is verified", "[tools][zone_verify]") {
  const std::string file = work().file("max-records.zone");
  spit(file, "$ORIGIN example.com.\n$TTL 300\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n");
  auto over = verify(file, "--max-records 2");
  CHECK(over.status == 1);
  CHECK(over.err == "kskline: " + file + ":5: more than 2 records, the limit of one zone (--max-records raises it)\n");
  CHECK(over.out.empty());
}

TEST_CASE("zone_verify: rejects a missing RRSIG", "[tools][zone_verify]") {
  if (!have_tools()) return;
  const auto zone = mutated(good_nsec(), [](auto& lines) {
    REQUIRE(remove_lines(lines, [](const std::string& l) { return is_record(l, "www.example.com.", "RRSIG", "TXT"); }) ==
            1);
  });
  expect_rejected(verify(zone), "www.example.com. TXT", "no RRSIG");
}

TEST_CASE("zone_verify: rejects a missing NSEC and an extra NSEC", "[tools][zone_verify]") {
  if (!have_tools()) return;
  auto zone = mutated(good_nsec(), [](auto& lines) {
    REQUIRE(remove_lines(lines, [](const std::string& l) {
              return is_record(l, "www.example.com.", "NSEC") || is_record(l, "www.example.com.", "RRSIG", "NSEC");
            }) == 2);
  });
  expect_rejected(verify(zone), "www.example.com. NSEC", "missing NSEC");
  zone = mutated(good_nsec(), [](auto& lines) {
    lines.push_back("extra.example.com.\t300\tIN\tNSEC\tmail.example.com. A RRSIG NSEC");
  });
  expect_rejected(verify(zone), "extra.example.com. NSEC", "extra NSEC");
}

TEST_CASE("zone_verify: rejects a wrong NSEC bitmap", "[tools][zone_verify]") {
  if (!have_tools()) return;
  const auto zone = mutated(good_nsec(), [](auto& lines) {
    for (auto& l : lines) {
      if (is_record(l, "www.example.com.", "NSEC")) {
        const auto pos = l.find(" TXT");
        REQUIRE(pos != std::string::npos);
        l.erase(pos, 4);
      }
    }
  });
  expect_rejected(verify(zone), "www.example.com. NSEC", "type bitmap lists A RRSIG NSEC, expected A TXT RRSIG NSEC");
}

TEST_CASE("zone_verify: rejects an NSEC at a glue name", "[tools][zone_verify]") {
  if (!have_tools()) return;
  const auto zone = mutated(good_nsec(), [](auto& lines) {
    lines.push_back("ns.sec.example.com.\t300\tIN\tNSEC\tsec.example.com. A RRSIG NSEC");
  });
  expect_rejected(verify(zone), "ns.sec.example.com. NSEC", "NSEC at a glue or occluded name");
}

TEST_CASE("zone_verify: rejects a broken NSEC3 chain and a wrong NSEC3 hash", "[tools][zone_verify]") {
  if (!have_tools()) return;
  // The NSEC3 owner names in hash order.
  std::vector<std::string> owners;
  for (const auto& l : lines_of(good_nsec3())) {
    auto f = fields(l);
    if (f.size() > 3 && f[3] == "NSEC3") owners.push_back(f[0]);
  }
  REQUIRE(owners.size() > 3);
  std::sort(owners.begin(), owners.end());  // base32hex keeps the hash order
  const std::string victim = owners[2];
  auto zone = mutated(good_nsec3(), [&](auto& lines) {
    REQUIRE(remove_lines(lines, [&](const std::string& l) {
              return is_record(l, victim, "NSEC3") || is_record(l, victim, "RRSIG", "NSEC3");
            }) == 2);
  });
  auto r = verify(zone);
  expect_rejected(r, owners[1] + " NSEC3", "the chain is broken");
  CHECK(has_line(r.err, {"missing NSEC3 for this name"}));

  // Another owner hash: the name it belonged to loses its NSEC3, and the
  // renamed record matches no name.
  std::string renamed = victim;
  renamed[0] = renamed[0] == 'v' ? 'u' : 'v';
  zone = mutated(good_nsec3(), [&](auto& lines) {
    for (auto& l : lines) {
      if (is_record(l, victim, "NSEC3") || is_record(l, victim, "RRSIG", "NSEC3")) l.replace(0, victim.size(), renamed);
    }
  });
  r = verify(zone);
  expect_rejected(r, renamed + " NSEC3", "NSEC3 hash matches no name");
  CHECK(has_line(r.err, {"missing NSEC3 for this name"}));
}

TEST_CASE("zone_verify: the trust anchor must sign the DNSKEY RRset (DS digest types 1, 2, 4 or DNSKEY)",
          "[tools][zone_verify]") {
  if (!have_tools()) return;
  const Keys& k = keys(Tool::ldns, {13});
  const std::string ksk = k.dir + "/" + k.ksks[0];
  const std::string zsk = k.dir + "/" + k.zsks[0];
  // Accepted: the KSK as DNSKEY, and as DS with each digest type.
  CHECK(verify(good_nsec(), std::string("--now ") + kInside + " --trust-anchor " + shell_quote(ksk + ".key")).status ==
        0);
  for (const char* digest : {"-1", "-2", "-a SHA-384"}) {
    const std::string ds = work().file(std::string("anchor") + digest + ".ds");
    REQUIRE(kskline::test::run("dnssec-dsfromkey " + std::string(digest) + " " + shell_quote(ksk + ".key") + " 2>/dev/null > " +
                               shell_quote(ds))
                .status == 0);
    INFO(digest);
    CHECK(verify(good_nsec(), std::string("--now ") + kInside + " --trust-anchor " + shell_quote(ds)).status == 0);
  }
  // Rejected: the ZSK is in the DNSKEY set but does not sign it (ldns-signzone
  // signs the DNSKEY RRset with the KSK only).
  expect_rejected(verify(good_nsec(), std::string("--now ") + kInside + " --trust-anchor " + shell_quote(zsk + ".key")),
                  "example.com. DNSKEY", "no valid RRSIG by a key matching the trust anchor");
  // Rejected: a key that is not in the zone at all.
  const Keys& other = keys(Tool::ldns, {15});
  expect_rejected(verify(good_nsec(), std::string("--now ") + kInside + " --trust-anchor " +
                                          shell_quote(other.dir + "/" + other.ksks[0] + ".key")),
                  "example.com. DNSKEY", "no DNSKEY of the apex DNSKEY set matches the trust anchor");
}

TEST_CASE("zone_verify: rejects an RRset not signed with every algorithm of the DNSKEY set",
          "[tools][zone_verify]") {
  if (!have_tools()) return;
  const auto zone = mutated(signed_zone(Tool::ldns, {13, 15}, Denial::nsec), [](auto& lines) {
    REQUIRE(remove_lines(lines, [](const std::string& l) {
              auto f = fields(l);
              return is_record(l, "www.example.com.", "RRSIG", "A") && f.size() > 5 && f[5] == "15";
            }) == 1);
  });
  expect_rejected(verify(zone), "www.example.com. A", "no RRSIG of algorithm 15 (ED25519)");
}

TEST_CASE("zone_verify: rejects a ZONEMD that does not match the zone", "[tools][zone_verify]") {
  if (!have_tools()) return;
  // Glue is unsigned but digested: changing it breaks only the ZONEMD.
  const auto zone = mutated(signed_zone(Tool::ldns, {13}, Denial::nsec, "-z 1:1"), [](auto& lines) {
    for (auto& l : lines) {
      if (is_record(l, "ns.sec.example.com.", "A")) l.replace(l.find("192.0.2.5"), 9, "192.0.2.55");
    }
  });
  const auto r = verify(zone);
  expect_rejected(r, "example.com. ZONEMD", "ZONEMD digest (SHA-384) does not match the zone");
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 2);  // that line and the count
}

TEST_CASE("zone_verify: reports every problem, one line each, with file:line", "[tools][zone_verify]") {
  if (!have_tools()) return;
  const auto r = verify(good_nsec(), "--now 20350101000000");
  std::size_t rrsigs = 0;
  for (const auto& l : lines_of(good_nsec())) {
    auto f = fields(l);
    if (f.size() > 3 && f[3] == "RRSIG") ++rrsigs;
  }
  CHECK(r.status == 1);
  // Every RRSIG has expired: one line each, plus the count line.
  CHECK(static_cast<std::size_t>(std::count(r.err.begin(), r.err.end(), '\n')) == rrsigs + 1);
  CHECK(has_line(r.err, {good_nsec() + ":2: example.com. SOA: RRSIG (algorithm 13"}));
}

TEST_CASE("zone_verify: counts names, RRsets and records as zone check does for the same file",
          "[tools][zone_verify]") {
  for (const auto& file : {good_nsec(), good_nsec3()}) {
    auto checked = kskline::test::kskline("zone check " + shell_quote(file) + " --origin example.com");
    auto verified = verify(file);
    INFO(checked.out << verified.out << verified.err);
    REQUIRE(checked.status == 0);
    REQUIRE(verified.status == 0);
    // "FILE: ORIGIN: N names, M RRsets, K records, OK" and
    // "FILE: ORIGIN: N names, M RRsets (S signed), K records, ...".
    std::smatch c, v;
    REQUIRE(std::regex_search(checked.out, c, std::regex(R"((\d+) names, (\d+) RRsets, (\d+) records)")));
    REQUIRE(std::regex_search(verified.out, v, std::regex(R"((\d+) names, (\d+) RRsets \(\d+ signed\), (\d+) records)")));
    CHECK(c[1] == v[1]);
    CHECK(c[2] == v[2]);
    CHECK(c[3] == v[3]);
  }
}
