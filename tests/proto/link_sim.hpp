// A simulated serial line joining two engines on a virtual clock that jumps
// to the next deadline: bandwidth, latency, bit errors, byte drops and
// duplicates, burst errors, outages and 8th-bit stripping, all seeded.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include "base/bytes.hpp"
#include "proto/session.hpp"

namespace kskline::proto::testing {

// What goes wrong on one direction of the line.
struct Impairments {
  double ber = 0;        // probability that each data bit flips
  double drop = 0;       // probability that a byte is lost
  double dup = 0;        // probability that a byte arrives twice
  double burst = 0;      // probability that a burst of garbage starts at a byte
  std::size_t burst_len = 0;
  std::vector<std::pair<Duration, Duration>> outages;  // (start, length): nothing crosses
  bool strip_bit7 = false;
};

// One direction of the line.
struct LineConfig {
  std::uint32_t bytes_per_second = 11520;  // 115200 baud, 8N1
  Duration latency{1000};
  Impairments imp;
};

// One direction: a wire busy while it serialises a frame, and bytes in flight.
class Direction {
 public:
  Direction(LineConfig cfg, std::uint64_t seed) : cfg_(std::move(cfg)), rng_(seed) {
    next_bit_error_ = gap(cfg_.imp.ber);
    next_drop_ = gap(cfg_.imp.drop);
    next_dup_ = gap(cfg_.imp.dup);
    next_burst_ = gap(cfg_.imp.burst);
  }

  // When the wire can take the next frame.
  Timestamp busy_until() const { return busy_until_; }
  // Bytes put on the wire so far (what the line time is spent on).
  std::uint64_t bytes_sent() const { return bytes_sent_; }

  // A man in the middle: rewrites each frame before it is serialised.
  std::function<Bytes(Bytes)> tamper;
  // When set, every byte put on the wire (before impairments) is appended here.
  Bytes* record = nullptr;

  // Serialises bytes starting at `now` (or when the wire frees up).
  void send(ByteView input, Timestamp now) {
    Bytes tampered;
    if (tamper) tampered = tamper(Bytes(input.begin(), input.end()));
    ByteView data = tamper ? ByteView(tampered) : input;
    if (record != nullptr) record->insert(record->end(), data.begin(), data.end());
    Timestamp start = std::max(now, busy_until_);
    bytes_sent_ += data.size();
    const std::size_t piece = 64;
    for (std::size_t off = 0; off < data.size(); off += piece) {
      std::size_t n = std::min(piece, data.size() - off);
      Bytes out;
      for (std::size_t i = 0; i < n; ++i) {
        Timestamp t = start + byte_time(off + i);
        impair(data[off + i], t, out);
      }
      Timestamp arrive = start + byte_time(off + n) + cfg_.latency;
      if (!out.empty()) flight_.push_back({arrive, std::move(out)});
    }
    busy_until_ = start + byte_time(data.size());
  }

  // When the next bytes arrive, if any are in flight.
  std::optional<Timestamp> next_arrival() const {
    if (flight_.empty()) return std::nullopt;
    return flight_.front().first;
  }

  // Takes every byte that has arrived by `now`.
  Bytes take(Timestamp now) {
    Bytes out;
    while (!flight_.empty() && flight_.front().first <= now) {
      out.insert(out.end(), flight_.front().second.begin(), flight_.front().second.end());
      flight_.pop_front();
    }
    return out;
  }

 private:
  Duration byte_time(std::size_t n) const {
    return Duration(static_cast<std::int64_t>((static_cast<double>(n) * 1e6) / cfg_.bytes_per_second));
  }

  // Bytes until the next event of probability p per trial (geometric).
  std::uint64_t gap(double p) {
    if (p <= 0) return UINT64_MAX;
    std::geometric_distribution<std::uint64_t> g(p);
    return g(rng_);
  }

  bool in_outage(Timestamp t) const {
    for (const auto& [start, length] : cfg_.imp.outages) {
      Duration at = t.time_since_epoch();
      if (at >= start && at < start + length) return true;
    }
    return false;
  }

  void impair(std::uint8_t b, Timestamp t, Bytes& out) {
    const Impairments& imp = cfg_.imp;
    if (in_outage(t)) return;
    // Bit errors: count down data bits to the next flip.
    for (int bit = 0; bit < 8; ++bit) {
      if (next_bit_error_-- == 0) {
        b ^= static_cast<std::uint8_t>(1u << bit);
        next_bit_error_ = gap(imp.ber);
      }
    }
    if (burst_left_ > 0) {
      --burst_left_;
      b = static_cast<std::uint8_t>(rng_());
    } else if (next_burst_-- == 0) {
      burst_left_ = imp.burst_len;
      next_burst_ = gap(imp.burst);
    }
    if (imp.strip_bit7) b &= 0x7F;
    if (next_drop_-- == 0) {
      next_drop_ = gap(imp.drop);
      return;
    }
    out.push_back(b);
    if (next_dup_-- == 0) {
      next_dup_ = gap(imp.dup);
      out.push_back(b);
    }
  }

  LineConfig cfg_;
  std::mt19937_64 rng_;
  Timestamp busy_until_{};
  std::uint64_t bytes_sent_ = 0;
  std::deque<std::pair<Timestamp, Bytes>> flight_;
  std::uint64_t next_bit_error_, next_drop_, next_dup_, next_burst_;
  std::size_t burst_left_ = 0;
};

// An event with the simulated time it was polled at.
struct TimedEvent {
  Timestamp at;
  Event event;
};

// Two engines (A and B) joined by two Directions. The test owns the engines
// and may replace them between steps (a restart).
class LinkSim {
 public:
  LinkSim(LineConfig a_to_b, LineConfig b_to_a, std::uint64_t seed)
      : ab_(std::move(a_to_b), seed * 2 + 1), ba_(std::move(b_to_a), seed * 2 + 2) {}

  Engine* a = nullptr;
  Engine* b = nullptr;
  Timestamp now{};
  std::vector<TimedEvent> events_a, events_b;

  // Processes the current time, then jumps to the next deadline. Returns
  // false when nothing is scheduled any more (both engines closed and idle lines).
  bool step() {
    process(*a, ab_, ba_, events_a);
    process(*b, ba_, ab_, events_b);
    std::optional<Timestamp> next;
    auto consider = [&](std::optional<Timestamp> t) {
      if (t && (!next || *t < *next)) next = t;
    };
    consider(a->poll_timeout());
    consider(b->poll_timeout());
    consider(ab_.next_arrival());
    consider(ba_.next_arrival());
    if (ab_.busy_until() > now) consider(ab_.busy_until());
    if (ba_.busy_until() > now) consider(ba_.busy_until());
    if (!next) return false;
    now = std::max(*next, now + Duration(1));
    ++steps_;
    return true;
  }

  // Steps until `done` says so, the time limit passes or nothing is left;
  // returns whether `done` said so.
  template <class Done>
  bool run_until(Done&& done, Timestamp limit) {
    while (!done()) {
      if (now > limit || !step()) return done();
    }
    return true;
  }

  Direction& a_to_b() { return ab_; }
  Direction& b_to_a() { return ba_; }
  std::uint64_t steps() const { return steps_; }

 private:
  void process(Engine& e, Direction& out, Direction& in, std::vector<TimedEvent>& events) {
    if (auto t = e.poll_timeout(); t && *t <= now) e.handle_timeout(now);
    Bytes arrived = in.take(now);
    if (!arrived.empty()) e.handle_bytes(arrived, now);
    while (auto ev = e.poll_event()) events.push_back({now, std::move(*ev)});
    if (out.busy_until() <= now) {
      e.handle_timeout(now);  // stamp frames with the time they leave
      if (auto frame = e.poll_transmit()) out.send(*frame, now);
    }
    while (auto ev = e.poll_event()) events.push_back({now, std::move(*ev)});
  }

  Direction ab_, ba_;
  std::uint64_t steps_ = 0;
};

}  // namespace kskline::proto::testing
