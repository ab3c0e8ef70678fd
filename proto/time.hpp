// Time as the protocol core sees it: values handed in by the caller.
#pragma once

#include <chrono>
#include <cstdint>

namespace kskline::proto {

// The clock tag of protocol timestamps. It has no now(): proto never reads a
// clock. The caller picks the epoch (e.g. steady_clock's) and keeps it for
// the life of an engine; only differences matter.
struct LinkClock {
  using rep = std::int64_t;
  using period = std::micro;
  using duration = std::chrono::microseconds;
  using time_point = std::chrono::time_point<LinkClock, duration>;
  static constexpr bool is_steady = true;
};

// A span of time in microseconds.
using Duration = std::chrono::microseconds;
// A point in time, microseconds since the caller's epoch.
using Timestamp = LinkClock::time_point;

// Converts a count of microseconds since the epoch to a Timestamp.
constexpr Timestamp at_micros(std::int64_t micros) { return Timestamp(Duration(micros)); }

}  // namespace kskline::proto
