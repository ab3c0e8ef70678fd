// Loopback: an in-process byte pipe with impairments joining two endpoints
// of one process (demo, tests, `zone submit --link loopback`). It is not a
// link between two processes.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "proto/time.hpp"
#include "transport/byte_stream.hpp"
#include "transport/link_spec.hpp"

namespace kskline::transport {

// What goes wrong on one direction of a loopback line.
struct LoopbackImpairments {
  double ber = 0;              // probability that each data bit flips
  double drop = 0;             // probability that a byte is lost
  double dup = 0;              // probability that a byte arrives twice
  double burst = 0;            // probability that a burst of garbage starts at a byte
  std::size_t burst_length = 16;
  std::vector<std::pair<proto::Duration, proto::Duration>> outages;  // (start after creation, length): nothing crosses
  std::uint32_t bytes_per_second = 0;  // bandwidth; 0: unlimited
  proto::Duration latency{0};
};

// Counters of one direction.
struct LoopbackCounters {
  std::uint64_t bytes_in = 0;    // written by the sending end
  std::uint64_t bytes_out = 0;   // handed to the receiving end
  std::uint64_t bits_flipped = 0;
  std::uint64_t bytes_dropped = 0;
  std::uint64_t bytes_duplicated = 0;
};

// Two ByteStreams joined back to back on one io_context. Writes complete
// once the bytes are serialised at the bandwidth (at once when unlimited);
// each byte arrives at the other end after its serialisation plus the
// latency, impaired on the way. Everything random comes from the seed.
class LoopbackLine {
 public:
  // A line with the given impairments in each direction.
  LoopbackLine(boost::asio::io_context& io, LoopbackImpairments a_to_b, LoopbackImpairments b_to_a, std::uint64_t seed);
  // A symmetric line from a link spec (its baud is 10 bit times a byte).
  LoopbackLine(boost::asio::io_context& io, const LoopbackLink& spec);
  ~LoopbackLine();
  LoopbackLine(const LoopbackLine&) = delete;
  LoopbackLine& operator=(const LoopbackLine&) = delete;

  // The two ends; they live as long as the line.
  ByteStream& a();
  ByteStream& b();
  // Counters of each direction.
  const LoopbackCounters& a_to_b() const;
  const LoopbackCounters& b_to_a() const;

  // One end of the line (a ByteStream); defined in loopback.cpp.
  class End;
  // One direction of the line with its impairments; defined in loopback.cpp.
  class Direction;

 private:
  std::unique_ptr<Direction> ab_, ba_;
  std::unique_ptr<End> a_, b_;
};

}  // namespace kskline::transport
