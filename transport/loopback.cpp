#include "transport/internal/loopback.hpp"

#include <algorithm>
#include <optional>

#include <boost/asio/post.hpp>

namespace kskline::transport {

using Clock = std::chrono::steady_clock;

// One direction: impairs bytes as they are written and holds them until
// they arrive.
class LoopbackLine::Direction {
 public:
  Direction(boost::asio::io_context& io, LoopbackImpairments imp, std::uint64_t seed, Clock::time_point created)
      : imp_(std::move(imp)), rng_(seed), created_(created), arrival_timer_(io) {
    next_flip_ = gap(imp_.ber);
    next_drop_ = gap(imp_.drop);
    next_dup_ = gap(imp_.dup);
    next_burst_ = gap(imp_.burst);
  }

  // Serialises `data` from `now`; returns when the writer is done.
  Clock::time_point send(ByteView data, Clock::time_point now) {
    counters.bytes_in += data.size();
    Clock::time_point start = std::max(now, busy_until_);
    const std::size_t piece = 64;
    for (std::size_t off = 0; off < data.size(); off += piece) {
      std::size_t n = std::min(piece, data.size() - off);
      Bytes out;
      for (std::size_t i = 0; i < n; ++i) impair(data[off + i], start + byte_time(off + i), out);
      if (!out.empty()) flight_.push_back({start + byte_time(off + n) + imp_.latency, std::move(out)});
    }
    busy_until_ = start + byte_time(data.size());
    return busy_until_;
  }

  // Moves up to out.size() arrived bytes into out; returns how many.
  std::size_t take(std::span<std::uint8_t> out, Clock::time_point now) {
    std::size_t n = 0;
    while (n < out.size() && !flight_.empty() && flight_.front().first <= now) {
      Bytes& front = flight_.front().second;
      std::size_t k = std::min(out.size() - n, front.size() - consumed_);
      std::copy_n(front.begin() + static_cast<std::ptrdiff_t>(consumed_), k, out.begin() + static_cast<std::ptrdiff_t>(n));
      n += k;
      consumed_ += k;
      if (consumed_ == front.size()) {
        flight_.pop_front();
        consumed_ = 0;
      }
    }
    counters.bytes_out += n;
    return n;
  }

  // When the next bytes arrive, if any are in flight.
  std::optional<Clock::time_point> next_arrival() const {
    if (flight_.empty()) return std::nullopt;
    return flight_.front().first;
  }

  boost::asio::steady_timer& arrival_timer() { return arrival_timer_; }
  std::uint32_t rate() const { return imp_.bytes_per_second; }

  LoopbackCounters counters;

 private:
  Clock::duration byte_time(std::size_t n) const {
    if (imp_.bytes_per_second == 0) return Clock::duration(0);
    return std::chrono::duration_cast<Clock::duration>(
        std::chrono::nanoseconds(static_cast<std::int64_t>(n) * 1'000'000'000 / imp_.bytes_per_second));
  }

  std::uint64_t gap(double p) {
    if (p <= 0) return UINT64_MAX;
    if (p >= 1) return 0;
    return std::geometric_distribution<std::uint64_t>(p)(rng_);
  }

  bool in_outage(Clock::time_point t) const {
    auto at = std::chrono::duration_cast<proto::Duration>(t - created_);
    for (const auto& [start, length] : imp_.outages) {
      if (at >= start && at < start + length) return true;
    }
    return false;
  }

  void impair(std::uint8_t b, Clock::time_point t, Bytes& out) {
    if (in_outage(t)) {
      ++counters.bytes_dropped;
      return;
    }
    for (int bit = 0; bit < 8; ++bit) {
      if (next_flip_-- == 0) {
        b ^= static_cast<std::uint8_t>(1u << bit);
        ++counters.bits_flipped;
        next_flip_ = gap(imp_.ber);
      }
    }
    if (burst_left_ > 0) {
      --burst_left_;
      b = static_cast<std::uint8_t>(rng_());
    } else if (next_burst_-- == 0) {
      burst_left_ = imp_.burst_length;
      next_burst_ = gap(imp_.burst);
    }
    if (next_drop_-- == 0) {
      next_drop_ = gap(imp_.drop);
      ++counters.bytes_dropped;
      return;
    }
    out.push_back(b);
    if (next_dup_-- == 0) {
      next_dup_ = gap(imp_.dup);
      ++counters.bytes_duplicated;
      out.push_back(b);
    }
  }

  LoopbackImpairments imp_;
  std::mt19937_64 rng_;
  Clock::time_point created_;
  boost::asio::steady_timer arrival_timer_;
  Clock::time_point busy_until_{};
  std::deque<std::pair<Clock::time_point, Bytes>> flight_;
  std::size_t consumed_ = 0;
  std::uint64_t next_flip_, next_drop_, next_dup_, next_burst_;
  std::size_t burst_left_ = 0;
};

// One end: writes into `out`, reads from `in`.
class LoopbackLine::End final : public ByteStream {
 public:
  End(boost::asio::io_context& io, Direction& out, Direction& in, const char* name)
      : io_(io), out_(out), in_(in), write_timer_(io), name_(name) {}

  void async_read_some(std::span<std::uint8_t> buffer, Handler handler) override {
    read_buffer_ = buffer;
    read_handler_ = std::move(handler);
    deliver();
  }

  void async_write(ByteView data, Handler handler) override {
    Clock::time_point done = out_.send(data, Clock::now());
    if (peer_ != nullptr) peer_->deliver();
    std::size_t n = data.size();
    if (out_.rate() == 0) {
      boost::asio::post(io_, [handler = std::move(handler), n] { handler({}, n); });
      return;
    }
    write_handler_ = std::move(handler);
    write_timer_.expires_at(done);
    write_timer_.async_wait([this, n](const boost::system::error_code& ec) {
      auto h = std::exchange(write_handler_, nullptr);
      if (!h) return;
      h(ec ? aborted_error() : std::error_code(), ec ? 0 : n);
    });
  }

  void cancel() override {
    write_timer_.cancel();
    in_.arrival_timer().cancel();
    if (auto h = std::exchange(read_handler_, nullptr)) {
      boost::asio::post(io_, [h = std::move(h)] { h(aborted_error(), 0); });
    }
  }

  void drain(int) override {}
  std::uint32_t line_rate() const override { return out_.rate(); }
  bool buffered() const override { return false; }
  std::string name() const override { return name_; }

  // Hands arrived bytes to a pending read, or waits for the next arrival.
  void deliver() {
    if (!read_handler_) return;
    std::size_t n = in_.take(read_buffer_, Clock::now());
    if (n > 0) {
      auto h = std::exchange(read_handler_, nullptr);
      boost::asio::post(io_, [h = std::move(h), n] { h({}, n); });
      return;
    }
    if (auto next = in_.next_arrival()) {
      in_.arrival_timer().expires_at(*next);
      in_.arrival_timer().async_wait([this](const boost::system::error_code& ec) {
        if (!ec) deliver();
      });
    }
  }

  End* peer_ = nullptr;

 private:
  boost::asio::io_context& io_;
  Direction& out_;
  Direction& in_;
  boost::asio::steady_timer write_timer_;
  std::string name_;
  std::span<std::uint8_t> read_buffer_;
  Handler read_handler_;
  Handler write_handler_;
};

namespace {

LoopbackImpairments from_spec(const LoopbackLink& spec) {
  LoopbackImpairments imp;
  imp.ber = spec.ber;
  imp.drop = spec.drop;
  imp.dup = spec.dup;
  imp.bytes_per_second = spec.baud / 10;
  return imp;
}

}  // namespace

LoopbackLine::LoopbackLine(boost::asio::io_context& io, LoopbackImpairments a_to_b, LoopbackImpairments b_to_a,
                           std::uint64_t seed) {
  auto created = Clock::now();
  ab_ = std::make_unique<Direction>(io, std::move(a_to_b), seed * 2 + 1, created);
  ba_ = std::make_unique<Direction>(io, std::move(b_to_a), seed * 2 + 2, created);
  a_ = std::make_unique<End>(io, *ab_, *ba_, "loopback end a");
  b_ = std::make_unique<End>(io, *ba_, *ab_, "loopback end b");
  a_->peer_ = b_.get();
  b_->peer_ = a_.get();
}

LoopbackLine::LoopbackLine(boost::asio::io_context& io, const LoopbackLink& spec)
    : LoopbackLine(io, from_spec(spec), from_spec(spec), spec.seed) {}

LoopbackLine::~LoopbackLine() = default;

ByteStream& LoopbackLine::a() { return *a_; }
ByteStream& LoopbackLine::b() { return *b_; }
const LoopbackCounters& LoopbackLine::a_to_b() const { return ab_->counters; }
const LoopbackCounters& LoopbackLine::b_to_a() const { return ba_->counters; }

}  // namespace kskline::transport
