// A year of unattended operation, run as the built binary on a simulated clock
// (`--now`): a small zone is published every six hours for 400 days, as cron
// would, `zone status` is read after each publish as monitoring would, and a
// ceremony is held whenever status says WARNING — over a USB-stick spool, and
// once over a serial line through `kskline linesim`. The ZSKs roll every 30
// days and the KSK rolls once (a second KSK in the laptop and its DS at the
// parent, then the first retired). Every published zone verifies against the
// parent's DS set of that moment; at every change of the DNSKEY RRset it also
// passes dnssec-verify, ldns-verify-zone and kzonecheck at that time. The test
// prints the timeline it checked.
#include <catch2/catch.hpp>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/tools/cli_process.hpp"
#include "tests/transport/transport_test_util.hpp"

using kskline::test::Linesim;
using kskline::test::Ran;
using kskline::test::answered_yes;
using kskline::test::finish;
using kskline::test::kske_files;
using kskline::test::run;
using kskline::test::shell_quote;
using kskline::transport::testing::Process;
using kskline::transport::testing::TempDir;
using kskline::transport::testing::list_dir;
using kskline::transport::testing::slurp;
using kskline::transport::testing::spit;

namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 24 * kHour;
constexpr std::int64_t kStart = 1798761600;  // 2027-01-01 00:00:00 UTC
constexpr std::int64_t kYear = 400 * kDay;
// cron's cadence: every six hours; under the sanitizers, whose programs start
// several times slower, once a day, so that the run stays within its timeout.
constexpr std::int64_t kStep = KSKLINE_SANITIZED ? kDay : 6 * kHour;
// The KSK rollover: a second KSK and its DS at the parent, the first KSK
// retired, the first DS withdrawn from the parent.
constexpr std::int64_t kSecondKsk = kStart + 200 * kDay;
constexpr std::int64_t kRetireFirstKsk = kStart + 230 * kDay;
constexpr std::int64_t kWithdrawFirstDs = kStart + 245 * kDay;

const std::string kBinary = KSKLINE_BINARY;

std::string at(std::int64_t t) { return std::to_string(t); }

// `t` (UTC) in a strftime format.
std::string utc(std::int64_t t, const char* format) {
  const std::time_t tt = t;
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

// `t` as YYYYMMDDHHmmSS, the form the oracles' time options take.
std::string stamp(std::int64_t t) { return utc(t, "%Y%m%d%H%M%S"); }

// `t` as "YYYY-MM-DD HH:MM (day N)" for the timeline.
std::string when(std::int64_t t) {
  return utc(t, "%Y-%m-%d %H:%M") + " (day " + std::to_string((t - kStart) / kDay) + ")";
}

// The records of `type` in a master file written by kskline (one record a
// line: owner TTL class type rdata), as "rdata" lines, sorted.
std::set<std::string> rdata_of(const std::string& text, const std::string& type) {
  std::set<std::string> out;
  std::regex line("^\\S+\\s+\\d+\\s+IN\\s+" + type + "\\s+(.*)$");
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::smatch m;
    const std::string l = text.substr(pos, end - pos);
    if (std::regex_match(l, m, line)) out.insert(m[1].str());
    pos = end + 1;
  }
  return out;
}

// The DS lines ("example.com. ... DS ...") in a command's output.
std::string ds_lines(const std::string& out) {
  std::string ds;
  std::smatch m;
  std::string rest = out;
  while (std::regex_search(rest, m, std::regex(R"(example\.com\.[^\n]*\sDS\s[^\n]*)"))) {
    ds += m.str() + "\n";
    rest = m.suffix();
  }
  return ds;
}

// The two machines and the parent: the KSK laptop's state, the zone signer's
// state, the USB stick between them, and the DS set the parent publishes.
class Operation {
 public:
  Operation()
      : ksk_(dir_.file("ksk")), zone_(dir_.file("zone")), stick_(dir_.file("stick")),
        parent_ds_(dir_.file("parent.ds")), published_(dir_.file("example.com.signed")) {
    spit(dir_.file("example.com.zone"),
         "$ORIGIN example.com.\n$TTL 3600\n@ IN SOA ns1 hostmaster 1 2h 1h 2w 300\n  IN NS ns1\n"
         "ns1 A 192.0.2.53\nwww A 192.0.2.80\n  TXT \"a year of kskline\"\n");
    auto init = must({"ksk", "init", "--zone", "example.com", "--dir", ksk_, "--now", at(kStart)}, "ksk-init");
    spit(parent_ds_, ds_lines(init.out));
    REQUIRE_FALSE(slurp(parent_ds_).empty());
    must({"zone", "init", "--zone", "example.com", "--dir", zone_, "--zone-file", dir_.file("example.com.zone"),
          "--signed-file", dir_.file("live.signed"), "--trust-anchor", parent_ds_, "--peer", ksk_ + "/link.id.pub"},
         "zone-init");
    fs::create_directories(stick_);
  }

  // Runs `kskline ARGS...`, which must succeed.
  Ran must(const std::vector<std::string>& args, const std::string& tag) {
    auto r = run(dir_, args, tag);
    INFO("kskline " << Catch::Detail::stringify(args) << "\n" << r.out << r.err);
    REQUIRE(r.status == 0);
    return r;
  }

  // Writes a line of the timeline.
  void note(std::int64_t t, const std::string& what) {
    std::printf("%s  %s\n", when(t).c_str(), what.c_str());
    std::fflush(stdout);
  }

  // The zone side asks for 60 days from `t` (ZSKs made for 120), the KSK
  // operator answers yes, and the answer is imported: over the spool, or
  // over a serial line through linesim.
  void ceremony(std::int64_t t, bool serial) {
    must({"zone", "pregenerate", "--dir", zone_, "--until", at(t + 120 * kDay), "--now", at(t)}, "pregenerate");
    const std::string request = dir_.file("request.txt");
    must({"zone", "request", "--dir", zone_, "--from", at(t), "--until", at(t + 60 * kDay), "-o", request, "--now",
          at(t)},
         "request");
    if (serial) {
      Linesim line(dir_, "115200", {"--ber", "1e-5", "--seed", "7"});
      Process serve(answered_yes({kBinary, "ksk", "serve", "--dir", ksk_, "--link", "serial:" + line.a + ",baud=115200",
                                  "--count", "1", "--wait", "60", "--now", at(t)}),
                    dir_.file("serve.err"));
      auto submitted = run(dir_, {"zone", "submit", "--dir", zone_, request, "--link",
                                  "serial:" + line.b + ",baud=115200", "--wait", "60", "--now", at(t), "--quiet"},
                           "submit");
      auto served = finish(serve, dir_.file("serve.err"));
      INFO("submit: " << submitted.out << submitted.err << "\nserve: " << served.out << served.err);
      REQUIRE(submitted.status == 0);
      REQUIRE(served.status == 0);
      ++serial_ceremonies;
    } else {
      must({"zone", "submit", "--dir", zone_, request, "--link", "spool:" + stick_, "--now", at(t)}, "submit");
      Process serve(answered_yes({kBinary, "ksk", "serve", "--dir", ksk_, "--link", "spool:" + stick_, "--now", at(t)}),
                    dir_.file("serve.err"));
      auto served = finish(serve, dir_.file("serve.err"));
      INFO(served.out << served.err);
      REQUIRE(served.status == 0);
      // The README's command, unchanged from ceremony to ceremony: every
      // answer on the stick; import takes the new one and clears the inbox.
      auto answers = kske_files(stick_ + "/to-zone");
      REQUIRE(answers.size() == 1);
      std::vector<std::string> import{"zone", "import", "--dir", zone_, "--now", at(t)};
      import.insert(import.end(), answers.begin(), answers.end());
      must(import, "import");
      CHECK(kske_files(stick_ + "/to-zone").empty());
    }
    ++ceremonies;
    note(t, std::string("ceremony over ") + (serial ? "a serial line (linesim, BER 1e-5)" : "the USB-stick spool") +
                ": 60 days of slots signed and imported");
  }

  // Publishes for `t` as cron does, and checks the zone at `t` against the
  // parent's DS set; returns what publish wrote on standard error.
  std::string publish(std::int64_t t) {
    auto p = must({"zone", "publish", "--dir", zone_, "--now", at(t), "-o", published_}, "publish");
    ++publishes;
    verify(published_, t);
    return p.err;
  }

  // The published zone's text.
  std::string published() const { return slurp(published_); }

  // `zone verify --trust-anchor` of `file` at `t`.
  void verify(const std::string& file, std::int64_t t) {
    auto v = run(dir_, {"zone", "verify", file, "--origin", "example.com", "--trust-anchor", parent_ds_, "--now", at(t)},
                 "verify");
    INFO("at " << when(t) << ": " << v.out << v.err);
    REQUIRE(v.status == 0);
  }

  // The three other validators on the published zone at `t`.
  void oracles(std::int64_t t) {
    namespace tt = kskline::test;
    const auto q = shell_quote(published_);
    auto bind = tt::run("KSKLINE_FAKE_NOW=" + at(t) + " LD_PRELOAD=" + shell_quote(KSKLINE_FAKE_CLOCK) +
                        " dnssec-verify -o example.com " + q);
    INFO("at " << when(t) << ": dnssec-verify " << bind.out << bind.err);
    REQUIRE(bind.status == 0);
    auto ldns = tt::run("ldns-verify-zone -t " + stamp(t) + " -k " + shell_quote(parent_ds_) + " " + q);
    INFO("ldns-verify-zone " << ldns.out << ldns.err);
    REQUIRE(ldns.status == 0);
    auto knot = tt::run("kzonecheck -o example.com. -d on -t " + stamp(t) + " " + q);
    INFO("kzonecheck " << knot.out << knot.err);
    REQUIRE(knot.status == 0);
    ++oracle_checks;
  }

  // `zone status` at `t`: its exit code (Nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
  int status(std::int64_t t) {
    auto s = run(dir_, {"zone", "status", "--dir", zone_, "--now", at(t)}, "status");
    INFO("at " << when(t) << ": " << s.out << s.err);
    CHECK(s.status <= 1);
    return s.status;
  }

  // The KSK laptop gets a second KSK; its DS goes to the parent (and into
  // the zone side's trust anchor) at once.
  std::string add_ksk(std::int64_t t) {
    auto key = must({"keygen", "--zone", "example.com", "--algorithm", "13", "--ksk", "--dir", ksk_ + "/keys", "--now",
                     at(t)},
                    "keygen");
    std::string name = key.out.substr(0, key.out.find('\n'));
    auto ds = must({"ds", ksk_ + "/keys/" + name + ".key"}, "ds");
    const std::string new_ds = ds_lines(ds.out);
    REQUIRE_FALSE(new_ds.empty());
    spit(parent_ds_, slurp(parent_ds_) + new_ds);
    spit(zone_ + "/trust-anchor.db", slurp(zone_ + "/trust-anchor.db") + new_ds);
    note(t, "KSK rollover: second KSK " + name + " in the laptop, its DS at the parent and in the zone's trust anchor");
    return new_ds;
  }

  // Moves every KSK but `keep` out of the laptop's keys/.
  void retire_ksks(std::int64_t t, const std::string& keep) {
    fs::create_directories(ksk_ + "/retired");
    for (const auto& name : list_dir(ksk_ + "/keys")) {
      if (name.find(keep) != std::string::npos) continue;
      fs::rename(ksk_ + "/keys/" + name, ksk_ + "/retired/" + name);
    }
    note(t, "KSK rollover: the first KSK retired from the laptop");
  }

  // The parent (and the zone side's trust anchor) keep only `ds`.
  void withdraw_old_ds(std::int64_t t, const std::string& ds) {
    spit(parent_ds_, ds);
    spit(zone_ + "/trust-anchor.db", ds);
    note(t, "KSK rollover: the first DS withdrawn from the parent and the zone's trust anchor");
  }

  int ceremonies = 0, serial_ceremonies = 0, publishes = 0, oracle_checks = 0;

 private:
  TempDir dir_;
  std::string ksk_, zone_, stick_, parent_ds_, published_;
};

}  // namespace

TEST_CASE("year: a zone published every six hours for 400 days stays signed and verified, and status never turns CRITICAL",
          "[tools][year]") {
  Operation op;
  op.ceremony(kStart, false);
  std::set<std::string> dnskeys;
  std::string second_ksk_ds, second_ksk_tag;
  int zsk_changes = 0, ksk_changes = 0;
  for (std::int64_t t = kStart; t <= kStart + kYear; t += kStep) {
    if (t == kSecondKsk) {
      second_ksk_ds = op.add_ksk(t);
      op.ceremony(t, false);
    }
    if (t == kRetireFirstKsk) {
      // the new KSK's key tag is the DS's first field after "DS"
      std::smatch m;
      REQUIRE(std::regex_search(second_ksk_ds, m, std::regex(R"(\sDS\s+(\d+)\s)")));
      char tag[8];
      std::snprintf(tag, sizeof tag, "+%05d", std::stoi(m[1].str()));
      op.retire_ksks(t, tag);
      op.ceremony(t, false);
    }
    if (t == kWithdrawFirstDs) op.withdraw_old_ds(t, second_ksk_ds);

    const std::string warnings = op.publish(t);
    auto now_keys = rdata_of(op.published(), "DNSKEY");
    if (now_keys != dnskeys) {
      int zsks = 0, ksks = 0;
      for (const auto& k : now_keys) (k.rfind("257 ", 0) == 0 ? ksks : zsks)++;
      std::set<std::string> old_ksks, new_ksks;
      for (const auto& k : dnskeys) if (k.rfind("257 ", 0) == 0) old_ksks.insert(k);
      for (const auto& k : now_keys) if (k.rfind("257 ", 0) == 0) new_ksks.insert(k);
      if (!dnskeys.empty()) (old_ksks == new_ksks ? zsk_changes : ksk_changes)++;
      op.oracles(t);
      op.note(t, "DNSKEY RRset now " + std::to_string(ksks) + " KSK(s) and " + std::to_string(zsks) +
                     " ZSK(s): verified by kskline, dnssec-verify, ldns-verify-zone and kzonecheck");
      dnskeys = now_keys;
    }
    // cron mails whatever publish writes on standard error: only when status
    // has something for a person too.
    const int level = op.status(t);
    INFO("publish's standard error: " << warnings);
    CHECK(warnings.empty() == (level == 0));
    if (level == 1) {
      op.note(t, "zone status: WARNING");
      op.ceremony(t, op.ceremonies == 2);
      REQUIRE(op.status(t) == 0);
    }
  }
  op.note(kStart + kYear, std::to_string(op.publishes) + " publishes, " + std::to_string(op.ceremonies) +
                              " ceremonies (" + std::to_string(op.serial_ceremonies) + " over serial), " +
                              std::to_string(zsk_changes) + " ZSK and " + std::to_string(ksk_changes) +
                              " KSK changes of the DNSKEY RRset, " + std::to_string(op.oracle_checks) +
                              " checks by the three other validators");
  CHECK(op.serial_ceremonies == 1);
  CHECK(op.ceremonies >= 8);
  CHECK(zsk_changes >= 24);  // 13 rollovers, each a publish and a removal
  CHECK(ksk_changes == 2);   // the second KSK added, the first removed
}
