// A command run at a terminal of its own, for tests of what kskline asks an
// operator on /dev/tty: a pseudo-terminal whose slave is the command's
// controlling terminal and its standard input, output and error, driven from
// the master side like a person typing.
#pragma once

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>

namespace kskline::test {

// A shell command with a pseudo-terminal as its controlling terminal.
class Terminal {
 public:
  // Starts `command` with sh in a new session whose controlling terminal is a fresh pty.
  explicit Terminal(const std::string& command) {
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY);
    REQUIRE(master_ >= 0);
    REQUIRE(::grantpt(master_) == 0);
    REQUIRE(::unlockpt(master_) == 0);
    const std::string slave = ::ptsname(master_);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::setsid();
      const int fd = ::open(slave.c_str(), O_RDWR);  // the session's first terminal: its controlling one
      if (fd < 0) ::_exit(127);
      ::dup2(fd, 0);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      if (fd > 2) ::close(fd);
      ::close(master_);
      ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~Terminal() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(master_);
  }
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;

  // Reads what the command writes until `text` has appeared (true) or `seconds` pass or it closes (false).
  bool wait_for(const std::string& text, double seconds = 30) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (output_.find(text) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !read_some(static_cast<int>(left.count()))) return false;
    }
    return true;
  }

  // Types `line` and Enter.
  void type(const std::string& line) {
    const std::string keys = line + "\r";
    REQUIRE(::write(master_, keys.data(), keys.size()) == static_cast<ssize_t>(keys.size()));
  }

  // Types Ctrl-C: the terminal sends SIGINT to the command.
  void interrupt() { REQUIRE(::write(master_, "\x03", 1) == 1); }

  // Whether the terminal echoes what is typed (the command's side of it).
  bool echoes() const {
    termios t{};
    REQUIRE(::tcgetattr(master_, &t) == 0);
    return (t.c_lflag & ECHO) != 0;
  }

  // Reads the rest of the output and waits for the command: its exit status,
  // 128 + the signal that ended it, or -1 (killed after `seconds`).
  int finish(double seconds = 60) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !read_some(static_cast<int>(left.count()))) break;
    }
    int raw = 0;
    while (::waitpid(pid_, &raw, WNOHANG) != pid_) {
      if (std::chrono::steady_clock::now() >= end) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &raw, 0);
        pid_ = -1;
        return -1;
      }
      ::usleep(10000);
    }
    pid_ = -1;
    return WIFEXITED(raw) ? WEXITSTATUS(raw) : WIFSIGNALED(raw) ? 128 + WTERMSIG(raw) : -1;
  }

  // Everything the command has written so far, echoes included.
  const std::string& output() const { return output_; }

 private:
  // Appends what arrives within `ms` milliseconds; false when nothing came (or the terminal closed).
  bool read_some(int ms) {
    pollfd p{master_, POLLIN, 0};
    if (::poll(&p, 1, ms) <= 0) return false;
    char buf[4096];
    const ssize_t n = ::read(master_, buf, sizeof buf);
    if (n <= 0) return false;  // EIO once the last holder of the slave has gone
    output_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  int master_ = -1;
  pid_t pid_ = -1;
  std::string output_;
};

}  // namespace kskline::test
