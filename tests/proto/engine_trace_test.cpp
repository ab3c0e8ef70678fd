#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "proto/engine_trace.hpp"
#include "proto/errc.hpp"
#include "sim_peer.hpp"

using namespace kskline;
using namespace kskline::proto;
using namespace kskline::proto::testing;

namespace {

Timestamp secs(double s) { return at_micros(static_cast<std::int64_t>(s * 1e6)); }

// A log hook that keeps every traced event.
struct Trace {
  std::vector<LogEvent> events;
  LogHook hook() {
    return [this](const LogEvent& e) { events.push_back(e); };
  }
  // The phase changes, in order.
  std::vector<trace::StateChanged> changes() const {
    std::vector<trace::StateChanged> out;
    for (const auto& e : events) {
      if (const auto* c = std::get_if<trace::StateChanged>(&e.what)) out.push_back(*c);
    }
    return out;
  }
  // The times at which a timer expired, in order.
  std::vector<Timestamp> expiries(Timer t) const {
    std::vector<Timestamp> out;
    for (const auto& e : events) {
      if (const auto* x = std::get_if<trace::TimerExpired>(&e.what); x && x->timer == t) out.push_back(e.at);
    }
    return out;
  }
  // Where the first phase change is in the trace.
  std::size_t first_change() const {
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (std::holds_alternative<trace::StateChanged>(events[i].what)) return i;
    }
    return events.size();
  }
};

EngineConfig traced(Trace& t, EngineConfig c = test_config()) {
  c.log = t.hook();
  return c;
}

// Runs an engine with no peer from time 0 to `limit`: at each deadline
// handle_timeout(), then every frame is taken.
void run_alone(Engine& e, Timestamp limit) {
  Timestamp now{};
  while (now <= limit) {
    e.handle_timeout(now);
    while (e.poll_transmit()) {
    }
    auto next = e.poll_timeout();
    if (!next) break;
    now = std::max(*next, now + Duration(1));
  }
}

// The trace as text, for failure messages.
std::string text(const Trace& t) {
  std::string out;
  for (const auto& e : t.events) {
    out += std::to_string(e.at.time_since_epoch().count()) + " ";
    if (const auto* x = std::get_if<trace::TimerExpired>(&e.what)) out += std::string(timer_name(x->timer)) + "\n";
    if (const auto* c = std::get_if<trace::StateChanged>(&e.what)) {
      out += std::string(phase_name(c->from)) + " -> " + std::string(phase_name(c->to)) + "\n";
    }
  }
  return out;
}

}  // namespace

TEST_CASE("engine_trace: phases and timers have the names of their enums", "[proto][engine_trace]") {
  CHECK(phase_name(Phase::handshake) == "handshake");
  CHECK(phase_name(Phase::established) == "established");
  CHECK(phase_name(Phase::closed) == "closed");
  CHECK(timer_name(Timer::hello) == "hello");
  CHECK(timer_name(Timer::hello_wait) == "hello_wait");
  CHECK(timer_name(Timer::idle) == "idle");
  CHECK(timer_name(Timer::rto) == "rto");
  CHECK(timer_name(Timer::probe) == "probe");
  CHECK(timer_name(Timer::keepalive) == "keepalive");
}

TEST_CASE("engine_trace: a handshake traces the HELLO timer, then handshake to established", "[proto][engine_trace]") {
  // A starts alone and repeats HELLO each second; B joins at 3.5 s.
  Trace ta, tb;
  SeededRandom ra(1);
  Engine a(traced(ta), ra, Timestamp{});
  run_alone(a, secs(3.5));
  CHECK(ta.expiries(Timer::hello) == std::vector<Timestamp>{secs(0), secs(1), secs(2), secs(3)});
  CHECK(ta.changes().empty());

  Peer b(traced(tb), 2, secs(3.5));
  LinkSim sim({}, {}, 3);
  sim.now = secs(3.5);
  sim.a = &a;
  sim.b = b.engine.get();
  REQUIRE(sim.run_until([&] { return !events_of<event::Connected>(sim.events_a).empty() &&
                                     !events_of<event::Connected>(sim.events_b).empty(); },
                        secs(5)));
  for (Trace* t : {&ta, &tb}) {
    CHECK(t->changes() == std::vector<trace::StateChanged>{{Phase::handshake, Phase::established}});
    // B's first HELLO went out at its own timer; A answered without waiting for its timer.
    CHECK(t->expiries(Timer::hello).front() <= t->events[t->first_change()].at);
  }
  CHECK(ta.expiries(Timer::hello).size() == 4);
  CHECK(tb.expiries(Timer::hello) == std::vector<Timestamp>{secs(3.5)});
  CHECK(ta.events[ta.first_change()].at < secs(3.7));
  CHECK(ta.expiries(Timer::hello_wait).empty());
}

TEST_CASE("engine_trace: an idle time-out traces the idle timer and the end of the session", "[proto][engine_trace]") {
  for (bool reconnect : {false, true}) {
    CAPTURE(reconnect);
    Trace ta, tb;
    LineConfig line;
    line.imp.outages = {{Duration(5'000'000), Duration(1'000'000'000)}};  // the cable is pulled at 5 s
    EngineConfig ca = traced(ta), cb = traced(tb);
    ca.reconnect = cb.reconnect = reconnect;
    ca.hello_wait = cb.hello_wait = Duration(10'000'000);
    Peer a(ca, 1, Timestamp{}), b(cb, 2, Timestamp{});
    LinkSim sim(line, line, 4);
    sim.a = a.engine.get();
    sim.b = b.engine.get();
    REQUIRE(sim.run_until([&] { return !events_of<event::Closed>(sim.events_a).empty(); }, secs(120)));

    INFO(text(ta));
    auto idle = ta.expiries(Timer::idle);
    REQUIRE(idle.size() == 1);
    // The idle limit is 30 s, counted from the last frame that arrived
    // (after the handshake, or a keepalive just before 5 s).
    CHECK(idle[0] >= secs(30));
    CHECK(idle[0] <= secs(35.1));
    CHECK(ta.expiries(Timer::keepalive).size() >= 6);  // a PING every 5 s while nothing else goes
    auto changes = ta.changes();
    if (reconnect) {
      // Link lost: a new attempt, which gives up after hello_wait.
      CHECK(changes == std::vector<trace::StateChanged>{{Phase::handshake, Phase::established},
                                                        {Phase::established, Phase::handshake},
                                                        {Phase::handshake, Phase::closed}});
      CHECK(ta.expiries(Timer::hello_wait) == std::vector<Timestamp>{idle[0] + Duration(10'000'000)});
      CHECK(events_of<event::Closed>(sim.events_a)[0].error.code == errc::handshake_timeout);
    } else {
      CHECK(changes == std::vector<trace::StateChanged>{{Phase::handshake, Phase::established},
                                                        {Phase::established, Phase::closed}});
      CHECK(events_of<event::Closed>(sim.events_a)[0].error.code == errc::link_lost);
    }
    // The session ends at the idle expiry: the change is traced at that time.
    auto ended = std::find_if(ta.events.begin(), ta.events.end(), [](const LogEvent& e) {
      const auto* c = std::get_if<trace::StateChanged>(&e.what);
      return c != nullptr && c->from == Phase::established;
    });
    REQUIRE(ended != ta.events.end());
    CHECK(ended->at == idle[0]);
    const auto* before = std::get_if<trace::TimerExpired>(&(ended - 1)->what);
    REQUIRE(before != nullptr);
    CHECK(before->timer == Timer::idle);
  }
}

TEST_CASE("engine_trace: a lost frame traces the retransmission timer", "[proto][engine_trace]") {
  Trace ta;
  LineConfig line;
  line.imp.outages = {{Duration(500'000), Duration(3'000'000)}};  // 0.5..3.5 s: nothing crosses
  Peer a(traced(ta), 1, Timestamp{}), b(test_config(), 2, Timestamp{});
  LinkSim sim(line, line, 5);
  sim.a = a.engine.get();
  sim.b = b.engine.get();
  REQUIRE(a.engine->send_message(make_envelope(20000, 1)));  // about 2 s of line time
  REQUIRE(sim.run_until([&] { return !events_of<event::MessageSent>(sim.events_a).empty(); }, secs(60)));
  INFO(text(ta));
  auto rto = ta.expiries(Timer::rto);
  REQUIRE_FALSE(rto.empty());
  CHECK(rto.front() > secs(0.5));
  CHECK(ta.changes().size() == 1);  // the session survived
}

TEST_CASE("engine_trace: an expiry is traced once however often handle_timeout is called", "[proto][engine_trace]") {
  Trace t;
  SeededRandom r(1);
  Engine e(traced(t), r, Timestamp{});
  for (int i = 0; i < 3; ++i) e.handle_timeout(secs(0));
  CHECK(t.expiries(Timer::hello).size() == 1);
  REQUIRE(e.poll_transmit());  // the HELLO: the timer moves to 1 s
  for (int i = 0; i < 3; ++i) e.handle_timeout(secs(0.5));
  CHECK(t.expiries(Timer::hello).size() == 1);
  e.handle_timeout(secs(1));
  CHECK(t.expiries(Timer::hello) == std::vector<Timestamp>{secs(0), secs(1)});
}

TEST_CASE("engine_trace: close() is traced once, and a closed engine changes no more", "[proto][engine_trace]") {
  Trace t;
  SeededRandom r(1);
  Engine e(traced(t), r, Timestamp{});
  e.close();
  e.close();
  e.handle_timeout(secs(500));
  CHECK(t.changes() == std::vector<trace::StateChanged>{{Phase::handshake, Phase::closed}});
  CHECK(t.events.size() == 1);
  CHECK(e.phase() == Engine::Phase::closed);
  CHECK_FALSE(e.poll_transmit());
}
