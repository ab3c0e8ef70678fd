// `kskline link-test` as the built binary, both ends as two processes over
// `kskline linesim`: a clean line, bit errors, lost bytes, a 7-bit line,
// XON/XOFF, an outage, a wrong pinned peer, and a peer that never comes.
#include <catch2/catch.hpp>

#include <regex>

#include "tests/tools/cli_process.hpp"
#include "tests/transport/transport_test_util.hpp"

using kskline::test::Linesim;
using kskline::test::Ran;
using kskline::test::finish;
using kskline::test::run;
using kskline::transport::testing::Process;
using kskline::transport::testing::TempDir;
using kskline::transport::testing::slurp;

namespace {

const std::string kBinary = KSKLINE_BINARY;
constexpr const char* kBaud = "115200";

// Both ends of a test, each with its own extra options and link settings.
struct Ends {
  Ran a, b;
};

Ends link_test(const TempDir& dir, const Linesim& line, std::vector<std::string> a_extra = {},
               std::vector<std::string> b_extra = {}, const std::string& settings = "",
               const std::string& bytes = "12000") {
  auto argv = [&](const std::string& path, const std::vector<std::string>& extra) {
    std::vector<std::string> v{kBinary, "link-test", "--link", "serial:" + path + ",baud=" + kBaud + settings,
                               "--wait", "15", "--bytes", bytes, "--pings", "3"};
    v.insert(v.end(), extra.begin(), extra.end());
    return v;
  };
  Process a(argv(line.a, a_extra), dir.file("a.err"));
  Process b(argv(line.b, b_extra), dir.file("b.err"));
  Ends e;
  e.a = finish(a, dir.file("a.err"));
  e.b = finish(b, dir.file("b.err"));
  return e;
}

// Pinned both ways: a is "zone", b is "ksk".
std::vector<std::string> pins(const TempDir& dir, const std::string& self, const std::string& peer) {
  return {"--identity", dir.file(self), "--peer", dir.file(peer + ".pub")};
}

void make_keys(const TempDir& dir) {
  for (const char* id : {"zone", "ksk", "stranger"}) REQUIRE(run(dir, {"link-keygen", "-o", dir.file(id)}).status == 0);
}

// The number before `what` in the row starting `row`, direction `way`
// ("to the peer 120 frames, 3 resent").
std::uint64_t figure(const std::string& out, const std::string& pattern) {
  std::smatch m;
  if (!std::regex_search(out, m, std::regex(pattern))) return UINT64_MAX;
  return std::stoull(m[1].str());
}

// Percentage of the line of a direction row.
int share(const std::string& out, const std::string& way) {
  std::smatch m;
  if (!std::regex_search(out, m, std::regex(way + " +[0-9]+ bytes in [0-9.]+ s: [0-9]+ B/s, ([0-9]+)% of the line"))) {
    return -1;
  }
  return std::stoi(m[1].str());
}

std::uint64_t resent(const std::string& out) {
  return figure(out, "errors +to the peer [0-9]+ frames, ([0-9]+) resent") +
         figure(out, "from the peer [0-9]+ frames, ([0-9]+) resent");
}

}  // namespace

TEST_CASE("link-test: a clean line is OK, near the line rate, with the pinned peer", "[tools][link_test]") {
  TempDir dir;
  make_keys(dir);
  Linesim line(dir, kBaud, {});
  auto e = link_test(dir, line, pins(dir, "zone", "ksk"), pins(dir, "ksk", "zone"));
  INFO(e.a.out << e.a.err);
  INFO(e.b.out << e.b.err);
  CHECK(e.a.status == 0);
  CHECK(e.b.status == 0);
  for (const auto* r : {&e.a, &e.b}) {
    CHECK(r->out.find("verdict        OK") != std::string::npos);
    CHECK(share(r->out, "to the peer") >= 80);
    CHECK(share(r->out, "to the peer") <= 101);
    CHECK(share(r->out, "from the peer") >= 80);
    CHECK(r->out.find("8-bit clean    yes: 8-bit encoding both ways; every octet value crossed intact") !=
          std::string::npos);
    CHECK(r->out.find("115200 baud 8N1, flow none") != std::string::npos);
    CHECK(r->out.find("(the pinned key)") != std::string::npos);
    CHECK(std::regex_search(r->out, std::regex("round trip +frame [0-9]+ ms; message min [0-9]+ ms, median")));
  }
  // Each end names the other's key as its .pub file shows it.
  std::string ksk_pub = slurp(dir.file("ksk.pub"));
  CHECK(ksk_pub.find(e.a.out.substr(e.a.out.find("peer key") + 15, 44)) != std::string::npos);
}

TEST_CASE("link-test: bit errors are reported as resent and damaged frames", "[tools][link_test]") {
  TempDir dir;
  Linesim line(dir, kBaud, {"--ber", "2e-5", "--seed", "11"});
  auto e = link_test(dir, line);
  INFO(e.a.out << e.a.err);
  INFO(e.b.out << e.b.err);
  REQUIRE(e.a.out.find("verdict") != std::string::npos);
  CHECK(e.a.status != 3);
  CHECK(resent(e.a.out) > 0);
  CHECK(resent(e.a.out) == resent(e.b.out));
  CHECK(figure(e.a.out, "to the peer [0-9]+ frames, [0-9]+ resent \\([0-9.]+%\\), ([0-9]+) damaged") +
            figure(e.a.out, "from the peer [0-9]+ frames, [0-9]+ resent \\([0-9.]+%\\), ([0-9]+) damaged") >
        0);
}

TEST_CASE("link-test: bytes dropped on the line cut frames, which are resent", "[tools][link_test]") {
  TempDir dir;
  Linesim line(dir, kBaud, {"--drop", "2e-4", "--seed", "5"});
  auto e = link_test(dir, line);
  INFO(e.a.out << e.a.err);
  INFO(e.b.out << e.b.err);
  REQUIRE(e.a.out.find("verdict") != std::string::npos);
  CHECK(e.a.status != 3);
  CHECK(resent(e.a.out) > 0);
  CHECK(std::regex_search(e.a.out, std::regex("flow control +this end none, peer none: (no frame vanished|frames lost)")));
  std::string sim = line.stop();
  INFO(sim);
  CHECK(figure(sim, "([0-9]+) dropped") > 0);
}

TEST_CASE("link-test: a line that clears the 8th bit is reported 7-bit, and why", "[tools][link_test]") {
  TempDir dir;
  make_keys(dir);
  Linesim line(dir, kBaud, {"--seven-bit"});
  SECTION("both ends set to 8 bits: the probe fails, a warning") {
    auto e = link_test(dir, line, pins(dir, "zone", "ksk"), pins(dir, "ksk", "zone"));
    INFO(e.a.out << e.a.err);
    CHECK(e.a.status == 1);
    CHECK(e.a.out.find("8-bit clean    no: 7-bit encoding because the 8-bit probe failed both ways: the line clears "
                       "the 8th bit") != std::string::npos);
    CHECK(e.a.out.find("every octet value crossed intact") != std::string::npos);
    CHECK(e.a.out.find("WARNING: the line is not 8-bit clean") != std::string::npos);
  }
  SECTION("bits=7 on both ends: 7-bit on purpose, OK") {
    auto e = link_test(dir, line, pins(dir, "zone", "ksk"), pins(dir, "ksk", "zone"), ",bits=7,parity=even");
    INFO(e.a.out << e.a.err);
    CHECK(e.a.status == 0);
    CHECK(e.a.out.find("no: 7-bit encoding because this end has bits=7 in --link") != std::string::npos);
    CHECK(e.a.out.find("115200 baud 7E1") != std::string::npos);
  }
}

TEST_CASE("link-test: XON/XOFF on both ends over a line that pauses the senders", "[tools][link_test]") {
  TempDir dir;
  make_keys(dir);
  Linesim line(dir, kBaud, {"--xonxoff"});
  auto e = link_test(dir, line, pins(dir, "zone", "ksk"), pins(dir, "ksk", "zone"), ",flow=xonxoff");
  INFO(e.a.out << e.a.err);
  INFO(e.b.out << e.b.err);
  CHECK(e.a.status == 0);
  CHECK(e.a.out.find("flow control   this end xonxoff, peer xonxoff: nothing lost") != std::string::npos);
  std::string sim = line.stop();
  INFO(sim);
  CHECK(figure(sim, "([0-9]+) XON/XOFF bytes in data") == 0);
  CHECK(figure(sim, "([0-9]+) pauses") > 0);
}

TEST_CASE("link-test: an outage mid-test is a warning, not a failure", "[tools][link_test]") {
  TempDir dir;
  Linesim line(dir, kBaud, {"--outage", "0.5:2"});
  auto e = link_test(dir, line, {}, {}, "", "20000");
  INFO(e.a.out << e.a.err);
  INFO(e.b.out << e.b.err);
  CHECK(e.a.status == 1);
  CHECK(e.b.status == 1);
  CHECK(resent(e.a.out) > 0);
  CHECK(e.a.out.find("WARNING: ") != std::string::npos);
  CHECK(std::regex_search(e.a.out, std::regex("throughput (to|from) the peer [0-9]+% of 115200 baud")));
}

TEST_CASE("link-test: a peer that is not the pinned one is reported, exit 1", "[tools][link_test]") {
  TempDir dir;
  make_keys(dir);
  Linesim line(dir, kBaud, {});
  auto e = link_test(dir, line, pins(dir, "zone", "stranger"), pins(dir, "ksk", "zone"), "", "4000");
  INFO(e.a.out << e.a.err);
  INFO(e.b.out << e.b.err);
  CHECK(e.a.status == 1);
  CHECK(e.a.out.find("(NOT the pinned key)") != std::string::npos);
  std::string ksk = slurp(dir.file("ksk.pub"));
  CHECK(e.a.out.find("WARNING: the peer's key " + ksk.substr(ksk.find_last_of(' ') + 1, 44) + " is not the pinned one") !=
        std::string::npos);
  CHECK(e.b.status == 0);
}

TEST_CASE("link-test: no peer, no device or a spool link", "[tools][link_test]") {
  TempDir dir;
  Linesim line(dir, kBaud, {});
  auto alone = run(dir, {"link-test", "--link", "serial:" + line.a, "--wait", "1"}, "alone");
  CHECK(alone.status == 3);
  CHECK(alone.err.find("kskline: ") != std::string::npos);
  auto missing = run(dir, {"link-test", "--link", "serial:" + dir.file("nothing")}, "missing");
  CHECK(missing.status == 3);
  auto spool = run(dir, {"link-test", "--link", "spool:" + dir.path()}, "spool");
  CHECK(spool.status == 2);
  auto bad = run(dir, {"link-test", "--link", "serial:/dev/null,baud=fast"}, "bad");
  CHECK(bad.status == 2);
}
