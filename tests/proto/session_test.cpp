#include <catch2/catch.hpp>

#include <algorithm>

#include "proto/errc.hpp"
#include "sim_peer.hpp"

using namespace kskline;
using namespace kskline::proto;
using namespace kskline::proto::testing;

namespace {

constexpr Duration kSec{1'000'000};

Timestamp secs(double s) { return at_micros(static_cast<std::int64_t>(s * 1e6)); }

// Two peers on one simulated line.
struct Pair {
  Peer a, b;
  LinkSim sim;
  Pair(EngineConfig ca, EngineConfig cb, LineConfig line = {}, std::uint64_t seed = 1, Timestamp start = {})
      : a(std::move(ca), seed * 10 + 1, start), b(std::move(cb), seed * 10 + 2, start), sim(line, line, seed) {
    sim.now = start;
    wire();
  }
  void wire() {
    sim.a = a.engine.get();
    sim.b = b.engine.get();
  }
  bool run(const std::function<bool()>& done, double limit_s) { return sim.run_until(done, sim.now + Duration(static_cast<std::int64_t>(limit_s * 1e6))); }
  std::size_t received_b() const { return events_of<event::MessageReceived>(sim.events_b).size(); }
  std::size_t sent_a() const { return events_of<event::MessageSent>(sim.events_a).size(); }
};

LinkIdentity identity(std::uint64_t seed) {
  SeededRandom r(seed);
  return LinkIdentity::generate(r);
}

// Errors of a storage layer outside proto, numbered as transport::errc
// (io_error is 6 there, and 6 is auth_unsigned in proto::errc).
class StorageCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "test.storage"; }
  std::string message(int) const override { return "storage failed"; }
};
const StorageCategory storage_category;
const std::error_code kStorageIoError(6, storage_category);

// A store in memory that cannot record a delivery, as a disk store whose
// completed list cannot be appended to (a full or failing disk).
class StoreThatCannotRecord final : public PartialStore {
 public:
  bool completed(const Sha256& d) override { return memory_.completed(d); }
  Result<void> mark_completed(const Sha256&) override {
    return fail(kStorageIoError, "append: No space left on device", "store/completed");
  }
  Result<void> open(const Sha256& d, std::uint64_t total) override { return memory_.open(d, total); }
  std::vector<BlockRange> held_blocks(const Sha256& d, std::uint32_t bs) override { return memory_.held_blocks(d, bs); }
  Result<void> write(const Sha256& d, std::uint64_t offset, ByteView data) override { return memory_.write(d, offset, data); }
  bool complete(const Sha256& d) override { return memory_.complete(d); }
  Result<Bytes> take(const Sha256& d) override { return memory_.take(d); }
  void erase(const Sha256& d) override { memory_.erase(d); }

 private:
  MemoryPartialStore memory_;
};

}  // namespace

TEST_CASE("session: messages cross a clean line in order and are confirmed", "[proto][session]") {
  Pair p(test_config(), test_config());
  std::vector<Bytes> sent = {make_envelope(10, 1), make_envelope(20000, 2), make_envelope(0, 3)};
  for (const auto& e : sent) REQUIRE(p.a.engine->send_message(e));
  REQUIRE(p.run([&] { return p.sent_a() == 3; }, 60));
  auto got = events_of<event::MessageReceived>(p.sim.events_b);
  REQUIRE(got.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) CHECK(got[i].envelope == sent[i]);
  CHECK(events_of<event::Connected>(p.sim.events_a).size() == 1);
  CHECK(events_of<event::Connected>(p.sim.events_b).size() == 1);
  CHECK(p.a.engine->stats().tx_encoding == Encoding::binary);
  CHECK(p.b.engine->stats().tx_encoding == Encoding::binary);
  CHECK(p.a.engine->phase() == Engine::Phase::established);
  // Both become idle once the DONE records are acknowledged.
  REQUIRE(p.run([&] { return p.a.engine->idle() && p.b.engine->idle(); }, 10));
}

TEST_CASE("session: messages flow both ways at once", "[proto][session]") {
  Pair p(test_config(), test_config());
  Bytes ab = make_envelope(30000, 4), ba = make_envelope(25000, 5);
  REQUIRE(p.a.engine->send_message(ab));
  REQUIRE(p.b.engine->send_message(ba));
  REQUIRE(p.run([&] { return p.sent_a() == 1 && events_of<event::MessageSent>(p.sim.events_b).size() == 1; }, 60));
  CHECK(events_of<event::MessageReceived>(p.sim.events_b).at(0).envelope == ab);
  CHECK(events_of<event::MessageReceived>(p.sim.events_a).at(0).envelope == ba);
}

TEST_CASE("session: either side may start first, HELLO repeats until answered", "[proto][session]") {
  for (bool a_first : {true, false}) {
    CAPTURE(a_first);
    // The early side runs alone for 5.5 s: it repeats HELLO once a second.
    SeededRandom r(1);
    EngineConfig cfg = test_config();
    auto early = std::make_unique<Engine>(cfg, r, Timestamp{});
    int hellos = 0;
    for (int ms = 0; ms <= 5500; ms += 10) {
      early->handle_timeout(at_micros(ms * 1000));
      while (auto f = early->poll_transmit()) {
        ++hellos;
        CHECK(f->front() == ':');  // HELLO always goes 7-bit
      }
    }
    CHECK(hellos == 6);
    // Then the other side starts; the early one answers at once.
    Peer late(test_config(), 99, secs(5.5));
    LinkSim sim({}, {}, 3);
    sim.now = secs(5.5);
    sim.a = a_first ? early.get() : late.engine.get();
    sim.b = a_first ? late.engine.get() : early.get();
    REQUIRE(sim.run_until([&] { return !events_of<event::Connected>(sim.events_a).empty() &&
                                       !events_of<event::Connected>(sim.events_b).empty(); },
                          secs(7)));
    CHECK(sim.now < secs(5.7));
  }
}

TEST_CASE("session: the handshake gives up after the configured wait with a clear error", "[proto][session]") {
  SeededRandom r(1);
  EngineConfig cfg = test_config();
  cfg.hello_wait = Duration(10 * kSec);
  Engine e(cfg, r, Timestamp{});
  std::optional<Event> ev;
  Timestamp t{};
  while (!ev) {
    auto next = e.poll_timeout();
    REQUIRE(next);
    t = std::max(*next, t);
    e.handle_timeout(t);
    while (e.poll_transmit()) {
    }
    ev = e.poll_event();
  }
  auto* closed = std::get_if<event::Closed>(&*ev);
  REQUIRE(closed);
  CHECK(closed->error.code == errc::handshake_timeout);
  CHECK(closed->error.message().find("10 s") != std::string::npos);
  CHECK(t == secs(10));
  CHECK(e.phase() == Engine::Phase::closed);
  CHECK_FALSE(e.poll_timeout());
  CHECK(e.send_message(make_envelope(1, 1)).error().code == errc::closed);
}

TEST_CASE("session: a peer with no common version is refused clearly on both sides", "[proto][session]") {
  SeededRandom r(1);
  Engine e(test_config(), r, Timestamp{});
  Hello newer;
  newer.nonce[0] = 7;
  newer.min_version = 2;
  newer.max_version = 4;
  Bytes hello = encode_frame(Frame{FrameType::hello, 0, 0, 0, encode_hello(newer)}, Encoding::seven_bit, EscapeSet(), 0);
  e.handle_bytes(hello, secs(0.1));
  auto ev = e.poll_event();
  REQUIRE(ev);
  auto* closed = std::get_if<event::Closed>(&*ev);
  REQUIRE(closed);
  CHECK(closed->error.code == errc::version_mismatch);
  CHECK(closed->error.message().find("2..4") != std::string::npos);
  // Its REFUSE tells the newer peer why.
  auto refuse = e.poll_transmit();
  REQUIRE(refuse);
  SeededRandom r2(2);
  Engine other(test_config(), r2, Timestamp{});
  other.handle_bytes(*refuse, secs(0.2));
  auto ev2 = other.poll_event();
  REQUIRE(ev2);
  auto* refused = std::get_if<event::Closed>(&*ev2);
  REQUIRE(refused);
  CHECK(refused->error.code == errc::peer_refused);
  CHECK(refused->error.message().find("protocol version") != std::string::npos);
  // A repeated HELLO gets the REFUSE again.
  e.handle_bytes(hello, secs(1.1));
  CHECK(e.poll_transmit() == refuse);
}

TEST_CASE("session: binary is used only after the probe, a line that strips bit 7 stays 7-bit", "[proto][session]") {
  LineConfig line;
  line.imp.strip_bit7 = true;
  Pair p(test_config(), test_config(), line);
  Bytes env = make_envelope(5000, 6);
  REQUIRE(p.a.engine->send_message(env));
  REQUIRE(p.run([&] { return p.sent_a() == 1; }, 60));
  CHECK(events_of<event::MessageReceived>(p.sim.events_b).at(0).envelope == env);
  CHECK(p.a.engine->stats().tx_encoding == Encoding::seven_bit);
  CHECK(p.b.engine->stats().tx_encoding == Encoding::seven_bit);
}

TEST_CASE("session: with the XON/XOFF option no flow-control byte crosses the line raw", "[proto][session]") {
  EngineConfig a = test_config();
  a.escape_xonxoff = true;  // one side asks; the union applies to both
  Pair p(a, test_config());
  Bytes wire_ab, wire_ba;
  p.sim.a_to_b().record = &wire_ab;
  p.sim.b_to_a().record = &wire_ba;
  // Payload rich in 11 13 91 93.
  Bytes payload(20000);
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = std::array<std::uint8_t, 4>{0x11, 0x13, 0x91, 0x93}[i % 4];
  EnvelopeSpec s;
  Bytes env = *build_envelope(s, payload);
  Bytes env2 = *build_envelope(s, Bytes(3000, 0x13));
  REQUIRE(p.a.engine->send_message(env));
  REQUIRE(p.b.engine->send_message(env2));
  REQUIRE(p.run([&] { return p.sent_a() == 1 && events_of<event::MessageSent>(p.sim.events_b).size() == 1; }, 60));
  CHECK(p.a.engine->stats().tx_encoding == Encoding::binary);
  for (const Bytes* w : {&wire_ab, &wire_ba}) {
    for (std::uint8_t v : {0x11, 0x13, 0x91, 0x93}) CHECK(std::count(w->begin(), w->end(), v) == 0);
  }
  CHECK(events_of<event::MessageReceived>(p.sim.events_b).at(0).envelope == env);
}

TEST_CASE("session: authenticated sessions bind both HELLOs and accept signed messages", "[proto][session]") {
  LinkIdentity ia = identity(1), ib = identity(2);
  EngineConfig ca = test_config(), cb = test_config();
  ca.identity = &ia;
  cb.identity = &ib;
  ca.signs_messages = cb.signs_messages = true;
  ca.auth = cb.auth = AuthPolicy::required;
  ca.pinned.add(ib.public_key());
  cb.pinned.add(ia.public_key());
  Pair p(ca, cb);
  Bytes env = make_envelope(3000, 7, &ia);
  REQUIRE(p.a.engine->send_message(env));
  REQUIRE(p.run([&] { return p.sent_a() == 1; }, 60));
  auto conn = events_of<event::Connected>(p.sim.events_b);
  REQUIRE(conn.size() == 1);
  CHECK(conn[0].peer_authenticated);
  CHECK(conn[0].peer_identity == ia.public_key());
  auto got = events_of<event::MessageReceived>(p.sim.events_b);
  REQUIRE(got.size() == 1);
  CHECK(got[0].auth == AuthStatus::authenticated);

  SECTION("an unsigned message from a peer that announced SIGNS is a downgrade") {
    Bytes plain = make_envelope(100, 8);
    REQUIRE(p.a.engine->send_message(plain));
    REQUIRE(p.run([&] { return !events_of<event::MessageFailed>(p.sim.events_a).empty(); }, 30));
    auto rejected = events_of<event::MessageRejected>(p.sim.events_b);
    REQUIRE(rejected.size() == 1);
    CHECK(rejected[0].error.code == errc::auth_downgrade);
    auto failed = events_of<event::MessageFailed>(p.sim.events_a);
    CHECK(failed[0].error.code == errc::message_rejected);
    CHECK(failed[0].error.message().find("downgrade") != std::string::npos);
  }
}

TEST_CASE("session: a receiver whose store fails tells the sender so, not another reason", "[proto][session]") {
  // The store's error is of another category with the value 6: the sender
  // must not read it as proto::errc 6 (auth_unsigned).
  StoreThatCannotRecord store;
  SeededRandom ra(11), rb(12);
  Engine a(test_config(), ra, Timestamp{});
  Engine b(test_config(), rb, Timestamp{}, &store);
  LinkSim sim({}, {}, 1);
  sim.a = &a;
  sim.b = &b;
  REQUIRE(a.send_message(make_envelope(3000, 21)));
  REQUIRE(sim.run_until([&] { return !events_of<event::MessageFailed>(sim.events_a).empty(); }, secs(30)));
  auto rejected = events_of<event::MessageRejected>(sim.events_b);
  REQUIRE(rejected.size() == 1);
  CHECK(rejected[0].error.code == kStorageIoError);
  CHECK(events_of<event::MessageReceived>(sim.events_b).empty());
  auto failed = events_of<event::MessageFailed>(sim.events_a);
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].error.code == errc::message_rejected);
  CAPTURE(failed[0].error.message());
  CHECK(failed[0].error.message().find("the receiver failed on its side") != std::string::npos);
  CHECK(failed[0].error.message().find("unsigned") == std::string::npos);
}

TEST_CASE("session: each session refusal has its own error", "[proto][session]") {
  LinkIdentity ia = identity(1), ib = identity(2), stranger = identity(3);
  EngineConfig strict = test_config();
  strict.identity = &ib;
  strict.auth = AuthPolicy::required;
  strict.pinned.add(ia.public_key());

  SECTION("a peer without identity under required") {
    Pair p(test_config(), strict);
    REQUIRE(p.run([&] { return !events_of<event::Closed>(p.sim.events_b).empty() &&
                               !events_of<event::Closed>(p.sim.events_a).empty(); }, 10));
    CHECK(events_of<event::Closed>(p.sim.events_b)[0].error.code == errc::auth_unsigned);
    auto a_closed = events_of<event::Closed>(p.sim.events_a)[0].error;
    CHECK(a_closed.code == errc::peer_refused);
    CHECK(a_closed.message().find("no link identity") != std::string::npos);
  }
  SECTION("a peer whose key is not pinned") {
    EngineConfig ca = test_config();
    ca.identity = &stranger;
    Pair p(ca, strict);
    REQUIRE(p.run([&] { return !events_of<event::Closed>(p.sim.events_b).empty(); }, 10));
    CHECK(events_of<event::Closed>(p.sim.events_b)[0].error.code == errc::auth_unknown_key);
  }
  SECTION("a HELLO altered in transit breaks the binding signature") {
    EngineConfig ca = test_config();
    ca.identity = &ia;
    Pair p(ca, strict);
    // The man in the middle lowers the window announced in A's HELLOs.
    p.sim.a_to_b().tamper = [](Bytes frame) {
      if (frame.empty() || frame[0] != ':') return frame;
      Bytes logical;
      if (!seven_bit::decode(ByteView(frame).subspan(1, frame.size() - 2), logical)) return frame;
      auto f = open_frame(logical, std::nullopt);
      if (!f || f->type != FrameType::hello) return frame;
      f->payload[41] = 33;  // window 64 -> 33
      return encode_frame(*f, Encoding::seven_bit, EscapeSet(), 0);
    };
    REQUIRE(p.run([&] { return !events_of<event::Closed>(p.sim.events_b).empty(); }, 10));
    CHECK(events_of<event::Closed>(p.sim.events_b)[0].error.code == errc::auth_bad_signature);
  }
  SECTION("a peer that announces an identity but does not bind is a downgrade") {
    // A BIND stripped in transit: A's first DATA frame is dropped for good by
    // announcing the identity but configuring none to sign with is not
    // possible, so strip the IDENTITY bit... instead announce a key B pins
    // while A has no identity object: emulate by a HELLO rewrite.
    EngineConfig ca = test_config();
    EngineConfig cb = test_config();
    cb.auth = AuthPolicy::optional;
    Pair p(ca, cb);
    PublicKey fake = ia.public_key();
    p.sim.a_to_b().tamper = [fake](Bytes frame) {
      if (frame.empty() || frame[0] != ':') return frame;
      Bytes logical;
      if (!seven_bit::decode(ByteView(frame).subspan(1, frame.size() - 2), logical)) return frame;
      auto f = open_frame(logical, std::nullopt);
      if (!f || f->type != FrameType::hello) return frame;
      auto h = parse_hello(f->payload);
      h->identity = fake;
      f->payload = encode_hello(*h);
      return encode_frame(*f, Encoding::seven_bit, EscapeSet(), 0);
    };
    REQUIRE(p.a.engine->send_message(make_envelope(10, 1)));
    REQUIRE(p.run([&] { return !events_of<event::Closed>(p.sim.events_b).empty(); }, 10));
    CHECK(events_of<event::Closed>(p.sim.events_b)[0].error.code == errc::auth_downgrade);
  }
}

TEST_CASE("session: a restarted sender is recognised and the message resumes from the blocks held", "[proto][session]") {
  Pair p(test_config(), test_config());
  const std::size_t size = 200000;
  Bytes env = make_envelope(size, 9);
  auto digest = *trailing_digest(env);
  REQUIRE(p.a.engine->send_message(env));
  REQUIRE(p.run([&] { return p.b.store.held_bytes(digest) >= size / 2; }, 60));
  p.a.restart(p.sim.now);
  p.wire();
  REQUIRE(p.a.engine->send_message(env));
  REQUIRE(p.run([&] { return p.sent_a() == 1; }, 60));
  CHECK(events_of<event::PeerRestarted>(p.sim.events_b).size() == 1);
  auto got = events_of<event::MessageReceived>(p.sim.events_b);
  REQUIRE(got.size() == 1);
  CHECK(got[0].envelope == env);
  // The new sender sent well under the whole message again.
  auto resent = p.a.engine->stats().chunk_bytes_sent;
  CAPTURE(resent);
  CHECK(resent < size * 6 / 10);
}

TEST_CASE("session: a restarted receiver keeps its store and the sender resumes", "[proto][session]") {
  Pair p(test_config(), test_config());
  const std::size_t size = 200000;
  Bytes env = make_envelope(size, 10);
  auto digest = *trailing_digest(env);
  REQUIRE(p.a.engine->send_message(env));
  REQUIRE(p.run([&] { return p.b.store.held_bytes(digest) >= size / 2; }, 60));
  p.b.restart(p.sim.now);
  p.wire();
  REQUIRE(p.run([&] { return p.sent_a() == 1; }, 120));
  CHECK(events_of<event::PeerRestarted>(p.sim.events_a).size() == 1);
  auto got = events_of<event::MessageReceived>(p.sim.events_b);
  REQUIRE(got.size() == 1);
  CHECK(got[0].envelope == env);
  CHECK(p.a.engine->stats().chunk_bytes_sent < size * 16 / 10);
}

TEST_CASE("session: a delivered message is never delivered twice after a restart", "[proto][session]") {
  Pair p(test_config(), test_config());
  const std::size_t size = 100000;
  Bytes env = make_envelope(size, 11);
  REQUIRE(p.a.engine->send_message(env));
  REQUIRE(p.run([&] { return p.received_b() == 1; }, 30));
  // The sender restarts before it hears DONE and sends the message again:
  // the receiver answers "complete" and nothing is delivered twice.
  p.a.restart(p.sim.now);
  p.wire();
  REQUIRE(p.a.engine->send_message(env));
  REQUIRE(p.run([&] { return p.sent_a() == 1; }, 30));
  CHECK(p.received_b() == 1);
  // Only what left before the STATUS came back was sent again.
  CHECK(p.a.engine->stats().chunk_bytes_sent < size / 10);
}

TEST_CASE("session: a pulled cable ends in link lost, and the transfer resumes when it is back", "[proto][session]") {
  LineConfig line;
  line.imp.outages = {{Duration(5 * kSec), Duration(120 * kSec)}};
  Pair p(test_config(), test_config(), line);
  const std::size_t size = 150000;
  Bytes env = make_envelope(size, 12);
  auto digest = *trailing_digest(env);
  REQUIRE(p.a.engine->send_message(env));
  REQUIRE(p.run([&] { return p.sim.now >= secs(5.1); }, 10));
  std::uint64_t held = p.b.store.held_bytes(digest);
  CHECK(held > 20000);
  REQUIRE(p.run([&] { return !events_of<event::LinkLost>(p.sim.events_a).empty(); }, 300));
  std::uint64_t before = p.a.engine->stats().chunk_bytes_sent;
  REQUIRE(p.run([&] { return p.sent_a() == 1; }, 600));
  auto got = events_of<event::MessageReceived>(p.sim.events_b);
  REQUIRE(got.size() == 1);
  CHECK(got[0].envelope == env);
  CHECK(p.a.engine->stats().sessions >= 2);
  // After the cable is back, only what the receiver lacked is sent again.
  std::uint64_t resent = p.a.engine->stats().chunk_bytes_sent - before;
  CAPTURE(held, resent);
  CHECK(resent < size - held + 16384);
}

TEST_CASE("session: without reconnect a dead line closes with link lost within the retry budget", "[proto][session]") {
  LineConfig line;
  line.imp.outages = {{Duration(2 * kSec), Duration(100000 * kSec)}};
  EngineConfig c = test_config();
  c.reconnect = false;
  Pair p(c, c, line);
  REQUIRE(p.a.engine->send_message(make_envelope(100000, 13)));
  REQUIRE(p.run([&] { return !events_of<event::Closed>(p.sim.events_a).empty() &&
                             !events_of<event::Closed>(p.sim.events_b).empty(); }, 3600));
  auto closed = events_of<event::Closed>(p.sim.events_a);
  CHECK(closed[0].error.code == errc::link_lost);
  CHECK(closed[0].error.message().find("link lost") != std::string::npos);
  CHECK(p.sim.now < secs(300));
}

TEST_CASE("session: a message larger than the peer accepts fails without being sent", "[proto][session]") {
  EngineConfig cb = test_config();
  cb.max_message = 5000;
  Pair p(test_config(), cb);
  Bytes big = make_envelope(6000, 14), small = make_envelope(100, 15);
  REQUIRE(p.a.engine->send_message(big));
  REQUIRE(p.a.engine->send_message(small));
  REQUIRE(p.run([&] { return p.sent_a() == 1; }, 30));
  auto failed = events_of<event::MessageFailed>(p.sim.events_a);
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].error.code == errc::message_refused);
  CHECK(p.a.engine->stats().chunk_bytes_sent == small.size());
  CHECK(events_of<event::MessageReceived>(p.sim.events_b).at(0).envelope == small);
}

TEST_CASE("session: send_message refuses envelopes that do not check", "[proto][session]") {
  SeededRandom r(1);
  Engine e(test_config(), r, Timestamp{});
  Bytes env = make_envelope(10, 1);
  env[80] ^= 1;
  CHECK(e.send_message(env).error().code == errc::digest_mismatch);
  CHECK(e.send_message(Bytes(10, 0)).error().code == errc::malformed);
}

TEST_CASE("session: an idle link stays up on keepalives", "[proto][session]") {
  Pair p(test_config(), test_config());
  REQUIRE(p.run([&] { return p.sim.now > secs(300); }, 400));
  CHECK(events_of<event::LinkLost>(p.sim.events_a).empty());
  CHECK(events_of<event::LinkLost>(p.sim.events_b).empty());
  auto frames = p.a.engine->stats().frames_sent;
  CHECK(frames > 300 / 5 - 5);
  CHECK(frames < 300 / 5 * 3);
  REQUIRE(p.a.engine->send_message(make_envelope(100, 16)));
  REQUIRE(p.run([&] { return p.sent_a() == 1; }, 10));
}

TEST_CASE("session: close() tells the peer, which waits for a new session", "[proto][session]") {
  Pair p(test_config(), test_config());
  REQUIRE(p.run([&] { return !events_of<event::Connected>(p.sim.events_b).empty(); }, 10));
  p.a.engine->close();
  REQUIRE(p.run([&] { return !events_of<event::PeerClosed>(p.sim.events_b).empty(); }, 10));
  CHECK(p.b.engine->phase() == Engine::Phase::handshake);
  CHECK(p.a.engine->phase() == Engine::Phase::closed);
}

TEST_CASE("session: CLOSE goes out three times, and one copy that arrives is enough", "[proto][session]") {
  Pair p(test_config(), test_config());
  REQUIRE(p.run([&] { return !events_of<event::Connected>(p.sim.events_b).empty(); }, 10));
  p.a.engine->close();
  std::vector<Bytes> copies;
  while (auto f = p.a.engine->poll_transmit()) copies.push_back(*f);
  REQUIRE(copies.size() == 3);
  CHECK(copies[0] == copies[2]);
  // The first two are lost on the line; the last arrives, twice over.
  p.b.engine->handle_bytes(copies[2], p.sim.now);
  p.b.engine->handle_bytes(copies[2], p.sim.now);
  REQUIRE(p.run([&] { return !events_of<event::PeerClosed>(p.sim.events_b).empty(); }, 10));
  p.run([] { return false; }, 1);
  CHECK(events_of<event::PeerClosed>(p.sim.events_b).size() == 1);
  CHECK(p.b.engine->phase() == Engine::Phase::handshake);
}

TEST_CASE("session: the engine never reports a past deadline that would spin its driver", "[proto][session]") {
  SeededRandom r(1);
  Engine e(test_config(), r, Timestamp{});
  // HELLO is due at once; that waits for poll_transmit, not for a timer.
  auto t = e.poll_timeout();
  REQUIRE(t);
  CHECK(*t > Timestamp{});
  REQUIRE(e.poll_transmit());
  CHECK(*e.poll_timeout() == secs(1));
}

TEST_CASE("session: configuration is validated", "[proto][session]") {
  EngineConfig c;
  CHECK(c.validate());
  c.window = 16;
  CHECK(c.validate().error().code == errc::invalid_argument);
  c = EngineConfig{};
  c.max_frame = 100;
  CHECK_FALSE(c.validate());
  c = EngineConfig{};
  c.auth = AuthPolicy::required;
  CHECK(c.validate().error().message().find("pinned") != std::string::npos);
  SeededRandom r(1);
  CHECK_THROWS_AS(Engine(c, r, Timestamp{}), std::invalid_argument);
}

TEST_CASE("session: stats follow the message in flight for a progress line", "[proto][session]") {
  Pair p(test_config(), test_config());
  Bytes env = make_envelope(100000, 17);
  REQUIRE(p.a.engine->send_message(env));
  REQUIRE(p.run([&] { return p.b.engine->stats().chunk_bytes_received >= 50000; }, 30));
  auto sa = p.a.engine->stats();
  auto sb = p.b.engine->stats();
  CHECK(sa.outgoing_size == env.size());
  CHECK(sa.outgoing_position >= 50000);
  CHECK(sa.outgoing_position <= env.size());
  CHECK(sb.incoming_size == env.size());
  CHECK(sa.srtt);
  REQUIRE(p.run([&] { return p.sent_a() == 1; }, 30));
  CHECK(p.a.engine->stats().outgoing_size == 0);
  CHECK(p.b.engine->stats().incoming_size == 0);
  CHECK(p.b.engine->stats().chunk_bytes_received == env.size());
  CHECK(p.a.engine->stats().bytes_sent > env.size());
}

TEST_CASE("session: the frame size shrinks during errors and grows back on a clean line", "[proto][session]") {
  LineConfig line;
  // A bad spell: the line drops out briefly three times around 8..10 s, then is clean.
  line.imp.outages = {{Duration(8 * kSec), Duration(500'000)}, {Duration(9 * kSec), Duration(500'000)},
                      {Duration(10 * kSec), Duration(500'000)}};
  Pair p(test_config(), test_config(), line);
  Bytes env = make_envelope(400000, 18);
  REQUIRE(p.a.engine->send_message(env));
  std::size_t smallest = SIZE_MAX, before = 0;
  REQUIRE(p.run(
      [&] {
        std::size_t cs = p.a.engine->stats().chunk_size;
        if (p.sim.now < secs(8)) before = cs;
        if (cs > 0) smallest = std::min(smallest, cs);
        return p.sent_a() == 1;
      },
      120));
  CAPTURE(before, smallest);
  CHECK(before == 4096 - kChunkOverhead);
  CHECK(smallest <= 1024);
  CHECK(p.a.engine->stats().chunk_size == 4096 - kChunkOverhead);
  CHECK(events_of<event::MessageReceived>(p.sim.events_b).at(0).envelope == env);
}
