// A KSK side waiting on a serial line that something hostile or broken holds:
// a flood of garbage, one byte now and then, or a peer that shakes hands and
// never asks. None keeps `ksk serve` waiting past its --wait or
// --request-wait, nor costs more memory than an idle line does.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/tools/cli_process.hpp"
#include "tests/transport/transport_test_util.hpp"

using kskline::test::Ran;
using kskline::test::run;
using kskline::transport::testing::Process;
using kskline::test::Linesim;
using kskline::transport::testing::TempDir;
using kskline::transport::testing::slurp;

namespace {

// The master side of a pseudo-terminal; the program under test opens the
// other side as its serial port.
struct PtyMaster {
  int fd = -1;
  std::string slave;

  PtyMaster() {
    fd = ::posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
    REQUIRE(fd >= 0);
    REQUIRE(::grantpt(fd) == 0);
    REQUIRE(::unlockpt(fd) == 0);
    slave = ::ptsname(fd);
  }
  ~PtyMaster() { ::close(fd); }
};

// The peak resident memory of a running process, in KiB (0 once it is gone).
long peak_rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

// What `ksk serve --wait 3` did while `feed` wrote to its line every 10 ms.
struct Served {
  Ran ran;
  double seconds = 0;
  long peak_kib = 0;
};

template <typename Feed>
Served serve_against(const TempDir& dir, const std::string& ksk, Feed feed) {
  PtyMaster line;
  Process serve({KSKLINE_BINARY, "ksk", "serve", "--dir", ksk, "--link", "serial:" + line.slave + ",baud=115200",
                 "--wait", "3", "--batch"},
                dir.file("serve.err"));
  Served s;
  const auto start = std::chrono::steady_clock::now();
  char sink[4096];
  // Until the process has closed its end (reads then fail) or 30 s passed.
  for (int tick = 0; std::chrono::steady_clock::now() - start < std::chrono::seconds(30); ++tick) {
    feed(line.fd, tick);
    while (::read(line.fd, sink, sizeof sink) > 0) {
    }
    s.peak_kib = std::max(s.peak_kib, peak_rss_kib(serve.pid()));
    siginfo_t ended{};
    if (::waitid(P_PID, static_cast<id_t>(serve.pid()), &ended, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        ended.si_pid == serve.pid()) {
      break;  // it has ended; finish() reaps it
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  s.ran = kskline::test::finish(serve, dir.file("serve.err"));
  return s;
}

}  // namespace

TEST_CASE("hostile line: garbage or a byte now and then never keeps ksk serve past --wait nor grows its memory",
          "[tools][hostile]") {
  TempDir dir;
  const std::string ksk = dir.file("ksk");
  REQUIRE(run(dir, {"ksk", "init", "--zone", "example.com", "--dir", ksk}, "init").status == 0);

  auto idle = serve_against(dir, ksk, [](int, int) {});
  std::mt19937 random(12);
  auto flood = serve_against(dir, ksk, [&](int fd, int) {
    char garbage[1024];
    for (char& c : garbage) c = static_cast<char>(random());
    [[maybe_unused]] auto n = ::write(fd, garbage, sizeof garbage);
  });
  auto dribble = serve_against(dir, ksk, [&](int fd, int tick) {
    if (tick % 50 != 0) return;  // one byte every half second
    char c = static_cast<char>(random());
    [[maybe_unused]] auto n = ::write(fd, &c, 1);
  });

  for (const Served* s : {&idle, &flood, &dribble}) {
    INFO(s->ran.out << s->ran.err);
    CHECK(s->seconds < 15);
    CHECK_THAT(s->ran.err, Catch::Contains("no answer from the peer within 3 s"));
    CHECK_THAT(s->ran.out, Catch::Contains("served: 0 signed, 0 re-sent, 0 refused"));
  }
  // A flood costs no more memory than waiting on a quiet line (a few MiB of
  // slack for buffers and allocator noise).
  INFO("peak KiB: idle " << idle.peak_kib << ", flood " << flood.peak_kib << ", dribble " << dribble.peak_kib);
  CHECK(idle.peak_kib > 0);
  CHECK(flood.peak_kib < idle.peak_kib + 8 * 1024);
  CHECK(dribble.peak_kib < idle.peak_kib + 8 * 1024);
}

TEST_CASE("hostile line: a peer that shakes hands and never asks is closed after --request-wait", "[tools][hostile]") {
  TempDir dir;
  const std::string ksk = dir.file("ksk");
  REQUIRE(run(dir, {"ksk", "init", "--zone", "example.com", "--dir", ksk}, "init").status == 0);
  Linesim line(dir, "115200", {});
  const auto start = std::chrono::steady_clock::now();
  Process serve({KSKLINE_BINARY, "ksk", "serve", "--dir", ksk, "--link", "serial:" + line.b + ",baud=115200",
                 "--wait", "4", "--request-wait", "2", "--batch"},
                dir.file("serve.err"));
  // The peer: a receiver, which keeps the session alive and sends nothing.
  Process peer({KSKLINE_BINARY, "receive", "--link", "serial:" + line.a + ",baud=115200", "--output-dir",
                dir.file("in"), "--count", "1", "--wait", "10"},
               dir.file("peer.err"));
  auto served = kskline::test::finish(serve, dir.file("serve.err"));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto idle_peer = kskline::test::finish(peer, dir.file("peer.err"));
  INFO(served.out << served.err << idle_peer.err);
  CHECK_THAT(served.err, Catch::Contains("no request within 2 s"));
  CHECK_THAT(served.out, Catch::Contains("served: 0 signed, 0 re-sent, 0 refused"));
  CHECK(served.status != 0);
  CHECK(seconds < 20);
  CHECK(idle_peer.status != 0);
}
