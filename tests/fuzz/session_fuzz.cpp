// The session engine fed by an adversary on both sides: two engines shake
// hands and one sends a message while the input injects raw bytes and frames
// forged with the live session tag (a man in the middle who read the HELLOs)
// into either side, and moves the clock. No crash, no unbounded growth, and
// nothing is ever delivered that was not sent.
#include <cstdint>
#include <memory>
#include <random>
#include <variant>
#include <vector>

#include "proto/envelope.hpp"
#include "proto/frame.hpp"
#include "proto/hello.hpp"
#include "proto/partial_store.hpp"
#include "proto/random.hpp"
#include "proto/session.hpp"
#include "tests/fuzz/fuzz_input.hpp"
#include "tests/proto/test_support.hpp"

using namespace kskline;
using namespace kskline::proto;

namespace {

// A deterministic Random (proto's test one), so that an input replays the same run.
using proto::testing::SeededRandom;

// One side: its engine, randomness and store.
struct Side {
  SeededRandom random;
  MemoryPartialStore store;
  std::unique_ptr<Engine> engine;
  Side(std::uint64_t seed, Timestamp now) : random(seed) {
    EngineConfig config;
    config.line_rate = 11520;
    config.max_message = 1 << 16;
    engine = std::make_unique<Engine>(config, random, now, &store);
  }
};

// The message A sends: a small envelope, the same every run.
Bytes the_message() {
  EnvelopeSpec s;
  s.kind = Kind::file;
  s.payload_type = PayloadType::octets;
  s.id.fill(0x42);
  Bytes payload(700);
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(i * 7);
  return *build_envelope(s, payload);
}

// The man in the middle: learns the session tag from HELLOs that carry both nonces.
struct Watcher {
  std::uint32_t tag = 0;
  void see(const Bytes& wire) {
    FrameDecoder decoder;
    std::vector<RawFrame> raws;
    decoder.feed(wire, raws);
    for (const auto& raw : raws) {
      auto f = open_frame(raw.logical, std::nullopt);
      if (!f || f->type != FrameType::hello) continue;
      if (auto h = parse_hello(f->payload); h && h->echo != Nonce{}) tag = session_tag(h->nonce, h->echo);
    }
  }
};

// Moves every frame each side has to send to the other, once.
void exchange(Side& a, Side& b, Timestamp now, Watcher& watcher) {
  while (auto f = a.engine->poll_transmit()) {
    watcher.see(*f);
    b.engine->handle_bytes(*f, now);
  }
  while (auto f = b.engine->poll_transmit()) {
    watcher.see(*f);
    a.engine->handle_bytes(*f, now);
  }
}

// Drains the events of one side, checking that a delivered message is the one sent.
void drain(Side& s, const Bytes& sent) {
  while (auto e = s.engine->poll_event()) {
    if (auto* m = std::get_if<event::MessageReceived>(&*e); m && m->envelope != sent) fuzz::property_failed();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput in(data, size);
  Timestamp now = at_micros(1'000'000);
  Side a(1, now), b(2, now);
  const Bytes sent = the_message();
  Watcher watcher;
  for (int i = 0; i < 8; ++i) exchange(a, b, now, watcher);  // the handshake, undisturbed
  if (!a.engine->send_message(sent)) fuzz::property_failed();

  for (int steps = 0; in.more() && steps < 4096; ++steps) {
    const std::uint8_t op = in.u8();
    Side& target = op & 0x10 ? a : b;
    switch (op % 4) {
      case 0:  // raw bytes on the line
        target.engine->handle_bytes(in.bytes(in.u8()), now);
        break;
      case 1: {  // a frame forged with the live session tag (or none yet)
        Frame f;
        f.type = static_cast<FrameType>(in.u8() % 9);
        f.flags = in.u8();
        f.seq = in.u16();
        f.ack = in.u16();
        ByteView payload = in.bytes(in.u8());
        f.payload.assign(payload.begin(), payload.end());
        const Encoding enc = op & 0x20 ? Encoding::binary : Encoding::seven_bit;
        target.engine->handle_bytes(encode_frame(f, enc, EscapeSet(), watcher.tag), now);
        break;
      }
      case 2:  // the honest traffic flows
        exchange(a, b, now, watcher);
        break;
      case 3:  // time passes
        now += Duration(static_cast<std::int64_t>(in.u16()) * 1000);
        a.engine->handle_timeout(now);
        b.engine->handle_timeout(now);
        break;
    }
    drain(a, sent);
    drain(b, sent);
  }
  // Then the line is left alone for a while: still no crash, nothing forged delivered.
  for (int i = 0; i < 64; ++i) {
    exchange(a, b, now, watcher);
    now += Duration(250'000);
    a.engine->handle_timeout(now);
    b.engine->handle_timeout(now);
    drain(a, sent);
    drain(b, sent);
  }
  return 0;
}
