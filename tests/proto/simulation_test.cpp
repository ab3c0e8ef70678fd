// Two engines over a simulated impaired line on a virtual clock: thousands of
// seeds, each asserting exactly-once, intact, in-order delivery or a clear
// error; and the line efficiency of a 1 MiB transfer.
#include <catch2/catch.hpp>

#include <cstdio>
#include <map>
#include <set>

#include "proto/errc.hpp"
#include "sim_peer.hpp"

using namespace kskline;
using namespace kskline::proto;
using namespace kskline::proto::testing;

namespace {

constexpr std::int64_t kSec = 1'000'000;

// One side of a scenario: what it sends and what happened to it.
struct Side {
  std::vector<Bytes> outbox;           // in the order queued
  std::size_t confirmed = 0;           // MessageSent/MessageFailed seen, in order
  std::vector<Bytes> delivered;        // MessageReceived, in order
};

struct Outcome {
  bool survivable = true;   // no permanent cut of the cable
  bool restarted = false;
  bool completed = false;   // every message confirmed and delivered
  bool clear_error = false; // ended with Closed
  std::string what;         // for failure messages
  double sim_seconds = 0;
};

// Builds a random scenario from a seed and runs it to the end.
Outcome run_scenario(std::uint64_t seed, std::vector<LinkIdentity>& ids) {
  std::mt19937_64 rng(seed);
  auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  auto pick = [&](auto... v) {
    std::array<std::common_type_t<decltype(v)...>, sizeof...(v)> a{v...};
    return a[rng() % a.size()];
  };
  auto chance = [&](double p) { return uniform(0, 1) < p; };

  LineConfig line;
  line.bytes_per_second = pick(960u, 11520u, 115200u, 1000000u);
  line.latency = Duration(static_cast<std::int64_t>(uniform(0, 50000)));
  LineConfig back = line;
  for (LineConfig* l : {&line, &back}) {
    Impairments& imp = l->imp;
    int profile = static_cast<int>(rng() % 6);
    if (profile == 1) imp.ber = pick(1e-6, 1e-5, 1e-4, 1e-3);
    if (profile == 2) {
      imp.drop = pick(1e-5, 1e-4, 1e-3);
      imp.dup = pick(0.0, 1e-4, 1e-3);
    }
    if (profile == 3) {
      imp.burst = pick(1e-5, 1e-4);
      imp.burst_len = rng() % 200 + 1;
    }
    if (profile == 4) imp.ber = 1e-5, imp.drop = 1e-4, imp.dup = 1e-4, imp.burst = 1e-5, imp.burst_len = 50;
  }
  if (chance(0.15)) {  // the cable is pulled, both ways
    Duration start(static_cast<std::int64_t>(uniform(0, 20) * kSec));
    Duration length(static_cast<std::int64_t>(pick(1.0, 10.0, 40.0, 200.0) * kSec));
    line.imp.outages.push_back({start, length});
    back.imp.outages.push_back({start, length});
  }
  if (chance(0.08)) line.imp.strip_bit7 = back.imp.strip_bit7 = true;
  Outcome out;
  if (chance(0.04)) {  // the cable is cut for good
    Duration start(static_cast<std::int64_t>(uniform(0, 10) * kSec));
    line.imp.outages.push_back({start, Duration(100'000'000 * kSec)});
    back.imp.outages.push_back({start, Duration(100'000'000 * kSec)});
    out.survivable = false;
  }

  EngineConfig ca = test_config(chance(0.8) ? line.bytes_per_second : 0);
  ca.max_frame = static_cast<std::uint16_t>(pick(256, 1024, 4096, 16384));
  ca.window = static_cast<std::uint16_t>(pick(32, 64, 256));
  ca.escape_xonxoff = chance(0.2);
  ca.allow_binary = chance(0.9);
  ca.block_size = pick(256u, 1024u, 4096u);
  ca.hello_wait = Duration(300 * kSec);
  ca.reconnect = chance(0.9);
  EngineConfig cb = ca;
  cb.max_frame = static_cast<std::uint16_t>(pick(256, 1024, 4096));
  cb.window = static_cast<std::uint16_t>(pick(32, 64));
  cb.allow_binary = chance(0.9);
  bool authenticated = chance(0.25);
  if (authenticated) {
    ca.identity = &ids[0];
    cb.identity = &ids[1];
    ca.signs_messages = cb.signs_messages = true;
    ca.auth = pick(AuthPolicy::optional, AuthPolicy::required);
    cb.auth = pick(AuthPolicy::optional, AuthPolicy::required);
    ca.pinned.add(ids[1].public_key());
    cb.pinned.add(ids[0].public_key());
  }

  Side sa, sb;
  std::size_t na = rng() % 4, nb = rng() % 3;
  auto size = [&] { return static_cast<std::size_t>(std::exp(uniform(0, std::log(40000.0)))) - 1; };
  for (std::size_t i = 0; i < na; ++i) sa.outbox.push_back(make_envelope(size(), seed * 100 + i, authenticated ? &ids[0] : nullptr));
  for (std::size_t i = 0; i < nb; ++i) sb.outbox.push_back(make_envelope(size(), seed * 100 + 50 + i, authenticated ? &ids[1] : nullptr));

  Peer a(ca, seed * 3 + 1, Timestamp{}), b(cb, seed * 3 + 2, Timestamp{});
  LinkSim sim(line, back, seed);
  sim.a = a.engine.get();
  sim.b = b.engine.get();
  for (const auto& e : sa.outbox) REQUIRE(a.engine->send_message(e));
  for (const auto& e : sb.outbox) REQUIRE(b.engine->send_message(e));

  // A restart of one side at a random moment (keeping its store).
  Timestamp restart_at = Timestamp::max();  // none
  bool restart_a = chance(0.5);
  if (chance(0.15)) restart_at = at_micros(static_cast<std::int64_t>(uniform(0.05, 5) * kSec));

  std::size_t seen_a = 0, seen_b = 0;
  auto absorb = [&](std::vector<TimedEvent>& events, std::size_t& seen, Side& self, Side& peer) {
    for (; seen < events.size(); ++seen) {
      const Event& ev = events[seen].event;
      if (auto* m = std::get_if<event::MessageReceived>(&ev)) {
        // Never a corrupted, duplicated or out-of-order delivery.
        std::size_t k = self.delivered.size();
        if (k >= peer.outbox.size() || m->envelope != peer.outbox[k]) {
          out.what = "delivery " + std::to_string(k) + " is not the next message sent";
          return false;
        }
        self.delivered.push_back(m->envelope);
      } else if (auto* s = std::get_if<event::MessageSent>(&ev)) {
        if (self.confirmed >= self.outbox.size() || s->digest != *trailing_digest(self.outbox[self.confirmed])) {
          out.what = "confirmation out of order";
          return false;
        }
        ++self.confirmed;
      } else if (auto* f = std::get_if<event::MessageFailed>(&ev)) {
        out.what = "message failed: " + f->error.message();
        return false;
      } else if (auto* r = std::get_if<event::MessageRejected>(&ev)) {
        out.what = "message rejected: " + r->error.message();
        return false;
      } else if (auto* c = std::get_if<event::Closed>(&ev)) {
        out.clear_error = true;
        out.what = "closed: " + c->error.message();
      }
    }
    return true;
  };
  auto done = [&] {
    return sa.confirmed == sa.outbox.size() && sb.confirmed == sb.outbox.size() &&
           sb.delivered.size() == sa.outbox.size() && sa.delivered.size() == sb.outbox.size();
  };
  const Timestamp limit = at_micros(4 * 3600 * kSec);
  bool stalled = false;
  while (true) {
    if (!absorb(sim.events_a, seen_a, sa, sb) || !absorb(sim.events_b, seen_b, sb, sa)) return out;
    if (done()) {
      out.completed = true;
      break;
    }
    if (out.clear_error) break;
    if (sim.now >= restart_at) {
      Peer& p = restart_a ? a : b;
      Side& s = restart_a ? sa : sb;
      p.restart(sim.now);
      for (std::size_t i = s.confirmed; i < s.outbox.size(); ++i) REQUIRE(p.engine->send_message(s.outbox[i]));
      sim.a = a.engine.get();
      sim.b = b.engine.get();
      (restart_a ? seen_a : seen_b) = 0;
      (restart_a ? sim.events_a : sim.events_b).clear();
      restart_at = Timestamp::max();
      out.restarted = true;
    }
    if (stalled || sim.now > limit) {
      out.what = "hang: nothing happened by " + std::to_string(sim.now.time_since_epoch().count() / kSec) + " s";
      return out;
    }
    stalled = !sim.step();  // absorb the last events before calling it a hang
  }
  // Confirmed messages were delivered (the peer delivered before confirming).
  if (sb.delivered.size() < sa.confirmed || sa.delivered.size() < sb.confirmed) out.what = "confirmed but not delivered";
  out.sim_seconds = static_cast<double>(sim.now.time_since_epoch().count()) / kSec;
  return out;
}

// The result of moving one message A -> B.
struct Transfer {
  double seconds = 0;         // from start to the sender's confirmation
  std::uint64_t wire_bytes = 0;
  double efficiency = 0;      // payload / (seconds * bytes per second)
  double wire_efficiency = 0; // payload / bytes on the A->B wire
  EngineStats sender;
};

Transfer transfer(std::size_t payload, LineConfig line, EngineConfig config, std::uint64_t seed) {
  Peer a(config, seed, Timestamp{}), b(config, seed + 1, Timestamp{});
  LinkSim sim(line, line, seed);
  sim.a = a.engine.get();
  sim.b = b.engine.get();
  Bytes env = make_envelope(payload, seed);
  REQUIRE(a.engine->send_message(env));
  REQUIRE(sim.run_until([&] { return !events_of<event::MessageSent>(sim.events_a).empty(); }, at_micros(3600 * kSec)));
  REQUIRE(events_of<event::MessageReceived>(sim.events_b).at(0).envelope == env);
  Transfer t;
  t.seconds = static_cast<double>(first_time<event::MessageSent>(sim.events_a)->time_since_epoch().count()) / kSec;
  t.wire_bytes = sim.a_to_b().bytes_sent();
  t.efficiency = static_cast<double>(payload) / (t.seconds * line.bytes_per_second);
  t.wire_efficiency = static_cast<double>(payload) / static_cast<double>(t.wire_bytes);
  t.sender = a.engine->stats();
  return t;
}

void report(const char* what, const Transfer& t) {
  std::printf("  %-34s %6.2f%% of line time (%.1f s), %6.2f%% of wire bytes, %llu retransmissions, chunk %zu\n", what,
              100 * t.efficiency, t.seconds, 100 * t.wire_efficiency,
              static_cast<unsigned long long>(t.sender.retransmissions), t.sender.chunk_size);
}

}  // namespace

TEST_CASE("simulation: thousands of seeds deliver exactly once, intact, in order, or end in a clear error", "[proto][simulation]") {
  std::vector<LinkIdentity> ids;
  ids.push_back(LinkIdentity::generate(*std::make_unique<SeededRandom>(1)));
  ids.push_back(LinkIdentity::generate(*std::make_unique<SeededRandom>(2)));
  const int seeds = 10000;
  int completed = 0, errors = 0, survivable = 0, survived = 0, restarts = 0;
  double longest = 0;
  std::map<std::string, int> reasons;
  for (int seed = 1; seed <= seeds; ++seed) {
    Outcome o = run_scenario(static_cast<std::uint64_t>(seed), ids);
    CAPTURE(seed, o.what);
    REQUIRE((o.completed || o.clear_error));
    REQUIRE((o.what.empty() || o.clear_error));
    completed += o.completed;
    errors += o.clear_error;
    survivable += o.survivable;
    survived += o.survivable && o.completed;
    restarts += o.restarted;
    if (o.clear_error) ++reasons[o.what.substr(0, o.what.find(':', 8))];
    longest = std::max(longest, o.sim_seconds);
  }
  std::printf("simulation: %d seeds (%d with a restart), %d completed, %d ended in a clear error, longest %.0f simulated s\n",
              seeds, restarts, completed, errors, longest);
  for (const auto& [reason, n] : reasons) std::printf("  %4d %s\n", n, reason.c_str());
  // Most scenarios are survivable: almost all of those must complete, not just fail cleanly.
  CHECK(survived >= survivable * 97 / 100);
  CHECK(errors > 0);      // the cut-cable scenarios did run into the error path
  CHECK(restarts > 100);
}

TEST_CASE("simulation: 1 MiB over a clean 115200-baud line is at least 97% efficient in binary", "[proto][simulation]") {
  LineConfig line;  // 11520 bytes/s, 1 ms
  Transfer t = transfer(1 << 20, line, test_config(), 42);
  report("binary, clean:", t);
  CHECK(t.sender.tx_encoding == Encoding::binary);
  CHECK(t.efficiency >= 0.97);
}

TEST_CASE("simulation: 1 MiB at bit error rate 1e-5 is at least 85% efficient in binary", "[proto][simulation]") {
  LineConfig line;
  line.imp.ber = 1e-5;
  Transfer t = transfer(1 << 20, line, test_config(), 43);
  report("binary, BER 1e-5:", t);
  CHECK(t.efficiency >= 0.85);
}

TEST_CASE("simulation: 1 MiB over a clean line is at least 75% efficient in 7-bit", "[proto][simulation]") {
  LineConfig line;
  EngineConfig c = test_config();
  c.allow_binary = false;
  Transfer t = transfer(1 << 20, line, c, 44);
  report("7-bit, clean:", t);
  CHECK(t.sender.tx_encoding == Encoding::seven_bit);
  CHECK(t.efficiency >= 0.75);
}

TEST_CASE("simulation: 1 MiB at bit error rate 1e-4 still gets through efficiently", "[proto][simulation]") {
  LineConfig line;
  line.imp.ber = 1e-4;
  Transfer t = transfer(1 << 20, line, test_config(), 45);
  report("binary, BER 1e-4:", t);
  CHECK(t.efficiency >= 0.60);  // the bench target at 1e-4
}

TEST_CASE("simulation: a 2 KiB request answered by 4 KiB at 9600 baud takes at most 1.25 times its line time", "[proto][simulation]") {
  LineConfig line;
  line.bytes_per_second = 960;
  line.latency = Duration(1000);
  EngineConfig c = test_config(960);
  Peer zone(c, 1, Timestamp{}), ksk(c, 2, Timestamp{});
  LinkSim sim(line, line, 9600);
  sim.a = zone.engine.get();
  sim.b = ksk.engine.get();
  Bytes request = make_envelope(2048, 1), response = make_envelope(4096, 2);
  REQUIRE(zone.engine->send_message(request));
  bool answered = false;
  REQUIRE(sim.run_until(
      [&] {
        if (!answered && !events_of<event::MessageReceived>(sim.events_b).empty()) {
          REQUIRE(ksk.engine->send_message(response));  // the KSK side answers at once
          answered = true;
        }
        return !events_of<event::MessageReceived>(sim.events_a).empty();
      },
      at_micros(120 * kSec)));
  double elapsed = static_cast<double>(first_time<event::MessageReceived>(sim.events_a)->time_since_epoch().count()) / kSec;
  double line_time = static_cast<double>(request.size() + response.size()) / 960;
  std::printf("  request/response at 9600 baud: %.2f s for %.2f s of envelope line time (%.2fx)\n", elapsed, line_time,
              elapsed / line_time);
  CHECK(elapsed <= 1.25 * line_time);
}
