// Tests of `kskline zone init|pregenerate|request|import|publish|status`
// through the built binary, on the real clock: the published zone is checked
// by dnssec-verify, ldns-verify-zone, kzonecheck and `kskline zone verify`;
// refusals exit 1 and change nothing; status exits 0/1/2, and 3 when it cannot tell.
#include <catch2/catch.hpp>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <map>
#include <string>

#include "signer/fingerprint.hpp"
#include "signer/key_request.hpp"
#include "tests/signer/test_ksk.hpp"
#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "zone/key_file.hpp"

using namespace kskline;
using kskline::test::have_tool;
using kskline::test::shell_quote;
using kskline::test::slurp;
using kskline::test::spit;
using kskline::test::TempDir;

namespace {

// Runs the built binary with `args`, already quoted for the shell.
test::CommandResult cli(const std::string& args) { return test::kskline(args); }

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Every file of a directory but the lock, with its content.
std::map<std::string, std::string> snapshot(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.path().filename() == ".lock") continue;
    out[e.path().string()] = e.is_regular_file() ? slurp(e.path().string()) : "<dir>";
  }
  return out;
}

// A zone state in `tmp`/state with a KSK made by `kskline keygen`, ZSKs for
// 60 days and an imported answer to a request for 20 days from now.
struct Ceremony {
  TempDir tmp{"kskline-zone-cli"};
  std::string state = tmp.file("state");
  std::string ksk_base;
  std::string d;  // " --dir <state>"

  Ceremony() {
    auto k = cli("keygen --zone example.org. -a 13 --ksk --dir " + shell_quote(tmp.path()));
    REQUIRE(k.status == 0);
    ksk_base = tmp.file(trim(k.out));
    auto ds = cli("ds " + shell_quote(ksk_base + ".key"));
    REQUIRE(ds.status == 0);
    spit(tmp.file("anchor.db"), ds.out);
    spit(tmp.file("zone.db"), test::small_zone());
    d = " --dir " + shell_quote(state);
    auto init = cli("zone init --zone example.org" + d + " --zone-file " + shell_quote(tmp.file("zone.db")) +
                    " --signed-file " + shell_quote(tmp.file("zone.signed")) + " --trust-anchor " +
                    shell_quote(tmp.file("anchor.db")));
    INFO(init.err);
    REQUIRE(init.status == 0);
  }

  // Answers a request file with the KSK; returns the response file.
  std::string answer(const std::string& request_file, const std::string& name,
                     const test::AnswerTweaks& tweaks = {}) {
    auto text = slurp(request_file);
    auto request = signer::parse_request(text, request_file);
    REQUIRE(request);
    auto ksk = zone::read_key_pair(ksk_base);
    REQUIRE(ksk);
    spit(tmp.file(name), signer::format_response(test::answer(*request, text, {&*ksk}, tweaks)));
    return tmp.file(name);
  }
};

}  // namespace

TEST_CASE("zone_state_cli: init refuses an existing state and a trust anchor of another zone",
          "[tools][zone_state_cli]") {
  Ceremony c;
  CHECK(std::filesystem::exists(c.state + "/kskline-zone.toml"));
  CHECK(std::filesystem::exists(c.state + "/link.id"));
  CHECK(test::file_mode(c.state + "/link.id") == 0600);
  auto again = cli("zone init --zone example.org" + c.d + " --trust-anchor " + shell_quote(c.tmp.file("anchor.db")));
  CHECK(again.status == 1);
  CHECK(again.err.find("already exists") != std::string::npos);
  auto net = cli("keygen --zone example.net. -a 13 --ksk --dir " + shell_quote(c.tmp.path()));
  REQUIRE(net.status == 0);
  auto ds = cli("ds " + shell_quote(c.tmp.file(trim(net.out) + ".key")));
  spit(c.tmp.file("net.db"), ds.out);
  auto foreign = cli("zone init --zone example.org --dir " + shell_quote(c.tmp.file("other")) + " --trust-anchor " +
                     shell_quote(c.tmp.file("net.db")));
  CHECK(foreign.status == 1);
  CHECK(foreign.err.find("example.net.") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(c.tmp.file("other/kskline-zone.toml")));

  // Timing options land in the config; bad ones are refused before anything is made.
  auto timed = cli("zone init --zone example.org --dir " + shell_quote(c.tmp.file("timed")) + " --trust-anchor " +
                   shell_quote(c.tmp.file("anchor.db")) + " --zsk-lifetime 60d --slot-interval 3d --warning 10d");
  INFO(timed.err);
  REQUIRE(timed.status == 0);
  auto toml = slurp(c.tmp.file("timed/kskline-zone.toml"));
  CHECK(toml.find("zsk_lifetime = \"60d\"") != std::string::npos);
  CHECK(toml.find("slot_interval = \"3d\"") != std::string::npos);
  CHECK(toml.find("warning = \"10d\"") != std::string::npos);
  auto bad = cli("zone init --zone example.org --dir " + shell_quote(c.tmp.file("bad")) + " --trust-anchor " +
                 shell_quote(c.tmp.file("anchor.db")) + " --prepublish 90d");
  CHECK(bad.status == 1);
  CHECK(bad.err.find("keys.prepublish") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(c.tmp.file("bad")));
  // A duration without its unit (seconds? days?) is a usage error naming the option.
  auto unitless = cli("zone init --zone example.org --dir " + shell_quote(c.tmp.file("unitless")) +
                      " --trust-anchor " + shell_quote(c.tmp.file("anchor.db")) + " --warning 14");
  CHECK(unitless.status == 2);
  CHECK(unitless.err.find("--warning") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(c.tmp.file("unitless")));
}

TEST_CASE("zone_state_cli: the whole zone side, the published zone passes every validator",
          "[tools][zone_state_cli]") {
  Ceremony c;
  auto pre = cli("zone pregenerate" + c.d + " --until +60d");
  INFO(pre.out << pre.err);
  REQUIRE(pre.status == 0);
  CHECK(cli("zone pregenerate" + c.d + " --until +60d").out.find("0 ZSKs made") != std::string::npos);
  auto req = cli("zone request" + c.d + " --until +20d -o " + shell_quote(c.tmp.file("req")));
  INFO(req.err);
  REQUIRE(req.status == 0);
  // The operator sees the digest and the words the KSK side shows.
  const auto digest = signer::text_sha256(slurp(c.tmp.file("req")));
  CHECK(req.out.find("sha256      " + signer::hex_groups(digest) + "\nwords       " +
                     signer::word_fingerprint(digest) + "\n") != std::string::npos);
  auto gap = cli("zone request" + c.d + " --until +200d -o " + shell_quote(c.tmp.file("req2")));
  CHECK(gap.status == 1);
  CHECK(gap.err.find("pregenerate --until") != std::string::npos);

  // A forged answer is refused by name and changes nothing.
  test::AnswerTweaks short_margin;
  short_margin.expiration_delta = -2 * test::kDay;
  const auto before = snapshot(c.state);
  auto bad = cli("zone import" + c.d + " " + shell_quote(c.answer(c.tmp.file("req"), "short", short_margin)));
  CHECK(bad.status == 1);
  CHECK(bad.err.find("margin_too_short") != std::string::npos);
  CHECK(snapshot(c.state) == before);

  auto imported = cli("zone import" + c.d + " " + shell_quote(c.answer(c.tmp.file("req"), "resp")));
  INFO(imported.err);
  REQUIRE(imported.status == 0);

  auto published = cli("zone publish" + c.d);
  INFO(published.err);
  REQUIRE(published.status == 0);
  const std::string f = shell_quote(c.tmp.file("zone.signed"));
  CHECK(cli("zone verify " + f + " --origin example.org. --trust-anchor " + shell_quote(c.tmp.file("anchor.db")))
            .status == 0);
  for (const auto& [tool, command] : std::vector<std::pair<std::string, std::string>>{
           {"dnssec-verify", "dnssec-verify -q -o example.org. " + f},
           {"ldns-verify-zone", "ldns-verify-zone -V 1 " + f},
           {"kzonecheck", "kzonecheck -d on -o example.org. " + f}}) {
    if (!have_tool(tool)) {
      WARN(tool + " is not installed; skipped");
      continue;
    }
    auto r = test::run(command + " 2>&1");
    INFO(tool << ": " << r.out);
    CHECK(r.status == 0);
  }
  // The DNSKEY TTL published is the RRSIGs' Original TTL.
  CHECK(slurp(c.tmp.file("zone.signed")).find("example.org.\t3600\tIN\tDNSKEY\t257 3 13 ") != std::string::npos);

  // Status: OK now, WARNING within 14 days of the end, CRITICAL within 3.
  auto ok = cli("zone status" + c.d);
  INFO(ok.out);
  CHECK(ok.status == 0);
  CHECK(ok.out.rfind("KSKLINE OK - example.org.", 0) == 0);
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  CHECK(cli("zone status" + c.d + " --now " + std::to_string(now + 10 * test::kDay)).status == 1);
  CHECK(cli("zone status" + c.d + " --now " + std::to_string(now + 19 * test::kDay)).status == 2);
  auto json = cli("zone status --json" + c.d);
  CHECK(json.out.find("\"status\": \"OK\"") != std::string::npos);
  auto prom = cli("zone status --format prometheus" + c.d);
  CHECK(prom.out.find("kskline_zone_status_level{zone=\"example.org.\"} 0\n") != std::string::npos);
  CHECK(cli("zone status --format xml" + c.d).status == 3);  // Nagios UNKNOWN
  auto missing = cli("zone status --dir " + shell_quote(c.tmp.file("nowhere")));
  CHECK(missing.status == 3);
  CHECK(missing.out.rfind("KSKLINE UNKNOWN - ", 0) == 0);
  auto missing_json = cli("zone status --json --dir " + shell_quote(c.tmp.file("nowhere")));
  CHECK(missing_json.status == 3);
  CHECK(missing_json.out.rfind("{\"status\": \"UNKNOWN\", \"exit_code\": 3, \"error\": \"", 0) == 0);
  CHECK(missing_json.out.find("nowhere") != std::string::npos);

  // No slot for a time beyond the answer; the signed zone stays as it was.
  const std::string signed_zone = slurp(c.tmp.file("zone.signed"));
  auto none = cli("zone publish" + c.d + " --now +30d -o " + shell_quote(c.tmp.file("zone.later")));
  CHECK(none.status == 1);
  CHECK(none.err.find("no stored KSK signatures cover") != std::string::npos);
  CHECK(slurp(c.tmp.file("zone.signed")) == signed_zone);
  CHECK_FALSE(std::filesystem::exists(c.tmp.file("zone.later")));
}

TEST_CASE("zone_state_cli: publish with NSEC3 and ZONEMD from the config, every validator accepts the zone",
          "[tools][zone_state_cli]") {
  Ceremony c;
  auto init2 = cli("zone init --zone example.org --nsec3 --zonemd --dir " + shell_quote(c.tmp.file("state2")) +
                   " --trust-anchor " + shell_quote(c.tmp.file("anchor.db")));
  INFO(init2.err);
  REQUIRE(init2.status == 0);
  CHECK(slurp(c.tmp.file("state2/kskline-zone.toml")).find("nsec3 = true\n") != std::string::npos);
  // The first state was made without the flags: set them in its config.
  const std::string config_path = c.state + "/kskline-zone.toml";
  std::string config = slurp(config_path);
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"nsec3 = false\n", "nsec3 = true\n"}, {"zonemd = false\n", "zonemd = true\n"}}) {
    auto at = config.find(from);
    REQUIRE(at != std::string::npos);
    config.replace(at, from.size(), to);
  }
  spit(config_path, config);
  REQUIRE(cli("zone pregenerate" + c.d + " --until +30d").status == 0);
  REQUIRE(cli("zone request" + c.d + " --until +20d -o " + shell_quote(c.tmp.file("req"))).status == 0);
  REQUIRE(cli("zone import" + c.d + " " + shell_quote(c.answer(c.tmp.file("req"), "resp"))).status == 0);
  auto published = cli("zone publish" + c.d);
  INFO(published.err);
  REQUIRE(published.status == 0);
  const std::string text = slurp(c.tmp.file("zone.signed"));
  CHECK(text.find("\tNSEC3PARAM\t1 0 0 -") != std::string::npos);
  CHECK(text.find("\tZONEMD\t") != std::string::npos);
  CHECK(text.find("\tNSEC\t") == std::string::npos);
  const std::string f = shell_quote(c.tmp.file("zone.signed"));
  CHECK(cli("zone verify " + f + " --origin example.org. --trust-anchor " + shell_quote(c.tmp.file("anchor.db")))
            .status == 0);
  for (const auto& command : {"dnssec-verify -q -o example.org. " + f, "ldns-verify-zone -V 1 " + f,
                              "kzonecheck -d on -o example.org. " + f}) {
    auto r = test::run(command + " 2>&1");
    INFO(command << ": " << r.out);
    CHECK(r.status == 0);
  }
}

TEST_CASE("zone_state_cli: across a ZSK rollover, during and after it, the published zone validates",
          "[tools][zone_state_cli]") {
  Ceremony c;
  // The state began 35 days ago: the first ZSK (30 days) is inactive now and
  // removed (2 days later), the second published 28 days in and signing.
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  const std::int64_t start = now - 35 * test::kDay;
  const std::string at = " --now " + std::to_string(start);
  REQUIRE(cli("zone pregenerate" + c.d + at + " --until +90d").status == 0);
  auto req = cli("zone request" + c.d + at + " --until " + std::to_string(now + 10 * test::kDay) + " -o " +
                 shell_quote(c.tmp.file("req")));
  INFO(req.err);
  REQUIRE(req.status == 0);
  REQUIRE(cli("zone import" + c.d + at + " " + shell_quote(c.answer(c.tmp.file("req"), "resp"))).status == 0);
  // Publish with --now writes elsewhere than the live signed file.
  const std::string f = shell_quote(c.tmp.file("zone.at"));
  auto check = [&](std::int64_t when, std::size_t zsks) {
    const std::string t = signer::format_time(when);
    auto published = cli("zone publish" + c.d + " --now " + std::to_string(when) + " -o " + f);
    INFO(t << ": " << published.err);
    REQUIRE(published.status == 0);
    auto ours = cli("zone verify " + f + " --origin example.org. --now " + t);
    INFO(ours.out << ours.err);
    CHECK(ours.status == 0);
    for (const auto& [tool, command] : std::vector<std::pair<std::string, std::string>>{
             {"ldns-verify-zone", "ldns-verify-zone -V 1 -t " + t + " " + f},
             {"kzonecheck", "kzonecheck -d on -t " + t + " -o example.org. " + f}}) {
      if (!have_tool(tool)) continue;
      auto r = test::run(command + " 2>&1");
      INFO(tool << ": " << r.out);
      CHECK(r.status == 0);
    }
    auto count = test::run("grep -c 'DNSKEY[[:space:]]256 ' " + f);
    CHECK(count.out == std::to_string(zsks) + "\n");
  };
  check(start + 29 * test::kDay, 2);  // the new ZSK pre-published, the old one signing
  check(start + 31 * test::kDay, 2);  // the new one signing, the old one still published
  check(now, 1);                      // the old one removed
  if (have_tool("dnssec-verify")) {
    auto r = test::run("dnssec-verify -q -o example.org. " + f + " 2>&1");
    INFO(r.out);
    CHECK(r.status == 0);
  }
}

TEST_CASE("zone_state_cli: a state in use is refused clearly, and status and publish wait for it", "[tools][zone_state_cli]") {
  if (!have_tool("flock")) {
    WARN("flock is not installed; skipped");
    return;
  }
  Ceremony c;
  auto r = test::run("flock -n " + shell_quote(c.state + "/.lock") + " " + shell_quote(KSKLINE_BINARY) +
                     " zone pregenerate --until +10d" + c.d + " 2>&1");
  CHECK(r.status == 1);
  CHECK(r.out.find("another kskline command is working on this state directory") != std::string::npos);
  CHECK(std::filesystem::is_empty(c.state + "/keys"));
  // Status waits for a busy state instead of reporting it CRITICAL.
  REQUIRE(cli("zone pregenerate --until +10d" + c.d).status == 0);
  auto busy = test::run("flock -n " + shell_quote(c.state + "/.lock") + " sleep 1 & sleep 0.3; " +
                        shell_quote(KSKLINE_BINARY) + " zone status" + c.d + "; echo exit=$?; wait");
  CHECK(busy.out.find("another kskline command") == std::string::npos);
  CHECK(busy.out.find("KSKLINE CRITICAL - example.org.: no stored KSK signatures") != std::string::npos);
  CHECK(busy.out.find("exit=2") != std::string::npos);
  // So does cron's publish: it gets past the lock (and here finds no slot for now).
  auto publish = test::run("flock -n " + shell_quote(c.state + "/.lock") + " sleep 1 & sleep 0.3; " +
                           shell_quote(KSKLINE_BINARY) + " zone publish" + c.d + " 2>&1; echo exit=$?; wait");
  CHECK(publish.out.find("another kskline command") == std::string::npos);
  CHECK(publish.out.find("no_slot_for_now") != std::string::npos);
}

TEST_CASE("zone_state_cli: import names a file with control characters in its name escaped", "[tools][zone_state_cli]") {
  Ceremony c;
  const std::string hostile = c.tmp.file("\x1b]0;owned\x07\n.kske");
  spit(hostile, "not an answer\n");
  auto r = cli("zone import" + c.d + " " + shell_quote(hostile));
  INFO(r.out << r.err);
  CHECK(r.status == 1);
  CHECK(r.err.find("\\x1b]0;owned\\x07\\x0a.kske") != std::string::npos);
  CHECK(r.err.find('\x1b') == std::string::npos);
  CHECK(r.err.find('\x07') == std::string::npos);
  // A name that does not exist is named escaped too.
  auto missing = cli("zone import" + c.d + " " + shell_quote(c.tmp.file("gone\x1b[2J")));
  CHECK(missing.status == 1);
  CHECK(missing.err.find("gone\\x1b[2J") != std::string::npos);
  CHECK(missing.err.find('\x1b') == std::string::npos);
}

TEST_CASE("zone_state_cli: publish with --now writes only -o FILE or nothing, never the live signed zone",
          "[tools][zone_state_cli]") {
  Ceremony c;
  REQUIRE(cli("zone pregenerate" + c.d + " --until +60d").status == 0);
  REQUIRE(cli("zone request" + c.d + " --until +20d -o " + shell_quote(c.tmp.file("req"))).status == 0);
  REQUIRE(cli("zone import" + c.d + " " + shell_quote(c.answer(c.tmp.file("req"), "resp"))).status == 0);
  // A normal publish: one line on standard output, nothing on standard error.
  auto live = cli("zone publish" + c.d);
  INFO(live.out << live.err);
  REQUIRE(live.status == 0);
  CHECK(live.err.empty());
  CHECK(std::count(live.out.begin(), live.out.end(), '\n') == 1);
  CHECK(live.out.rfind(c.tmp.file("zone.signed") + ": example.org. signed with ZSK ", 0) == 0);
  CHECK(cli("zone publish -q" + c.d).out.empty());
  const std::string signed_zone = slurp(c.tmp.file("zone.signed"));
  const std::string serial = slurp(c.state + "/published-serial");

  auto usage = cli("zone publish" + c.d + " --now +1d");
  CHECK(usage.status == 2);
  CHECK(usage.err.find("-o/--output") != std::string::npos);
  CHECK(usage.err.find("--dry-run") != std::string::npos);
  CHECK(slurp(c.tmp.file("zone.signed")) == signed_zone);

  auto same = cli("zone publish" + c.d + " --now +1d -o " + shell_quote(c.tmp.file("zone.signed")));
  CHECK(same.status == 2);
  CHECK(same.err.find("is the configured signed file") != std::string::npos);
  CHECK(slurp(c.tmp.file("zone.signed")) == signed_zone);

  auto dry = cli("zone publish" + c.d + " --now +1d --dry-run");
  INFO(dry.err);
  CHECK(dry.status == 0);
  CHECK(dry.err.empty());
  CHECK(dry.out.rfind("dry run, would write " + c.tmp.file("zone.signed") + ": ", 0) == 0);
  CHECK(slurp(c.tmp.file("zone.signed")) == signed_zone);

  auto elsewhere = cli("zone publish" + c.d + " --now +1d -o " + shell_quote(c.tmp.file("zone.tomorrow")));
  INFO(elsewhere.err);
  CHECK(elsewhere.status == 0);
  CHECK(elsewhere.out.rfind(c.tmp.file("zone.tomorrow") + ": ", 0) == 0);
  CHECK(cli("zone verify " + shell_quote(c.tmp.file("zone.tomorrow")) + " --origin example.org. --now +1d")
            .status == 0);
  CHECK(slurp(c.tmp.file("zone.signed")) == signed_zone);
  CHECK(slurp(c.state + "/published-serial") == serial);

  // When the stored answers run short, publish still publishes and says so on standard error.
  auto short_of = cli("zone publish" + c.d + " --now +10d --dry-run");
  CHECK(short_of.status == 0);
  CHECK(short_of.err.find("kskline: warning: the stored KSK signatures run out at ") != std::string::npos);
}
