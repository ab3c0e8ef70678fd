// Running BIND 9.20 and Knot 3.4 from the Debian 13 root that `./run setup`
// makes (KSKLINE_TRIXIE_ROOT, default /var/tmp/kskline-trixie): each test gets
// a fresh work directory under ROOT/tmp, writes its files there from outside
// and runs commands inside with chroot (which needs root, as CI runs).
#pragma once

#include <cstdlib>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

#include "tests/support/process.hpp"

#ifndef KSKLINE_TRIXIE_ROOT
#define KSKLINE_TRIXIE_ROOT "/var/tmp/kskline-trixie"
#endif

namespace kskline::test {

// The Debian 13 root's path: $KSKLINE_TRIXIE_ROOT when set, else the build's default.
inline std::string trixie_root() {
  const char* env = std::getenv("KSKLINE_TRIXIE_ROOT");
  return env != nullptr && *env != '\0' ? env : KSKLINE_TRIXIE_ROOT;
}

// Why the root cannot be used ("" when it can): missing (made by `./run setup`) or not running as root.
inline std::string trixie_missing() {
  const auto root = trixie_root();
  if (!std::filesystem::exists(root + "/kskline-root")) {
    return "the Debian 13 root " + root + " is missing: make it with ./run setup";
  }
  if (::geteuid() != 0) return "chroot into the Debian 13 root " + root + " needs root";
  return "";
}

// A fresh work directory ROOT/tmp/kskline-XXXXXX, removed with everything in it at the end.
class TrixieDir {
 public:
  // Makes the directory; throws std::runtime_error when mkdtemp fails.
  TrixieDir() : root_(trixie_root()) {
    std::string tmpl = root_ + "/tmp/kskline-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + tmpl);
    inside_ = tmpl.substr(root_.size());
  }

  // Removes the directory, ignoring errors.
  ~TrixieDir() {
    std::error_code ec;
    std::filesystem::remove_all(root_ + inside_, ec);
  }

  TrixieDir(const TrixieDir&) = delete;
  TrixieDir& operator=(const TrixieDir&) = delete;

  // The path of `name` in the work directory as seen from outside (to write and read files).
  std::string outside(const std::string& name) const { return root_ + inside_ + "/" + name; }

  // The path of `name` in the work directory as seen from inside the root.
  std::string inside(const std::string& name) const { return inside_ + "/" + name; }

  // Runs `command` with sh inside the root, in the work directory.
  CommandResult run(const std::string& command) const {
    return test::run("chroot " + shell_quote(root_) + " sh -c " + shell_quote("cd " + shell_quote(inside_) + " && " + command));
  }

 private:
  std::string root_;
  std::string inside_;  // "/tmp/kskline-XXXXXX"
};

// A TCP and UDP port on 127.0.0.1 that was free a moment ago (the kernel's choice for port 0).
inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

}  // namespace kskline::test
