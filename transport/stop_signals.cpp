#include "transport/internal/stop_signals.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>

#include <boost/asio/post.hpp>

#include "transport/exchange.hpp"

namespace kskline::transport {
namespace {

std::atomic<bool> g_stop_requested{false};
// The handler's wake-up pipe: a byte is written for every signal; each job
// reads a duplicate of the read end.
int g_wakeup[2] = {-1, -1};

extern "C" void on_stop_signal(int signal_number) {
  if (g_stop_requested.exchange(true)) {
    // The second signal: the operator means it. End as the signal would.
    std::signal(signal_number, SIG_DFL);
    ::raise(signal_number);
    return;
  }
  const int saved = errno;
  const char byte = 1;
  [[maybe_unused]] auto ignored = ::write(g_wakeup[1], &byte, 1);
  errno = saved;
}

// Installs the handler once per process; it stays for the process's life, so
// that a signal between two jobs is never lost (nor kills the process).
bool install_handler() {
  static const bool installed = [] {
    if (::pipe2(g_wakeup, O_CLOEXEC | O_NONBLOCK) != 0) return false;
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    return ::sigaction(SIGINT, &action, nullptr) == 0 && ::sigaction(SIGTERM, &action, nullptr) == 0;
  }();
  return installed;
}

}  // namespace

bool stop_requested() noexcept { return g_stop_requested.load(); }

StopSignals::StopSignals(boost::asio::io_context& io, bool enabled, std::function<void()> on_stop)
    : wakeups_(io), on_stop_(std::move(on_stop)) {
  if (!enabled || !install_handler()) return;
  const int fd = ::fcntl(g_wakeup[0], F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return;
  wakeups_.assign(fd);
  if (stop_requested()) {
    // A signal came before this job began: it ends this one too.
    boost::asio::post(io, [this] {
      if (!cancelled_ && on_stop_) on_stop_();
    });
    return;
  }
  listen();
}

void StopSignals::listen() {
  wakeups_.async_read_some(boost::asio::buffer(&byte_, 1),
                           [this](const boost::system::error_code& ec, std::size_t) {
                             if (ec || cancelled_) return;
                             if (!stop_requested()) {
                               listen();  // a byte left over from an earlier job's signal
                               return;
                             }
                             if (on_stop_) on_stop_();
                           });
}

void StopSignals::cancel() {
  boost::system::error_code ignored;
  cancelled_ = true;
  wakeups_.cancel(ignored);
}

}  // namespace kskline::transport
