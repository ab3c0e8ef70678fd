// The real serial code over pseudo-terminal pairs (openpty): settings, raw
// mode, exclusive use, asynchronous I/O, and a device that vanishes.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <fcntl.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "transport/device_lock.hpp"
#include "transport/errc.hpp"
#include "transport/internal/serial_port.hpp"
#include "transport_test_util.hpp"

using namespace kskline;
using namespace kskline::transport;
using testing::TempDir;

namespace {

// A pseudo-terminal pair; the slave's name is offered as a symlink.
struct Pty {
  int master = -1, slave = -1;
  std::string name;
  Pty() {
    REQUIRE(::openpty(&master, &slave, nullptr, nullptr, nullptr) == 0);
    char buf[128];
    REQUIRE(::ttyname_r(slave, buf, sizeof buf) == 0);
    name = buf;
    ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);
  }
  ~Pty() { close(); }
  void close() {
    if (master >= 0) ::close(master);
    if (slave >= 0) ::close(slave);
    master = slave = -1;
  }
  // Reads what the other side wrote, waiting up to a second for `n` bytes.
  std::string read_master(std::size_t n) {
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
      char buf[1024];
      ssize_t k = ::read(master, buf, sizeof buf);
      if (k > 0) {
        out.append(buf, static_cast<std::size_t>(k));
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    return out;
  }
};

SerialSettings settings(std::uint32_t baud = 115200) {
  SerialSettings s;
  s.baud = baud;
  return s;
}

}  // namespace

TEST_CASE("serial_port: raw mode and the settings are applied and read back", "[transport][serial_port]") {
  Pty p;
  SerialSettings s = settings(9600);
  s.stop_bits = 2;
  s.flow = Flow::xonxoff;
  s.data_bits = 7;
  s.parity = Parity::even;
  REQUIRE(configure_serial(p.slave, p.name, s));
  termios t{};
  REQUIRE(::tcgetattr(p.slave, &t) == 0);
  CHECK(::cfgetospeed(&t) == B9600);
  CHECK(::cfgetispeed(&t) == B9600);
  CHECK((t.c_lflag & (ICANON | ECHO | ISIG)) == 0);
  CHECK((t.c_oflag & OPOST) == 0);
  CHECK((t.c_cflag & CSTOPB) != 0);
  CHECK((t.c_iflag & (IXON | IXOFF)) == (IXON | IXOFF));
  CHECK((t.c_iflag & ISTRIP) != 0);  // 7 data bits on a pty: the 8th bit is cleared on input
  CHECK(t.c_cc[VMIN] == 1);
  CHECK(is_pseudo_terminal(p.slave));

  REQUIRE(configure_serial(p.slave, p.name, settings(4000000)));
  REQUIRE(::tcgetattr(p.slave, &t) == 0);
  CHECK(::cfgetospeed(&t) == B4000000);
  CHECK((t.c_iflag & (IXON | IXOFF | ISTRIP)) == 0);
  CHECK((t.c_cflag & CSTOPB) == 0);
}

TEST_CASE("serial_port: a setting the device cannot take is an error naming it", "[transport][serial_port]") {
  Pty p;
  auto odd = configure_serial(p.slave, p.name, settings(250000));
  REQUIRE_FALSE(odd);
  CHECK(odd.error().code == errc::setting_refused);
  CHECK_THAT(odd.error().message(), Catch::Contains("baud=250000"));

  TempDir dir;
  testing::spit(dir.file("plain"), "not a tty");
  auto file = open_serial_device(dir.file("plain"), settings());
  REQUIRE_FALSE(file);
  CHECK(file.error().code == errc::device_unavailable);
  CHECK_THAT(file.error().message(), Catch::Contains("not a serial device"));

  auto missing = open_serial_device(dir.file("ttyUSB9"), settings());
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == errc::device_unavailable);
  CHECK_THAT(missing.error().message(), Catch::Contains("ttyUSB9") && Catch::Contains("No such file"));
}

TEST_CASE("serial_port: exclusive use, with a message naming the holder", "[transport][serial_port]") {
  Pty p;
  TempDir dir;
  std::string link = dir.file("modem");
  std::filesystem::create_symlink(p.name, link);
  auto first = open_serial_device(p.name, settings());
  REQUIRE(first);
  std::string lock_file = first->lock.file();
  CHECK(testing::slurp(lock_file) == [] {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%10d\n", static_cast<int>(::getpid()));
    return std::string(buf);
  }());
  // Another path to the same device shares the lock.
  auto second = open_serial_device(link, settings());
  REQUIRE_FALSE(second);
  CHECK(second.error().code == errc::device_busy);
  CHECK_THAT(second.error().message(),
             Catch::Contains("in use by process " + std::to_string(::getpid())) && Catch::Contains(lock_file));
  ::ioctl(first->fd, TIOCNXCL);
  ::close(first->fd);
  first->lock.release();
  CHECK_FALSE(std::filesystem::exists(lock_file));
  auto third = open_serial_device(link, settings());
  REQUIRE(third);
  ::close(third->fd);
}

TEST_CASE("serial_port: a stale lock of a process that is gone is taken over", "[transport][serial_port]") {
  Pty p;
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int st;
  ::waitpid(child, &st, 0);  // a pid nobody has now
  auto probe = DeviceLock::acquire(p.name);
  REQUIRE(probe);
  std::string lock_file = probe->file();
  probe->release();
  char buf[16];
  std::snprintf(buf, sizeof buf, "%10d\n", static_cast<int>(child));
  testing::spit(lock_file, buf);
  auto device = open_serial_device(p.name, settings());
  REQUIRE(device);
  CHECK(testing::slurp(lock_file).find(std::to_string(::getpid())) != std::string::npos);
  ::close(device->fd);
}

TEST_CASE("serial_port: asynchronous reads and writes through Asio", "[transport][serial_port]") {
  Pty p;
  boost::asio::io_context io;
  auto stream = SerialStream::open(io, SerialLink{p.name, settings()});
  REQUIRE(stream);
  CHECK((*stream)->line_rate() == 11520);
  // Stream -> master.
  std::string hello = "hello\x7e\x11\x13\xff";
  bool written = false;
  (*stream)->async_write(as_bytes(hello), [&](std::error_code ec, std::size_t n) {
    CHECK_FALSE(ec);
    CHECK(n == hello.size());
    written = true;
  });
  io.run_for(std::chrono::milliseconds(200));
  io.restart();
  CHECK(written);
  CHECK(p.read_master(hello.size()) == hello);  // raw: no translation of any byte
  // Master -> stream.
  std::array<std::uint8_t, 64> buf{};
  std::string got;
  (*stream)->async_read_some(buf, [&](std::error_code ec, std::size_t n) {
    CHECK_FALSE(ec);
    got.assign(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
  });
  REQUIRE(::write(p.master, "\r\nab\x03", 5) == 5);
  io.run_for(std::chrono::milliseconds(200));
  io.restart();
  CHECK(got == "\r\nab\x03");
  // Cancel completes a pending read with the aborted error.
  bool aborted = false;
  (*stream)->async_read_some(buf, [&](std::error_code ec, std::size_t) { aborted = is_aborted(ec); });
  (*stream)->cancel();
  io.run_for(std::chrono::milliseconds(100));
  CHECK(aborted);
}

TEST_CASE("serial_port: the stream survives the device vanishing and coming back", "[transport][serial_port]") {
  TempDir dir;
  std::string path = dir.file("ttyUSB0");
  auto first = std::make_unique<Pty>();
  std::filesystem::create_symlink(first->name, path);
  boost::asio::io_context io;
  std::vector<std::string> notices;
  auto stream = SerialStream::open(io, SerialLink{path, settings()}, [&](const std::string& n) { notices.push_back(n); });
  REQUIRE(stream);
  std::array<std::uint8_t, 64> buf{};
  std::string got;
  (*stream)->async_read_some(buf, [&](std::error_code ec, std::size_t n) {
    CHECK_FALSE(ec);
    got.assign(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
  });
  // Unplug: the device goes away under the open descriptor, the path vanishes.
  first->close();
  std::filesystem::remove(path);
  io.run_for(std::chrono::milliseconds(400));
  io.restart();
  CHECK_FALSE((*stream)->connected());
  REQUIRE_FALSE(notices.empty());
  CHECK_THAT(notices[0], Catch::Contains("lost"));
  // Writes while it is gone complete; the bytes are lost.
  bool written = false;
  (*stream)->async_write(as_bytes("into the void"), [&](std::error_code ec, std::size_t) { written = !ec; });
  io.run_for(std::chrono::milliseconds(50));
  io.restart();
  CHECK(written);
  // Replug: a new device at the same path; the pending read carries on.
  Pty second;
  std::filesystem::create_symlink(second.name, path);
  io.run_for(std::chrono::milliseconds(1500));
  io.restart();
  REQUIRE((*stream)->connected());
  CHECK((*stream)->reopened() == 1);
  CHECK_THAT(notices.back(), Catch::Contains("is back"));
  REQUIRE(::write(second.master, "again", 5) == 5);
  io.run_for(std::chrono::milliseconds(300));
  CHECK(got == "again");
}
