// The fault soak of issue 12, in-process half: more than 200 files moved by
// the real serial code (send_files, receive_files) over the LineSimulator
// with bit errors up to 1e-4, random byte drops, bursts of garbage, all of
// them at once, and a 20-second pulled cable mid-message. Every file is
// checked byte for byte and counted per name, so a duplicate or corrupt
// delivery shows; a file that did not arrive must be covered by a named
// error. The peer killed and restarted mid-message is in
// tests/tools/fault_soak_test.cpp (it needs the kskline binary).
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <future>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "proto/errc.hpp"
#include "transport/errc.hpp"
#include "transport/file_transfer.hpp"
#include "sim_thread.hpp"
#include "transport_test_util.hpp"

using namespace kskline;
using namespace kskline::transport;
using testing::SimThread;
using testing::TempDir;

namespace {

// What one impairment class did, over all its sessions.
struct Tally {
  std::size_t transfers = 0;   // files offered
  std::size_t completed = 0;   // delivered exactly once, byte-exact
  std::size_t named = 0;       // not delivered, and an error names why
  std::size_t unnamed = 0;     // not delivered, and no error (or only a generic one) says why
  std::size_t duplicates = 0;  // delivered more than once
  std::size_t corrupt = 0;     // delivered with bytes that differ, or a file that was never sent
  std::map<std::string, std::size_t> errors;  // error names seen, either side
  double seconds = 0;

  // One line for the log: the figures docs/hardening.md quotes.
  std::string line(const std::string& what) const {
    std::ostringstream s;
    s << "fault soak: " << what << ": " << transfers << " transfers, " << completed << " completed, " << named
      << " named errors, " << unnamed << " unnamed, duplicates=" << duplicates << ", corrupt=" << corrupt << ", "
      << static_cast<int>(seconds + 0.5) << " s";
    for (const auto& [name, n] : errors) s << "; " << name << " x" << n;
    return s.str();
  }
};

// Whether an error names a specific failure of the link or the transfer
// (proto or transport errc other than a bare system call failing).
bool named_error(const Error& e) {
  if (e.code.category() == proto::category()) return true;
  return e.code.category() == transport::category() && e.code != errc::io_error;
}

std::string error_name(const Error& e) { return e.code.category().name() + std::string(":") + e.code.message(); }

// One sender, one receiver, one simulated line: `count` files of random
// sizes in [min_size, max_size] from end a to end b, the receiver taking
// envelopes of at most `receiver_max` bytes; the result goes into `tally`.
void run_session(Tally& tally, const LineSimOptions& line_options, std::size_t count, std::size_t min_size,
                 std::size_t max_size, std::uint64_t seed, std::uint64_t receiver_max = 64ull << 20) {
  TempDir dir;
  std::mt19937_64 rng(seed);
  std::vector<std::string> files;
  std::map<std::string, std::string> sent;  // file name -> content
  for (std::size_t i = 0; i < count; ++i) {
    std::string name = "m" + std::to_string(seed) + "-" + std::to_string(i);
    std::size_t size = min_size + rng() % (max_size - min_size + 1);
    sent[name] = testing::random_text(size, seed * 1000 + i);
    testing::spit(dir.file(name), sent[name]);
    files.push_back(dir.file(name));
  }
  auto started = std::chrono::steady_clock::now();
  SimThread line(line_options);
  auto options = [&](const std::string& path) {
    TransferOptions o;
    o.link = parse_link_spec("serial:" + path + ",baud=" + std::to_string(line_options.baud)).value();
    o.handle_signals = false;
    o.wait = proto::Duration(60'000'000);
    return o;
  };
  TransferOptions send = options(line.a()), receive = options(line.b());
  receive.max_message = receiver_max;
  std::string out = dir.file("out");
  auto receiving = std::async(std::launch::async, [&] { return receive_files(receive, out, count); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto sent_report = send_files(send, files);
  // Bounded: a receiver still running two minutes after its sender ended is a hang.
  REQUIRE(receiving.wait_for(std::chrono::seconds(120)) == std::future_status::ready);
  auto received_report = receiving.get();
  REQUIRE(sent_report);
  REQUIRE(received_report);
  line.stop();
  tally.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  std::vector<Error> errors = sent_report->errors;
  errors.insert(errors.end(), received_report->errors.begin(), received_report->errors.end());
  for (const auto& e : errors) {
    UNSCOPED_INFO("seed " << seed << ": " << error_name(e) << ": " << e.message());
    ++tally.errors[error_name(e)];
  }
  // A file that did not arrive must have a named error of its own from the
  // sender (send_files locates each file's error at its path).
  auto named_for = [&](const std::string& path) {
    return std::any_of(sent_report->errors.begin(), sent_report->errors.end(),
                       [&](const Error& e) { return e.where == path && named_error(e); });
  };

  // Deliveries counted per file name: each written path once.
  std::map<std::string, std::size_t> delivered;
  for (const auto& path : received_report->written) ++delivered[std::filesystem::path(path).filename().string()];
  // Anything in the output folder that was not sent (NAME.1: a second,
  // different delivery) is corrupt.
  for (const auto& name : testing::list_dir(out)) {
    if (name == ".kskline") continue;
    if (sent.count(name) == 0) ++tally.corrupt;
  }
  for (const auto& [name, content] : sent) {
    ++tally.transfers;
    std::size_t n = delivered.count(name) ? delivered[name] : 0;
    if (n > 1) ++tally.duplicates;
    if (n >= 1) {
      if (testing::slurp(out + "/" + name) == content) {
        ++tally.completed;
      } else {
        ++tally.corrupt;
      }
    } else if (named_for(dir.file(name))) {
      ++tally.named;
    } else {
      ++tally.unnamed;
    }
  }
}

// Prints the tally and asserts the soak's invariants.
void report(const Tally& t, const std::string& what) {
  std::cout << t.line(what) << std::endl;
  CHECK(t.duplicates == 0);
  CHECK(t.corrupt == 0);
  CHECK(t.unnamed == 0);
  CHECK(t.completed + t.named == t.transfers);
}

// One session of a class: the line, how many files, their smallest and largest size.
using Session = std::tuple<LineSimOptions, std::size_t, std::size_t, std::size_t>;

LineSimOptions line(std::uint32_t baud, std::uint64_t seed) {
  LineSimOptions o;
  o.baud = baud;
  o.seed = seed;
  return o;
}

}  // namespace

TEST_CASE("fault soak: files over lines with bit errors, drops and garbage arrive once and intact or fail by name",
          "[transport][fault_soak]") {
  Tally total;
  std::uint64_t seed = 0;  // of the files; each line has its own
  auto run_class = [&](const std::string& what, const std::vector<Session>& sessions) {
    Tally t;
    for (const auto& [lo, count, min_size, max_size] : sessions) run_session(t, lo, count, min_size, max_size, ++seed);
    report(t, what);
    total.transfers += t.transfers;
    total.completed += t.completed;
    total.named += t.named;
    total.unnamed += t.unnamed;
    total.duplicates += t.duplicates;
    total.corrupt += t.corrupt;
    total.seconds += t.seconds;
  };

  {
    auto a = line(1000000, 1), b = line(115200, 2);
    a.ber = 1e-5;
    b.ber = 1e-5;
    run_class("bit errors 1e-5", {{a, 25, 1024, 8192}, {b, 10, 512, 2048}});
  }
  {
    auto a = line(1000000, 3), b = line(460800, 4);
    a.ber = 1e-4;
    b.ber = 1e-4;
    run_class("bit errors 1e-4", {{a, 25, 1024, 8192}, {b, 15, 512, 4096}});
  }
  {
    auto a = line(1000000, 5), b = line(1000000, 6);
    a.drop = 1e-4;
    b.drop = 1e-3;
    run_class("byte drops 1e-4 and 1e-3", {{a, 25, 1024, 8192}, {b, 25, 1024, 8192}});
  }
  {
    auto a = line(1000000, 7), b = line(230400, 8);
    a.garbage = 1e-3;
    b.garbage = 1e-4;
    b.garbage_burst = 256;
    run_class("garbage bursts", {{a, 25, 1024, 8192}, {b, 15, 512, 4096}});
  }
  {
    auto a = line(1000000, 9), b = line(1000000, 10);
    for (auto* o : {&a, &b}) {
      o->ber = 1e-4;
      o->drop = 1e-4;
      o->garbage = 1e-4;
    }
    run_class("bit errors, drops and garbage at once", {{a, 25, 1024, 8192}, {b, 4, 32768, 65536}});
  }
  {
    // The named-error path: files over the receiver's limit are refused by
    // name (the rest still arrive), on a line with bit errors.
    Tally t;
    auto a = line(1000000, 12);
    a.ber = 1e-5;
    run_session(t, a, 12, 1024, 8192, ++seed, 6000);
    report(t, "over the receiver's size limit");
    CHECK(t.named > 0);
    CHECK(t.completed > 0);
    total.transfers += t.transfers;
    total.completed += t.completed;
    total.named += t.named;
    total.seconds += t.seconds;
  }
  std::cout << total.line("all of the above") << std::endl;
  CHECK(total.transfers >= 190);
}

TEST_CASE("fault soak: a cable pulled for 20 seconds mid-message, the transfer carries on",
          "[transport][fault_soak]") {
  Tally t;
  auto lo = line(1000000, 11);
  lo.ber = 1e-5;
  // About 50 KB have crossed 0.5 s after the first byte: the fourth file is
  // on the wire when the cable is pulled.
  lo.outages.push_back({0.5, 20});
  run_session(t, lo, 10, 16384, 16384, 101);
  report(t, "20 s outage mid-message");
  CHECK(t.completed == t.transfers);
  CHECK(t.seconds > 20);
}
