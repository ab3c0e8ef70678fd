// Hostile input: garbage, and a man in the middle who reads the nonces from
// the HELLOs, so his forged frames carry valid checks. The engine must not
// crash, grow without bound or deliver anything that was not sent.
#include <catch2/catch.hpp>

#include <cstdio>
#include <random>

#include "proto/errc.hpp"
#include "proto/seven_bit.hpp"
#include "sim_peer.hpp"

using namespace kskline;
using namespace kskline::proto;
using namespace kskline::proto::testing;

namespace {

// Watches HELLOs in both directions to learn the session tag, and rewrites
// bound frames at random with a valid check.
class Forger {
 public:
  Forger(std::uint64_t seed, double rate, std::shared_ptr<int> forged)
      : rng_(seed), rate_(rate), forged_(std::move(forged)) {}

  Bytes operator()(Bytes wire) {
    auto decoded = decode(wire);
    if (!decoded) return wire;
    auto& [logical, enc] = *decoded;
    if (auto hello = open_frame(logical, std::nullopt); hello && hello->type == FrameType::hello) {
      // A HELLO carries both nonces once its sender heard the peer.
      if (auto h = parse_hello(hello->payload); h && h->echo != Nonce{}) tag_ = session_tag(h->nonce, h->echo);
      return wire;
    }
    if (!tag_ || std::uniform_real_distribution<double>(0, 1)(rng_) >= rate_) return wire;
    auto f = open_frame(logical, tag_);
    if (!f) return wire;
    mutate(*f);
    ++*forged_;
    return encode_frame(*f, enc, EscapeSet(), *tag_);
  }

 private:
  std::optional<std::pair<Bytes, Encoding>> decode(const Bytes& wire) {
    FrameDecoder d;
    std::vector<RawFrame> raws;
    d.feed(wire, raws);
    if (raws.size() != 1) return std::nullopt;
    return std::make_pair(raws[0].logical, raws[0].encoding);
  }

  void mutate(Frame& f) {
    switch (rng_() % 7) {
      case 0: f.seq = static_cast<std::uint16_t>(rng_()); break;
      case 1: f.ack = static_cast<std::uint16_t>(rng_()); break;
      case 2: f.flags = static_cast<std::uint8_t>(rng_()); break;
      case 3: f.type = static_cast<FrameType>(rng_() % 7 + 1); break;
      case 4:
        if (!f.payload.empty()) f.payload[rng_() % f.payload.size()] = static_cast<std::uint8_t>(rng_());
        break;
      case 5: f.payload.resize(rng_() % (f.payload.size() + 8)); break;
      case 6:  // a forged record: an offer of a huge message, or a status with wild ranges
        if (rng_() % 2) {
          f.payload = encode_record(OfferRecord{Sha256{}, 0xFFFFFFFFFFull, 1});
        } else {
          f.payload = encode_record(StatusRecord{Sha256{}, Disposition::accepting, RefuseReason::none,
                                                 {{0xFFFFFFF0u, 0xFFFFFFFFu}, {0, 0xFFFFFFFFu}}});
        }
        break;
    }
  }

  std::mt19937_64 rng_;
  double rate_;
  std::shared_ptr<int> forged_;
  std::optional<std::uint32_t> tag_;
};

}  // namespace

TEST_CASE("hostile: random bytes never crash an engine in any phase", "[proto][hostile]") {
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    Peer a(test_config(), seed, Timestamp{}), b(test_config(), seed + 1000, Timestamp{});
    LinkSim sim({}, {}, seed);
    sim.a = a.engine.get();
    sim.b = b.engine.get();
    REQUIRE(a.engine->send_message(make_envelope(5000, seed)));
    std::mt19937_64 rng(seed);
    for (int round = 0; round < 40; ++round) {
      Bytes junk = random_bytes(rng() % 3000, seed * 100 + static_cast<std::uint64_t>(round));
      // Sprinkle frame starts so the decoder works hard.
      for (std::size_t i = 0; i < junk.size(); i += 37) junk[i] = (rng() % 2) ? kDelimiter : kTextStart;
      b.engine->handle_bytes(junk, sim.now);
      sim.step();
    }
    sim.run_until([&] { return !events_of<event::MessageSent>(sim.events_a).empty(); }, sim.now + Duration(60'000'000));
    for (const auto& m : events_of<event::MessageReceived>(sim.events_b)) CHECK(m.envelope == make_envelope(5000, seed));
  }
}

TEST_CASE("hostile: forged frames with valid checks never crash an engine or corrupt a delivery", "[proto][hostile]") {
  int delivered = 0;
  auto forged = std::make_shared<int>(0);
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    EngineConfig c = test_config(115200);
    c.reconnect = seed % 2 == 0;
    c.hello_wait = Duration(120'000'000);
    Peer a(c, seed, Timestamp{}), b(c, seed + 1000, Timestamp{});
    LineConfig line;
    line.bytes_per_second = 115200;
    LinkSim sim(line, line, seed);
    sim.a = a.engine.get();
    sim.b = b.engine.get();
    sim.a_to_b().tamper = Forger(seed, 0.05, forged);
    sim.b_to_a().tamper = Forger(seed + 7, 0.05, forged);
    std::vector<Bytes> sent = {make_envelope(20000, seed), make_envelope(3000, seed + 1)};
    for (const auto& e : sent) REQUIRE(a.engine->send_message(e));
    sim.run_until(
        [&] {
          return events_of<event::MessageSent>(sim.events_a).size() + events_of<event::MessageFailed>(sim.events_a).size() == 2 ||
                 !events_of<event::Closed>(sim.events_a).empty() || !events_of<event::Closed>(sim.events_b).empty();
        },
        at_micros(600'000'000));
    // Whatever was delivered is a message that was sent, intact.
    for (const auto& m : events_of<event::MessageReceived>(sim.events_b)) {
      CAPTURE(seed);
      CHECK((m.envelope == sent[0] || m.envelope == sent[1]));
      ++delivered;
    }
  }
  std::printf("hostile: %d frames forged, %d messages delivered intact\n", *forged, delivered);
  CHECK(*forged > 500);     // the forger really forged
  CHECK(delivered > 100);  // and did not simply stop everything
}

TEST_CASE("hostile: a peer flooding records to answer is refused, not buffered without bound", "[proto][hostile]") {
  SeededRandom r(1);
  EngineConfig c = test_config();
  c.window = 1024;
  Engine e(c, r, Timestamp{});
  Nonce peer{};
  peer[0] = 0x99;
  std::uint32_t tag = fake_handshake(e, peer, at_micros(1000));
  // 300 OFFERs in order, and the engine never gets to transmit its answers.
  for (std::uint16_t seq = 0; seq < 300 && e.phase() == Engine::Phase::established; ++seq) {
    Sha256 d{};
    d[0] = static_cast<std::uint8_t>(seq);
    d[1] = static_cast<std::uint8_t>(seq >> 8);
    Frame f{FrameType::data, 0, seq, 0, encode_record(OfferRecord{d, 1000, 4096})};
    e.handle_bytes(encode_frame(f, Encoding::binary, EscapeSet(), tag), at_micros(2000));
  }
  CHECK(e.phase() == Engine::Phase::closed);
  bool refused = false;
  while (auto ev = e.poll_event()) {
    if (auto* closed = std::get_if<event::Closed>(&*ev)) refused = closed->error.code == errc::protocol_violation;
  }
  CHECK(refused);
}

TEST_CASE("hostile: a fake peer that skips the handshake gets nothing through", "[proto][hostile]") {
  SeededRandom r(1);
  Engine e(test_config(), r, Timestamp{});
  // Bound frames with a guessed tag before any HELLO: dropped as noise.
  Frame f{FrameType::data, 0, 0, 0, encode_record(OfferRecord{Sha256{}, 1000, 4096})};
  for (std::uint32_t tag : {0u, 1u, 0xFFFFFFFFu}) e.handle_bytes(encode_frame(f, Encoding::binary, EscapeSet(), tag), at_micros(10));
  CHECK(e.phase() == Engine::Phase::handshake);
  CHECK_FALSE(e.poll_event());
  CHECK(e.stats().frames_bad == 3);
}
