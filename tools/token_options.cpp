#include "tools/token_options.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iterator>

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include "zone/errc.hpp"

namespace kskline::tools {
namespace {

// The terminal and its settings from before the PIN was asked, put back by a
// signal that ends the run at the prompt (Ctrl-C), so that the operator's
// shell is not left without echo.
int g_asking_fd = -1;
termios g_asking_saved{};
constexpr int kEndingSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

extern "C" void restore_terminal_and_end(int sig) {
  ::tcsetattr(g_asking_fd, TCSANOW, &g_asking_saved);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

// Echo off on `fd` while it lives, and back on when it ends or a signal ends the run.
class EchoOff {
 public:
  explicit EchoOff(int fd) : fd_(fd) {
    if (::tcgetattr(fd, &saved_) != 0) return;
    active_ = true;
    g_asking_fd = fd;
    g_asking_saved = saved_;
    struct sigaction action {};
    action.sa_handler = restore_terminal_and_end;
    sigemptyset(&action.sa_mask);
    for (std::size_t i = 0; i < std::size(kEndingSignals); ++i) ::sigaction(kEndingSignals[i], &action, &before_[i]);
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  ~EchoOff() {
    if (!active_) return;
    ::tcsetattr(fd_, TCSAFLUSH, &saved_);
    for (std::size_t i = 0; i < std::size(kEndingSignals); ++i) ::sigaction(kEndingSignals[i], &before_[i], nullptr);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  int fd_;
  bool active_ = false;
  termios saved_{};
  struct sigaction before_[std::size(kEndingSignals)] {};
};

// Asks for the PIN of `token` on the terminal, echo off.
Result<base::SecureBuffer> ask_pin(std::string_view token) {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    return fail(zone::errc::pin_required,
                "no terminal to ask for the PIN: give --pin-file or set KSKLINE_PKCS11_PIN",
                "token " + std::string(token));
  }
  base::SecureBuffer buf(256);
  std::size_t n = 0;
  {
    // Echo goes off before the prompt is shown, so nothing typed after it is echoed or flushed.
    EchoOff quiet(fd);
    std::string prompt = "PIN of token " + std::string(token) + ": ";
    (void)!::write(fd, prompt.data(), prompt.size());
    char c;
    while (n < buf.size() && ::read(fd, &c, 1) == 1 && c != '\n' && c != '\r') {
      buf.bytes()[n++] = static_cast<std::uint8_t>(c);
    }
  }
  (void)!::write(fd, "\n", 1);
  ::close(fd);
  if (n == 0) return fail(zone::errc::pin_required, "no PIN typed", "token " + std::string(token));
  return base::SecureBuffer(buf.bytes().first(n));
}

}  // namespace

void add_token_key_options(CLI::App* cmd, TokenKeyOptions& options, std::string_view what) {
  cmd->add_option("--pkcs11-module", options.module,
                  std::string(what) + " in a PKCS#11 token: the module (e.g. /usr/lib/softhsm/libsofthsm2.so)");
  cmd->add_option("--token", options.token, "the token's label (with --pkcs11-module)");
  cmd->add_option("--key-label", options.key_label,
                  std::string(what) + "'s label in the token, or an RFC 7512 URI (pkcs11:token=T;object=K)");
  cmd->add_option("--pin-file", options.pin_file, kPinFileHelp);
}

Result<zone::Pkcs11KeyRef> token_key_ref(const TokenKeyOptions& options) {
  zone::Pkcs11KeyRef ref{options.module, options.token, options.key_label, {}};
  if (options.key_label.rfind("pkcs11:", 0) == 0) {
    auto uri = zone::parse_pkcs11_uri(options.key_label);
    if (!uri) return fail(uri.error().code, uri.error().message(), "--key-label");
    ref.object = uri->object;
    ref.id = uri->id;
    if (ref.token.empty()) ref.token = uri->token;
    if (ref.module.empty()) ref.module = uri->module;
  }
  if (ref.module.empty() || ref.token.empty() || ref.object.empty()) {
    return fail(zone::errc::bad_key, "a key in a token needs --pkcs11-module, --token and --key-label (or a pkcs11: URI)",
                ref.module.empty() ? "--pkcs11-module" : ref.token.empty() ? "--token" : "--key-label");
  }
  return ref;
}

zone::PinSource operator_pin_source(const std::string& pin_file) {
  return [pin_file](std::string_view token) -> Result<base::SecureBuffer> {
    if (!pin_file.empty()) return zone::read_pin_file(pin_file);
    auto env = zone::environment_pin_source()(token);
    if (env || env.error().code != zone::errc::pin_required) return env;
    return ask_pin(token);
  };
}

}  // namespace kskline::tools
