// The link test (link-test's library): both ends over an impaired loopback
// line, its messages, and the problems it finds in a report.
#include <catch2/catch.hpp>

#include <set>

#include "proto/errc.hpp"
#include "transport/identity_file.hpp"
#include "transport/link_test.hpp"
#include "transport/sodium_random.hpp"

using namespace kskline;
using namespace kskline::transport;

namespace {

TransferOptions quiet() {
  TransferOptions o;
  o.link = LoopbackLink{};
  o.handle_signals = false;
  o.wait = proto::Duration(10'000'000);
  return o;
}

bool mentions(const std::vector<std::string>& problems, const std::string& text) {
  for (const auto& p : problems) {
    if (p.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("link_test: both ends measure a clean loopback line and trade their figures", "[transport][link_test]") {
  SodiumRandom random;
  auto id_a = proto::LinkIdentity::generate(random);
  auto id_b = proto::LinkIdentity::generate(random);
  TransferOptions a = quiet(), b = quiet();
  a.identity = &id_a;
  b.identity = &id_b;
  a.pinned.add(id_b.public_key());
  b.pinned.add(id_a.public_key());
  a.auth = b.auth = proto::AuthPolicy::optional;
  LoopbackLink line;
  line.baud = 115200;
  LinkTestOptions test;
  test.bulk_bytes = 8192;
  test.pings = 3;
  auto r = link_test_over_loopback(line, a, b, test);
  REQUIRE(r);
  for (const auto* end : {&r->first, &r->second}) {
    for (const auto& e : end->transfer.errors) UNSCOPED_INFO(e.message());
    REQUIRE(end->completed);
    CHECK(end->ping_seconds.size() == 3);
    CHECK(end->out.measured);
    CHECK(end->in.measured);
    CHECK(end->out.intact);
    CHECK(end->in.intact);
    CHECK(end->out.binary);
    CHECK(end->in.binary);
    CHECK(end->out.bulk_bytes > 8192);
    CHECK(end->out.retransmissions == 0);
    CHECK(end->peer_authenticated);
    // A clean line carries the payload near its rate.
    CHECK(end->out.rate() > 0.7 * end->line_rate);
    CHECK(end->out.rate() < 1.05 * end->line_rate);
    CHECK(seven_bit_reason(*end).empty());
    CHECK(link_test_problems(*end, true).empty());
  }
  // Each end's view of a direction is the other's view of the opposite one.
  CHECK(r->first.out.bulk_bytes == r->second.in.bulk_bytes);
  CHECK(r->first.in.frames_sent == r->second.out.frames_sent);
  CHECK(r->first.out.frames_received == r->second.in.frames_received);
  CHECK(*r->first.peer_identity == id_b.public_key());
  CHECK(r->first.peer->token == r->second.ours.token);
}

TEST_CASE("link_test: bit errors show as resent and damaged frames", "[transport][link_test]") {
  LoopbackLink line;
  line.baud = 115200;
  line.ber = 3e-5;
  line.seed = 7;
  LinkTestOptions test;
  test.bulk_bytes = 16384;
  test.pings = 2;
  auto r = link_test_over_loopback(line, quiet(), quiet(), test);
  REQUIRE(r);
  const auto& a = r->first;
  for (const auto& e : a.transfer.errors) UNSCOPED_INFO(e.message());
  REQUIRE(a.completed);
  CHECK(a.out.retransmissions + a.in.retransmissions > 0);
  CHECK(a.out.frames_bad + a.in.frames_bad > 0);
  CHECK(a.out.error_rate() + a.in.error_rate() > 0);
  CHECK(a.out.intact);
  CHECK(a.in.intact);
}

TEST_CASE("link_test: problems name an unpinned or wrong peer, a slow or 7-bit line and mismatched ends",
          "[transport][link_test]") {
  SodiumRandom random;
  LinkTestReport r;
  r.completed = true;
  r.line_rate = 960;
  r.ours.serial.baud = 9600;
  r.peer = r.ours;
  r.binary_allowed = true;
  auto key = proto::LinkIdentity::generate(random).public_key();
  r.peer_identity = key;
  r.peer_authenticated = true;
  for (auto* d : {&r.out, &r.in}) {
    d->measured = d->intact = d->binary = true;
    d->bulk_bytes = 9000;
    d->bulk_seconds = 10;
    d->frames_sent = 100;
  }
  CHECK(link_test_problems(r, true).empty());
  CHECK(mentions(link_test_problems(r, false), "no --peer pinned: the peer's key " + public_key_text(key)));
  r.peer_authenticated = false;
  CHECK(mentions(link_test_problems(r, true), "is not the pinned one"));
  r.peer_authenticated = true;

  r.out.bulk_seconds = 30;  // 300 B/s of 960
  CHECK(mentions(link_test_problems(r, true), "throughput to the peer 31% of 9600 baud: check flow control and cable"));
  r.out.bulk_seconds = 10;

  r.in.retransmissions = 5;
  CHECK(mentions(link_test_problems(r, true), "5.0% of the frames from the peer were resent"));
  r.in.retransmissions = 0;

  r.in.binary = false;
  CHECK(seven_bit_reason(r).find("the 8-bit probe failed from the peer") == 0);
  CHECK(mentions(link_test_problems(r, true), "not 8-bit clean"));
  r.ours.serial.data_bits = 7;
  r.peer->serial.data_bits = 7;
  CHECK(seven_bit_reason(r) == "this end has bits=7 in --link");
  CHECK(link_test_problems(r, true).empty());  // 7 bits on purpose, both ends alike
  r.ours.serial.data_bits = 8;
  r.peer->serial.data_bits = 8;
  r.in.binary = true;

  r.peer->serial.flow = Flow::xonxoff;
  CHECK(mentions(link_test_problems(r, true), "flow=none here, flow=xonxoff at the peer"));
}

TEST_CASE("link_test: settings round-trip and malformed ones are refused", "[transport][link_test]") {
  LinkTestSettings s;
  s.serial.baud = 57600;
  s.serial.data_bits = 7;
  s.serial.parity = Parity::even;
  s.serial.stop_bits = 2;
  s.serial.flow = Flow::xonxoff;
  s.bulk_bytes = 12345;
  s.pings = 9;
  s.token = 0x0102030405060708;
  Bytes b = encode_link_test_settings(s);
  auto back = parse_link_test_settings(b);
  REQUIRE(back);
  CHECK(back->serial.baud == 57600);
  CHECK(back->serial.data_bits == 7);
  CHECK(back->serial.parity == Parity::even);
  CHECK(back->serial.stop_bits == 2);
  CHECK(back->serial.flow == Flow::xonxoff);
  CHECK(back->bulk_bytes == 12345);
  CHECK(back->pings == 9);
  CHECK(back->token == s.token);
  for (std::size_t n = 0; n < b.size(); ++n) {
    auto cut = parse_link_test_settings(ByteView(b.data(), n));
    REQUIRE_FALSE(cut);
    CHECK(cut.error().code == proto::errc::malformed);
  }
  Bytes bad = b;
  bad[bad.size() - 1] = 0;  // zero pings
  CHECK_FALSE(parse_link_test_settings(bad));
}

TEST_CASE("link_test: the test payload holds every octet value and depends on the token", "[transport][link_test]") {
  Bytes p = link_test_pattern(42, 4096);
  REQUIRE(p.size() == 4096);
  std::set<std::uint8_t> seen(p.begin(), p.begin() + 256);
  CHECK(seen.size() == 256);
  CHECK(link_test_pattern(42, 4096) == p);
  CHECK(link_test_pattern(43, 4096) != p);
  CHECK(default_bulk_bytes(960) == 3840);
  CHECK(default_bulk_bytes(1) == 2048);
  CHECK(default_bulk_bytes(1'000'000) == (1u << 20));
}
