// One end of a live link (serial or loopback) doing a job: an engine, its
// driver, a progress tick, and the rules for finishing cleanly. Sending
// files, receiving files and request/response exchanges are built on it.
// Internal to transport.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "proto/session.hpp"
#include "transport/byte_stream.hpp"
#include "transport/file_transfer.hpp"
#include "transport/internal/engine_driver.hpp"
#include "transport/internal/serial_port.hpp"
#include "transport/sodium_random.hpp"

namespace kskline::transport {

// The engine settings for a job: authentication from the options, the line
// rate, whether binary may be offered, whether XON/XOFF must stay off the wire.
proto::EngineConfig engine_config(const TransferOptions& options, std::uint32_t line_rate, bool allow_binary,
                                  bool xonxoff);
// The engine settings for a serial link (line rate from the settings, 7-bit
// when bits=7, XON/XOFF escaped with flow=xonxoff).
proto::EngineConfig serial_engine_config(const TransferOptions& options, const SerialLink& link);
// Opens a serial link, passing device notices to options.notice.
Result<std::unique_ptr<SerialStream>> open_serial_stream(boost::asio::io_context& io, const SerialLink& link,
                                                         const TransferOptions& options);

// A job on one end of a live link. Subclasses react to message events and
// say when their goal is met by calling finish().
class LiveEndpoint {
 public:
  // An endpoint over `stream` (outliving it) with its own engine; `store`
  // (may be null: in memory) keeps partial messages. options outlive it.
  LiveEndpoint(boost::asio::io_context& io, ByteStream& stream, const TransferOptions& options,
               proto::EngineConfig config, proto::PartialStore* store);
  virtual ~LiveEndpoint() = default;
  LiveEndpoint(const LiveEndpoint&) = delete;
  LiveEndpoint& operator=(const LiveEndpoint&) = delete;

  // Called once the job has ended (after the line was flushed).
  std::function<void()> on_done;

  // Starts the engine and the progress tick.
  void start();
  // Ends the job at once (a signal): errc::interrupted in the report.
  void interrupt();
  // Whether the job has ended.
  bool done() const noexcept { return done_; }
  // What the job did (complete once done()).
  TransferReport& report() { return report_; }

 protected:
  // A message event (received, sent, failed, rejected, peer closed).
  virtual void message_event(proto::Event& e) = 0;
  // Called after every pump: check the goal, call finish() when met.
  virtual void goal() = 0;
  // Fills the byte and file counts of a progress snapshot.
  virtual void fill_progress(TransferProgress& p, const proto::EngineStats& s) = 0;

  // Passes a notice to the operator.
  void notice(const std::string& text);
  // Ends once everything is acknowledged (or after `linger`; 0: at once),
  // closing the session so the peer knows.
  void finish(proto::Duration linger);

  const TransferOptions& options_;
  ByteStream& stream_;
  SodiumRandom random_;
  proto::Engine engine_;
  EngineDriver driver_;
  TransferReport report_;
  bool connected_ = false;

 private:
  void event(proto::Event&& e);
  void stream_error(Error e);
  void check_finish();
  void end();
  void tick();

  boost::asio::steady_timer progress_timer_;
  boost::asio::steady_timer linger_timer_;
  std::chrono::steady_clock::time_point started_at_;
  bool finishing_ = false, force_ = false, closing_ = false, done_ = false;
  std::uint64_t sessions_seen_ = 0;
};

// Runs endpoints on `io` until every one has ended; with handle_signals,
// SIGINT and SIGTERM interrupt them all (StopSignals).
void run_endpoints(boost::asio::io_context& io, const std::vector<LiveEndpoint*>& endpoints, bool handle_signals);

// The refusal of a loopback link by a job between two processes:
// errc::not_supported; `instead` names the links that work ("serial:").
tl::unexpected<Error> fail_loopback_between_processes(std::string_view instead);

}  // namespace kskline::transport
