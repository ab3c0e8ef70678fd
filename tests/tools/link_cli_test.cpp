// The link commands run as the built binary: link-keygen, send and receive
// across `kskline linesim` (bit errors, a pulled cable, a restarted
// receiver, a 7-bit line, exclusive use, authentication) and a spool.
#include <catch2/catch.hpp>

#include <csignal>
#include <regex>

#include <sys/stat.h>

#include "tests/tools/cli_process.hpp"
#include "tests/transport/transport_test_util.hpp"

using kskline::transport::testing::Process;
using kskline::transport::testing::TempDir;
using kskline::transport::testing::list_dir;
using kskline::transport::testing::random_text;
using kskline::transport::testing::slurp;
using kskline::transport::testing::spit;
using kskline::test::Linesim;
using kskline::test::Ran;
using kskline::test::finish;
using kskline::test::run;

namespace {

const std::string kBinary = KSKLINE_BINARY;
constexpr const char* kBaud = "1000000";

std::string link(const std::string& path, const std::string& extra = "") {
  return "serial:" + path + ",baud=" + kBaud + extra;
}

// Runs a receiver, then a sender, both to the end.
std::pair<Ran, Ran> send_receive(const TempDir& dir, const Linesim& line, const std::vector<std::string>& files,
                                 std::vector<std::string> send_extra = {}, std::vector<std::string> receive_extra = {},
                                 const std::string& link_extra = "") {
  std::vector<std::string> r{kBinary, "receive", "--link", link(line.b, link_extra), "--output-dir", dir.file("out"),
                             "--count", std::to_string(files.size()), "--wait", "15"};
  r.insert(r.end(), receive_extra.begin(), receive_extra.end());
  Process receiver(r, dir.file("receive.err"));
  std::vector<std::string> s{kBinary, "send", "--link", link(line.a, link_extra), "--wait", "15"};
  s.insert(s.end(), send_extra.begin(), send_extra.end());
  s.insert(s.end(), files.begin(), files.end());
  Process sender(s, dir.file("send.err"));
  Ran sent = finish(sender, dir.file("send.err"));
  Ran received = finish(receiver, dir.file("receive.err"));
  return {sent, received};
}

// A number printed before `what` in a summary line ("123 bytes resent").
std::uint64_t figure(const std::string& text, const std::string& what) {
  std::smatch m;
  std::regex re("([0-9]+) " + what);
  if (!std::regex_search(text, m, re)) return UINT64_MAX;
  return std::stoull(m[1].str());
}

unsigned mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("link-keygen: a secret identity (0600) and its public file", "[tools][link]") {
  TempDir dir;
  auto r = run(dir, {"link-keygen", "-o", dir.file("zone.id")});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(mode_of(dir.file("zone.id")) == 0600);
  CHECK(mode_of(dir.file("zone.id.pub")) == 0644);
  std::string pub = slurp(dir.file("zone.id.pub"));
  CHECK(pub.find("kskline-link-public-key: 1\npublic-key: " + r.out) != std::string::npos);
  CHECK(r.out.size() == 45);  // 44 characters of base64 and a newline
  auto again = run(dir, {"link-keygen", "-o", dir.file("zone.id")});
  CHECK(again.status == 1);
  CHECK_THAT(again.err, Catch::Contains("refusing to replace"));
}

TEST_CASE("linesim: prints its two paths and removes them when stopped", "[tools][link]") {
  TempDir dir;
  Linesim line(dir, kBaud, {"--ber", "1e-6", "--seed", "3"});
  CHECK(std::filesystem::is_symlink(line.a));
  std::string err = line.stop();
  CHECK(line.status == 0);
  CHECK_FALSE(std::filesystem::exists(line.a));
  CHECK_FALSE(std::filesystem::exists(line.b));
  CHECK_THAT(err, Catch::Contains("linesim: a->b: 0 bytes"));
  auto bad = run(dir, {"linesim", "--baud", "9600", "--outage", "soon"});
  CHECK(bad.status == 2);
  CHECK_THAT(bad.err, Catch::Contains("--outage") && Catch::Contains("START:SECONDS"));
}

TEST_CASE("send/receive: bit errors and a pulled cable, the transfer resumes, not from zero", "[tools][link]") {
  TempDir dir;
  const std::size_t size = 250000;
  spit(dir.file("payload.bin"), random_text(size, 1));
  spit(dir.file("request.txt"), "example.com. 3600 IN DNSKEY 257 3 13 abc\n");
  Linesim line(dir, kBaud, {"--ber", "1e-5", "--outage", "1:1.5", "--seed", "5"});
  auto [sent, received] = send_receive(dir, line, {dir.file("payload.bin"), dir.file("request.txt")});
  INFO(sent.err);
  INFO(received.err);
  REQUIRE(sent.status == 0);
  REQUIRE(received.status == 0);
  CHECK(slurp(dir.file("out/payload.bin")) == slurp(dir.file("payload.bin")));
  CHECK(slurp(dir.file("out/request.txt")) == slurp(dir.file("request.txt")));
  CHECK(received.out == dir.file("out/payload.bin") + "\n" + dir.file("out/request.txt") + "\n");
  CHECK_THAT(sent.err, Catch::Contains("kskline: sent 2/2 files, 250041 bytes"));
  CHECK_THAT(received.err, Catch::Contains("kskline: received 2 files, 250041 bytes"));
  std::string sim = line.stop();
  INFO(sim);
  CHECK(figure(sim, "dropped") > 0);
  std::uint64_t resent = figure(sent.err, "bytes resent");
  REQUIRE(resent != UINT64_MAX);
  CHECK(resent > 0);
  CHECK(resent < size / 2);
  // No progress line (\r) when standard error is not a terminal.
  CHECK(sent.err.find('\r') == std::string::npos);
}

namespace {

// What `send FILE` and `receive` did when the receiver was killed (SIGKILL)
// after `kill_after` and started again.
struct Resumed {
  Ran sent, received;
};

Resumed send_with_receiver_killed(const TempDir& dir, const std::string& file, const std::string& baud,
                                  std::chrono::milliseconds kill_after) {
  Linesim line(dir, baud, {});
  auto end = [&](const std::string& path) { return "serial:" + path + ",baud=" + baud; };
  std::vector<std::string> recv{kBinary, "receive", "--link", end(line.b), "--output-dir", dir.file("out"),
                                "--count", "1", "--wait", "30"};
  auto first = std::make_unique<Process>(recv, dir.file("receive1.err"));
  Process sender({kBinary, "send", "--link", end(line.a), "--wait", "30", file}, dir.file("send.err"));
  std::this_thread::sleep_for(kill_after);
  first->signal(SIGKILL);
  CHECK(first->wait() == 128 + SIGKILL);
  first.reset();
  CHECK_FALSE(std::filesystem::exists(dir.file("out/" + std::filesystem::path(file).filename().string())));
  Process second(recv, dir.file("receive2.err"));
  Resumed r;
  r.received = finish(second, dir.file("receive2.err"));
  r.sent = finish(sender, dir.file("send.err"));
  return r;
}

}  // namespace

TEST_CASE("send/receive: a receiver killed mid-transfer resumes from the blocks on disk", "[tools][link]") {
  TempDir dir;
  const std::size_t size = 400000;
  spit(dir.file("big"), random_text(size, 2));
  // Killed once about half has crossed (100 KB/s).
  auto [sent, received] = send_with_receiver_killed(dir, dir.file("big"), kBaud, std::chrono::milliseconds(2500));
  INFO(sent.err);
  INFO(received.err);
  REQUIRE(received.status == 0);
  REQUIRE(sent.status == 0);
  CHECK(slurp(dir.file("out/big")) == slurp(dir.file("big")));
  std::uint64_t resumed = figure(received.err, "bytes resumed");
  CHECK(resumed > 64 * 1024);
  CHECK(resumed < size);
  CHECK(figure(sent.err, "bytes resent") < size / 2);
  CHECK(figure(sent.err, "sessions") >= 2);
}

TEST_CASE("send/receive: a slow line's receiver killed after 3 s resumes from what it had made durable",
          "[tools][link]") {
  // 64 KiB at 115200 baud (about 11.5 KB/s): killed before 64 KiB arrived,
  // the receiver still keeps what came more than a second before the kill.
  TempDir dir;
  const std::size_t size = 64 * 1024;
  spit(dir.file("ksr"), random_text(size, 4));
  auto [sent, received] = send_with_receiver_killed(dir, dir.file("ksr"), "115200", std::chrono::milliseconds(3000));
  INFO(sent.err);
  INFO(received.err);
  REQUIRE(received.status == 0);
  REQUIRE(sent.status == 0);
  CHECK(slurp(dir.file("out/ksr")) == slurp(dir.file("ksr")));
  std::uint64_t resumed = figure(received.err, "bytes resumed");
  CHECK(resumed >= 8 * 1024);
  CHECK(resumed < size);
}

TEST_CASE("send/receive: a 7-bit line with 7E1 settings", "[tools][link]") {
  TempDir dir;
  spit(dir.file("bin"), random_text(50000, 3));
  Linesim line(dir, kBaud, {"--seven-bit"});
  auto [sent, received] = send_receive(dir, line, {dir.file("bin")}, {}, {}, ",bits=7,parity=even");
  INFO(sent.err);
  INFO(received.err);
  CHECK(sent.status == 0);
  CHECK(received.status == 0);
  CHECK(slurp(dir.file("out/bin")) == slurp(dir.file("bin")));
}

TEST_CASE("send/receive: XON/XOFF flow control over a line that pauses the senders", "[tools][link]") {
  TempDir dir;
  spit(dir.file("bin"), random_text(150000, 4));
  Linesim line(dir, kBaud, {"--xonxoff"});
  auto [sent, received] = send_receive(dir, line, {dir.file("bin")}, {}, {}, ",flow=xonxoff");
  INFO(sent.err);
  INFO(received.err);
  CHECK(sent.status == 0);
  CHECK(received.status == 0);
  CHECK(slurp(dir.file("out/bin")) == slurp(dir.file("bin")));
  std::string sim = line.stop();
  INFO(sim);
  CHECK(figure(sim, "XON/XOFF bytes in data") == 0);
  CHECK(figure(sim, "pauses") > 0);
}

TEST_CASE("send/receive: a port in use is refused, naming the process that holds it", "[tools][link]") {
  TempDir dir;
  Linesim line(dir, kBaud, {});
  Process holder({kBinary, "receive", "--link", link(line.b), "--output-dir", dir.file("out"), "--wait", "20"},
                 dir.file("holder.err"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto second = run(dir, {"receive", "--link", link(line.b), "--output-dir", dir.file("out2"), "--wait", "2"});
  CHECK(second.status == 3);
  CHECK_THAT(second.err, Catch::Contains("in use by process " + std::to_string(holder.pid()) + " (kskline)"));
  holder.signal(SIGTERM);
  CHECK(holder.wait(5000) == 1);  // interrupted before anything arrived
  CHECK_THAT(slurp(dir.file("holder.err")), Catch::Contains("interrupted"));
}

TEST_CASE("send/receive: the device vanishes and comes back", "[tools][link]") {
  TempDir dir;
  spit(dir.file("bin"), random_text(200000, 5));
  Linesim line(dir, kBaud, {"--unplug", "0.7:1:b"});
  auto [sent, received] = send_receive(dir, line, {dir.file("bin")});
  INFO(sent.err);
  INFO(received.err);
  CHECK(sent.status == 0);
  CHECK(received.status == 0);
  CHECK(slurp(dir.file("out/bin")) == slurp(dir.file("bin")));
  CHECK_THAT(received.err, Catch::Contains("lost") && Catch::Contains("is back"));
}

TEST_CASE("send/receive: authentication, and each refusal on both sides", "[tools][link]") {
  TempDir dir;
  for (const char* id : {"zone", "ksk", "stranger"}) REQUIRE(run(dir, {"link-keygen", "-o", dir.file(id)}).status == 0);
  spit(dir.file("f"), "a request\n");
  Linesim line(dir, kBaud, {});
  SECTION("pinned both ways") {
    auto [sent, received] = send_receive(dir, line, {dir.file("f")},
                                         {"--identity", dir.file("zone"), "--peer", dir.file("ksk.pub")},
                                         {"--identity", dir.file("ksk"), "--peer", dir.file("zone.pub")});
    INFO(sent.err);
    INFO(received.err);
    CHECK(sent.status == 0);
    CHECK(received.status == 0);
    CHECK(slurp(dir.file("out/f")) == "a request\n");
  }
  SECTION("an unknown key") {
    auto [sent, received] = send_receive(dir, line, {dir.file("f")}, {"--identity", dir.file("stranger")},
                                         {"--peer", dir.file("zone.pub")});
    CHECK(sent.status == 1);
    CHECK(received.status == 1);
    // The key as the stranger's .pub file shows it (base64), never hex.
    std::string stranger = slurp(dir.file("stranger.pub"));
    stranger = stranger.substr(stranger.find("\npublic-key: ") + 13);
    stranger = stranger.substr(0, stranger.find('\n'));
    CHECK_THAT(received.err, Catch::Contains("link identity " + stranger + " is not pinned"));
    CHECK_THAT(sent.err, Catch::Contains("the peer refused the session"));
    CHECK_FALSE(std::filesystem::exists(dir.file("out/f")));
  }
  SECTION("unsigned under required") {
    auto [sent, received] = send_receive(dir, line, {dir.file("f")}, {}, {"--peer", dir.file("zone.pub")});
    CHECK(sent.status == 1);
    CHECK(received.status == 1);
    CHECK_THAT(received.err, Catch::Contains("has no link identity"));
  }
  SECTION("an unknown --auth word names the accepted ones") {
    auto r = run(dir, {"receive", "--link", link(line.b), "--output-dir", dir.file("out"), "--auth", "strict"});
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Catch::Contains("--auth: 'strict' is not an authentication policy: use auto, off, optional or "
                                      "required"));
  }
  SECTION("required without a pinned key is a usage error") {
    auto r = run(dir, {"receive", "--link", link(line.b), "--output-dir", dir.file("out"), "--auth", "required"});
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Catch::Contains("--auth") && Catch::Contains("no peer key is pinned"));
  }
}

TEST_CASE("send/receive: spool links, with replayed and forged files rejected", "[tools][link]") {
  TempDir dir;
  REQUIRE(run(dir, {"link-keygen", "-o", dir.file("zone")}).status == 0);
  std::filesystem::create_directory(dir.file("stick"));
  spit(dir.file("request.ksr"), "a request\n");
  auto sent = run(dir, {"send", "--link", "spool:" + dir.file("stick"), "--identity", dir.file("zone"),
                        dir.file("request.ksr")});
  INFO(sent.err);
  REQUIRE(sent.status == 0);
  auto files = list_dir(dir.file("stick/to-ksk"));
  REQUIRE(files.size() == 1);  // the zone side keeps done/ and rejected/ in its inbound folder only
  std::string message = dir.file("stick/to-ksk/" + files[0]);
  std::string bytes = slurp(message);
  std::vector<std::string> receive{"receive", "--link", "spool:" + dir.file("stick"), "--output-dir",
                                   dir.file("out"), "--peer", dir.file("zone.pub")};
  auto got = run(dir, receive);
  INFO(got.err);
  CHECK(got.status == 0);
  CHECK(slurp(dir.file("out/request.ksr")) == "a request\n");
  CHECK(got.out == dir.file("out/request.ksr") + "\n");
  // The same bytes again: a replay.
  spit(dir.file("stick/to-ksk/copy.kske"), bytes);
  // A forged copy: one payload bit changed.
  std::string forged = bytes;
  forged[80] ^= 0x20;
  spit(dir.file("stick/to-ksk/forged.kske"), forged);
  auto again = run(dir, receive);
  CHECK(again.status == 1);
  CHECK_THAT(again.err, Catch::Contains("copy.kske") && Catch::Contains("already accepted"));
  CHECK_THAT(again.err, Catch::Contains("forged.kske") && Catch::Contains("digest"));
  CHECK_THAT(again.err, Catch::Contains("received 0 files") && Catch::Contains("2 rejected"));
  CHECK(std::filesystem::exists(dir.file("stick/to-ksk/rejected/copy.kske.reason")));
  CHECK(std::filesystem::exists(dir.file("stick/to-ksk/rejected/forged.kske.reason")));
}

TEST_CASE("send/receive: SIGTERM ends a spool receive waiting for files", "[tools][link]") {
  TempDir dir;
  std::filesystem::create_directory(dir.file("stick"));
  Process waiting({kBinary, "receive", "--link", "spool:" + dir.file("stick"), "--output-dir", dir.file("out"),
                   "--count", "1", "--wait", "60"},
                  dir.file("waiting.err"));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  waiting.signal(SIGTERM);
  CHECK(waiting.wait(5000) == 1);
  CHECK_THAT(slurp(dir.file("waiting.err")), Catch::Contains("interrupted by a signal"));
}

TEST_CASE("send/receive: link specs are checked before anything starts", "[tools][link]") {
  TempDir dir;
  auto r = run(dir, {"send", "--link", "serial:/dev/x,baud=fast", "/dev/null"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("--link: baud=fast: not a whole number"));
  auto lo = run(dir, {"receive", "--link", "loopback", "--output-dir", dir.file("o")});
  CHECK(lo.status == 2);
  CHECK_THAT(lo.err, Catch::Contains("inside one process"));
  spit(dir.file("f"), "x");
  auto missing = run(dir, {"send", "--link", "serial:" + dir.file("ttyUSB7"), dir.file("f")});
  CHECK(missing.status == 3);
  CHECK_THAT(missing.err, Catch::Contains("ttyUSB7") && Catch::Contains("No such file"));
}
