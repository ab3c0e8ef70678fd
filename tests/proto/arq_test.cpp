#include <cmath>
#include <random>

#include <catch2/catch.hpp>

#include "proto/arq.hpp"
#include "proto/record.hpp"

using namespace kskline;
using namespace kskline::proto;

namespace {

Timestamp ms(std::int64_t v) { return at_micros(v * 1000); }
Duration dms(std::int64_t v) { return Duration(v * 1000); }

OutRecord control(std::uint8_t tag) { return OutRecord{Bytes{tag}, nullptr, 0, 0}; }

ArqSender::Params params() {
  ArqSender::Params p;
  p.window = 32;
  p.max_transmissions = 4;
  p.initial_rto = dms(1000);
  p.min_rto = dms(200);
  p.max_rto = dms(60000);
  p.initial_chunk = 1024;
  p.max_chunk = 4091;
  return p;
}

}  // namespace

TEST_CASE("arq: 16-bit sequence numbers expand to the nearest 64-bit value", "[proto][arq]") {
  CHECK(expand_seq(5, 0) == 5u);
  CHECK(expand_seq(0xFFFF, 0) == std::nullopt);  // would be -1
  CHECK(expand_seq(0x0002, 0x1FFFE) == 0x20002u);
  CHECK(expand_seq(0xFFF0, 0x20005) == 0x1FFF0u);
  CHECK(expand_seq(0x7FFF, 0x10000) == 0x17FFFu);
  CHECK(expand_seq(0x8001, 0x10000) == 0x08001u);
}

TEST_CASE("arq: the RTO follows RFC 6298", "[proto][arq]") {
  RttEstimator r(dms(1000), dms(200), dms(60000));
  CHECK(r.rto() == dms(1000));
  r.on_sample(dms(100));  // SRTT 100, RTTVAR 50, RTO 300
  CHECK(r.srtt() == dms(100));
  CHECK(r.rto() == dms(300));
  r.on_sample(dms(300));  // RTTVAR = 3/4*50 + 1/4*200 = 87.5, SRTT = 125
  CHECK(r.srtt() == dms(125));
  CHECK(r.rto() == Duration(125000 + 4 * 87500));
  r.on_timeout();
  CHECK(r.rto() == Duration(2 * (125000 + 4 * 87500)));
  for (int i = 0; i < 20; ++i) r.on_timeout();
  CHECK(r.rto() == dms(60000));
  r.on_sample(dms(1));
  CHECK(r.rto() >= dms(200));  // lower bound
}

namespace {

// Message octets per wire octet for chunks of `c` with `h` octets of overhead
// on a line damaging each octet with probability `p`.
double goodput(double c, double h, double p) { return c / (c + h) * std::pow(1 - p, c + h); }

// Feeds `s` with `frames` frames of its current size, each lost as a line
// damaging octets with probability `p` would lose it; returns the message
// octets delivered per wire octet.
double run_line(FrameSizer& s, double p, int frames, std::mt19937_64& rng, std::size_t overhead) {
  std::uniform_real_distribution<double> u(0, 1);
  double delivered = 0, wire = 0;
  for (int i = 0; i < frames; ++i) {
    std::size_t octets = s.current() + overhead;
    wire += static_cast<double>(octets);
    if (u(rng) < 1 - std::pow(1 - p, static_cast<double>(octets))) {
      s.on_lost(octets);
    } else {
      delivered += static_cast<double>(s.current());
      s.on_acked(octets);
    }
  }
  return delivered / wire;
}

}  // namespace

TEST_CASE("arq: the best frame size carries the most message octets per wire octet", "[proto][arq]") {
  FrameSizer s(1024, 4091, 18);
  CHECK(s.best_size(0) == 4091);
  CHECK(s.best_size(0.4) == FrameSizer::kMinSize);
  for (double p : {8e-6, 8e-5, 8e-4, 4e-3}) {
    INFO("octet error rate " << p);
    auto c = static_cast<double>(s.best_size(p));
    CHECK(goodput(c, 18, p) >= goodput(c * 0.8, 18, p));
    CHECK(goodput(c, 18, p) >= goodput(std::min(c * 1.25, 4091.0), 18, p));
  }
  CHECK(s.best_size(8e-4) > 120);  // BER 1e-4: about 140 octets
  CHECK(s.best_size(8e-4) < 160);
}

TEST_CASE("arq: the frame size starts at the initial size and doubles after 16 clean acknowledgements", "[proto][arq]") {
  FrameSizer s(1024, 4091, 18);
  CHECK(s.current() == 1024);
  for (int i = 0; i < 15; ++i) s.on_acked(1042);
  CHECK(s.current() == 1024);
  s.on_acked(1042);
  CHECK(s.current() == 2048);
  for (int i = 0; i < 16; ++i) s.on_acked(2066);
  CHECK(s.current() == 4091);
  CHECK(s.octet_error_rate() == 0);
}

TEST_CASE("arq: the frame size follows the line's error rate", "[proto][arq]") {
  std::mt19937_64 rng(7);
  for (double ber : {1e-5, 1e-4, 1e-3}) {
    double p = 1 - std::pow(1 - ber, 8);
    INFO("bit error rate " << ber);
    FrameSizer s(1024, 4091, 18);
    run_line(s, p, 500, rng, 18);  // settle
    double achieved = run_line(s, p, 5000, rng, 18);
    double best = goodput(static_cast<double>(s.best_size(p)), 18, p);
    INFO("goodput " << achieved << " of the best " << best);
    CHECK(achieved > best * 0.97);
  }
}

TEST_CASE("arq: after a burst of losses the frame size shrinks at once and recovers on a clean line", "[proto][arq]") {
  FrameSizer s(1024, 4091, 18);
  for (int i = 0; i < 64; ++i) s.on_acked(s.current() + 18);
  CHECK(s.current() == 4091);
  s.on_lost(4109);
  CHECK(s.current() < 4091);
  for (int i = 0; i < 64; ++i) s.on_lost(s.current() + 18);  // the cable pulled
  CHECK(s.current() < 128);
  int frames = 0;
  while (s.current() < 4091 && frames < 1000) {
    s.on_acked(s.current() + 18);
    ++frames;
  }
  CHECK(s.current() == 4091);
  CHECK(frames < 400);
}

TEST_CASE("arq: the receiver reorders, suppresses duplicates and reports SACK ranges", "[proto][arq]") {
  ArqReceiver r(32);
  std::vector<Bytes> out;
  CHECK(r.on_data(0, Bytes{0}, out) == Arrival::in_order);
  CHECK(r.on_data(2, Bytes{2}, out) == Arrival::buffered);
  CHECK(r.on_data(3, Bytes{3}, out) == Arrival::buffered);
  CHECK(r.on_data(5, Bytes{5}, out) == Arrival::buffered);
  CHECK(r.on_data(5, Bytes{5}, out) == Arrival::duplicate);
  CHECK(r.on_data(0, Bytes{0}, out) == Arrival::duplicate);
  CHECK(r.on_data(40, Bytes{40}, out) == Arrival::beyond_window);
  CHECK(out.size() == 1);
  CHECK(r.cumulative() == 1);
  CHECK(r.has_gap());
  CHECK(r.sack() == std::vector<SackRange>{{2, 4}, {5, 6}});
  CHECK(r.on_data(1, Bytes{1}, out) == Arrival::in_order);
  CHECK(out.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) CHECK(out[i] == Bytes{static_cast<std::uint8_t>(i)});
  CHECK(r.cumulative() == 4);
  CHECK(r.sack() == std::vector<SackRange>{{5, 6}});
}

TEST_CASE("arq: more than 16 SACK ranges keep the highest", "[proto][arq]") {
  ArqReceiver r(100);
  std::vector<Bytes> out;
  for (std::uint16_t s = 1; s < 60; s += 2) r.on_data(s, Bytes{}, out);
  auto sack = r.sack();
  REQUIRE(sack.size() == kMaxSackRanges);
  CHECK(sack.back() == SackRange{59, 60});
  CHECK(sack.front() == SackRange{1, 2});
  CHECK(parse_sack(encode_sack(sack)) == sack);
  CHECK_FALSE(parse_sack(Bytes(3, 0)));
}

TEST_CASE("arq: a frame is lost when a later transmission is acknowledged", "[proto][arq]") {
  ArqSender s(params());
  for (std::uint8_t i = 0; i < 5; ++i) s.send_new(control(i), ms(i));
  // Frames 0 and 1 arrived, 2 was lost, 3 and 4 arrived.
  auto r = s.on_ack(2, {{3, 5}}, ms(100));
  CHECK(r.newly_acked == 4);
  CHECK(r.newly_lost == 1);
  REQUIRE(s.has_retransmission());
  auto again = s.retransmit(ms(101));
  REQUIRE(again);
  CHECK(again->seq == 2);
  CHECK(again->payload == Bytes{2});
  CHECK_FALSE(s.has_retransmission());
  s.on_ack(5, {}, ms(150));
  CHECK(s.all_acked());
  CHECK(s.retransmissions() == 1);
  REQUIRE(s.rtt().srtt());
  CHECK(*s.rtt().srtt() == dms(96));  // from the latest frame sent once (4, sent at 4 ms)
}

TEST_CASE("arq: the timer retransmits the oldest frame, backs off, and the retry budget ends", "[proto][arq]") {
  ArqSender s(params());
  s.send_new(control(1), ms(0));
  s.send_new(control(2), ms(0));
  REQUIRE(s.deadline() == ms(1000));
  s.on_timer(ms(999));
  CHECK_FALSE(s.has_retransmission());
  s.on_timer(ms(1000));
  REQUIRE(s.has_retransmission());
  CHECK(s.rtt().rto() == dms(2000));
  auto r = s.retransmit(ms(1000));
  REQUIRE(r);
  CHECK(r->seq == 0);
  CHECK(s.deadline() == ms(3000));
  // Nothing ever answers: the budget (4 transmissions) runs out.
  Timestamp t = ms(3000);
  int sent = 1;
  while (true) {
    s.on_timer(t);
    if (!s.has_retransmission()) break;
    auto x = s.retransmit(t);
    if (!x) break;
    ++sent;
    t = *s.deadline();
  }
  CHECK(s.budget_exhausted());
  CHECK(sent == 3);
}

TEST_CASE("arq: a lost chunk is retransmitted at the smaller size and the rest handed back", "[proto][arq]") {
  ArqSender s(params());
  auto msg = std::make_shared<const Bytes>(Bytes(5000, 0x55));
  s.send_new(OutRecord{{}, msg, 100, 1024}, ms(0));
  s.send_new(control(9), ms(1));
  s.on_ack(0, {}, ms(20));        // the peer is heard from
  s.on_ack(0, {{1, 2}}, ms(50));  // frame 0 lost: the size shrinks
  std::size_t size = s.chunk_size();
  CHECK(size < 1024);
  auto r = s.retransmit(ms(51));
  REQUIRE(r);
  CHECK(r->seq == 0);
  CHECK(r->payload.size() == kChunkOverhead + size);
  CHECK(r->rest_message == msg);
  CHECK(r->rest_offset == 100 + size);
  CHECK(r->rest_length == 1024 - size);
}

TEST_CASE("arq: frames lost while nothing came back from the peer leave the frame size alone", "[proto][arq]") {
  ArqSender s(params());
  auto msg = std::make_shared<const Bytes>(Bytes(50000, 0x55));
  s.send_new(OutRecord{{}, msg, 0, 1024}, ms(0));
  s.on_ack(1, {}, ms(100));
  std::size_t size = s.chunk_size();
  // The cable is pulled: frames go out, nothing comes back, the timer fires.
  for (std::uint64_t i = 1; i <= 8; ++i) s.send_new(OutRecord{{}, msg, i * 1024, 1024}, ms(100 + static_cast<std::int64_t>(i)));
  for (int t = 0; t < 4; ++t) s.on_timer(ms(100000 * (t + 1)));
  CHECK(s.chunk_size() == size);
  // The cable is back: a new frame is acknowledged, and the ones sent into
  // the silence are found lost.
  s.send_new(OutRecord{{}, msg, 9 * 1024, 1024}, ms(500000));
  s.on_ack(1, {{9, 10}}, ms(500100));
  CHECK(s.chunk_size() == size);
  // Noise while the peer answers: a lost frame shrinks the size.
  s.send_new(OutRecord{{}, msg, 10 * 1024, 1024}, ms(500200));
  s.send_new(OutRecord{{}, msg, 11 * 1024, 1024}, ms(500201));
  s.on_ack(1, {{9, 10}}, ms(500250));  // the peer's ACKs keep coming
  s.on_ack(1, {{9, 10}, {11, 12}}, ms(500300));
  CHECK(s.chunk_size() < size);
}

TEST_CASE("arq: the window limits frames in flight", "[proto][arq]") {
  ArqSender s(params());
  for (int i = 0; i < 32; ++i) {
    REQUIRE(s.can_send_new());
    s.send_new(control(0), ms(0));
  }
  CHECK_FALSE(s.can_send_new());
  s.on_ack(1, {}, ms(10));
  CHECK(s.can_send_new());
}
