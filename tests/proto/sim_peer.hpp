// Endpoints for session and simulation tests: an engine with its own seeded
// Random and store, a handshake completed by hand as a fake peer, and helpers
// to build envelopes and read events.
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <variant>
#include <vector>

#include "link_sim.hpp"
#include "proto/envelope.hpp"
#include "proto/partial_store.hpp"
#include "proto/session.hpp"
#include "test_support.hpp"

namespace kskline::proto::testing {

// A test endpoint. restart() replaces the engine (a process restart) but
// keeps the store, as a transport's disk store would.
struct Peer {
  EngineConfig config;
  std::uint64_t seed;
  SeededRandom random;
  MemoryPartialStore store;
  std::unique_ptr<Engine> engine;

  Peer(EngineConfig c, std::uint64_t s, Timestamp now) : config(std::move(c)), seed(s), random(s) {
    engine = std::make_unique<Engine>(config, random, now, &store);
  }
  void restart(Timestamp now) {
    random = SeededRandom(++seed * 7919);
    engine = std::make_unique<Engine>(config, random, now, &store);
  }
};

// Completes a handshake with an engine by hand, as a fake peer; returns the session tag.
inline std::uint32_t fake_handshake(Engine& e, const Nonce& peer_nonce, Timestamp now) {
  auto first = e.poll_transmit();  // the engine's HELLO
  REQUIRE(first);
  FrameDecoder d;
  std::vector<RawFrame> raws;
  d.feed(*first, raws);
  REQUIRE(raws.size() == 1);
  auto theirs = parse_hello(open_frame(raws[0].logical, std::nullopt)->payload);
  REQUIRE(theirs);
  Hello ours;
  ours.nonce = peer_nonce;
  ours.echo = theirs->nonce;
  ours.confirmed = true;
  e.handle_bytes(encode_frame(Frame{FrameType::hello, 0, 0, 0, encode_hello(ours)}, Encoding::seven_bit, EscapeSet(), 0), now);
  REQUIRE(e.phase() == Engine::Phase::established);
  return session_tag(theirs->nonce, peer_nonce);
}

// A config for tests: defaults with the line rate set.
inline EngineConfig test_config(std::uint32_t line_rate = 11520) {
  EngineConfig c;
  c.line_rate = line_rate;
  return c;
}

// An envelope with a random payload of n bytes (its id from the seed).
inline Bytes make_envelope(std::size_t n, std::uint64_t seed, const LinkIdentity* signer = nullptr) {
  EnvelopeSpec s;
  s.kind = Kind::file;
  s.payload_type = PayloadType::octets;
  Bytes id = random_bytes(16, seed ^ 0x5eed);
  std::copy(id.begin(), id.end(), s.id.begin());
  auto env = build_envelope(s, random_bytes(n, seed), signer);
  if (!env) throw std::logic_error("make_envelope");
  return *env;
}

// The events of type T in a list.
template <class T>
std::vector<T> events_of(const std::vector<TimedEvent>& events) {
  std::vector<T> out;
  for (const auto& e : events) {
    if (const T* p = std::get_if<T>(&e.event)) out.push_back(*p);
  }
  return out;
}

// The time of the first event of type T, if any.
template <class T>
std::optional<Timestamp> first_time(const std::vector<TimedEvent>& events) {
  for (const auto& e : events) {
    if (std::holds_alternative<T>(e.event)) return e.at;
  }
  return std::nullopt;
}

}  // namespace kskline::proto::testing
