// Tests of `kskline zone merge` through the built binary: zones signed with
// the ZSK only by dnssec-signzone and ldns-signzone (NSEC and NSEC3),
// finished with a KSK answer in kskline's dialect and Knot's, and checked by
// dnssec-verify, ldns-verify-zone, kzonecheck and `kskline zone verify
// --trust-anchor`; refusals leave no output.
#include <catch2/catch.hpp>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "signer/foreign_dialect.hpp"
#include "signer/key_request.hpp"
#include "tests/signer/test_ksk.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "zone/key_file.hpp"
#include "zone/rr_types.hpp"

using namespace kskline;
using kskline::test::have_tool;
using kskline::test::shell_quote;
using kskline::test::slurp;
using kskline::test::spit;
using kskline::test::TempDir;

namespace {

bool have_oracles() {
  for (const char* t : {"dnssec-signzone", "ldns-signzone", "dnssec-verify", "ldns-verify-zone", "kzonecheck"}) {
    if (!have_tool(t)) {
      WARN(std::string(t) + " is not installed; skipped");
      return false;
    }
  }
  return true;
}

// A ZSK made by `kskline keygen`, a KSK, and the KSK side's answer for one
// slot around the real clock, written into a temporary folder.
struct Setup {
  TempDir dir;
  std::string zsk;  // the ZSK's key file basename
  zone::KeyPair ksk = test::make_ksk();
  signer::KeyRequest request;
  signer::KeyResponse response;
  std::int64_t now = std::time(nullptr);

  explicit Setup(std::uint8_t algorithm = 13) {
    spit(dir.file("z"), test::small_zone());
    auto made = test::kskline("keygen --zone example.org. -a " + std::to_string(algorithm) + " --dir " +
                              shell_quote(dir.path()));
    REQUIRE(made.status == 0);
    zsk = dir.file(made.out.substr(0, made.out.find('\n')));
    auto pair = zone::read_key_pair(zsk);
    REQUIRE(pair);
    // dnssec-signzone signs with the keys at the apex: the ZSK's DNSKEY is in the zone file.
    spit(dir.file("zk"), test::small_zone() + slurp(zsk + ".key"));
    const zone::Name root;
    request.id = std::string(32, 'a');
    request.zone = *zone::Name::parse("example.org.", &root);
    request.created = now;
    request.dnskey_ttl = 3600;
    signer::RequestSlot slot;
    slot.start = now - 3600;
    slot.end = now + 7 * test::kDay;
    slot.inception = now - 7200;
    slot.expiration = now + 10 * test::kDay;
    slot.zsks.push_back(zone::make_record(request.zone, zone::rrtype::DNSKEY, 3600, pair->dnskey_rdata));
    request.slots.push_back(std::move(slot));
    response = test::answer(request, "request", {&ksk});
    spit(dir.file("response"), signer::format_response(response));
    spit(dir.file("anchor"), test::ds_line(ksk));
  }

  // Signs the zone with the ZSK only: `tool` dnssec-signzone or ldns-signzone.
  std::string sign(const std::string& tool, bool nsec3) {
    const std::string out = dir.file(tool + (nsec3 ? "-nsec3" : "-nsec"));
    std::string cmd = tool == "dnssec-signzone"
                          ? "dnssec-signzone -P " + std::string(nsec3 ? "-3 - -H 0 " : "") + "-o example.org. -f " +
                                shell_quote(out) + " " + shell_quote(dir.file("zk")) + " " + shell_quote(zsk)
                          : "ldns-signzone " + std::string(nsec3 ? "-n -t 0 " : "") + "-o example.org. -f " +
                                shell_quote(out) + " " + shell_quote(dir.file("z")) + " " + shell_quote(zsk);
    auto r = test::run("cd " + shell_quote(dir.path()) + " && " + cmd);
    INFO(cmd << "\n" << r.out << r.err);
    REQUIRE(r.status == 0);
    return out;
  }

  test::CommandResult merge(const std::string& signed_zone, const std::string& response_file,
                            const std::string& extra = "") {
    return test::kskline("zone merge " + shell_quote(signed_zone) + " " + shell_quote(response_file) + " -o " +
                         shell_quote(dir.file("out")) + " --origin example.org. " + extra);
  }

  // What each validator says of the merged zone; empty when all accept it.
  std::vector<std::string> rejected() {
    std::vector<std::string> failed;
    const std::string f = shell_quote(dir.file("out"));
    auto check = [&](const std::string& name, const std::string& command) {
      auto r = test::run(command);
      if (r.status != 0) failed.push_back(name + ": " + r.out + r.err);
    };
    check("dnssec-verify", "dnssec-verify -q -o example.org. " + f);
    check("ldns-verify-zone", "ldns-verify-zone -V 1 " + f);
    check("kzonecheck", "kzonecheck -o example.org. " + f);
    check("kskline zone verify", shell_quote(KSKLINE_BINARY) + " zone verify " + f +
                                     " --origin example.org. --trust-anchor " + shell_quote(dir.file("anchor")));
    return failed;
  }

  bool written() const { return std::filesystem::exists(dir.file("out")); }
};

// The KSK's DNSKEY, CDS and CDNSKEY are in the merged zone, the ZSK's RRSIG
// over DNSKEY is not.
void check_apex(const std::string& text, const Setup& s) {
  auto sigs_by = [&](std::uint16_t tag) {
    return text.find(" " + std::to_string(tag) + " example.org.") != std::string::npos;
  };
  CHECK(sigs_by(s.ksk.key_tag));
  CHECK(text.find("CDS\t") != std::string::npos);
  CHECK(text.find("CDNSKEY\t") != std::string::npos);
}

// A merged zone's lines without the apex RRSIG over NSEC.
std::string without_apex_nsec_rrsig(const std::string& text) {
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    auto end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(at, end - at);
    if (line.rfind("example.org.\t", 0) != 0 || line.find("\tRRSIG\tNSEC ") == std::string::npos) out += line + "\n";
    at = end + 1;
  }
  return out;
}

}  // namespace

TEST_CASE("zone merge: a zone signed by dnssec-signzone with the ZSK passes every validator", "[tools][zone_merge]") {
  if (!have_oracles()) return;
  for (bool nsec3 : {false, true}) {
    DYNAMIC_SECTION((nsec3 ? "NSEC3" : "NSEC")) {
      Setup s;
      auto signed_zone = s.sign("dnssec-signzone", nsec3);
      auto r = s.merge(signed_zone, s.dir.file("response"), "--key " + shell_quote(s.zsk));
      INFO(r.out << r.err);
      REQUIRE(r.status == 0);
      CHECK(r.out.find(nsec3 ? "NSEC3 (apex bitmap re-signed)" : "NSEC (apex bitmap re-signed)") != std::string::npos);
      CHECK(s.rejected() == std::vector<std::string>{});
      check_apex(slurp(s.dir.file("out")), s);
    }
  }
}

TEST_CASE("zone merge: a zone signed by ldns-signzone with the ZSK passes every validator", "[tools][zone_merge]") {
  if (!have_oracles()) return;
  for (bool nsec3 : {false, true}) {
    DYNAMIC_SECTION((nsec3 ? "NSEC3" : "NSEC")) {
      Setup s;
      auto signed_zone = s.sign("ldns-signzone", nsec3);
      auto r = s.merge(signed_zone, s.dir.file("response"), "--key " + shell_quote(s.zsk));
      INFO(r.out << r.err);
      REQUIRE(r.status == 0);
      CHECK(s.rejected() == std::vector<std::string>{});
      check_apex(slurp(s.dir.file("out")), s);
    }
  }
}

TEST_CASE("zone merge: a Knot or BIND SKR of the same answer merges the same", "[tools][zone_merge]") {
  if (!have_oracles()) return;
  for (auto dialect : {signer::Dialect::knot, signer::Dialect::bind}) {
    DYNAMIC_SECTION(std::string(signer::dialect_name(dialect))) {
      Setup s;
      auto signed_zone = s.sign("dnssec-signzone", false);
      spit(s.dir.file("answer.skr"), signer::format_foreign(signer::from_key_response(s.response, dialect)));
      auto r = s.merge(signed_zone, s.dir.file("answer.skr"), "--key " + shell_quote(s.zsk));
      INFO(r.out << r.err);
      REQUIRE(r.status == 0);
      CHECK(s.rejected() == std::vector<std::string>{});
      const std::string foreign_out = slurp(s.dir.file("out"));
      REQUIRE(s.merge(signed_zone, s.dir.file("response"), "--key " + shell_quote(s.zsk)).status == 0);
      // The same zone but for the new ECDSA signature over the apex NSEC, which differs on every run.
      CHECK(without_apex_nsec_rrsig(slurp(s.dir.file("out"))) == without_apex_nsec_rrsig(foreign_out));
      CHECK(foreign_out.find("example.org.\t300\tIN\tRRSIG\tNSEC 13 2 300 ") != std::string::npos);
    }
  }
}

TEST_CASE("zone merge: a response for other ZSKs is refused naming the key tag", "[tools][zone_merge]") {
  if (!have_oracles()) return;
  Setup s;
  Setup other;  // another ZSK, answered by another KSK
  auto signed_zone = s.sign("dnssec-signzone", false);
  auto r = s.merge(signed_zone, other.dir.file("response"), "--key " + shell_quote(s.zsk));
  CHECK(r.status == 1);
  auto tag = [](const std::string& basename) { return std::to_string(std::stoi(basename.substr(basename.size() - 5))); };
  CHECK(r.err.find("zone_keys_differ") != std::string::npos);
  CHECK(r.err.find("ZSK " + tag(s.zsk) + " is not in the response slot") != std::string::npos);
  CHECK(r.err.find("ZSK " + tag(other.zsk) + " is not in the zone") != std::string::npos);
  CHECK_FALSE(s.written());
}

TEST_CASE("zone merge: no slot for --now is refused", "[tools][zone_merge]") {
  if (!have_oracles()) return;
  Setup s;
  auto signed_zone = s.sign("dnssec-signzone", false);
  for (const char* when : {"+8d", "-2h"}) {
    auto r = s.merge(signed_zone, s.dir.file("response"), "--key " + shell_quote(s.zsk) + " --now " + when);
    CHECK(r.status == 1);
    CHECK(r.err.find("kskline: no_slot_for_now: " + s.dir.file("response")) != std::string::npos);
    CHECK_FALSE(s.written());
  }
  // The slot's last second still counts, the next one does not.
  CHECK(s.merge(signed_zone, s.dir.file("response"),
                "--key " + shell_quote(s.zsk) + " --now " + std::to_string(s.now + 7 * test::kDay - 1))
            .status == 0);
}

TEST_CASE("zone merge: a bitmap change without --key is refused with the hint", "[tools][zone_merge]") {
  if (!have_oracles()) return;
  for (bool nsec3 : {false, true}) {
    DYNAMIC_SECTION((nsec3 ? "NSEC3" : "NSEC")) {
      Setup s;
      auto signed_zone = s.sign("ldns-signzone", nsec3);
      auto r = s.merge(signed_zone, s.dir.file("response"));
      CHECK(r.status == 1);
      CHECK(r.err.find("kskline: zsk_key_needed: --key: ") != std::string::npos);
      CHECK(r.err.find(nsec3 ? "NSEC3 record" : "NSEC record at example.org.") != std::string::npos);
      CHECK_FALSE(s.written());
    }
  }
}

TEST_CASE("zone merge: a truncated response is refused with its line", "[tools][zone_merge]") {
  if (!have_oracles()) return;
  Setup s;
  auto signed_zone = s.sign("dnssec-signzone", false);
  const std::string text = slurp(s.dir.file("response"));
  for (const auto& [name, cut] : {std::pair<std::string, std::size_t>{"kskline", text.size() / 2},
                                 {"knot", 0}}) {
    DYNAMIC_SECTION(name) {
      std::string body = text.substr(0, cut);
      if (name == "knot") {
        body = signer::format_foreign(signer::from_key_response(s.response, signer::Dialect::knot));
        body = body.substr(0, body.rfind(";; SignedKeyResponse"));  // the footer ends Knot's last slot
      }
      spit(s.dir.file("cut"), body);
      auto r = s.merge(signed_zone, s.dir.file("cut"), "--key " + shell_quote(s.zsk));
      CHECK(r.status == 1);
      CHECK(r.err.find(s.dir.file("cut") + ":") != std::string::npos);
      CHECK_FALSE(s.written());
    }
  }
}

TEST_CASE("zone merge: a malformed signed zone is refused with its file and line", "[tools][zone_merge]") {
  if (!have_oracles()) return;
  Setup s;
  auto signed_zone = s.sign("ldns-signzone", false);
  std::string text = slurp(signed_zone);
  const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  spit(s.dir.file("bad"), text + "www.example.org. 3600 IN AAAA not-an-address\n");
  auto r = s.merge(s.dir.file("bad"), s.dir.file("response"), "--key " + shell_quote(s.zsk));
  CHECK(r.status == 1);
  CHECK(r.err.find(s.dir.file("bad") + ":" + std::to_string(lines + 1) + ":") != std::string::npos);
  CHECK_FALSE(s.written());
}
