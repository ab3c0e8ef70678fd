#include "transport/internal/serial_port.hpp"

#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "transport/errc.hpp"

namespace kskline::transport {
namespace {

struct SpeedEntry {
  std::uint32_t baud;
  speed_t code;
};

constexpr SpeedEntry kSpeeds[] = {
    {50, B50},           {75, B75},           {110, B110},         {134, B134},         {150, B150},
    {200, B200},         {300, B300},         {600, B600},         {1200, B1200},       {1800, B1800},
    {2400, B2400},       {4800, B4800},       {9600, B9600},       {19200, B19200},     {38400, B38400},
    {57600, B57600},     {115200, B115200},   {230400, B230400},   {460800, B460800},   {500000, B500000},
    {576000, B576000},   {921600, B921600},   {1000000, B1000000}, {1152000, B1152000}, {1500000, B1500000},
    {2000000, B2000000}, {2500000, B2500000}, {3000000, B3000000}, {3500000, B3500000}, {4000000, B4000000},
};

bool speed_code(std::uint32_t baud, speed_t& out) {
  for (const auto& e : kSpeeds) {
    if (e.baud == baud) {
      out = e.code;
      return true;
    }
  }
  return false;
}

// Applies `t` and reads it back; `check` says whether the setting took.
template <class Check>
Result<void> apply(int fd, const std::string& path, termios& t, const std::string& setting, Check check) {
  if (::tcsetattr(fd, TCSANOW, &t) != 0) {
    return fail_errno(errc::setting_refused, "the device does not take " + setting, path);
  }
  termios back{};
  if (::tcgetattr(fd, &back) != 0) return fail_errno(errc::io_error, "tcgetattr", path);
  if (!check(back)) return fail(errc::setting_refused, "the device does not take " + setting, path);
  t = back;
  return {};
}

}  // namespace

bool is_pseudo_terminal(int fd) noexcept {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode)) return false;
  unsigned m = major(st.st_rdev);
  return (m >= 136 && m <= 143) || m == 3;  // Unix98 and legacy BSD pty slaves
}

Result<void> configure_serial(int fd, const std::string& path, const SerialSettings& s) {
  termios t{};
  if (::tcgetattr(fd, &t) != 0) {
    return fail_errno(errc::device_unavailable, "not a serial device (tcgetattr)", path);
  }
  const bool pty = is_pseudo_terminal(fd);
  ::cfmakeraw(&t);
  t.c_cflag |= CLOCAL | CREAD;
  t.c_cflag &= ~static_cast<tcflag_t>(CRTSCTS);
  t.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
  t.c_cc[VMIN] = 1;
  t.c_cc[VTIME] = 0;
  if (auto ok = apply(fd, path, t, "raw mode", [](const termios& b) { return (b.c_lflag & (ICANON | ECHO)) == 0; }); !ok) {
    return ok;
  }

  speed_t code{};
  std::string baud = "baud=" + std::to_string(s.baud);
  if (!speed_code(s.baud, code)) {
    return fail(errc::setting_refused, baud + " is not a rate the termios interface offers", path);
  }
  ::cfsetispeed(&t, code);
  ::cfsetospeed(&t, code);
  if (auto ok = apply(fd, path, t, baud, [&](const termios& b) { return ::cfgetospeed(&b) == code; }); !ok) return ok;

  // A pseudo-terminal keeps CS8 and no parity whatever it is told (and may
  // refuse to be told): those bits are left alone on one.
  if (!pty) t.c_cflag = (t.c_cflag & ~static_cast<tcflag_t>(CSIZE)) | (s.data_bits == 7 ? CS7 : CS8);
  if (s.data_bits == 7) t.c_iflag |= ISTRIP;
  std::string bits = "bits=" + std::to_string(s.data_bits);
  if (auto ok = apply(fd, path, t, bits, [&](const termios& b) {
        bool strip_ok = s.data_bits == 8 || (b.c_iflag & ISTRIP);
        return strip_ok && (pty || (b.c_cflag & CSIZE) == (s.data_bits == 7 ? CS7 : CS8));
      });
      !ok) {
    return ok;
  }

  if (!pty) {
    t.c_cflag &= ~static_cast<tcflag_t>(PARENB | PARODD);
    if (s.parity != Parity::none) t.c_cflag |= PARENB;
    if (s.parity == Parity::odd) t.c_cflag |= PARODD;
  }
  tcflag_t want_parity = t.c_cflag & (PARENB | PARODD);
  std::string parity = "parity=" + std::string(to_string(s.parity));
  if (auto ok = apply(fd, path, t, parity, [&](const termios& b) { return pty || (b.c_cflag & (PARENB | PARODD)) == want_parity; });
      !ok) {
    return ok;
  }

  if (s.stop_bits == 2) {
    t.c_cflag |= CSTOPB;
  } else {
    t.c_cflag &= ~static_cast<tcflag_t>(CSTOPB);
  }
  std::string stop = "stop=" + std::to_string(s.stop_bits);
  if (auto ok = apply(fd, path, t, stop, [&](const termios& b) { return ((b.c_cflag & CSTOPB) != 0) == (s.stop_bits == 2); });
      !ok) {
    return ok;
  }

  if (s.flow == Flow::xonxoff) {
    t.c_iflag |= IXON | IXOFF;
    t.c_cc[VSTART] = 0x11;
    t.c_cc[VSTOP] = 0x13;
  } else if (s.flow == Flow::rtscts && !pty) {
    t.c_cflag |= CRTSCTS;
  }
  std::string flow = "flow=" + std::string(to_string(s.flow));
  if (auto ok = apply(fd, path, t, flow, [&](const termios& b) {
        bool soft = (b.c_iflag & (IXON | IXOFF)) == (IXON | IXOFF);
        bool hard = (b.c_cflag & CRTSCTS) != 0;
        switch (s.flow) {
          case Flow::none: return !(b.c_iflag & (IXON | IXOFF)) && (pty || !hard);
          case Flow::xonxoff: return soft;
          case Flow::rtscts: return pty || hard;
        }
        return false;
      });
      !ok) {
    return ok;
  }
  return {};
}

Result<SerialDevice> open_serial_device(const std::string& path, const SerialSettings& settings) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return fail_errno(errc::device_unavailable, "cannot open the serial device", path);
  auto lock = DeviceLock::acquire(path);
  if (!lock) return tl::unexpected(lock.error());
  int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == EBUSY) {
      std::string holders = device_holders(path);
      return fail(errc::device_busy,
                  "opened exclusively by another process" + (holders.empty() ? std::string() : ": " + holders), path);
    }
    return fail_errno(errc::device_unavailable, "cannot open the serial device", path);
  }
  if (::ioctl(fd, TIOCEXCL) != 0 && errno != ENOTTY) {
    auto e = fail_errno(errc::io_error, "TIOCEXCL", path);
    ::close(fd);
    return e;
  }
  if (auto ok = configure_serial(fd, path, settings); !ok) {
    ::ioctl(fd, TIOCNXCL);
    ::close(fd);
    return tl::unexpected(ok.error());
  }
  ::tcflush(fd, TCIOFLUSH);
  return SerialDevice{fd, std::move(*lock)};
}

// --- SerialStream ---

SerialStream::SerialStream(boost::asio::io_context& io, SerialLink link, Notice notice)
    : io_(io), port_(io), reopen_timer_(io), link_(std::move(link)), notice_(std::move(notice)) {}

Result<std::unique_ptr<SerialStream>> SerialStream::open(boost::asio::io_context& io, const SerialLink& link,
                                                         Notice notice) {
  auto device = open_serial_device(link.path, link.settings);
  if (!device) return tl::unexpected(device.error());
  std::unique_ptr<SerialStream> stream(new SerialStream(io, link, std::move(notice)));
  stream->attach(std::move(*device));
  return stream;
}

SerialStream::~SerialStream() {
  reopen_timer_.cancel();
  close_device();
}

void SerialStream::attach(SerialDevice device) {
  boost::system::error_code ec;
  port_.assign(device.fd, ec);
  if (ec) {
    ::close(device.fd);
    return;
  }
  lock_ = std::move(device.lock);
  connected_ = true;
}

void SerialStream::close_device() noexcept {
  if (port_.is_open()) {
    ::ioctl(port_.native_handle(), TIOCNXCL);
    boost::system::error_code ec;
    port_.close(ec);
  }
  lock_.release();
  connected_ = false;
}

void SerialStream::async_read_some(std::span<std::uint8_t> buffer, Handler handler) {
  read_buffer_ = buffer;
  read_handler_ = std::move(handler);
  cancelled_ = false;
  if (connected_) issue_read();
}

void SerialStream::issue_read() {
  if (read_in_flight_ || !read_handler_ || !connected_) return;
  read_in_flight_ = true;
  unsigned gen = generation_;
  port_.async_read_some(boost::asio::buffer(read_buffer_.data(), read_buffer_.size()),
                        [this, gen](const boost::system::error_code& ec, std::size_t n) {
                          if (gen != generation_) return;  // the device was lost meanwhile
                          read_in_flight_ = false;
                          if (ec == boost::asio::error::operation_aborted) {
                            if (auto h = std::exchange(read_handler_, nullptr)) h(aborted_error(), 0);
                            return;
                          }
                          if (ec) {
                            lost(ec.message(), "read");  // the read stays pending until the device is back
                            return;
                          }
                          if (auto h = std::exchange(read_handler_, nullptr)) h({}, n);
                        });
}

void SerialStream::async_write(ByteView data, Handler handler) {
  std::size_t size = data.size();
  if (!connected_) {
    boost::asio::post(io_, [handler = std::move(handler), size] { handler({}, size); });
    return;
  }
  unsigned gen = generation_;
  boost::asio::async_write(port_, boost::asio::buffer(data.data(), data.size()),
                           [this, gen, size, handler = std::move(handler)](const boost::system::error_code& ec,
                                                                           std::size_t n) {
                             if (gen != generation_) {
                               handler({}, size);  // lost with the device
                               return;
                             }
                             if (ec == boost::asio::error::operation_aborted) {
                               handler(aborted_error(), n);
                               return;
                             }
                             if (ec) {
                               lost(ec.message(), "write");
                               handler({}, size);
                               return;
                             }
                             handler({}, n);
                           });
}

void SerialStream::cancel() {
  cancelled_ = true;
  reopen_timer_.cancel();
  if (connected_) {
    boost::system::error_code ec;
    port_.cancel(ec);
  }
  if (!read_in_flight_) {
    if (auto h = std::exchange(read_handler_, nullptr)) {
      boost::asio::post(io_, [h = std::move(h)] { h(aborted_error(), 0); });
    }
  }
}

void SerialStream::lost(const std::string& why, const char* during) {
  if (!connected_) return;
  ++generation_;
  read_in_flight_ = false;
  close_device();
  if (notice_) notice_("serial device " + link_.path + " lost (" + during + ": " + why + "); reopening");
  backoff_ = std::chrono::milliseconds(100);
  last_reopen_error_.clear();
  schedule_reopen();
}

void SerialStream::schedule_reopen() {
  if (cancelled_) return;
  reopen_timer_.expires_after(backoff_);
  reopen_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || cancelled_) return;
    try_reopen();
  });
}

void SerialStream::try_reopen() {
  auto device = open_serial_device(link_.path, link_.settings);
  if (!device) {
    std::string message = device.error().message();
    if (device.error().code != errc::device_unavailable && message != last_reopen_error_ && notice_) {
      notice_("cannot reopen yet: " + message);
    }
    last_reopen_error_ = message;
    backoff_ = std::min(backoff_ * 2, std::chrono::milliseconds(1000));
    schedule_reopen();
    return;
  }
  attach(std::move(*device));
  ++reopened_;
  if (notice_) notice_("serial device " + link_.path + " is back");
  issue_read();
}

void SerialStream::drain(int max_wait_ms) {
  if (!connected_) return;
  int fd = port_.native_handle();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(max_wait_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int queued = 0;
    if (::ioctl(fd, TIOCOUTQ, &queued) != 0 || queued <= 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  int queued = 0;
  if (::ioctl(fd, TIOCOUTQ, &queued) == 0 && queued <= 0) ::tcdrain(fd);
}

}  // namespace kskline::transport
