#include "tools/pkcs11_pin.hpp"

#include <cstdio>
#include <cstdlib>

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include "zone/errc.hpp"

namespace kskline::tools {
namespace {

// Asks for the PIN of `token` on the terminal, echo off.
Result<base::SecureBuffer> ask_pin(std::string_view token) {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    return fail(zone::errc::pin_required,
                "no terminal to ask for the PIN: give --pin-file or set KSKLINE_PKCS11_PIN",
                "token " + std::string(token));
  }
  std::string prompt = "PIN of token " + std::string(token) + ": ";
  (void)!::write(fd, prompt.data(), prompt.size());
  termios old{};
  bool restore = ::tcgetattr(fd, &old) == 0;
  if (restore) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  base::SecureBuffer buf(256);
  std::size_t n = 0;
  char c;
  while (n < buf.size() && ::read(fd, &c, 1) == 1 && c != '\n' && c != '\r') buf.bytes()[n++] = static_cast<std::uint8_t>(c);
  if (restore) ::tcsetattr(fd, TCSAFLUSH, &old);
  (void)!::write(fd, "\n", 1);
  ::close(fd);
  if (n == 0) return fail(zone::errc::pin_required, "no PIN typed", "token " + std::string(token));
  return base::SecureBuffer(buf.bytes().first(n));
}

}  // namespace

zone::PinSource operator_pin_source(const std::string& pin_file) {
  return [pin_file](std::string_view token) -> Result<base::SecureBuffer> {
    if (!pin_file.empty()) return zone::read_pin_file(pin_file);
    auto env = zone::environment_pin_source()(token);
    if (env || env.error().code != zone::errc::pin_required) return env;
    return ask_pin(token);
  };
}

}  // namespace kskline::tools
