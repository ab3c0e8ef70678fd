// What a link engine traces through its log hook (EngineConfig::log): its
// phases, its timers, and the events of the trace, as ngtcp2's log and qlog
// hooks report a connection. The engine stays without I/O: it calls the hook
// synchronously, stamped with the time it was handed.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <variant>

#include "proto/time.hpp"

namespace kskline::proto {

// The phase of an engine: each holds its own data (docs/protocol.md §2, §3).
enum class Phase : std::uint8_t {
  handshake,    // a session attempt: HELLO until the peer confirms
  established,  // a confirmed session: records flow
  closed,       // stopped for good; at most a REFUSE or CLOSE still goes out
};

// The timers of an engine, one entry each in its timer table.
enum class Timer : std::uint8_t {
  hello,       // repeat our HELLO (handshake)
  hello_wait,  // give up the handshake (EngineConfig::hello_wait)
  idle,        // nothing received for the idle limit: link lost
  rto,         // retransmission timeout of the oldest frame in flight
  probe,       // send the next binary PROBE
  keepalive,   // nothing sent for EngineConfig::keepalive: send a PING
};

// The number of timers (entries of a timer table).
inline constexpr std::size_t kTimerCount = 6;

// The name of a phase, as in the enum ("established").
constexpr std::string_view phase_name(Phase p) noexcept {
  constexpr std::array<std::string_view, 3> names = {"handshake", "established", "closed"};
  return names[static_cast<std::size_t>(p)];
}

// The name of a timer, as in the enum ("hello_wait").
constexpr std::string_view timer_name(Timer t) noexcept {
  constexpr std::array<std::string_view, kTimerCount> names = {"hello", "hello_wait", "idle", "rto", "probe", "keepalive"};
  return names[static_cast<std::size_t>(t)];
}

namespace trace {

// A timer expired and handle_timeout() handled it (once per expiry).
struct TimerExpired {
  Timer timer = Timer::hello;
  bool operator==(const TimerExpired&) const = default;
};

// The engine went from one phase to another.
struct StateChanged {
  Phase from = Phase::handshake;
  Phase to = Phase::handshake;
  bool operator==(const StateChanged&) const = default;
};

}  // namespace trace

// What a traced event says.
using Traced = std::variant<trace::TimerExpired, trace::StateChanged>;

// One traced event: what happened, at the latest time handed to the engine.
struct LogEvent {
  Timestamp at{};
  Traced what;
};

// The log hook. Called synchronously from inside handle_*(), poll_*(),
// close() and send_message(); it must not call the engine back.
using LogHook = std::function<void(const LogEvent&)>;

}  // namespace kskline::proto
