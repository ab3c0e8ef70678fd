#include "tools/exec_command.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/error.hpp"
#include "signer/errc.hpp"

namespace kskline::tools {
namespace {

constexpr std::size_t kMaxStderr = 64 * 1024;

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

Result<std::vector<std::string>> split_command_template(std::string_view text, std::string_view option) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      auto end = text.find('\'', i + 1);
      if (end == std::string_view::npos) return fail(signer::errc::bad_config, "an unclosed ' quote", std::string(option));
      word.append(text.substr(i + 1, end - i - 1));
      i = end;
    } else if (c == '"') {
      std::size_t j = i + 1;
      for (; j < text.size() && text[j] != '"'; ++j) {
        if (text[j] == '\\' && j + 1 < text.size() && (text[j + 1] == '"' || text[j + 1] == '\\')) ++j;
        word += text[j];
      }
      if (j >= text.size()) return fail(signer::errc::bad_config, "an unclosed \" quote", std::string(option));
      i = j;
    } else if (c == '\\' && i + 1 < text.size()) {
      word += text[++i];
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) return fail(signer::errc::bad_config, "an empty command", std::string(option));
  bool placeholder = false;
  for (const auto& w : words) placeholder = placeholder || w.find("{}") != std::string::npos;
  if (!placeholder) {
    return fail(signer::errc::bad_config,
                "the command has no {} (where the request file's path goes), e.g. 'keymgr -c knot.conf example.com. "
                "sign-ksr {}'",
                std::string(option));
  }
  return words;
}

std::vector<std::string> expand_command(const std::vector<std::string>& words, const std::string& path) {
  std::vector<std::string> out;
  for (std::string w : words) {
    for (auto at = w.find("{}"); at != std::string::npos; at = w.find("{}", at + path.size())) {
      w.replace(at, 2, path);
    }
    out.push_back(std::move(w));
  }
  return out;
}

Result<CommandRun> run_command(const std::vector<std::string>& argv, double timeout_seconds, std::size_t max_output) {
  if (argv.empty()) return fail(signer::errc::bad_config, "an empty command", "--exec");
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return base::fail_errno("pipe", argv[0]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return base::fail_errno("pipe", argv[0]);
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) ::close(fd);
    return base::fail_errno("fork", argv[0]);
  }
  if (pid == 0) {
    // The child: its own process group (killed as one), stdin /dev/null.
    ::setpgid(0, 0);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    ::execvp(args[0], args.data());
    const std::string why = std::string("kskline: cannot run ") + args[0] + ": " + std::strerror(errno) + "\n";
    [[maybe_unused]] auto n = ::write(2, why.data(), why.size());
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here: no race with the kill below
  int out_fd = out_pipe[0], err_fd = err_pipe[0];
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  CommandRun run;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<std::int64_t>(timeout_seconds * 1000));
  bool killed = false;
  auto kill_group = [&] {
    if (!killed) ::kill(-pid, SIGKILL);
    killed = true;
  };
  char buf[65536];
  while (out_fd >= 0 || err_fd >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      run.timed_out = true;
      kill_group();
      break;
    }
    pollfd fds[2];
    nfds_t n = 0;
    if (out_fd >= 0) fds[n++] = {out_fd, POLLIN, 0};
    if (err_fd >= 0) fds[n++] = {err_fd, POLLIN, 0};
    int r = ::poll(fds, n, static_cast<int>(std::min<std::int64_t>(left.count(), 1000)));
    if (r < 0 && errno != EINTR) break;
    for (nfds_t i = 0; r > 0 && i < n; ++i) {
      if (fds[i].revents == 0) continue;
      int& fd = fds[i].fd == out_fd ? out_fd : err_fd;
      ssize_t got = ::read(fd, buf, sizeof buf);
      if (got <= 0) {
        if (got < 0 && errno == EINTR) continue;
        close_fd(fd);
        continue;
      }
      if (&fd == &out_fd) {
        if (run.out.size() + static_cast<std::size_t>(got) > max_output) {
          run.output_too_large = true;
          kill_group();
          close_fd(out_fd);
          close_fd(err_fd);
          break;
        }
        run.out.append(buf, static_cast<std::size_t>(got));
      } else if (run.err.size() < kMaxStderr) {
        run.err.append(buf, std::min(static_cast<std::size_t>(got), kMaxStderr - run.err.size()));
      }
    }
  }
  close_fd(out_fd);
  close_fd(err_fd);
  int status = 0;
  // The pipes are closed: wait for the process itself, within the timeout.
  for (;;) {
    pid_t w = ::waitpid(pid, &status, killed ? 0 : WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) return base::fail_errno("waitpid", argv[0]);
    if (w == 0) {
      if (std::chrono::steady_clock::now() >= deadline) {
        run.timed_out = true;
        kill_group();
      } else {
        ::usleep(10000);
      }
    }
  }
  if (killed) ::kill(-pid, SIGKILL);  // whatever of the group is left
  if (WIFEXITED(status)) run.exit_status = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) run.signal = WTERMSIG(status);
  return run;
}

std::string first_line(std::string_view text) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string line(text.substr(start, end - start));
    for (char& c : line) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    }
    auto first = line.find_first_not_of(' ');
    if (first != std::string::npos) {
      line = line.substr(first, 200);
      while (!line.empty() && line.back() == ' ') line.pop_back();
      return line;
    }
    start = end + 1;
  }
  return {};
}

std::string describe_failure(const CommandRun& run, double timeout_seconds) {
  std::string what;
  if (run.timed_out) {
    char t[32];
    std::snprintf(t, sizeof t, "%g", timeout_seconds);
    what = std::string("did not finish within ") + t + " s (killed)";
  } else if (run.output_too_large) {
    what = "wrote more output than allowed (killed)";
  } else if (run.signal != 0) {
    what = "killed by signal " + std::to_string(run.signal);
  } else if (run.exit_status != 0) {
    what = "exited with status " + std::to_string(run.exit_status);
  } else {
    return {};
  }
  if (auto line = first_line(run.err); !line.empty()) what += ": " + line;
  return what;
}

}  // namespace kskline::tools
