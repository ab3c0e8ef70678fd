// SIGINT and SIGTERM as every transport job takes them: a process-wide
// handler, installed by the first job and kept, sets stop_requested(); each
// job watches for it on its io_context. A signal that comes between two jobs
// (ksk serve between sessions) is kept and ends the next job at its start,
// so none is lost; a second signal ends the process at once.
#pragma once

#include <functional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

namespace kskline::transport {

// Listens for SIGINT and SIGTERM on an io_context while a job runs. The first
// signal sets transport::stop_requested() (exchange.hpp) and calls on_stop
// on the io_context's thread (at once if a signal came before the job).
// Listening keeps io.run() from returning, so a job that ends by itself
// calls cancel().
class StopSignals {
 public:
  // Listens on `io` when `enabled`; otherwise does nothing.
  StopSignals(boost::asio::io_context& io, bool enabled, std::function<void()> on_stop);
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Stops listening.
  void cancel();

 private:
  void listen();

  boost::asio::posix::stream_descriptor wakeups_;
  std::function<void()> on_stop_;
  char byte_ = 0;
  bool cancelled_ = false;
};

}  // namespace kskline::transport
