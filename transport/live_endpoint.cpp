#include "transport/internal/live_endpoint.hpp"

#include "transport/errc.hpp"
#include "transport/internal/stop_signals.hpp"

namespace kskline::transport {
namespace {

namespace asio = boost::asio;
using Steady = std::chrono::steady_clock;

double seconds_since(Steady::time_point start) { return std::chrono::duration<double>(Steady::now() - start).count(); }

}  // namespace

proto::EngineConfig engine_config(const TransferOptions& o, std::uint32_t line_rate, bool allow_binary, bool xonxoff) {
  proto::EngineConfig c;
  c.identity = o.identity;
  c.pinned = o.pinned;
  c.auth = o.auth;
  c.signs_messages = o.identity != nullptr;
  c.allow_binary = allow_binary;
  c.escape_xonxoff = xonxoff;
  c.line_rate = line_rate;
  c.max_message = o.max_message;
  c.hello_wait = o.wait;
  return c;
}

proto::EngineConfig serial_engine_config(const TransferOptions& o, const SerialLink& link) {
  const SerialSettings& s = link.settings;
  return engine_config(o, s.bytes_per_second(), s.data_bits == 8, s.flow == Flow::xonxoff);
}

Result<std::unique_ptr<SerialStream>> open_serial_stream(asio::io_context& io, const SerialLink& link,
                                                         const TransferOptions& options) {
  return SerialStream::open(io, link, [&options](const std::string& text) {
    if (options.notice) options.notice(text);
  });
}

LiveEndpoint::LiveEndpoint(asio::io_context& io, ByteStream& stream, const TransferOptions& options,
                           proto::EngineConfig config, proto::PartialStore* store)
    : options_(options),
      stream_(stream),
      engine_(config, random_, EngineDriver::now(), store),
      driver_(io, stream, engine_, [this](proto::Event&& e) { event(std::move(e)); },
              [this](Error e) { stream_error(std::move(e)); }),
      progress_timer_(io),
      linger_timer_(io),
      started_at_(Steady::now()) {
  report_.line_rate = stream.line_rate();
}

void LiveEndpoint::start() {
  driver_.after_pump([this] {
    goal();
    check_finish();
  });
  driver_.start();
  tick();
}

void LiveEndpoint::interrupt() {
  if (done_) return;
  report_.errors.push_back(Error{make_error_code(errc::interrupted), {}, "interrupted by a signal"});
  finish(proto::Duration(0));
}

void LiveEndpoint::notice(const std::string& text) {
  if (options_.notice) options_.notice(text);
}

void LiveEndpoint::finish(proto::Duration linger) {
  if (finishing_) {
    if (linger.count() == 0) force_ = true;
    check_finish();
    return;
  }
  finishing_ = true;
  if (linger.count() == 0) {
    force_ = true;
  } else {
    linger_timer_.expires_after(linger);
    linger_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      force_ = true;
      check_finish();
    });
  }
  check_finish();
}

void LiveEndpoint::event(proto::Event&& e) {
  if (std::holds_alternative<proto::event::Connected>(e)) {
    connected_ = true;
    if (sessions_seen_ > 0) notice("link up again (session " + std::to_string(engine_.stats().sessions) + ")");
    ++sessions_seen_;
  } else if (auto* l = std::get_if<proto::event::LinkLost>(&e)) {
    connected_ = false;
    notice(l->error.message() + "; waiting for the line to come back");
  } else if (std::holds_alternative<proto::event::PeerRestarted>(e)) {
    connected_ = false;
    notice("the peer started a new session; resuming");
  } else if (auto* cl = std::get_if<proto::event::Closed>(&e)) {
    connected_ = false;
    if (!finishing_ || report_.errors.empty()) report_.errors.push_back(cl->error);
    finish(proto::Duration(0));
    return;
  }
  message_event(e);
}

void LiveEndpoint::stream_error(Error e) {
  report_.errors.push_back(std::move(e));
  end();
}

void LiveEndpoint::check_finish() {
  if (!finishing_ || closing_ || done_) return;
  if (!(force_ || engine_.idle() || engine_.phase() == proto::Engine::Phase::closed)) return;
  closing_ = true;
  engine_.close();
  driver_.when_flushed([this] {
    stream_.drain(2000);
    end();
  });
}

void LiveEndpoint::end() {
  if (done_) return;
  done_ = true;
  auto s = engine_.stats();
  report_.seconds = seconds_since(started_at_);
  report_.wire_bytes_sent = s.bytes_sent;
  report_.sessions = s.sessions;
  report_.totals = driver_.totals();
  driver_.stop();
  progress_timer_.cancel();
  linger_timer_.cancel();
  if (on_done) on_done();
}

void LiveEndpoint::tick() {
  if (done_) return;
  if (options_.progress) {
    auto s = engine_.stats();
    TransferProgress p;
    p.seconds = seconds_since(started_at_);
    p.retransmissions = driver_.totals().retransmissions;
    p.line_rate = stream_.line_rate();
    p.connected = connected_;
    fill_progress(p, s);
    options_.progress(p);
  }
  progress_timer_.expires_after(std::chrono::milliseconds(500));
  progress_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) tick();
  });
}

void run_endpoints(asio::io_context& io, const std::vector<LiveEndpoint*>& endpoints, bool handle_signals) {
  StopSignals signals(io, handle_signals, [&endpoints] {
    for (auto* e : endpoints) e->interrupt();
  });
  for (auto* e : endpoints) {
    e->on_done = [&] {
      bool all = true;
      for (auto* k : endpoints) all = all && k->done();
      if (all) {
        signals.cancel();
        io.stop();
      }
    };
  }
  for (auto* e : endpoints) e->start();
  io.run();
}

tl::unexpected<Error> fail_loopback_between_processes(std::string_view instead) {
  return fail(errc::not_supported,
              "loopback joins two endpoints inside one process; between two processes use " + std::string(instead));
}

}  // namespace kskline::transport
