// The line simulator: pace, impairments, flow control and unplugging, seen
// from two programs that open its two ends.
#include <algorithm>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "transport/errc.hpp"
#include "transport/line_simulator.hpp"
#include "sim_thread.hpp"
#include "transport_test_util.hpp"

using namespace kskline;
using namespace kskline::transport;
using testing::SimThread;
using testing::TempDir;

namespace {

// One end opened as a program would: raw, non-blocking.
struct EndFd {
  int fd = -1;
  explicit EndFd(const std::string& path, bool ixon = false) {
    fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK);
    REQUIRE(fd >= 0);
    termios t{};
    ::tcgetattr(fd, &t);
    ::cfmakeraw(&t);
    if (ixon) t.c_iflag |= IXON;
    ::tcsetattr(fd, TCSANOW, &t);
  }
  ~EndFd() {
    if (fd >= 0) ::close(fd);
  }
  void write_all(const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
      ssize_t n = ::write(fd, data.data() + done, data.size() - done);
      if (n > 0) {
        done += static_cast<std::size_t>(n);
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
  }
  std::string read_for(std::size_t n, int ms) {
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
      char buf[4096];
      ssize_t k = ::read(fd, buf, sizeof buf);
      if (k > 0) {
        out.append(buf, static_cast<std::size_t>(k));
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    return out;
  }
};

}  // namespace

TEST_CASE("line_simulator: two ends at stable paths, joined at the pace of the baud rate", "[transport][line_simulator]") {
  TempDir dir;
  LineSimOptions o;
  o.baud = 96000;  // 9600 bytes a second
  o.link_dir = dir.file("line");
  std::string a_path, b_path;
  {
    SimThread line(o);
    a_path = line.a();
    b_path = line.b();
    CHECK(a_path == dir.file("line/a"));
    CHECK(std::filesystem::is_symlink(a_path));
    CHECK(std::filesystem::read_symlink(b_path).string().rfind("/dev/pts/", 0) == 0);
    EndFd a(a_path), b(b_path);
    std::string data = testing::random_text(4800, 1);
    auto start = std::chrono::steady_clock::now();
    std::thread writer([&] { a.write_all(data); });
    std::string got = b.read_for(data.size(), 3000);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    writer.join();
    CHECK(got == data);
    CHECK(seconds > 0.45);  // 0.5 s of line time
    CHECK(seconds < 0.8);
    // And back, every byte value intact.
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    b.write_all(all);
    CHECK(a.read_for(all.size(), 2000) == all);
  }
  CHECK_FALSE(std::filesystem::exists(a_path));  // the symlinks go with the simulator
  CHECK_FALSE(std::filesystem::exists(dir.file("line")));
}

TEST_CASE("line_simulator: the 8th bit stripped, bits flipped, bytes dropped", "[transport][line_simulator]") {
  LineSimOptions o;
  o.baud = 2000000;
  SECTION("seven bit") {
    o.seven_bit = true;
    SimThread line(o);
    EndFd a(line.a()), b(line.b());
    a.write_all(std::string("\xc1\xff\x7f\x80", 4));
    CHECK(b.read_for(4, 2000) == std::string("\x41\x7f\x7f\x00", 4));
  }
  SECTION("bit errors at the rate asked, on every bit time of the character") {
    o.ber = 1e-3;
    o.seed = 11;
    SimThread line(o);
    EndFd a(line.a()), b(line.b());
    std::string data(20000, '\0');
    a.write_all(data);
    std::string got = b.read_for(data.size(), 1500);
    line.stop();
    const auto& c = line.sim().a_to_b();
    CHECK(c.bits_flipped > 140);  // 10 bit times a character: 200 expected
    CHECK(c.bits_flipped < 270);
    CHECK(c.framing_errors > 0);  // stop bits are hit too
    std::size_t damaged = 0;
    for (char ch : got) damaged += ch != '\0' ? 1 : 0;
    CHECK(damaged > 100);
    CHECK(damaged <= 2 * c.bits_flipped);
    CHECK(got.size() >= data.size());
    CHECK(got.size() < data.size() + 100);
  }
  SECTION("noise on an idle line makes false characters") {
    o.ber = 1e-4;
    SimThread line(o);
    EndFd a(line.a()), b(line.b());
    a.write_all(std::string(1, '\xff'));
    std::string got = b.read_for(1000, 500);  // a million bit times: about 100 flipped
    line.stop();
    CHECK(got.size() > 30);
    CHECK(got.size() < 300);
    auto ones = static_cast<std::size_t>(std::count(got.begin(), got.end(), '\xff'));
    CHECK(ones * 10 >= got.size() * 8);  // a false start bit followed by idle reads as FF
  }
  SECTION("drops") {
    o.drop = 0.01;
    SimThread line(o);
    EndFd a(line.a()), b(line.b());
    a.write_all(std::string(10000, 'x'));
    std::string got = b.read_for(10000, 1500);
    line.stop();
    CHECK(got.size() == 10000 - line.sim().a_to_b().dropped);
    CHECK(line.sim().a_to_b().dropped > 50);
  }
}

TEST_CASE("line_simulator: garbage bursts add random bytes between the bytes sent, which arrive in order", "[transport][line_simulator]") {
  LineSimOptions o;
  o.baud = 2000000;
  o.garbage = 0.01;
  o.garbage_burst = 16;
  o.seed = 5;
  SimThread line(o);
  EndFd a(line.a()), b(line.b());
  std::string data(10000, 'x');
  a.write_all(data);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::string got = b.read_for(data.size() * 2, 500);
  line.stop();
  const auto& c = line.sim().a_to_b();
  CHECK(c.garbage > 100);  // about 100 bursts of 8.5 bytes
  CHECK(c.garbage < 2000);
  CHECK(got.size() == data.size() + c.garbage);
  // Every byte sent arrived, in order, with the garbage in between.
  CHECK(static_cast<std::size_t>(std::count(got.begin(), got.end(), 'x')) >= data.size());
}

TEST_CASE("line_simulator: an outage carries nothing, then the line is back", "[transport][line_simulator]") {
  LineSimOptions o;
  o.baud = 1000000;
  o.outages.push_back({0.2, 0.3});
  SimThread line(o);
  EndFd a(line.a()), b(line.b());
  a.write_all("x");  // the first byte starts the clock
  CHECK(b.read_for(1, 1000) == "x");
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  a.write_all("lost");
  CHECK(b.read_for(4, 100).empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  a.write_all("back");
  CHECK(b.read_for(4, 1000) == "back");
}

TEST_CASE("line_simulator: unplugging makes the path vanish, then come back", "[transport][line_simulator]") {
  LineSimOptions o;
  o.baud = 1000000;
  o.unplugs.push_back({{0.1, 0.4}, false, true});
  SimThread line(o);
  EndFd a(line.a());
  auto b = std::make_unique<EndFd>(line.b());
  a.write_all("x");
  CHECK(b->read_for(1, 1000) == "x");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK_FALSE(std::filesystem::exists(line.b()));
  CHECK(std::filesystem::exists(line.a()));
  char c;
  CHECK(::read(b->fd, &c, 1) <= 0);  // the open descriptor is dead (EIO or end of file)
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  REQUIRE(std::filesystem::exists(line.b()));
  b = std::make_unique<EndFd>(line.b());
  a.write_all("again");
  CHECK(b->read_for(5, 1000) == "again");
}

TEST_CASE("line_simulator: with --xonxoff each sender is paused by XOFF and released by XON", "[transport][line_simulator]") {
  LineSimOptions o;
  o.baud = 1000000;
  o.xonxoff = true;
  SimThread line(o);
  EndFd a(line.a()), b(line.b());  // no IXON: the flow-control bytes show up as data
  a.write_all("start");
  CHECK(b.read_for(5, 1000) == "start");
  std::string seen = a.read_for(2, 1800);
  CHECK(seen == "\x13\x11");
  line.stop();
  CHECK(line.sim().a_to_b().pauses >= 1);
}

TEST_CASE("line_simulator: malformed periods are refused", "[transport][line_simulator]") {
  CHECK(parse_line_period("2.5:3").value().start == 2.5);
  CHECK(parse_line_period("0:0.5").value().length == 0.5);
  for (const char* bad : {"", "3", "a:b", "-1:2", "1:0", "1:-2", "1:2:3"}) {
    INFO(bad);
    auto p = parse_line_period(bad);
    REQUIRE_FALSE(p);
    CHECK(p.error().code == errc::bad_link_spec);
  }
}
