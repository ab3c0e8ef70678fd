// The line simulator behind `kskline linesim`: two pseudo-terminals joined
// at the pace of a real UART, with the impairments tests need, so the real
// serial code (and Kermit, ZMODEM) can be exercised without hardware.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace kskline::transport {

// A period of the line, in seconds after the first byte crossed it.
struct LinePeriod {
  double start = 0;
  double length = 0;
};

// A device that vanishes: which ends, when, for how long.
struct Unplug {
  LinePeriod when;
  bool a = true;
  bool b = true;
};

// What the simulated line does.
struct LineSimOptions {
  std::uint32_t baud = 115200;  // 10 bit times a byte (8N1, or 7E1)
  double ber = 0;               // probability that each bit time flips: start, data, stop and idle
  double drop = 0;              // probability that a byte is lost
  std::vector<LinePeriod> outages;  // the cable pulled: nothing crosses
  std::vector<Unplug> unplugs;      // the device path disappears, then comes back
  bool seven_bit = false;       // clear the 8th bit of every byte
  bool xonxoff = false;         // software flow control: pause each sender now and then with XOFF/XON
  double garbage = 0;           // probability, after each byte put on the line, of a burst of garbage after it
  std::uint32_t garbage_burst = 64;  // a burst is 1..garbage_burst random bytes
  std::uint64_t seed = 1;
  std::string link_dir;         // where the symlinks a and b go; empty: a new temporary directory
};

// Counters of one direction of the line.
struct LineSimCounters {
  std::uint64_t bytes = 0;         // read from the sending end
  std::uint64_t delivered = 0;     // written to the receiving end
  std::uint64_t bits_flipped = 0;
  std::uint64_t framing_errors = 0;  // characters whose stop bit read 0
  std::uint64_t dropped = 0;       // random drops, outages and unplugged ends
  std::uint64_t overruns = 0;      // the receiving end did not read in time
  std::uint64_t flow_bytes = 0;    // 11 13 91 93 sent as data (with xonxoff: must stay 0)
  std::uint64_t pauses = 0;        // XOFF pauses imposed on the sender
  std::uint64_t garbage = 0;       // random bytes put on the line by garbage bursts
};

// Two pseudo-terminals offered at DIR/a and DIR/b (symlinks to /dev/pts/N),
// both in raw mode; the simulator keeps each slave open itself so the
// terminals survive their users closing and reopening them.
class LineSimulator {
 public:
  // Creates the terminals and the symlinks. errc::io_error when no pty can be
  // made or the directory cannot be written.
  static Result<std::unique_ptr<LineSimulator>> create(LineSimOptions options);
  // Removes the symlinks (and the directory it created) and closes the terminals.
  ~LineSimulator();
  LineSimulator(const LineSimulator&) = delete;
  LineSimulator& operator=(const LineSimulator&) = delete;

  // The stable paths of the two ends.
  std::string path_a() const;
  std::string path_b() const;

  // Carries bytes until `stop_fd` becomes readable (a signalfd, a pipe).
  // errc::io_error if the terminals fail in a way it cannot recover from.
  Result<void> run(int stop_fd);

  // Counters of each direction.
  const LineSimCounters& a_to_b() const;
  const LineSimCounters& b_to_a() const;

  // The terminals, the two directions and their state; in line_simulator.cpp.
  struct Impl;

 private:
  explicit LineSimulator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Parses "START:SECONDS" (seconds, decimals allowed). errc::bad_link_spec
// naming the text when malformed or negative.
Result<LinePeriod> parse_line_period(const std::string& text);

}  // namespace kskline::transport
