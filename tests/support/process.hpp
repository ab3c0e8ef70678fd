// Running shell commands from tests: exit status, standard output and error.
#pragma once

#include <cstdlib>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include "tests/support/files.hpp"

namespace kskline::test {

// The result of running a shell command.
struct CommandResult {
  int status = -1;  // exit status, or -1 when it did not exit normally
  std::string out;  // standard output
  std::string err;  // standard error (empty when the command redirected it)
};

// Single-quotes a string for the shell.
inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  return out + "'";
}

// Runs a command with sh, capturing its standard output through a pipe and its standard error through a temporary file.
inline CommandResult run(const std::string& command) {
  CommandResult result;
  std::string err = (std::filesystem::temp_directory_path() / "kskline-stderr-XXXXXX").string();
  const int fd = ::mkstemp(err.data());
  if (fd < 0) return result;
  ::close(fd);
  FILE* pipe = ::popen(("{ " + command + "\n} 2>" + shell_quote(err)).c_str(), "r");
  if (pipe != nullptr) {
    std::array<char, 4096> buf;
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) result.out.append(buf.data(), n);
    const int raw = ::pclose(pipe);
    if (raw != -1 && WIFEXITED(raw)) result.status = WEXITSTATUS(raw);
    result.err = slurp(err);
  }
  ::unlink(err.c_str());
  return result;
}

// Whether a program is on PATH.
inline bool have_tool(const std::string& name) {
  return run("command -v " + shell_quote(name) + " >/dev/null 2>&1").status == 0;
}

#ifdef KSKLINE_BINARY
// Runs the built kskline binary (KSKLINE_BINARY) with `args`, already quoted for the shell.
inline CommandResult kskline(const std::string& args) { return run(shell_quote(KSKLINE_BINARY) + " " + args); }
#endif

}  // namespace kskline::test
