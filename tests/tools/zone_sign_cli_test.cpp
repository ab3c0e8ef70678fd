// Tests of `kskline zone sign` through the built binary: zones of every
// algorithm, NSEC and NSEC3, with a KSK or a keyset, checked by the
// independent validators (dnssec-verify, ldns-verify-zone, kzonecheck) and
// read by ldns-read-zone and named-checkzone; refusals with file:line;
// determinism; --reuse.
#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "tests/tools/cli_process.hpp"
#include "tests/zone/dnssec_test_util.hpp"
#include "tests/zone/limits_test_util.hpp"
#include "tests/zone/sign_test_util.hpp"
#include "zone/ds.hpp"
#include "zone/key_file.hpp"
#include "zone/rrsig.hpp"

using namespace kskline;
using kskline::test::have_tool;
using kskline::test::shell_quote;
using kskline::test::slurp;
using kskline::test::spit;
using kskline::test::TempDir;

namespace {

// Exit status, standard output and standard error of a command.
struct Run {
  int status = -1;
  std::string out;
  std::string err;
};

Run run(const std::string& command) {
  static TempDir dir;
  const std::string err = dir.file("stderr");
  auto r = test::run(command + " 2>" + shell_quote(err));
  return {r.status, r.out, slurp(err)};
}

Run cli(const std::string& args) { return run(shell_quote(KSKLINE_BINARY) + " " + args); }

// The rich zone of the signer's tests, with nothing below the DNAME
// (kzonecheck refuses that as RFC 6672 §2.4 says).
std::string zone_text() { return test::rich_zone(); }

// A ZSK and a KSK made by `kskline keygen` in `dir`; returns their basenames.
std::pair<std::string, std::string> keygen(const TempDir& dir, const std::string& alg) {
  std::string bits = alg == "RSASHA256" ? " --rsa-bits 1024" : "";
  auto zsk = cli("keygen --zone example.org. -a " + alg + bits + " --dir " + shell_quote(dir.path()));
  auto ksk = cli("keygen --zone example.org. -a " + alg + bits + " --ksk --dir " + shell_quote(dir.path()));
  REQUIRE(zsk.status == 0);
  REQUIRE(ksk.status == 0);
  auto trim = [](std::string s) {
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
  };
  return {dir.file(trim(zsk.out)), dir.file(trim(ksk.out))};
}

// Writes the test zone and an Ed25519 ZSK and KSK into `dir`; returns the
// `zone sign` command line for them, without a time option or -o.
std::string ed25519_sign_command(const TempDir& dir) {
  spit(dir.file("z"), zone_text());
  auto [zsk, ksk] = keygen(dir, "ED25519");
  return "zone sign " + shell_quote(dir.file("z")) + " --origin example.org. -k " + shell_quote(zsk) + " -k " +
         shell_quote(ksk);
}

// Runs each validator on a signed zone; returns what failed, with its output.
std::vector<std::string> validators_reject(const std::string& file, bool kzonecheck = true) {
  std::vector<std::string> failed;
  auto check = [&](const std::string& name, const std::string& command) {
    auto r = run(command);
    if (r.status != 0) failed.push_back(name + ": " + r.out + r.err);
  };
  const std::string f = shell_quote(file);
  check("dnssec-verify", "dnssec-verify -q -o example.org. " + f);
  check("ldns-verify-zone", "ldns-verify-zone -V 1 " + f);
  if (kzonecheck) check("kzonecheck", "kzonecheck -o example.org. " + f);
  check("named-checkzone", "named-checkzone -q -i local example.org. " + f);
  check("ldns-read-zone", "ldns-read-zone " + f + " >/dev/null");
  check("kskline zone verify", shell_quote(KSKLINE_BINARY) + " zone verify " + f + " --origin example.org.");
  return failed;
}

bool have_validators() {
  for (const char* t : {"dnssec-verify", "ldns-verify-zone", "kzonecheck", "named-checkzone", "ldns-read-zone"}) {
    if (!have_tool(t)) {
      WARN(std::string(t) + " is not installed; skipped");
      return false;
    }
  }
  return true;
}

// A keyset as the KSK side makes it: DNSKEY (ZSK and KSK), CDS and CDNSKEY,
// each signed by the KSK (read from its key files).
std::string make_keyset(const std::string& zsk_file, const std::string& ksk_file) {
  auto zsk = zone::read_key_pair(zsk_file);
  auto ksk = zone::read_key_pair(ksk_file);
  REQUIRE(zsk);
  REQUIRE(ksk);
  auto rec = [&](std::uint16_t type, Bytes rdata) {
    zone::Record r;
    r.owner = ksk->owner;
    r.type = type;
    r.ttl = 3600;
    r.rdata = std::move(rdata);
    return r;
  };
  std::vector<zone::Record> dnskey{rec(zone::rrtype::DNSKEY, zsk->dnskey_rdata), rec(zone::rrtype::DNSKEY, ksk->dnskey_rdata)};
  auto ds = zone::make_ds(ksk->owner, ksk->dnskey_rdata, zone::ds_digest::SHA256);
  REQUIRE(ds);
  std::vector<zone::Record> cds{rec(zone::rrtype::CDS, *ds)};
  std::vector<zone::Record> cdnskey{rec(zone::rrtype::CDNSKEY, ksk->dnskey_rdata)};
  auto signer = zone::Signer::create(ksk->key);
  REQUIRE(signer);
  const auto now = static_cast<std::uint32_t>(std::time(nullptr));
  std::string text = "; a keyset for example.org.\n";
  for (const auto* set : {&dnskey, &cds, &cdnskey}) {
    zone::SignParams p{ksk->owner, ksk->key_tag, now - 3600, now + 30 * 86400, std::nullopt};
    auto sig = zone::sign_rrset(*signer, p, *set);
    REQUIRE(sig);
    for (const auto& r : *set) zone::append_text(r, text);
    zone::append_text(rec(zone::rrtype::RRSIG, *sig), text);
  }
  return text;
}

}  // namespace

TEST_CASE("zone sign: algorithms 8, 13, 14 and 15 with NSEC and NSEC3 pass every validator", "[tools][zone_sign]") {
  if (!have_validators()) return;
  TempDir dir;
  spit(dir.file("example.org.zone"), zone_text());
  for (const char* alg : {"RSASHA256", "ECDSAP256SHA256", "ECDSAP384SHA384", "ED25519"}) {
    auto [zsk, ksk] = keygen(dir, alg);
    for (const char* mode : {"", "--nsec3", "--nsec3 --nsec3-optout --nsec3-salt 00ff --nsec3-iterations 2"}) {
      INFO(alg << " " << mode);
      const std::string out = dir.file(std::string("signed-") + alg + ".zone");
      auto r = cli("zone sign " + shell_quote(dir.file("example.org.zone")) + " --origin example.org. -k " +
                       shell_quote(zsk) + " -k " + shell_quote(ksk) + " -o " + shell_quote(out) + " " + mode);
      INFO(r.err);
      REQUIRE(r.status == 0);
      CHECK(r.out.find(" signed: ") != std::string::npos);
      CHECK(validators_reject(out).empty());
    }
  }
}

TEST_CASE("zone sign: data occluded below a DNAME stays unsigned, dnssec-verify and ldns-verify-zone agree", "[tools][zone_sign]") {
  if (!have_validators()) return;
  TempDir dir;
  spit(dir.file("z"), zone_text() + "x.redirect IN A 192.0.2.8\n");
  auto [zsk, ksk] = keygen(dir, "ECDSAP256SHA256");
  for (const char* mode : {"", "--nsec3"}) {
    INFO(mode);
    auto r = cli("zone sign " + shell_quote(dir.file("z")) + " --origin example.org. -k " + shell_quote(zsk) + " -k " +
                 shell_quote(ksk) + " -o " + shell_quote(dir.file("s")) + " " + mode);
    INFO(r.err);
    REQUIRE(r.status == 0);
    // kzonecheck refuses any data below a DNAME (RFC 6672 §2.4), signed or not.
    CHECK(validators_reject(dir.file("s"), false).empty());
    CHECK(slurp(dir.file("s")).find("x.redirect.example.org.\t3600\tIN\tA\t192.0.2.8\n") != std::string::npos);
  }
}

TEST_CASE("zone sign: with --zonemd ldns-verify-zone checks the digest", "[tools][zone_sign]") {
  if (!have_validators()) return;
  TempDir dir;
  spit(dir.file("z"), zone_text());
  auto [zsk, ksk] = keygen(dir, "ECDSAP256SHA256");
  for (const char* mode : {"", "--nsec3"}) {
    INFO(mode);
    auto r = cli("zone sign " + shell_quote(dir.file("z")) + " --origin example.org. --zonemd -k " +
                     shell_quote(zsk) + " -k " + shell_quote(ksk) + " -o " + shell_quote(dir.file("s")) + " " + mode);
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(validators_reject(dir.file("s")).empty());
    // -Z: a valid ZONEMD is required, so the digest really was checked.
    CHECK(run("ldns-verify-zone -Z " + shell_quote(dir.file("s"))).status == 0);
    // To a pipe the zone is held until its ZONEMD is known.
    auto piped = cli("zone sign " + shell_quote(dir.file("z")) + " --origin example.org. --zonemd -k " +
                     shell_quote(zsk) + " -k " + shell_quote(ksk) + " -o - " + mode + " > " + shell_quote(dir.file("p")));
    REQUIRE(piped.status == 0);
    CHECK(run("ldns-verify-zone -Z " + shell_quote(dir.file("p"))).status == 0);
    // A wrong digest fails (the ZONEMD line re-signed is beyond the test:
    // the check is that ldns-verify-zone looks at the digest at all).
    std::string text = slurp(dir.file("s"));
    auto at = text.find("\tZONEMD\t");
    REQUIRE(at != std::string::npos);
    auto eol = text.find('\n', at);
    text[eol - 1] = text[eol - 1] == '0' ? '1' : '0';
    spit(dir.file("bad"), text);
    CHECK(run("ldns-verify-zone " + shell_quote(dir.file("bad"))).status != 0);
  }
}

TEST_CASE("zone sign: a keyset signed by the KSK is placed as it is", "[tools][zone_sign]") {
  if (!have_validators()) return;
  TempDir dir;
  spit(dir.file("z"), zone_text());
  for (const char* alg : {"ECDSAP256SHA256", "ED25519"}) {
    INFO(alg);
    auto [zsk, ksk] = keygen(dir, alg);
    const std::string keyset = make_keyset(zsk + ".key", ksk + ".key");
    spit(dir.file("keyset"), keyset);
    for (const char* mode : {"", "--nsec3"}) {
      auto r = cli("zone sign " + shell_quote(dir.file("z")) + " --origin example.org. -k " + shell_quote(zsk) +
                       " --keyset " + shell_quote(dir.file("keyset")) + " -o " + shell_quote(dir.file("s")) + " " + mode);
      INFO(r.err);
      REQUIRE(r.status == 0);
      CHECK(validators_reject(dir.file("s")).empty());
      // The KSK's RRSIGs are the keyset's, byte for byte.
      auto signed_zone = test::read_zone_text(slurp(dir.file("s")));
      auto from_keyset = test::read_zone_text(keyset);
      for (const auto& k : from_keyset.records) {
        if (k.type != zone::rrtype::RRSIG) continue;
        bool found = false;
        for (const auto& s : signed_zone.records) found |= s.type == k.type && s.rdata == k.rdata;
        CHECK(found);
      }
    }
  }
}

TEST_CASE("zone sign: a keyset without the ZSK, or with a bad RRSIG, or beside a KSK is refused", "[tools][zone_sign]") {
  TempDir dir;
  spit(dir.file("z"), zone_text());
  auto [zsk, ksk] = keygen(dir, "ECDSAP256SHA256");
  auto [other_zsk, unused] = keygen(dir, "ECDSAP256SHA256");
  const std::string base = "zone sign " + shell_quote(dir.file("z")) + " --origin example.org. -o " +
                           shell_quote(dir.file("s")) + " --keyset " + shell_quote(dir.file("keyset"));

  spit(dir.file("keyset"), make_keyset(other_zsk + ".key", ksk + ".key"));
  auto lacks = cli(base + " -k " + shell_quote(zsk));
  CHECK(lacks.status == 1);
  CHECK(lacks.err.find("lacks the ZSK") != std::string::npos);

  std::string text = make_keyset(zsk + ".key", ksk + ".key");
  // Line 4 is the RRSIG over the DNSKEY RRset (after a comment and 2 DNSKEYs).
  std::size_t pos = 0;
  for (int i = 0; i < 4; ++i) pos = text.find('\n', pos) + 1;
  pos -= 8;  // inside the base64 signature
  text[pos] = text[pos] == 'A' ? 'B' : 'A';
  spit(dir.file("keyset"), text);
  auto bad = cli(base + " -k " + shell_quote(zsk));
  INFO(bad.err);
  CHECK(bad.status == 1);
  CHECK(bad.err.find(dir.file("keyset") + ":4: ") != std::string::npos);
  CHECK(bad.err.find("does not verify") != std::string::npos);

  spit(dir.file("keyset"), make_keyset(zsk + ".key", ksk + ".key"));
  auto with_ksk = cli(base + " -k " + shell_quote(zsk) + " -k " + shell_quote(ksk));
  CHECK(with_ksk.status == 1);
  CHECK(with_ksk.err.find("SEP") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("s")));
}

TEST_CASE("zone sign: refusals name file:line and leave no output", "[tools][zone_sign]") {
  TempDir dir;
  auto [zsk, ksk] = keygen(dir, "ED25519");
  const std::string head =
      "$ORIGIN example.org.\n$TTL 3600\n@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n  NS ns1\nns1 A 192.0.2.1\n";
  struct Case {
    std::string body;
    int line;
    std::string says;
  };
  const Case cases[] = {
      {"www CNAME ns1\nwww A 192.0.2.2\n", 6, "CNAME"},
      {"www 60 A 192.0.2.2\nwww 120 A 192.0.2.3\n", 7, "TTL"},
      {"www.example.net. A 192.0.2.2\n", 6, "outside"},
      {"www A 192.0.2.300\n", 6, ""},
  };
  for (const auto& c : cases) {
    INFO(c.body);
    spit(dir.file("z"), head + c.body);
    auto r = cli("zone sign " + shell_quote(dir.file("z")) + " --origin example.org. -k " + shell_quote(zsk) +
                     " -o " + shell_quote(dir.file("s")));
    INFO(r.err);
    CHECK(r.status == 1);
    CHECK(r.err.find(dir.file("z") + ":" + std::to_string(c.line) + ": ") != std::string::npos);
    CHECK(r.err.find(c.says) != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir.file("s")));
  }
  // Mixed TTLs pass with --normalize-ttl.
  spit(dir.file("z"), head + cases[1].body);
  CHECK(cli("zone sign " + shell_quote(dir.file("z")) + " --origin example.org. --normalize-ttl -k " +
                shell_quote(zsk) + " -o " + shell_quote(dir.file("s")))
            .status == 0);
}

TEST_CASE("zone sign: a zone over --max-records or an RRset over 65,535 octets is refused, nothing written",
          "[tools][zone_sign]") {
  TempDir dir;
  const std::string zsk = keygen(dir, "ED25519").first;
  auto sign = [&](const std::string& text, const std::string& extra) {
    spit(dir.file("z"), text);
    return cli("zone sign " + shell_quote(dir.file("z")) + " --origin example.org. -k " + shell_quote(zsk) + extra +
               " -o " + shell_quote(dir.file("s")));
  };
  const std::string origin = "$ORIGIN example.org.\n";
  auto over = sign(origin + test::zone_of_records(6), " --max-records 5");
  INFO(over.err);
  CHECK(over.status == 1);
  CHECK(over.err.find(dir.file("z") + ":8: more than 5 records, the limit of one zone (--max-records raises it)") !=
        std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("s")));
  // On several threads too (a splittable zone over the 1 MiB parallel reads start at).
  std::string big = "example.org. 300 IN SOA ns hm 1 2 3 4 5\nexample.org. 300 IN NS ns.example.org.\n";
  for (int i = 0; i < 40000; ++i) big += "h" + std::to_string(i) + ".example.org. 300 IN A 192.0.2.1\n";
  auto threads = sign(big, " --max-records 30000 --threads 2");
  CHECK(threads.status == 1);
  CHECK(threads.err.find(dir.file("z") + ":30001: more than 30000 records") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("s")));
  CHECK(sign(origin + test::zone_of_records(6), " --max-records 6").status == 0);
  std::filesystem::remove(dir.file("s"));
  // The RRset limit, at the record that takes the RRset over it.
  // Below example.org. each record is 259 octets: the 254th takes the set over
  // (253 * 259 = 65,527), on line 4 + 254 after the $ORIGIN line.
  auto rrset = sign(origin + test::big_rrset_zone(258), "");
  INFO(rrset.err);
  CHECK(rrset.status == 1);
  CHECK(rrset.err.find(dir.file("z") + ":" + std::to_string(test::kBigRRsetFirstLine + 254) +
                       ": the RRset big.example.org. TXT (258 records) goes over 65535 octets") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("s")));
}

TEST_CASE("zone sign: more than 50 NSEC3 iterations are refused clearly", "[tools][zone_sign]") {
  TempDir dir;
  spit(dir.file("z"), zone_text());
  auto [zsk, ksk] = keygen(dir, "ECDSAP256SHA256");
  auto r = cli("zone sign " + shell_quote(dir.file("z")) + " --origin example.org. -k " + shell_quote(zsk) +
                   " --nsec3-iterations 51 -o " + shell_quote(dir.file("s")));
  CHECK(r.status == 1);
  CHECK(r.err.find("--nsec3-iterations: 51 NSEC3 iterations refused: at most 50") != std::string::npos);
}

TEST_CASE("zone sign: two runs with Ed25519 and the same time give the same bytes", "[tools][zone_sign]") {
  TempDir dir;
  const std::string args = ed25519_sign_command(dir) + " --now 20240601000000 --nsec3 -o ";
  REQUIRE(cli(args + shell_quote(dir.file("a")) + " --threads 1").status == 0);
  REQUIRE(cli(args + shell_quote(dir.file("b")) + " --threads 4").status == 0);
  CHECK(slurp(dir.file("a")) == slurp(dir.file("b")));
  CHECK(slurp(dir.file("a")).size() > 1000);
  // Standard output gets the same bytes.
  auto stdout_run = cli(args + "-");
  CHECK(stdout_run.status == 0);
  CHECK(stdout_run.out == slurp(dir.file("a")));
  if (have_tool("ldns-verify-zone")) {
    CHECK(run("ldns-verify-zone -t 20240602000000 " + shell_quote(dir.file("a"))).status == 0);
  }
}

TEST_CASE("zone sign: killed at random points it leaves the old output or the whole new one, and the next run no debris",
          "[tools][zone_sign][crash]") {
  TempDir dir;
  spit(dir.file("z"), "$ORIGIN example.org.\n" + test::zone_of_records(10000));
  auto [zsk, ksk] = keygen(dir, "ED25519");
  const std::string out = dir.file("signed.zone");
  const std::vector<std::string> sign{"zone", "sign", dir.file("z"), "--origin", "example.org.", "-k", zsk, "-k", ksk,
                                      "--now", "20240601000000", "-o", out};
  const std::string old = "; the zone the last run published\n";
  spit(out, old);
  const auto whole_run = test::duration_of(dir, sign);
  const std::string complete = slurp(out);  // Ed25519 and a fixed time: the same bytes every run
  REQUIRE(complete.size() > 250000);
  std::mt19937 random(11);
  int killed = 0, old_kept = 0;
  for (int i = 0; i < 20; ++i) {
    spit(out, old);
    auto delay = std::chrono::microseconds(
        std::uniform_int_distribution<std::int64_t>(0, whole_run.count() * 6 / 5)(random));
    CAPTURE(i, delay.count());
    if (test::kill_after(dir, sign, delay) == 128 + SIGKILL) ++killed;
    const std::string now = slurp(out);
    CHECK((now == old || now == complete));
    old_kept += now == old;
  }
  CHECK(killed > 0);
  CHECK(old_kept > 0);
  INFO(whole_run.count() << " us a run; " << killed << " of 20 killed");
  auto again = test::run(dir, sign, "again");
  REQUIRE(again.status == 0);
  CHECK(slurp(out) == complete);
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    CHECK(entry.path().filename().string().find(".tmp.") == std::string::npos);  // temporaries of killed runs are gone
  }
}

TEST_CASE("zone sign: --now takes the shared time grammar, a bare +N is refused", "[tools][zone_sign]") {
  TempDir dir;
  const std::string args = ed25519_sign_command(dir) + " -o ";
  // The same time as a calendar date and as unix seconds signs the same bytes.
  REQUIRE(cli(args + shell_quote(dir.file("a")) + " --now 20240601000000").status == 0);
  REQUIRE(cli(args + shell_quote(dir.file("b")) + " --now 1717200000").status == 0);
  CHECK(slurp(dir.file("a")) == slurp(dir.file("b")));
  CHECK(slurp(dir.file("a")).find(" 20240531230000 ") != std::string::npos);  // inception: --now less 1h
  // Relative times are accepted.
  CHECK(cli(args + shell_quote(dir.file("c")) + " --now -1d").status == 0);
  // A duration without a unit is refused, naming the units, and nothing is written.
  auto bare = cli(args + shell_quote(dir.file("d")) + " --now +90");
  CHECK(bare.status == 2);  // a usage error, as for every command (docs/exit-codes.md)
  CHECK(bare.err.find("--now: '+90' has no unit: write +90s, +90m, +90h, +90d or +90w") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("d")));
  auto february = cli(args + shell_quote(dir.file("d")) + " --now 20240230000000");
  CHECK(february.status == 2);
  CHECK(february.err.find("--now: time '20240230000000' is not a valid date") != std::string::npos);
}

TEST_CASE("zone sign: --reuse keeps the RRSIGs of an unchanged zone", "[tools][zone_sign]") {
  TempDir dir;
  spit(dir.file("z"), zone_text());
  auto [zsk, ksk] = keygen(dir, "ECDSAP256SHA256");
  const std::string args = "zone sign " + shell_quote(dir.file("z")) + " --origin example.org. -k " +
                           shell_quote(zsk) + " -k " + shell_quote(ksk);
  REQUIRE(cli(args + " -o " + shell_quote(dir.file("first"))).status == 0);
  auto again = cli(args + " --reuse " + shell_quote(dir.file("first")) + " -o " + shell_quote(dir.file("second")));
  INFO(again.err);
  REQUIRE(again.status == 0);
  CHECK(again.out.find(" 0 RRSIGs made, ") != std::string::npos);
  CHECK(slurp(dir.file("first")) == slurp(dir.file("second")));
  // The same file as previous zone and output: read first, replaced at the end.
  auto in_place = cli(args + " --serial increment --reuse " + shell_quote(dir.file("second")) + " -o " +
                          shell_quote(dir.file("second")));
  CHECK(in_place.status == 0);
  CHECK(in_place.out.find(" 1 RRSIGs made, ") != std::string::npos);
  if (have_validators()) CHECK(validators_reject(dir.file("second")).empty());
}

TEST_CASE("zone sign: PEM private keys with --pem-key ALGORITHM:FLAGS:PATH", "[tools][zone_sign]") {
  if (!have_validators() || !have_tool("openssl")) return;
  TempDir dir;
  spit(dir.file("z"), zone_text());
  REQUIRE(run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + shell_quote(dir.file("zsk.pem"))).status == 0);
  REQUIRE(run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + shell_quote(dir.file("ksk.pem"))).status == 0);
  auto r = cli("zone sign " + shell_quote(dir.file("z")) + " --origin example.org. --pem-key 13:256:" +
               shell_quote(dir.file("zsk.pem")) + " --pem-key ECDSAP256SHA256:257:" + shell_quote(dir.file("ksk.pem")) + " -o " +
               shell_quote(dir.file("s")));
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(validators_reject(dir.file("s")).empty());
  auto wrong = cli("zone sign " + shell_quote(dir.file("z")) + " --origin example.org. --pem-key 15:256:" +
                   shell_quote(dir.file("zsk.pem")) + " -o " + shell_quote(dir.file("s2")));
  CHECK(wrong.status == 1);
  CHECK(wrong.err.find(dir.file("zsk.pem")) != std::string::npos);
  auto bad_spec = cli("zone sign " + shell_quote(dir.file("z")) + " --origin example.org. --pem-key " +
                      shell_quote(dir.file("zsk.pem")) + " -o " + shell_quote(dir.file("s2")));
  CHECK(bad_spec.status == 1);
  CHECK(bad_spec.err.find("ALGORITHM:FLAGS:PATH") != std::string::npos);
}

TEST_CASE("zone sign: each --key takes one file, so the zone file may follow it", "[tools][zone_sign]") {
  TempDir dir;
  spit(dir.file("z"), zone_text());
  auto [zsk, ksk] = keygen(dir, "ED25519");
  auto r = cli("zone sign --origin example.org. -k " + shell_quote(zsk) + " -k " + shell_quote(ksk) + " " +
               shell_quote(dir.file("z")) + " -o " + shell_quote(dir.file("s")));
  INFO(r.err);
  CHECK(r.status == 0);
}

TEST_CASE("zone sign: usage errors exit 2", "[tools][zone_sign]") {
  CHECK(cli("zone sign").status == 2);
  CHECK(cli("zone sign z --origin example.org.").status == 2);  // no -o
  auto r = cli("zone sign z --origin example.org. -o out --bogus");
  CHECK(r.status == 2);
}

TEST_CASE("zone sign: a duration without a unit is a usage error naming the option", "[tools][zone_sign]") {
  TempDir dir;
  spit(dir.file("z"), zone_text());
  auto [zsk, ksk] = keygen(dir, "ED25519");
  const std::string args = "zone sign --origin example.org. -k " + shell_quote(zsk) + " -k " + shell_quote(ksk) +
                           " " + shell_quote(dir.file("z")) + " -o " + shell_quote(dir.file("s"));
  auto bare = cli(args + " --validity 14");
  INFO(bare.err);
  CHECK(bare.status == 2);
  CHECK(bare.err.find("--validity: '14' has no unit: write 14s, 14m, 14h, 14d or 14w") != std::string::npos);
  CHECK(cli(args + " --jitter 3600").status == 2);
  CHECK(cli(args + " --validity 14d --jitter 1h").status == 0);
}
