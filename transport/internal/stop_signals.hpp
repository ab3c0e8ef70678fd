// SIGINT and SIGTERM as every transport job takes them: through Asio's
// signal_set on the job's io_context, setting stop_requested().
#pragma once

#include <functional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

namespace kskline::transport {

// Listens for SIGINT and SIGTERM on an io_context while a job runs. The first
// signal sets transport::stop_requested() (exchange.hpp) and calls on_stop
// on the io_context's thread. Listening keeps io.run() from returning, so a
// job that ends by itself calls cancel().
class StopSignals {
 public:
  // Listens on `io` when `enabled`; otherwise does nothing.
  StopSignals(boost::asio::io_context& io, bool enabled, std::function<void()> on_stop);
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Stops listening.
  void cancel();

 private:
  boost::asio::signal_set signals_;
  std::function<void()> on_stop_;
};

}  // namespace kskline::transport
