// The fault soak of issue 12, process half: `kskline receive` killed with
// SIGKILL mid-message and started again, three times a session, while
// `kskline send` keeps going over `kskline linesim` with bit errors and
// garbage bursts. Each run of the receiver writes into its own folder (the
// partial messages in one shared state folder), so every delivery of every
// run is a file: a file in two folders was delivered twice. One case is
// allowed, and counted apart: a run killed between writing a file and
// recording its message delivered (milliseconds) leaves the next run to
// write the identical file again, which in one output folder, as an
// operator has it, is no second file; at most one such file per kill. The
// rest of the soak is tests/transport/fault_soak_test.cpp.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <sstream>

#include "tests/tools/cli_process.hpp"
#include "tests/transport/transport_test_util.hpp"

using kskline::transport::testing::Process;
using kskline::transport::testing::TempDir;
using kskline::transport::testing::list_dir;
using kskline::transport::testing::random_text;
using kskline::transport::testing::slurp;
using kskline::transport::testing::spit;
using kskline::test::Linesim;
using kskline::test::Ran;
using kskline::test::finish;

namespace {

const std::string kBinary = KSKLINE_BINARY;

// What the sessions with a killed receiver did, over all of them.
struct KillTally {
  std::size_t transfers = 0, completed = 0, failed = 0, duplicates = 0, corrupt = 0, kills = 0;
  std::size_t rewritten = 0;  // written by a killed run and again by the next
  double seconds = 0;
};

// Sends `count` files of `size` bytes over linesim (`line_extra`) at `baud`;
// the receiver is killed after each of `kills` (from its start) and started
// again at once; adds what happened to `tally`.
void session_with_kills(KillTally& tally, const std::string& baud, const std::vector<std::string>& line_extra,
                        std::size_t count, std::size_t size, const std::vector<std::chrono::milliseconds>& kills,
                        std::uint64_t seed) {
  TempDir dir;
  std::map<std::string, std::string> sent;
  std::vector<std::string> files;
  for (std::size_t i = 0; i < count; ++i) {
    std::string name = "k" + std::to_string(seed) + "-" + std::to_string(i);
    sent[name] = random_text(size, seed * 1000 + i);
    spit(dir.file(name), sent[name]);
    files.push_back(dir.file(name));
  }
  auto started = std::chrono::steady_clock::now();
  Linesim line(dir, baud, line_extra);
  auto end = [&](const std::string& path) { return "serial:" + path + ",baud=" + baud; };
  auto receiver = [&](std::size_t run, std::size_t count) {
    std::vector<std::string> argv{kBinary, "receive", "--link", end(line.b), "--output-dir",
                                  dir.file("out" + std::to_string(run)), "--state-dir", dir.file("state"),
                                  "--count", std::to_string(count), "--wait", "30"};
    return std::make_unique<Process>(argv, dir.file("receive" + std::to_string(run) + ".err"));
  };
  // The messages the runs so far recorded delivered (one digest a line):
  // the rest, a file written but not yet recorded included, come again.
  auto recorded = [&] {
    std::string text = slurp(dir.file("state/partial/completed"));
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  };
  // The runs to be killed wait for every file; the last for those left,
  // so that it ends by its count and not by the sender's CLOSE (one frame,
  // not acknowledged, which a bad line can lose).
  auto first = receiver(0, count);
  std::vector<std::string> s{kBinary, "send", "--link", end(line.a), "--wait", "30"};
  s.insert(s.end(), files.begin(), files.end());
  Process sender(s, dir.file("send.err"));
  std::size_t run = 0;
  for (auto after : kills) {
    std::this_thread::sleep_for(after);
    first->signal(SIGKILL);
    CHECK(first->wait() == 128 + SIGKILL);
    ++tally.kills;
    ++run;
    first = receiver(run, run == kills.size() ? count - std::min(count, recorded()) : count);
  }
  Ran received = finish(*first, dir.file("receive" + std::to_string(run) + ".err"));
  Ran sent_run = finish(sender, dir.file("send.err"));
  tally.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  INFO("seed " << seed << "\nsend: " << sent_run.err << "\nlast receive: " << received.err);
  CHECK(sent_run.status == 0);
  CHECK(received.status == 0);

  // Every delivery of every run, by name: the runs that wrote it.
  std::map<std::string, std::vector<std::size_t>> delivered;
  for (std::size_t r = 0; r <= run; ++r) {
    std::string out = dir.file("out" + std::to_string(r));
    for (const auto& name : list_dir(out)) {
      // A temporary (.NAME.tmp.PID.RANDOM) of a killed run's write is no
      // delivery: readers skip dot files, and the next write of the same
      // file would remove it.
      if (name[0] == '.') continue;
      if (sent.count(name) == 0) {
        UNSCOPED_INFO("run " << r << " wrote " << name << ", which was never sent");
        ++tally.corrupt;  // NAME.1, or a name never sent
        continue;
      }
      delivered[name].push_back(r);
      if (slurp(out + "/" + name) != sent[name]) {
        UNSCOPED_INFO("run " << r << " wrote " << name << " with other bytes");
        ++tally.corrupt;
      }
    }
  }
  std::map<std::size_t, std::size_t> rewritten_after;  // killed run -> files the next run wrote again
  for (const auto& [name, content] : sent) {
    ++tally.transfers;
    const auto& runs = delivered[name];
    if (runs.size() == 2 && runs[1] == runs[0] + 1 && runs[0] < run) {
      ++tally.rewritten;
      ++rewritten_after[runs[0]];
    } else if (runs.size() > 1) {
      ++tally.duplicates;
    }
    if (runs.empty()) ++tally.failed;
    if (!runs.empty()) ++tally.completed;
  }
  for (const auto& [killed, n] : rewritten_after) {
    INFO("run " << killed << " killed: " << n << " files written again by the next run");
    CHECK(n == 1);
  }
}

}  // namespace

TEST_CASE("fault soak: a receiver killed mid-message three times a session delivers each file once and intact",
          "[tools][fault_soak]") {
  KillTally t;
  using ms = std::chrono::milliseconds;
  // 6 files of 48 KiB at 100 KB/s: about 3 s of sending, cut three times.
  session_with_kills(t, "1000000", {"--ber", "1e-5", "--garbage", "1e-4", "--seed", "21"}, 6, 48 * 1024,
                     {ms(800), ms(900), ms(700)}, 21);
  // A slower line, smaller files, kills at other points of the messages.
  session_with_kills(t, "460800", {"--ber", "1e-5", "--drop", "1e-5", "--seed", "22"}, 6, 24 * 1024,
                     {ms(600), ms(1100), ms(500)}, 22);
  std::ostringstream line;
  line << "fault soak: receiver killed and restarted mid-message: " << t.transfers << " transfers, " << t.completed
       << " completed, " << t.failed << " not delivered, " << t.kills << " kills, " << t.rewritten << " rewritten after a kill, duplicates=" << t.duplicates
       << ", corrupt=" << t.corrupt << ", " << static_cast<int>(t.seconds + 0.5) << " s";
  std::cout << line.str() << std::endl;
  CHECK(t.duplicates == 0);
  CHECK(t.corrupt == 0);
  CHECK(t.completed == t.transfers);
  CHECK(t.kills == 6);
}
