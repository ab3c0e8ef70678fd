#include "transport/line_simulator.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "base/bytes.hpp"
#include "transport/errc.hpp"
#include "transport/internal/uart_receiver.hpp"

namespace kskline::transport {
namespace {

// A sender's bytes are taken off its terminal at most this far ahead of the
// wire, like a UART driver's transmit buffer (4 KiB on Linux, at least 20 ms):
// so a program's tcdrain() followed by tcflush() loses nothing, as on real
// hardware, and a sender is still held back by its own buffer.
constexpr std::size_t kTransmitBuffer = 4096;
constexpr std::int64_t kMinReadAheadNs = 20'000'000;
constexpr std::int64_t kMinSleepNs = 1'000'000;      // deliver in batches of at least 1 ms
constexpr std::size_t kOverrun = 64 * 1024;           // a receiving end that lags this far loses bytes
constexpr std::size_t kXoffAt = 4096, kXonAt = 1024;  // with xonxoff: throttle the sender instead
constexpr std::int64_t kPauseEveryNs = 1'000'000'000, kPauseNs = 100'000'000;
constexpr std::uint8_t kXon = 0x11, kXoff = 0x13;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::int64_t seconds_ns(double s) { return static_cast<std::int64_t>(s * 1e9); }

}  // namespace

struct LineSimulator::Impl {
  struct End {
    char name = 'a';
    int master = -1;
    int slave = -1;
    std::string link;
    bool present = false;
  };
  struct Direction {
    int from = 0, to = 1;
    std::deque<std::pair<std::int64_t, std::uint8_t>> flight;
    Bytes out;
    std::int64_t line_free = 0;
    std::mt19937_64 rng;
    std::uint64_t next_flip = 0, next_drop = 0;  // bit times, bytes until the next
    UartReceiver rx;
    bool throttled = false;
    LineSimCounters c;
    std::mt19937_64 garbage_rng;           // garbage bursts: their own stream, so other impairments keep theirs
    std::uint64_t next_garbage = 0;
    bool garbage_seeded = false;
  };

  LineSimOptions o;
  std::array<End, 2> ends;
  std::array<Direction, 2> dirs;  // 0: a->b, 1: b->a
  std::string dir;
  bool own_dir = false;
  std::int64_t bit_ns = 0;
  std::int64_t byte_ns = 0;
  std::int64_t read_ahead_ns = 0;
  std::int64_t first_byte = 0;  // 0: nothing crossed yet
  std::vector<bool> unplug_started, unplug_ended;
  std::int64_t next_pause = 0, pause_end = 0;

  std::uint64_t gap(std::mt19937_64& rng, double p) {
    if (p <= 0) return UINT64_MAX;
    if (p >= 1) return 0;
    return std::geometric_distribution<std::uint64_t>(p)(rng);
  }

  Result<void> plug(End& e) {
    int m = -1, s = -1;
    if (::openpty(&m, &s, nullptr, nullptr, nullptr) != 0) return fail_errno(errc::io_error, "openpty", e.link);
    termios t{};
    ::tcgetattr(s, &t);
    ::cfmakeraw(&t);
    t.c_cflag |= CLOCAL | CREAD;
    ::tcsetattr(s, TCSANOW, &t);
    ::fcntl(m, F_SETFL, ::fcntl(m, F_GETFL) | O_NONBLOCK);
    ::fcntl(m, F_SETFD, FD_CLOEXEC);
    ::fcntl(s, F_SETFD, FD_CLOEXEC);
    char name[128];
    if (::ttyname_r(s, name, sizeof name) != 0) {
      ::close(m);
      ::close(s);
      return fail_errno(errc::io_error, "ttyname", e.link);
    }
    std::string tmp = e.link + ".tmp";
    ::unlink(tmp.c_str());
    if (::symlink(name, tmp.c_str()) != 0 || ::rename(tmp.c_str(), e.link.c_str()) != 0) {
      auto err = fail_errno(errc::io_error, "symlink", e.link);
      ::close(m);
      ::close(s);
      return err;
    }
    e.master = m;
    e.slave = s;
    e.present = true;
    return {};
  }

  void unplug(End& e, int index) {
    if (!e.present) return;
    ::unlink(e.link.c_str());
    ::close(e.master);
    ::close(e.slave);
    e.master = e.slave = -1;
    e.present = false;
    for (auto& d : dirs) {
      if (d.to != index) continue;
      d.c.dropped += d.flight.size() + d.out.size();
      d.flight.clear();
      d.out.clear();
      d.throttled = false;
    }
  }

  bool in_outage(std::int64_t t) const {
    if (first_byte == 0) return false;
    for (const auto& p : o.outages) {
      std::int64_t start = first_byte + seconds_ns(p.start);
      if (t >= start && t < start + seconds_ns(p.length)) return true;
    }
    return false;
  }

  // Whether noise flips the line's next bit time.
  bool flip(Direction& d) {
    if (d.next_flip-- != 0) return false;
    ++d.c.bits_flipped;
    d.next_flip = gap(d.rng, o.ber);
    return true;
  }

  // A character the receiving UART assembled, arriving at `t`.
  void receive(Direction& d, const UartOutput& out, std::int64_t t) {
    if (out.framing_error) ++d.c.framing_errors;
    if (in_outage(t) || !ends[static_cast<std::size_t>(d.to)].present) {
      ++d.c.dropped;
      return;
    }
    d.flight.emplace_back(t, out.byte);
  }

  // The line idles (mark) from d.line_free until `t`; noise there is a
  // false start bit, and the receiver makes a character of it.
  void idle_until(Direction& d, std::int64_t t) {
    if (d.line_free == 0 || t <= d.line_free) return;
    auto bits = static_cast<std::uint64_t>((t - d.line_free) / bit_ns);
    std::int64_t from = d.line_free;
    d.line_free += static_cast<std::int64_t>(bits) * bit_ns;
    for (std::uint64_t at = 0; at < bits;) {
      if (d.rx.hunting()) {  // nothing happens until the next flipped bit
        std::uint64_t skip = std::min(d.next_flip, bits - at);
        d.next_flip -= skip;
        at += skip;
        if (at == bits) break;
      }
      bool bit = !flip(d);
      ++at;
      if (auto out = d.rx.on_bit(bit)) receive(d, *out, from + static_cast<std::int64_t>(at) * bit_ns);
    }
  }

  void carry(Direction& d, std::uint8_t b, std::int64_t now) {
    if (first_byte == 0) {
      first_byte = now;
      next_pause = now + kPauseEveryNs;
    }
    ++d.c.bytes;
    if (b == 0x11 || b == 0x13 || b == 0x91 || b == 0x93) ++d.c.flow_bytes;
    std::int64_t start = std::max(d.line_free, now);
    idle_until(d, start);
    start = std::max(d.line_free, now);
    d.line_free = start + byte_ns;
    if (o.seven_bit) b &= 0x7F;
    if (in_outage(d.line_free) || !ends[static_cast<std::size_t>(d.to)].present) {
      ++d.c.dropped;
      d.rx = UartReceiver{};
      return;
    }
    if (d.next_drop-- == 0) {
      d.next_drop = gap(d.rng, o.drop);
      ++d.c.dropped;
      if (auto out = d.rx.on_idle(10)) receive(d, *out, d.line_free);
      return;
    }
    transmit(d, b, start);
    add_garbage(d);
  }

  // Puts the ten bit times of character `b` on the line from `start`, noise
  // and all, into the receiving UART.
  void transmit(Direction& d, std::uint8_t b, std::int64_t start) {
    for (int i = 0; i < 10; ++i) {
      bool bit = uart_bit(b, i) != flip(d);
      if (auto out = d.rx.on_bit(bit)) receive(d, *out, start + (i + 1) * bit_ns);
    }
  }

  // With o.garbage: now and then puts a burst of random bytes on the line
  // after the byte just carried, taking line time as real bytes do.
  void add_garbage(Direction& d) {
    if (o.garbage <= 0) return;
    if (!d.garbage_seeded) {
      d.garbage_seeded = true;
      d.garbage_rng.seed(o.seed * 2 + static_cast<std::uint64_t>(d.from) + 0x9e3779b97f4a7c15ULL);
      d.next_garbage = gap(d.garbage_rng, o.garbage);
    }
    if (d.next_garbage-- != 0) return;
    d.next_garbage = gap(d.garbage_rng, o.garbage);
    std::uint64_t n = 1 + d.garbage_rng() % std::max<std::uint32_t>(1, o.garbage_burst);
    for (std::uint64_t k = 0; k < n; ++k) {
      std::int64_t start = d.line_free;
      d.line_free += byte_ns;
      transmit(d, static_cast<std::uint8_t>(d.garbage_rng()), start);
      ++d.c.garbage;
    }
  }

  void send_control(int end, std::uint8_t byte) {
    End& e = ends[static_cast<std::size_t>(end)];
    if (e.present) (void)!::write(e.master, &byte, 1);
  }

  // Moves arrived bytes to the receiving end and writes what it takes.
  void deliver(Direction& d, std::int64_t now) {
    idle_until(d, now);
    End& to = ends[static_cast<std::size_t>(d.to)];
    while (!d.flight.empty() && d.flight.front().first <= now) {
      if (d.out.size() >= kOverrun && !o.xonxoff) {
        ++d.c.overruns;
      } else {
        d.out.push_back(d.flight.front().second);
      }
      d.flight.pop_front();
    }
    if (to.present && !d.out.empty()) {
      ssize_t n = ::write(to.master, d.out.data(), d.out.size());
      if (n > 0) {
        d.c.delivered += static_cast<std::uint64_t>(n);
        d.out.erase(d.out.begin(), d.out.begin() + n);
      }
    }
    if (o.xonxoff) {
      if (!d.throttled && d.out.size() > kXoffAt) {
        d.throttled = true;
        ++d.c.pauses;
        send_control(d.from, kXoff);
      } else if (d.throttled && d.out.size() < kXonAt) {
        d.throttled = false;
        send_control(d.from, kXon);
      }
    }
  }

  void schedule(std::int64_t now) {
    if (first_byte == 0) return;
    for (std::size_t i = 0; i < o.unplugs.size(); ++i) {
      const Unplug& u = o.unplugs[i];
      std::int64_t start = first_byte + seconds_ns(u.when.start);
      std::int64_t end = start + seconds_ns(u.when.length);
      if (!unplug_started[i] && now >= start) {
        unplug_started[i] = true;
        if (u.a) unplug(ends[0], 0);
        if (u.b) unplug(ends[1], 1);
      }
      if (unplug_started[i] && !unplug_ended[i] && now >= end) {
        unplug_ended[i] = true;
        for (int k = 0; k < 2; ++k) {
          bool want = k == 0 ? u.a : u.b;
          if (want && !ends[static_cast<std::size_t>(k)].present) (void)plug(ends[static_cast<std::size_t>(k)]);
        }
      }
    }
    if (o.xonxoff) {
      if (pause_end == 0 && now >= next_pause) {
        pause_end = now + kPauseNs;
        for (auto& d : dirs) ++d.c.pauses;
        send_control(0, kXoff);
        send_control(1, kXoff);
      } else if (pause_end != 0 && now >= pause_end) {
        pause_end = 0;
        next_pause = now + kPauseEveryNs;
        send_control(0, kXon);
        send_control(1, kXon);
      }
    }
  }

  std::int64_t next_event(std::int64_t now) const {
    std::int64_t next = now + 1'000'000'000;
    auto consider = [&](std::int64_t t) { next = std::min(next, std::max(t, now + kMinSleepNs)); };
    for (const auto& d : dirs) {
      if (!d.flight.empty()) consider(d.flight.front().first);
      if (d.line_free - now > read_ahead_ns) consider(d.line_free - read_ahead_ns);
      if (d.line_free != 0 && !d.rx.hunting()) consider(d.line_free + 10 * bit_ns);
      if (d.line_free != 0 && d.rx.hunting() && d.next_flip < 1'000'000'000'000ULL) {
        consider(d.line_free + static_cast<std::int64_t>(d.next_flip + 10) * bit_ns);  // noise on the idle line
      }
    }
    if (first_byte != 0) {
      for (std::size_t i = 0; i < o.unplugs.size(); ++i) {
        std::int64_t start = first_byte + seconds_ns(o.unplugs[i].when.start);
        if (!unplug_started[i]) consider(start);
        if (!unplug_ended[i]) consider(start + seconds_ns(o.unplugs[i].when.length));
      }
      if (o.xonxoff) consider(pause_end != 0 ? pause_end : next_pause);
    }
    return next;
  }
};

Result<LinePeriod> parse_line_period(const std::string& text) {
  auto colon = text.find(':');
  auto bad = [&] { return fail(errc::bad_link_spec, "'" + text + "': expected START:SECONDS, e.g. 2.5:3"); };
  if (colon == std::string::npos) return bad();
  std::string a = text.substr(0, colon), b = text.substr(colon + 1);
  char* end = nullptr;
  LinePeriod p;
  p.start = std::strtod(a.c_str(), &end);
  if (a.empty() || *end != '\0' || p.start < 0) return bad();
  p.length = std::strtod(b.c_str(), &end);
  if (b.empty() || *end != '\0' || p.length <= 0) return bad();
  return p;
}

LineSimulator::LineSimulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<LineSimulator>> LineSimulator::create(LineSimOptions options) {
  if (options.baud < 50 || options.baud > 100'000'000) return fail(errc::bad_link_spec, "--baud must be 50..100000000");
  auto impl = std::make_unique<Impl>();
  impl->o = std::move(options);
  Impl& s = *impl;
  s.bit_ns = static_cast<std::int64_t>(1'000'000'000LL / s.o.baud);
  s.byte_ns = 10 * s.bit_ns;
  s.read_ahead_ns = std::max<std::int64_t>(kMinReadAheadNs, static_cast<std::int64_t>(kTransmitBuffer) * s.byte_ns);
  if (s.o.link_dir.empty()) {
    char tmpl[] = "/tmp/kskline-linesim-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) return fail_errno(errc::io_error, "mkdtemp", "/tmp");
    s.dir = tmpl;
    s.own_dir = true;
  } else {
    s.dir = s.o.link_dir;
    if (::mkdir(s.dir.c_str(), 0755) == 0) {
      s.own_dir = true;
    } else if (errno != EEXIST) {
      return fail_errno(errc::io_error, "mkdir", s.dir);
    }
  }
  s.ends[0].name = 'a';
  s.ends[1].name = 'b';
  for (auto& e : s.ends) {
    e.link = s.dir + "/" + e.name;
    struct stat st {};
    if (::lstat(e.link.c_str(), &st) == 0 && !S_ISLNK(st.st_mode)) {
      return fail(errc::io_error, "exists and is not a symlink; refusing to replace it", e.link);
    }
  }
  for (int i = 0; i < 2; ++i) {
    auto& d = s.dirs[static_cast<std::size_t>(i)];
    d.from = i;
    d.to = 1 - i;
    d.rng.seed(s.o.seed * 2 + static_cast<std::uint64_t>(i) + 1);
    d.next_flip = s.gap(d.rng, s.o.ber);
    d.next_drop = s.gap(d.rng, s.o.drop);
  }
  s.unplug_started.assign(s.o.unplugs.size(), false);
  s.unplug_ended.assign(s.o.unplugs.size(), false);
  std::unique_ptr<LineSimulator> sim(new LineSimulator(std::move(impl)));
  for (auto& e : sim->impl_->ends) {
    if (auto ok = sim->impl_->plug(e); !ok) return tl::unexpected(ok.error());
  }
  return sim;
}

LineSimulator::~LineSimulator() {
  for (auto& e : impl_->ends) {
    ::unlink(e.link.c_str());
    if (e.master >= 0) ::close(e.master);
    if (e.slave >= 0) ::close(e.slave);
  }
  if (impl_->own_dir) ::rmdir(impl_->dir.c_str());
}

std::string LineSimulator::path_a() const { return impl_->ends[0].link; }
std::string LineSimulator::path_b() const { return impl_->ends[1].link; }
const LineSimCounters& LineSimulator::a_to_b() const { return impl_->dirs[0].c; }
const LineSimCounters& LineSimulator::b_to_a() const { return impl_->dirs[1].c; }

Result<void> LineSimulator::run(int stop_fd) {
  Impl& s = *impl_;
  std::array<std::uint8_t, 4096> buf{};
  while (true) {
    std::int64_t now = now_ns();
    s.schedule(now);
    for (auto& d : s.dirs) s.deliver(d, now);

    // Ends to read from: only while less than a transmit buffer waits for
    // the wire they feed.
    std::array<pollfd, 3> fds{};
    fds[0] = {stop_fd, POLLIN, 0};
    std::array<bool, 2> reading{};
    for (int i = 0; i < 2; ++i) {
      auto& e = s.ends[static_cast<std::size_t>(i)];
      auto& out = s.dirs[static_cast<std::size_t>(i)];       // from this end
      auto& in = s.dirs[static_cast<std::size_t>(1 - i)];    // to this end
      fds[static_cast<std::size_t>(i) + 1] = {e.present ? e.master : -1, 0, 0};
      reading[static_cast<std::size_t>(i)] = e.present && out.line_free - now <= s.read_ahead_ns;
      if (reading[static_cast<std::size_t>(i)]) fds[static_cast<std::size_t>(i) + 1].events |= POLLIN;
      if (e.present && !in.out.empty()) fds[static_cast<std::size_t>(i) + 1].events |= POLLOUT;
    }
    std::int64_t wait = s.next_event(now) - now;
    timespec ts{static_cast<time_t>(wait / 1'000'000'000), static_cast<long>(wait % 1'000'000'000)};
    int rc = ::ppoll(fds.data(), fds.size(), &ts, nullptr);
    if (rc < 0) {
      if (errno == EINTR) continue;
      return fail_errno(errc::io_error, "ppoll", s.dir);
    }
    if (fds[0].revents != 0) return {};
    now = now_ns();
    for (int i = 0; i < 2; ++i) {
      auto& e = s.ends[static_cast<std::size_t>(i)];
      auto& d = s.dirs[static_cast<std::size_t>(i)];
      if (!reading[static_cast<std::size_t>(i)] || !(fds[static_cast<std::size_t>(i) + 1].revents & POLLIN)) continue;
      std::int64_t ahead = now + s.read_ahead_ns - std::max(d.line_free, now);
      std::size_t allowed = static_cast<std::size_t>(std::max<std::int64_t>(1, ahead / s.byte_ns));
      allowed = std::min(allowed, buf.size());
      ssize_t n = ::read(e.master, buf.data(), allowed);
      if (n <= 0) continue;  // EAGAIN, or EIO while nobody has the slave open
      for (ssize_t k = 0; k < n; ++k) s.carry(d, buf[static_cast<std::size_t>(k)], now);
    }
  }
}

}  // namespace kskline::transport
