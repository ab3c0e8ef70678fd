// Running the built kskline binary in CLI tests: a command to its end, and
// `kskline linesim` in the background (two joined pseudo-terminals behaving
// like a real, imperfect serial line).
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/transport/transport_test_util.hpp"

namespace kskline::test {

// A finished command: exit status, standard output and error.
struct Ran {
  int status = -1;
  std::string out, err;
};

// Waits for a started command and collects what it printed (its standard
// error went to `err_file`).
inline Ran finish(transport::testing::Process& p, const std::string& err_file) {
  Ran r;
  r.out = p.read_all();
  r.status = p.wait();
  r.err = transport::testing::slurp(err_file);
  return r;
}

// Runs `kskline ARGS...` to its end, its standard error kept in dir/TAG.err.
inline Ran run(const transport::testing::TempDir& dir, std::vector<std::string> args, const std::string& tag = "cmd") {
  args.insert(args.begin(), KSKLINE_BINARY);
  transport::testing::Process p(args, dir.file(tag + ".err"));
  return finish(p, dir.file(tag + ".err"));
}

// Starts `kskline ARGS...` and kills it with SIGKILL after `delay` (unless it
// has ended by then); returns its exit status (128+9 when killed).
inline int kill_after(const transport::testing::TempDir& dir, std::vector<std::string> args,
                      std::chrono::microseconds delay) {
  args.insert(args.begin(), KSKLINE_BINARY);
  transport::testing::Process p(args, dir.file("killed.err"));
  std::this_thread::sleep_for(delay);
  p.signal(SIGKILL);
  return p.wait();
}

// How long `kskline ARGS...` takes to its end, start-up included.
inline std::chrono::microseconds duration_of(const transport::testing::TempDir& dir,
                                             const std::vector<std::string>& args) {
  const auto start = std::chrono::steady_clock::now();
  auto r = run(dir, args, "timed");
  INFO(r.err);
  REQUIRE(r.status == 0);
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
}

// `cmd` through /bin/sh with `word` typed on its standard input, line after
// line: the KSK operator's answer (argv for transport::testing::Process).
inline std::vector<std::string> answered(const std::string& word, const std::vector<std::string>& cmd) {
  std::string line = "yes " + shell_quote(word) + " | exec";
  for (const auto& a : cmd) line += " " + shell_quote(a);
  return {"/bin/sh", "-c", line};
}

// `cmd` with an operator who approves every request.
inline std::vector<std::string> answered_yes(const std::vector<std::string>& cmd) { return answered("yes", cmd); }

// `cmd` with an operator who declines every request.
inline std::vector<std::string> answered_no(const std::vector<std::string>& cmd) { return answered("no", cmd); }

// The answer files (*.kske) directly in a folder, as paths, sorted.
inline std::vector<std::string> kske_files(const std::string& folder) {
  std::vector<std::string> out;
  for (const auto& name : transport::testing::list_dir(folder)) {
    if (name.size() > 5 && name.ends_with(".kske")) out.push_back(folder + "/" + name);
  }
  return out;
}

// `kskline linesim --baud BAUD` in the background, stopped (SIGTERM) on destruction.
class Linesim {
 public:
  // Starts it under dir/line with `extra` options; a and b are its two ends.
  Linesim(const transport::testing::TempDir& dir, const std::string& baud, std::vector<std::string> extra) {
    std::vector<std::string> argv{KSKLINE_BINARY, "linesim", "--baud", baud, "--link-dir", dir.file("line")};
    argv.insert(argv.end(), extra.begin(), extra.end());
    proc_ = std::make_unique<transport::testing::Process>(argv, dir.file("linesim.err"));
    a = proc_->read_line();
    b = proc_->read_line();
    REQUIRE(a == dir.file("line/a"));
    REQUIRE(b == dir.file("line/b"));
    err_ = dir.file("linesim.err");
  }
  ~Linesim() { stop(); }
  Linesim(const Linesim&) = delete;
  Linesim& operator=(const Linesim&) = delete;

  // Stops it; returns what it printed on standard error.
  std::string stop() {
    if (proc_) {
      proc_->signal(SIGTERM);
      status = proc_->wait(5000);
      proc_.reset();
    }
    return transport::testing::slurp(err_);
  }

  std::string a, b;  // the two pseudo-terminals
  int status = -1;   // its exit status once stopped

 private:
  std::unique_ptr<transport::testing::Process> proc_;
  std::string err_;
};

}  // namespace kskline::test
