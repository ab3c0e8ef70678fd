// The one driver that connects a sans-I/O proto::Engine to a real byte
// stream: asynchronous reads, a steady_timer for the engine's deadlines,
// one write at a time, paced to the line. Internal to transport (Boost.Asio
// stays behind transport's public headers).
#pragma once

#include <array>
#include <cstdint>
#include <functional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/error.hpp"
#include "proto/session.hpp"
#include "transport/byte_stream.hpp"
#include "transport/link_totals.hpp"

namespace kskline::transport {

// Pumps an Engine from a ByteStream on one io_context (single-threaded).
//
// Reads are always pending; every received byte goes to handle_bytes() at
// the steady clock's time. poll_transmit() is asked for a frame only after
// the previous write completed and, on a buffered stream with a known line
// rate, once the bytes already handed to the device will leave within 100 ms,
// so frames are stamped close to when they really go. The timer follows
// poll_timeout(). Events go to the handler in the order the engine reports
// them; the handler may call send_message(), close() and then pump(), or
// stop().
class EngineDriver {
 public:
  // Receives each event of the engine.
  using EventHandler = std::function<void(proto::Event&&)>;
  // Receives an error of the stream it cannot recover from.
  using ErrorHandler = std::function<void(Error)>;

  // A driver of `engine` over `stream`; both outlive it. Nothing happens
  // before start().
  EngineDriver(boost::asio::io_context& io, ByteStream& stream, proto::Engine& engine, EventHandler on_event,
               ErrorHandler on_error);
  EngineDriver(const EngineDriver&) = delete;
  EngineDriver& operator=(const EngineDriver&) = delete;

  // Starts reading and pumping.
  void start();
  // Drains events and transmits; call after changing the engine from outside
  // an event handler (send_message, close).
  void pump();
  // Stops for good: cancels the timers and the stream's pending operations.
  void stop();
  // Whether stop() was called.
  bool stopped() const noexcept { return stopped_; }
  // Calls `done` (once) as soon as the engine has nothing to transmit and no
  // write is pending, e.g. after close() put the CLOSE frame on the line.
  void when_flushed(std::function<void()> done);

  // Calls `check` at the end of every pump (after events and transmission),
  // e.g. to decide whether a goal is met.
  void after_pump(std::function<void()> check) { after_pump_ = std::move(check); }

  // Counters accumulated over sessions.
  LinkTotals totals() const noexcept { return totals_; }
  // The steady clock as an engine timestamp (microseconds since its epoch).
  static proto::Timestamp now();

 private:
  void read();
  void on_read(std::error_code ec, std::size_t n);
  void drain_events();
  void try_transmit();
  void arm_timer();
  void check_flushed();
  void sample_stats();

  ByteStream& stream_;
  proto::Engine& engine_;
  EventHandler on_event_;
  ErrorHandler on_error_;
  boost::asio::steady_timer timer_;
  boost::asio::steady_timer pace_timer_;
  std::array<std::uint8_t, 8192> rbuf_{};
  Bytes wbuf_;
  bool started_ = false;
  bool stopped_ = false;
  bool writing_ = false;
  bool pacing_ = false;       // the pace timer is armed
  bool nothing_to_send_ = false;
  bool in_pump_ = false;
  bool again_ = false;
  proto::Timestamp line_free_at_{};
  std::function<void()> flushed_;
  std::function<void()> after_pump_;
  LinkTotals totals_;
  std::uint64_t last_retx_ = 0;
};

}  // namespace kskline::transport
