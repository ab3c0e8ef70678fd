// The whole ceremony run as the built binary, the way operators run it: KSK
// init, zone init with the DS as trust anchor, ZSKs for a rollover, a
// request, the transfer (loopback, a serial line through `kskline linesim`,
// a spool directory), the operator's "yes", import, publish, and the signed
// zone checked by dnssec-verify, ldns-verify-zone and kzonecheck.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <random>
#include <regex>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/support/process.hpp"
#include "tests/tools/cli_process.hpp"
#include "tests/transport/transport_test_util.hpp"

using kskline::test::Linesim;
using kskline::test::Ran;
using kskline::test::answered_no;
using kskline::test::answered_yes;
using kskline::test::kske_files;
using kskline::test::duration_of;
using kskline::test::finish;
using kskline::test::kill_after;
using kskline::test::run;
using kskline::transport::testing::Process;
using kskline::transport::testing::TempDir;
using kskline::transport::testing::list_dir;
using kskline::transport::testing::slurp;
using kskline::transport::testing::spit;

namespace {

namespace fs = std::filesystem;

const std::string kBinary = KSKLINE_BINARY;
constexpr std::int64_t kDay = 86400;

// The ceremony starts 35 days ago, so that "now" lies after the ZSK rollover
// (a ZSK lives 30 days, its successor is published 2 days before): the zone
// published now is signed by the second ZSK, and the oracles check it with
// the real clock.
const std::int64_t kStart = static_cast<std::int64_t>(std::time(nullptr)) - 35 * kDay;

std::string at(std::int64_t t) { return std::to_string(t); }

// Both state directories, made as an operator makes them.
struct Ceremony {
  TempDir dir;
  std::string ksk, zone, anchor, signed_file;

  Ceremony() : ksk(dir.file("ksk")), zone(dir.file("zone")), anchor(dir.file("anchor.ds")),
               signed_file(dir.file("example.com.signed")) {
    auto k = run(dir, {"ksk", "init", "--zone", "example.com", "--dir", ksk, "--now", at(kStart)}, "ksk-init");
    INFO(k.err);
    REQUIRE(k.status == 0);
    std::string ds;
    std::smatch m;
    std::string out = k.out;
    while (std::regex_search(out, m, std::regex(R"(example\.com\.[^\n]*\sDS\s[^\n]*)"))) {
      ds += m.str() + "\n";
      out = m.suffix();
    }
    REQUIRE_FALSE(ds.empty());
    spit(anchor, ds);
    auto z = run(dir, {"zone", "init", "--zone", "example.com", "--dir", zone, "--zone-file",
                       std::string(KSKLINE_SOURCE_DIR) + "/docs/examples/example.com.zone", "--signed-file",
                       signed_file, "--trust-anchor", anchor, "--peer", ksk + "/link.id.pub"},
                 "zone-init");
    INFO(z.err);
    REQUIRE(z.status == 0);
    auto p = run(dir, {"zone", "pregenerate", "--dir", zone, "--until", at(kStart + 60 * kDay), "--now", at(kStart)},
                 "pregenerate");
    INFO(p.err);
    REQUIRE(p.status == 0);
    auto r = run(dir, {"zone", "request", "--dir", zone, "--from", at(kStart), "--until", at(kStart + 60 * kDay),
                       "-o", dir.file("request.txt"), "--now", at(kStart)},
                 "request");
    INFO(r.err);
    REQUIRE(r.status == 0);
  }

  // Sets the KSK policy to sign without asking the operator (ksk serve --batch).
  void approve_automatically() {
    std::string config = slurp(ksk + "/ksk.toml");
    auto at_rule = config.find("# auto_approve = ");
    REQUIRE(at_rule != std::string::npos);
    config.replace(at_rule, config.find('\n', at_rule) - at_rule, "auto_approve = \"always\"");
    spit(ksk + "/ksk.toml", config);
  }

  // Publishes for now and checks the signed zone with kskline and the oracles.
  void publish_and_verify() {
    auto p = run(dir, {"zone", "publish", "--dir", zone}, "publish");
    INFO(p.err);
    REQUIRE(p.status == 0);
    auto v = run(dir, {"zone", "verify", signed_file, "--origin", "example.com", "--trust-anchor", anchor}, "verify");
    INFO(v.out << v.err);
    CHECK(v.status == 0);
    namespace t = kskline::test;
    auto q = t::shell_quote(signed_file);
    auto dnssec_verify = t::run("dnssec-verify -o example.com " + q);
    INFO(dnssec_verify.out << dnssec_verify.err);
    CHECK(dnssec_verify.status == 0);
    auto ldns = t::run("ldns-verify-zone " + q);
    INFO(ldns.out << ldns.err);
    CHECK(ldns.status == 0);
    auto knot = t::run("kzonecheck -o example.com. -d on " + q);
    INFO(knot.out << knot.err);
    CHECK(knot.status == 0);
    // After the rollover only the second ZSK is published and signs.
    auto zsks = t::run("grep -c 'DNSKEY[[:space:]]256 ' " + q);
    CHECK(zsks.out == "1\n");
    auto status = run(dir, {"zone", "status", "--dir", zone}, "status");
    INFO(status.out << status.err);
    CHECK(status.status == 0);
    auto audit = run(dir, {"ksk", "audit", "verify", "--dir", ksk}, "audit");
    INFO(audit.out << audit.err);
    CHECK(audit.status == 0);
  }
};

}  // namespace

TEST_CASE("ceremony: end to end over an impaired loopback line", "[tools][ceremony]") {
  Ceremony c;
  auto s = Process(answered_yes({kBinary, "zone", "submit", "--dir", c.zone, "--link", "loopback,ber=1e-5,seed=5",
                                 "--ksk-dir", c.ksk, "--now", at(kStart), "--quiet"}),
                   c.dir.file("submit.err"));
  auto submitted = finish(s, c.dir.file("submit.err"));
  INFO(submitted.out << submitted.err);
  REQUIRE(submitted.status == 0);
  CHECK_THAT(submitted.out, Catch::Contains("imported the answer"));
  // The zone side prints the digest and words the KSK operator's table
  // ends with (both on this standard output: loopback runs the KSK side here).
  auto digest_block = [&](std::size_t from) {
    const auto at = submitted.out.find("sha256      ", from);
    REQUIRE(at != std::string::npos);
    const auto end = submitted.out.find('\n', submitted.out.find("\nwords       ", at) + 1);
    return std::pair(submitted.out.substr(at, end + 1 - at), end);
  };
  const auto [zone_side, after] = digest_block(0);
  CHECK(digest_block(after).first == zone_side);
  c.publish_and_verify();
}

TEST_CASE("ceremony: publish, status and request work while zone submit waits for the KSK operator",
          "[tools][ceremony]") {
  Ceremony c;
  auto first = Process(answered_yes({kBinary, "zone", "submit", "--dir", c.zone, "--link", "loopback", "--ksk-dir",
                                     c.ksk, "--now", at(kStart), "--quiet"}),
                       c.dir.file("submit1.err"));
  auto submitted = finish(first, c.dir.file("submit1.err"));
  INFO(submitted.out << submitted.err);
  REQUIRE(submitted.status == 0);
  auto second = run(c.dir, {"zone", "request", "--dir", c.zone, "--from", at(kStart), "--until",
                            at(kStart + 60 * kDay), "-o", c.dir.file("request2.txt"), "--now", at(kStart + 60)},
                    "request2");
  INFO(second.err);
  REQUIRE(second.status == 0);

  // The KSK operator's terminal: a FIFO this test holds open, silent until it answers.
  const std::string fifo = c.dir.file("operator");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const int keyboard = ::open(fifo.c_str(), O_RDWR);
  REQUIRE(keyboard >= 0);
  Process submit({kBinary, "zone", "submit", "--dir", c.zone, "--link", "loopback", "--ksk-dir", c.ksk, "--now",
                  at(kStart + 60), "--quiet"},
                 c.dir.file("submit2.err"), fifo);
  std::string seen;
  for (int i = 0; i < 300 && seen.find("words ") == std::string::npos; ++i) seen += submit.read_line(100) + "\n";
  INFO(seen << slurp(c.dir.file("submit2.err")));
  REQUIRE_THAT(seen, Catch::Contains("words "));

  // Meanwhile cron publishes, monitoring looks, the operator makes a request.
  auto published = run(c.dir, {"zone", "publish", "--dir", c.zone}, "publish-during");
  INFO(published.out << published.err);
  CHECK(published.status == 0);
  CHECK(published.err.empty());
  auto status = run(c.dir, {"zone", "status", "--dir", c.zone}, "status-during");
  INFO(status.out << status.err);
  CHECK(status.status == 0);
  CHECK_THAT(status.out, Catch::StartsWith("KSKLINE OK"));
  auto third = run(c.dir, {"zone", "request", "--dir", c.zone, "--from", at(kStart), "--until",
                           at(kStart + 60 * kDay), "-o", c.dir.file("request3.txt"), "--now", at(kStart + 120)},
                   "request3");
  INFO(third.err);
  CHECK(third.status == 0);

  // The operator answers; the answer is imported under the lock, taken again.
  REQUIRE(::write(keyboard, "yes\n", 4) == 4);
  auto done = finish(submit, c.dir.file("submit2.err"));
  INFO(done.out << done.err);
  CHECK(done.status == 0);
  CHECK_THAT(done.out, Catch::Contains("imported the answer"));
  CHECK(list_dir(c.zone + "/responses").size() == 2);
  ::close(keyboard);
  c.publish_and_verify();
}

TEST_CASE("ceremony: over a spool a refusal reaches zone import, is recorded, and answers leave the inbox",
          "[tools][ceremony]") {
  Ceremony c;
  const std::string stick = c.dir.file("stick");
  fs::create_directories(stick);
  const std::vector<std::string> submit{"zone", "submit", "--dir", c.zone, "--link", "spool:" + stick, "--now",
                                        at(kStart)};
  const std::vector<std::string> serve{kBinary, "ksk", "serve", "--dir", c.ksk, "--link", "spool:" + stick, "--now",
                                       at(kStart)};
  REQUIRE(run(c.dir, submit, "submit").status == 0);
  Process declined(answered_no(serve), c.dir.file("serve.err"));
  auto served = finish(declined, c.dir.file("serve.err"));
  INFO(served.out << served.err);
  auto refusals = kske_files(stick + "/to-zone");
  REQUIRE(refusals.size() == 1);

  // The refusal is read, named, recorded, and taken off the stick.
  std::vector<std::string> import{"zone", "import", "--dir", c.zone, "--now", at(kStart)};
  auto refused_import = import;
  refused_import.push_back(refusals[0]);
  auto refused = run(c.dir, refused_import, "import-refusal");
  INFO(refused.out << refused.err);
  CHECK(refused.status == 1);
  CHECK_THAT(refused.err, Catch::Contains("kskline: operator_declined: KSK side: refused the request (operator_declined)"));
  CHECK_THAT(refused.out, Catch::Contains("refused by the KSK side (operator_declined), recorded in "));
  CHECK(kske_files(stick + "/to-zone").empty());
  CHECK(kske_files(stick + "/to-zone/done").size() == 1);
  std::size_t refused_files = 0;
  for (const auto& name : list_dir(c.zone + "/requests")) refused_files += name.ends_with(".refused");
  CHECK(refused_files == 1);
  CHECK(list_dir(c.zone + "/responses").empty());
  // The refusal again (from done/): skipped, not reported a second time.
  auto refusal_again = import;
  refusal_again.push_back(kske_files(stick + "/to-zone/done").at(0));
  auto skipped_refusal = run(c.dir, refusal_again, "import-refusal-again");
  INFO(skipped_refusal.out << skipped_refusal.err);
  CHECK(skipped_refusal.status == 0);
  CHECK(skipped_refusal.err.empty());
  CHECK_THAT(skipped_refusal.out, Catch::Contains(": skipped: the refusal of request "));

  // The refused request is not sent again: the operator makes a new one.
  auto resend = run(c.dir, submit, "submit-again");
  CHECK(resend.status == 1);
  CHECK_THAT(resend.err, Catch::Contains("no unanswered request"));
  REQUIRE(run(c.dir, {"zone", "request", "--dir", c.zone, "--from", at(kStart), "--until", at(kStart + 60 * kDay),
                      "-o", c.dir.file("request2.txt"), "--now", at(kStart + 60)},
              "request2")
              .status == 0);
  REQUIRE(run(c.dir, submit, "submit2").status == 0);
  Process approved(answered_yes(serve), c.dir.file("serve2.err"));
  auto served2 = finish(approved, c.dir.file("serve2.err"));
  INFO(served2.out << served2.err);
  REQUIRE(served2.status == 0);
  auto answers = kske_files(stick + "/to-zone");
  REQUIRE(answers.size() == 1);

  // Several files at once: the answer is imported and moved, a file that is
  // no answer stays where it is, and the exit code says something failed.
  spit(stick + "/to-zone/junk.kske", "not an answer\n");
  auto both = import;
  both.push_back(answers[0]);
  both.push_back(stick + "/to-zone/junk.kske");
  auto imported = run(c.dir, both, "import-both");
  INFO(imported.out << imported.err);
  CHECK(imported.status == 1);
  CHECK_THAT(imported.out, Catch::Contains("imported: "));
  CHECK(list_dir(c.zone + "/responses").size() == 1);
  CHECK(kske_files(stick + "/to-zone") == std::vector<std::string>{stick + "/to-zone/junk.kske"});
  fs::remove(stick + "/to-zone/junk.kske");

  // The answer again, put back in the inbox: skipped, said on one line, taken off again.
  const std::string done_answer = stick + "/to-zone/done/" + fs::path(answers[0]).filename().string();
  REQUIRE(fs::exists(done_answer));
  fs::copy_file(done_answer, answers[0]);
  auto again = import;
  again.push_back(answers[0]);
  auto skipped = run(c.dir, again, "import-again");
  INFO(skipped.out << skipped.err);
  CHECK(skipped.status == 0);
  CHECK(skipped.err.empty());
  CHECK_THAT(skipped.out, Catch::Contains(": skipped: already imported"));
  CHECK(std::count(skipped.out.begin(), skipped.out.end(), '\n') == 1);
  CHECK(kske_files(stick + "/to-zone").empty());
  CHECK(list_dir(c.zone + "/responses").size() == 1);
  c.publish_and_verify();
}

TEST_CASE("ceremony: over a live link the KSK side's refusal is shown by name and recorded like one from a spool",
          "[tools][ceremony]") {
  Ceremony c;
  Process declined(answered_no({kBinary, "zone", "submit", "--dir", c.zone, "--link", "loopback", "--ksk-dir", c.ksk,
                                "--now", at(kStart), "--quiet"}),
                   c.dir.file("submit.err"));
  auto submitted = finish(declined, c.dir.file("submit.err"));
  INFO(submitted.out << submitted.err);
  CHECK(submitted.status == 1);
  CHECK_THAT(submitted.err,
             Catch::Contains("kskline: operator_declined: KSK side: refused the request (operator_declined)"));
  CHECK_THAT(submitted.err, Catch::Contains("make a new request (`kskline zone request --dir " + c.zone));
  std::size_t refused_files = 0;
  for (const auto& name : list_dir(c.zone + "/requests")) refused_files += name.ends_with(".refused");
  CHECK(refused_files == 1);
  CHECK(list_dir(c.zone + "/responses").empty());
}

TEST_CASE("ceremony: end to end over a serial line (pseudo-terminals through linesim)", "[tools][ceremony]") {
  Ceremony c;
  Linesim line(c.dir, "115200", {"--ber", "1e-5", "--seed", "11"});
  Process serve(answered_yes({kBinary, "ksk", "serve", "--dir", c.ksk, "--link", "serial:" + line.a + ",baud=115200",
                              "--count", "1", "--wait", "60", "--now", at(kStart)}),
                c.dir.file("serve.err"));
  auto submitted = run(c.dir, {"zone", "submit", "--dir", c.zone, "--link", "serial:" + line.b + ",baud=115200",
                               "--wait", "60", "--now", at(kStart), "--quiet"},
                       "submit");
  auto served = finish(serve, c.dir.file("serve.err"));
  INFO("submit: " << submitted.out << submitted.err << "\nserve: " << served.out << served.err);
  REQUIRE(submitted.status == 0);
  CHECK(served.status == 0);
  CHECK_THAT(served.out, Catch::Contains("example.com."));  // the operator saw the table
  c.publish_and_verify();
}

TEST_CASE("ceremony: ksk serve answers session after session until it is stopped", "[tools][ceremony]") {
  Ceremony c;
  // This laptop's policy signs without asking (--batch): no operator in this test.
  c.approve_automatically();

  Linesim line(c.dir, "115200", {});
  Process serve({kBinary, "ksk", "serve", "--dir", c.ksk, "--link", "serial:" + line.a + ",baud=115200", "--batch",
                 "--now", at(kStart)},
                c.dir.file("serve.err"));
  const std::string zone_link = "serial:" + line.b + ",baud=115200";
  auto first = run(c.dir, {"zone", "submit", "--dir", c.zone, "--link", zone_link, "--wait", "60", "--now",
                           at(kStart), "--quiet"},
                   "submit1");
  INFO(first.out << first.err);
  REQUIRE(first.status == 0);
  auto again = run(c.dir, {"zone", "request", "--dir", c.zone, "--from", at(kStart + 20 * kDay), "--until",
                           at(kStart + 50 * kDay), "-o", c.dir.file("request2.txt"), "--now", at(kStart)},
                   "request2");
  REQUIRE(again.status == 0);
  auto second = run(c.dir, {"zone", "submit", "--dir", c.zone, "--link", zone_link, "--wait", "60", "--now",
                            at(kStart), "--quiet"},
                    "submit2");
  INFO(second.out << second.err);
  REQUIRE(second.status == 0);
  CHECK(list_dir(c.zone + "/responses").size() == 2);

  serve.signal(SIGTERM);
  auto served = finish(serve, c.dir.file("serve.err"));
  INFO(served.out << served.err);
  CHECK(served.status == 0);
  CHECK_THAT(served.out, Catch::Contains("served: 2 signed, 0 re-sent, 0 refused"));
  c.publish_and_verify();
}

TEST_CASE("ceremony: a signal while the KSK operator is being asked ends ksk serve at once", "[tools][ceremony]") {
  Ceremony c;
  Linesim line(c.dir, "115200", {});
  // The operator's terminal stays silent: standard input is a FIFO that this
  // test holds open and never writes to.
  const std::string fifo = c.dir.file("operator");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const int silent = ::open(fifo.c_str(), O_RDWR);
  REQUIRE(silent >= 0);
  Process serve({kBinary, "ksk", "serve", "--dir", c.ksk, "--link", "serial:" + line.a + ",baud=115200", "--now",
                 at(kStart)},
                c.dir.file("serve.err"), fifo);
  Process submit({kBinary, "zone", "submit", "--dir", c.zone, "--link", "serial:" + line.b + ",baud=115200", "--wait",
                  "60", "--timeout", "60", "--now", at(kStart), "--quiet"},
                 c.dir.file("submit.err"));
  // The table is on the screen: the question is being asked.
  std::string seen;
  for (int i = 0; i < 200 && seen.find("words ") == std::string::npos; ++i) seen += serve.read_line(100) + "\n";
  REQUIRE_THAT(seen, Catch::Contains("words "));
  serve.signal(SIGTERM);
  const auto started = std::chrono::steady_clock::now();
  int status = serve.wait(15000);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  INFO(slurp(c.dir.file("serve.err")));
  CHECK(status == 1);  // declined, not signed
  CHECK(seconds < 5);
  CHECK_THAT(slurp(c.ksk + "/audit.log"), Catch::Contains("stopped by a signal"));
  submit.signal(SIGTERM);
  CHECK(submit.wait(15000) != 0);
  CHECK(list_dir(c.zone + "/responses").empty());
  ::close(silent);
}

TEST_CASE("ceremony: end to end over a spool directory, with a replayed request refused", "[tools][ceremony]") {
  Ceremony c;
  std::string stick = c.dir.file("stick");
  fs::create_directories(stick);
  auto posted = run(c.dir, {"zone", "submit", "--dir", c.zone, "--link", "spool:" + stick, "--now", at(kStart)},
                    "submit");
  INFO(posted.out << posted.err);
  REQUIRE(posted.status == 0);
  auto requests = list_dir(stick + "/to-ksk");
  REQUIRE(requests.size() >= 1);

  Process serve(answered_yes({kBinary, "ksk", "serve", "--dir", c.ksk, "--link", "spool:" + stick, "--now",
                              at(kStart)}),
                c.dir.file("serve.err"));
  auto served = finish(serve, c.dir.file("serve.err"));
  INFO(served.out << served.err);
  REQUIRE(served.status == 0);

  std::vector<std::string> answers;
  for (const auto& name : list_dir(stick + "/to-zone")) {
    if (name.size() > 5 && name.substr(name.size() - 5) == ".kske") answers.push_back(stick + "/to-zone/" + name);
  }
  REQUIRE(answers.size() == 1);
  auto imported = run(c.dir, {"zone", "import", "--dir", c.zone, answers[0], "--now", at(kStart)}, "import");
  INFO(imported.out << imported.err);
  REQUIRE(imported.status == 0);
  c.publish_and_verify();

  // The answer left the inbox for done/; imported again from there, it is
  // skipped (said on standard output), nothing changes, and it stays.
  CHECK(kske_files(stick + "/to-zone").empty());
  const std::string taken = stick + "/to-zone/done/" + fs::path(answers[0]).filename().string();
  REQUIRE(fs::exists(taken));
  auto responses = list_dir(c.zone + "/responses");
  auto again_import = run(c.dir, {"zone", "import", "--dir", c.zone, taken, "--now", at(kStart)}, "import2");
  CHECK(again_import.status == 0);
  CHECK_THAT(again_import.out, Catch::Contains("skipped: already imported"));
  CHECK(list_dir(c.zone + "/responses") == responses);
  CHECK(fs::exists(taken));

  // The same request envelope put back on the stick is a replay: the KSK
  // side moves it to rejected/ and signs nothing more.
  auto audit_before = slurp(c.ksk + "/audit.log");
  auto answers_before = list_dir(stick + "/to-zone").size();
  for (const auto& name : list_dir(stick + "/to-ksk/done")) {
    fs::copy_file(stick + "/to-ksk/done/" + name, stick + "/to-ksk/" + name);
  }
  Process again(answered_yes({kBinary, "ksk", "serve", "--dir", c.ksk, "--link", "spool:" + stick, "--now",
                              at(kStart)}),
                c.dir.file("serve2.err"));
  auto replayed = finish(again, c.dir.file("serve2.err"));
  INFO(replayed.out << replayed.err);
  CHECK(list_dir(stick + "/to-zone").size() == answers_before);
  CHECK_FALSE(list_dir(stick + "/to-ksk/rejected").empty());
  CHECK(slurp(c.ksk + "/audit.log") == audit_before);
}

TEST_CASE("ceremony: zone import and zone publish killed at random points leave the state whole for the next run",
          "[tools][ceremony][crash]") {
  Ceremony c;
  std::string stick = c.dir.file("stick");
  fs::create_directories(stick);
  REQUIRE(run(c.dir, {"zone", "submit", "--dir", c.zone, "--link", "spool:" + stick, "--now", at(kStart)}, "submit")
              .status == 0);
  Process serve(answered_yes({kBinary, "ksk", "serve", "--dir", c.ksk, "--link", "spool:" + stick, "--now",
                              at(kStart)}),
                c.dir.file("serve.err"));
  REQUIRE(finish(serve, c.dir.file("serve.err")).status == 0);
  std::string answer;
  for (const auto& name : list_dir(stick + "/to-zone")) {
    if (name.size() > 5 && name.substr(name.size() - 5) == ".kske") answer = stick + "/to-zone/" + name;
  }
  REQUIRE_FALSE(answer.empty());

  // The zone state and the stick before the import, put back before each
  // killed import (an import moves the answer to to-zone/done/).
  const std::string pristine = c.dir.file("zone-before-import");
  const std::string stick_before = c.dir.file("stick-before-import");
  fs::copy(c.zone, pristine, fs::copy_options::recursive);
  fs::copy(stick, stick_before, fs::copy_options::recursive);
  auto restore = [&] {
    fs::remove_all(c.zone);
    fs::copy(pristine, c.zone, fs::copy_options::recursive);
    fs::remove_all(stick);
    fs::copy(stick_before, stick, fs::copy_options::recursive);
  };
  const std::vector<std::string> import{"zone", "import", "--dir", c.zone, answer, "--now", at(kStart)};
  const auto import_time = duration_of(c.dir, import);
  std::mt19937 random(7);
  auto some_point = [&](std::chrono::microseconds whole) {
    return std::chrono::microseconds(std::uniform_int_distribution<std::int64_t>(0, whole.count() * 6 / 5)(random));
  };
  int killed = 0;
  for (int i = 0; i < 40; ++i) {
    restore();
    const auto delay = some_point(import_time);
    CAPTURE(i, delay.count());
    if (kill_after(c.dir, import, delay) == 128 + SIGKILL) ++killed;
    // The next import takes the answer or finds it taken: either way it is
    // stored, once, and the zone publishes. The answer leaves the inbox only
    // once the state holds it.
    const std::string moved = stick + "/to-zone/done/" + fs::path(answer).filename().string();
    if (!fs::exists(answer)) {
      CHECK(fs::exists(moved));
      CHECK(list_dir(c.zone + "/responses").size() == 1);
      fs::rename(moved, answer);  // as if the stick had been copied back
    }
    auto again = run(c.dir, import, "import-again");
    CHECK(again.status == 0);
    INFO(again.out << again.err);
    const auto stored = list_dir(c.zone + "/responses");
    CAPTURE(stored);
    CHECK(stored.size() == 1);
    auto status = run(c.dir, {"zone", "status", "--dir", c.zone}, "status");
    INFO(status.out << status.err);
    CHECK(status.status == 0);
  }
  CHECK(killed > 0);

  // Publish: after each kill the signed zone is the last good one or the new
  // one, whole; the next publish completes.
  restore();
  REQUIRE(run(c.dir, import, "import").status == 0);
  const std::vector<std::string> publish{"zone", "publish", "--dir", c.zone};
  const auto publish_time = duration_of(c.dir, publish);
  killed = 0;
  for (int i = 0; i < 40; ++i) {
    const auto delay = some_point(publish_time);
    CAPTURE(i, delay.count());
    if (kill_after(c.dir, publish, delay) == 128 + SIGKILL) ++killed;
    auto v = run(c.dir, {"zone", "verify", c.signed_file, "--origin", "example.com", "--trust-anchor", c.anchor},
                 "verify");
    INFO(v.out << v.err);
    CHECK(v.status == 0);
  }
  CHECK(killed > 0);
  c.publish_and_verify();
}

TEST_CASE("ceremony: ksk serve killed at random points leaves ledger, audit log and answers whole, and the request is answered by the next run",
          "[tools][ceremony][crash]") {
  Ceremony c;
  // No operator: the policy signs by itself, so that the kill points fall in the work.
  c.approve_automatically();
  std::string stick = c.dir.file("stick");
  fs::create_directories(stick);
  REQUIRE(run(c.dir, {"zone", "submit", "--dir", c.zone, "--link", "spool:" + stick, "--now", at(kStart)}, "submit")
              .status == 0);
  const std::string ksk_before = c.dir.file("ksk-before"), stick_before = c.dir.file("stick-before");
  fs::copy(c.ksk, ksk_before, fs::copy_options::recursive);
  fs::copy(stick, stick_before, fs::copy_options::recursive);
  auto restore = [&] {
    for (auto [from, to] : {std::pair{ksk_before, c.ksk}, std::pair{stick_before, stick}}) {
      fs::remove_all(to);
      fs::copy(from, to, fs::copy_options::recursive);
    }
  };
  const std::vector<std::string> serve{"ksk", "serve", "--dir", c.ksk, "--link", "spool:" + stick, "--batch",
                                       "--now", at(kStart)};
  const auto serve_time = duration_of(c.dir, serve);
  std::mt19937 random(11);
  int killed = 0;
  for (int i = 0; i < 40; ++i) {
    restore();
    const auto delay =
        std::chrono::microseconds(std::uniform_int_distribution<std::int64_t>(0, serve_time.count() * 6 / 5)(random));
    CAPTURE(i, delay.count());
    if (kill_after(c.dir, serve, delay) == 128 + SIGKILL) ++killed;
    auto audit = run(c.dir, {"ksk", "audit", "verify", "--dir", c.ksk}, "audit");
    INFO(audit.out << audit.err);
    CHECK(audit.status == 0);
    // The next run answers the request (or finds it answered): the zone side
    // gets exactly one answer.
    auto again = run(c.dir, serve, "serve-again");
    INFO(again.out << again.err);
    std::size_t answers = 0;
    for (const auto& name : list_dir(stick + "/to-zone")) answers += name.size() > 5 && name.ends_with(".kske");
    CHECK(answers == 1);
  }
  CHECK(killed > 0);
}
