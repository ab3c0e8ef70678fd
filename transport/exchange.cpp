#include "transport/exchange.hpp"

#include <map>
#include <thread>

#include <boost/asio/post.hpp>

#include "proto/envelope.hpp"
#include "proto/errc.hpp"
#include "transport/errc.hpp"
#include "transport/internal/live_endpoint.hpp"
#include "transport/internal/loopback.hpp"

namespace kskline::transport {
namespace {

namespace asio = boost::asio;

// Sends one request and waits for its answer.
class Requester final : public LiveEndpoint {
 public:
  Requester(asio::io_context& io, ByteStream& stream, const TransferOptions& options, proto::EngineConfig config,
            Bytes request)
      : LiveEndpoint(io, stream, options, config, nullptr), size_(request.size()), answer_timer_(io) {
    auto digest = engine_.send_message(std::move(request));
    if (!digest) {
      report_.errors.push_back(digest.error());
      failed_ = true;
    } else {
      digest_ = *digest;
    }
  }

  Bytes take_response() { return std::move(response_); }

 protected:
  void message_event(proto::Event& e) override {
    if (auto* m = std::get_if<proto::event::MessageReceived>(&e)) {
      auto env = proto::parse_envelope(m->envelope, options_.max_message);
      if (env && env->header.in_reply_to == digest_ && response_.empty()) {
        report_.message_bytes += m->envelope.size();
        ++report_.files_ok;
        response_ = std::move(m->envelope);
      } else {
        notice("ignored a message that does not answer the request");
      }
    } else if (auto* f = std::get_if<proto::event::MessageFailed>(&e)) {
      if (f->digest == digest_) {
        report_.errors.push_back(f->error);
        ++report_.files_failed;
        failed_ = true;
      }
    } else if (auto* s = std::get_if<proto::event::MessageSent>(&e)) {
      if (s->digest == digest_) {
        report_.message_bytes += size_;
        start_answer_timer();
      }
    } else if (auto* r = std::get_if<proto::event::MessageRejected>(&e)) {
      report_.errors.push_back(r->error);
      ++report_.files_failed;
    } else if (std::holds_alternative<proto::event::PeerClosed>(e) && response_.empty()) {
      report_.errors.push_back(
          Error{make_error_code(proto::errc::closed), {}, "the peer closed the link without answering"});
      failed_ = true;
    }
  }

  void goal() override {
    report_.chunk_bytes = engine_.stats().chunk_bytes_sent;
    if (failed_ || !response_.empty()) answer_timer_.cancel();
    if (failed_) finish(proto::Duration(0));
    if (!response_.empty()) finish(proto::Duration(2'000'000));
  }

  void fill_progress(TransferProgress& p, const proto::EngineStats& s) override {
    p.bytes_done = s.outgoing_size != 0 ? s.outgoing_position : size_;
    p.bytes_total = size_;
    p.files_total = 1;
  }

 private:
  // Once the request is delivered, the answer has options_.answer_wait to come.
  void start_answer_timer() {
    if (!options_.answer_wait) return;
    answer_timer_.expires_after(*options_.answer_wait);
    answer_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || failed_ || !response_.empty() || done()) return;
      report_.errors.push_back(Error{make_error_code(errc::timed_out), {},
                                     "no answer within " + std::to_string(options_.answer_wait->count() / 1'000'000) +
                                         " s after the request was delivered"});
      failed_ = true;
      finish(proto::Duration(0));
    });
  }

  std::size_t size_;
  proto::Sha256 digest_{};
  Bytes response_;
  bool failed_ = false;
  asio::steady_timer answer_timer_;
};

// Answers requests as they come. The answer is made on a worker thread (an
// operator may take minutes to approve it) while the engine keeps the link
// alive; it is sent from the io_context's thread once ready.
class Answerer final : public LiveEndpoint {
 public:
  Answerer(asio::io_context& io, ByteStream& stream, const TransferOptions& options, proto::EngineConfig config,
           const Answer& answer, std::size_t count)
      : LiveEndpoint(io, stream, options, config, nullptr),
        io_(io),
        answer_(answer),
        count_(count),
        request_timer_(io) {}

  ~Answerer() override {
    if (worker_.joinable()) worker_.join();
  }

 protected:
  void message_event(proto::Event& e) override {
    if (std::holds_alternative<proto::event::Connected>(e)) {
      start_request_timer();
    } else if (auto* m = std::get_if<proto::event::MessageReceived>(&e)) {
      request_timer_.cancel();
      if (answering_) {
        notice("a request arrived while another is being answered; it is left unanswered");
        ++report_.files_failed;
        return;
      }
      answering_ = true;
      if (worker_.joinable()) worker_.join();
      worker_ = std::thread([this, request = std::move(m->envelope)] {
        auto response = answer_(request);
        asio::post(io_, [this, response = std::move(response)]() mutable { deliver(std::move(response)); });
      });
    } else if (auto* s = std::get_if<proto::event::MessageSent>(&e)) {
      if (auto it = pending_.find(s->digest); it != pending_.end()) {
        report_.message_bytes += it->second;
        ++report_.files_ok;
        pending_.erase(it);
        start_request_timer();
      }
    } else if (auto* f = std::get_if<proto::event::MessageFailed>(&e)) {
      pending_.erase(f->digest);
      report_.errors.push_back(f->error);
      ++report_.files_failed;
    } else if (auto* r = std::get_if<proto::event::MessageRejected>(&e)) {
      report_.errors.push_back(r->error);
      ++report_.files_failed;
    } else if (std::holds_alternative<proto::event::PeerClosed>(e)) {
      if (count_ != 0 && report_.files_ok < count_) {
        report_.errors.push_back(Error{make_error_code(proto::errc::closed), {},
                                       "the peer closed the link after " + std::to_string(report_.files_ok) + " of " +
                                           std::to_string(count_) + " request(s)"});
      }
      finish(proto::Duration(0));
    }
  }

  void goal() override {
    report_.chunk_bytes = engine_.stats().chunk_bytes_sent;
    if (count_ != 0 && report_.files_ok + report_.files_failed >= count_ && pending_.empty() && !answering_) {
      finish(proto::Duration(2'000'000));
    }
  }

  void fill_progress(TransferProgress& p, const proto::EngineStats& s) override {
    p.bytes_done = s.outgoing_position;
    p.bytes_total = s.outgoing_size;
    p.files_done = report_.files_ok;
    p.files_total = count_;
  }

 private:
  // Sends a response made on the worker (or counts the failure to make one).
  void deliver(Result<Bytes> response) {
    answering_ = false;
    if (done()) return;
    if (!response) {
      report_.errors.push_back(response.error());
      ++report_.files_failed;
      notice("could not answer a request: " + response.error().message());
    } else {
      std::size_t size = response->size();
      auto digest = engine_.send_message(std::move(*response));
      if (!digest) {
        report_.errors.push_back(digest.error());
        ++report_.files_failed;
      } else {
        pending_[*digest] = size;
      }
    }
    driver_.pump();
  }

  // A session that brings no whole request within options_.request_wait
  // (counted from the handshake or the last confirmed answer) is closed, so
  // a peer that only keeps the link alive cannot hold the KSK side.
  void start_request_timer() {
    request_timer_.cancel();
    if (!options_.request_wait) return;
    request_timer_.expires_after(*options_.request_wait);
    request_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || answering_ || !pending_.empty() || done()) return;
      report_.errors.push_back(Error{make_error_code(errc::timed_out), {},
                                     "no request within " + std::to_string(options_.request_wait->count() / 1'000'000) +
                                         " s; closing the session"});
      finish(proto::Duration(0));
    });
  }

  asio::io_context& io_;
  const Answer& answer_;
  std::size_t count_;
  asio::steady_timer request_timer_;
  std::map<proto::Sha256, std::size_t> pending_;
  std::thread worker_;
  bool answering_ = false;
};

Result<const SerialLink*> serial_only(const TransferOptions& options) {
  const auto* serial = std::get_if<SerialLink>(&options.link);
  if (std::holds_alternative<SpoolLink>(options.link)) {
    return fail(errc::not_supported, "a spool link has no live exchange: post the request, then import the answer");
  }
  if (serial == nullptr) return fail_loopback_between_processes("serial:");
  return serial;
}

}  // namespace

Result<ExchangeResult> request_response(const TransferOptions& options, Bytes request) {
  auto serial = serial_only(options);
  if (!serial) return tl::unexpected(serial.error());
  asio::io_context io;
  auto stream = open_serial_stream(io, **serial, options);
  if (!stream) return tl::unexpected(stream.error());
  Requester r(io, **stream, options, serial_engine_config(options, **serial), std::move(request));
  run_endpoints(io, {&r}, options.handle_signals);
  return ExchangeResult{r.take_response(), r.report()};
}

Result<ExchangeResult> answer_requests(const TransferOptions& options, const Answer& answer, std::size_t count) {
  auto serial = serial_only(options);
  if (!serial) return tl::unexpected(serial.error());
  asio::io_context io;
  auto stream = open_serial_stream(io, **serial, options);
  if (!stream) return tl::unexpected(stream.error());
  Answerer a(io, **stream, options, serial_engine_config(options, **serial), answer, count);
  run_endpoints(io, {&a}, options.handle_signals);
  return ExchangeResult{{}, a.report()};
}

Result<std::pair<ExchangeResult, ExchangeResult>> exchange_over_loopback(const LoopbackLink& line,
                                                                         const TransferOptions& requester,
                                                                         Bytes request,
                                                                         const TransferOptions& answerer,
                                                                         const Answer& answer) {
  asio::io_context io;
  LoopbackLine pipe(io, line);
  std::uint32_t rate = line.baud / 10;
  Requester r(io, pipe.a(), requester, engine_config(requester, rate, true, false), std::move(request));
  Answerer a(io, pipe.b(), answerer, engine_config(answerer, rate, true, false), answer, 1);
  run_endpoints(io, {&r, &a}, requester.handle_signals);
  return std::make_pair(ExchangeResult{r.take_response(), r.report()}, ExchangeResult{{}, a.report()});
}

}  // namespace kskline::transport
