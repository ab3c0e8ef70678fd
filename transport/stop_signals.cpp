#include "transport/internal/stop_signals.hpp"

#include <atomic>
#include <csignal>

#include "transport/exchange.hpp"

namespace kskline::transport {
namespace {

std::atomic<bool> g_stop_requested{false};

}  // namespace

bool stop_requested() noexcept { return g_stop_requested.load(); }

StopSignals::StopSignals(boost::asio::io_context& io, bool enabled, std::function<void()> on_stop)
    : signals_(io), on_stop_(std::move(on_stop)) {
  if (!enabled) return;
  signals_.add(SIGINT);
  signals_.add(SIGTERM);
  signals_.async_wait([this](const boost::system::error_code& ec, int) {
    if (ec) return;
    g_stop_requested = true;
    if (on_stop_) on_stop_();
  });
}

void StopSignals::cancel() {
  boost::system::error_code ignored;
  signals_.cancel(ignored);
}

}  // namespace kskline::transport
