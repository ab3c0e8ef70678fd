#include "transport/internal/engine_driver.hpp"

#include <chrono>


namespace kskline::transport {
namespace {

constexpr proto::Duration kPaceSlack{100'000};  // bytes queued in the device: at most 100 ms of line time

std::chrono::steady_clock::time_point to_steady(proto::Timestamp t) {
  return std::chrono::steady_clock::time_point(std::chrono::duration_cast<std::chrono::steady_clock::duration>(t.time_since_epoch()));
}

}  // namespace

proto::Timestamp EngineDriver::now() {
  return proto::Timestamp(std::chrono::duration_cast<proto::Duration>(std::chrono::steady_clock::now().time_since_epoch()));
}

EngineDriver::EngineDriver(boost::asio::io_context& io, ByteStream& stream, proto::Engine& engine, EventHandler on_event,
                           ErrorHandler on_error)
    : stream_(stream),
      engine_(engine),
      on_event_(std::move(on_event)),
      on_error_(std::move(on_error)),
      timer_(io),
      pace_timer_(io) {}

void EngineDriver::start() {
  if (started_ || stopped_) return;
  started_ = true;
  read();
  pump();
}

void EngineDriver::stop() {
  if (stopped_) return;
  stopped_ = true;
  timer_.cancel();
  pace_timer_.cancel();
  stream_.cancel();
}

void EngineDriver::when_flushed(std::function<void()> done) {
  flushed_ = std::move(done);
  pump();
}

void EngineDriver::read() {
  if (stopped_) return;
  stream_.async_read_some(rbuf_, [this](std::error_code ec, std::size_t n) { on_read(ec, n); });
}

void EngineDriver::on_read(std::error_code ec, std::size_t n) {
  if (stopped_) return;
  if (ec) {
    if (is_aborted(ec)) return;
    stop();
    if (on_error_) on_error_(Error{ec, stream_.name(), "read: " + ec.message()});
    return;
  }
  engine_.handle_bytes(std::span<const std::uint8_t>(rbuf_.data(), n), now());
  read();
  pump();
}

void EngineDriver::drain_events() {
  while (!stopped_) {
    auto e = engine_.poll_event();
    if (!e) break;
    if (std::holds_alternative<proto::event::LinkLost>(*e)) ++totals_.link_losses;
    if (std::holds_alternative<proto::event::PeerRestarted>(*e)) ++totals_.peer_restarts;
    if (on_event_) on_event_(std::move(*e));
  }
}

void EngineDriver::sample_stats() {
  std::uint64_t r = engine_.stats().retransmissions;
  if (r < last_retx_) {
    totals_.retransmissions += last_retx_;  // a new session started counting afresh
    last_retx_ = 0;
  }
  totals_.retransmissions += r - last_retx_;
  last_retx_ = r;
}

void EngineDriver::pump() {
  if (stopped_ || !started_) return;
  if (in_pump_) {
    again_ = true;
    return;
  }
  in_pump_ = true;
  do {
    again_ = false;
    drain_events();
    try_transmit();
    drain_events();
  } while (again_ && !stopped_);
  in_pump_ = false;
  if (stopped_) return;
  sample_stats();
  arm_timer();
  check_flushed();
  if (after_pump_ && !stopped_) after_pump_();
}

void EngineDriver::try_transmit() {
  if (stopped_ || writing_ || pacing_) return;
  proto::Timestamp t = now();
  std::uint32_t rate = stream_.line_rate();
  bool paced = stream_.buffered() && rate > 0;
  if (paced && line_free_at_ - t > kPaceSlack) {
    pacing_ = true;
    pace_timer_.expires_at(to_steady(line_free_at_ - kPaceSlack));
    pace_timer_.async_wait([this](const boost::system::error_code& ec) {
      pacing_ = false;
      if (ec || stopped_) return;
      pump();
    });
    return;
  }
  engine_.handle_timeout(t);  // frames are stamped with the time they leave
  auto frame = engine_.poll_transmit();
  if (!frame) {
    nothing_to_send_ = true;
    return;
  }
  nothing_to_send_ = false;
  wbuf_ = std::move(*frame);
  if (paced) {
    proto::Timestamp start = std::max(line_free_at_, t);
    line_free_at_ = start + proto::Duration(static_cast<std::int64_t>(wbuf_.size()) * 1'000'000 / rate);
  }
  writing_ = true;
  stream_.async_write(wbuf_, [this](std::error_code ec, std::size_t) {
    writing_ = false;
    if (stopped_ || is_aborted(ec)) return;
    if (ec) {
      stop();
      if (on_error_) on_error_(Error{ec, stream_.name(), "write: " + ec.message()});
      return;
    }
    pump();
  });
}

void EngineDriver::arm_timer() {
  auto deadline = engine_.poll_timeout();
  if (!deadline) {
    timer_.cancel();
    return;
  }
  timer_.expires_at(to_steady(*deadline));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    engine_.handle_timeout(now());
    pump();
  });
}

void EngineDriver::check_flushed() {
  if (!flushed_ || writing_ || pacing_ || !nothing_to_send_) return;
  auto done = std::move(flushed_);
  flushed_ = nullptr;
  done();
}

}  // namespace kskline::transport
