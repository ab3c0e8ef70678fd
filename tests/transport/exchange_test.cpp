// Request/response exchanges: loopback and the real serial code over the
// line simulator.
#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <thread>

#include "proto/envelope.hpp"
#include "proto/errc.hpp"
#include "transport/errc.hpp"
#include "transport/exchange.hpp"
#include "transport/outgoing_envelope.hpp"
#include "transport/sodium_random.hpp"
#include "sim_thread.hpp"
#include "transport_test_util.hpp"

using namespace kskline;
using namespace kskline::transport;
using testing::SimThread;
using testing::TempDir;

namespace {

Bytes envelope(std::size_t size, proto::Kind kind, const proto::Sha256& in_reply_to = {}) {
  SodiumRandom random;
  proto::EnvelopeSpec spec;
  spec.kind = kind;
  spec.in_reply_to = in_reply_to;
  std::string payload = testing::random_text(size, size);
  return outgoing_envelope(spec, as_bytes(payload), nullptr, random).value();
}

// Answers with 4 KiB in reply to the request.
Result<Bytes> answer_4k(ByteView request) {
  auto env = proto::parse_envelope(request);
  if (!env) return tl::unexpected(env.error());
  return envelope(4096, proto::Kind::response, env->digest);
}

TransferOptions quiet(const std::string& spec = "loopback") {
  TransferOptions o;
  o.link = parse_link_spec(spec).value();
  o.handle_signals = false;
  o.wait = proto::Duration(10'000'000);
  return o;
}

}  // namespace

TEST_CASE("exchange: a request is answered over loopback", "[transport][exchange]") {
  Bytes request = envelope(2048, proto::Kind::request);
  auto digest = proto::parse_envelope(request)->digest;
  LoopbackLink line;
  line.baud = 96000;
  line.ber = 1e-5;
  auto r = exchange_over_loopback(line, quiet(), request, quiet(), answer_4k);
  REQUIRE(r);
  for (const auto& e : r->first.report.errors) UNSCOPED_INFO(e.message());
  CHECK(r->first.report.ok());
  CHECK(r->second.report.ok());
  auto response = proto::parse_envelope(r->first.response);
  REQUIRE(response);
  CHECK(response->header.in_reply_to == digest);
  CHECK(response->payload.size() == 4096);
  CHECK(r->second.report.files_ok == 1);
}

TEST_CASE("exchange: a request that cannot be answered ends clearly on both sides", "[transport][exchange]") {
  Bytes request = envelope(100, proto::Kind::request);
  auto refuse = [](ByteView) -> Result<Bytes> { return fail(errc::io_error, "no KSK here"); };
  auto r = exchange_over_loopback(LoopbackLink{}, quiet(), request, quiet(), refuse);
  REQUIRE(r);
  CHECK(r->first.response.empty());
  CHECK_FALSE(r->first.report.ok());
  CHECK_FALSE(r->second.report.ok());
  REQUIRE_FALSE(r->second.report.errors.empty());
  CHECK_THAT(r->second.report.errors[0].message(), Catch::Contains("no KSK here"));
  REQUIRE_FALSE(r->first.report.errors.empty());
  CHECK_THAT(r->first.report.errors[0].message(), Catch::Contains("without answering"));
}

TEST_CASE("exchange: the link stays up while an answer takes longer than the idle timeout",
          "[transport][exchange]") {
  // An operator reads the request before approving it: the answer comes
  // after the engines' 30 s idle limit, and both sides keep the session.
  Bytes request = envelope(512, proto::Kind::request);
  auto slow = [](ByteView req) {
    std::this_thread::sleep_for(std::chrono::seconds(33));
    return answer_4k(req);
  };
  auto r = exchange_over_loopback(LoopbackLink{}, quiet(), request, quiet(), slow);
  REQUIRE(r);
  for (const auto& e : r->first.report.errors) UNSCOPED_INFO(e.message());
  CHECK(r->first.report.ok());
  CHECK(r->second.report.ok());
  CHECK(r->first.report.sessions == 1);
  CHECK(proto::parse_envelope(r->first.response));
}

TEST_CASE("exchange: the requester gives up when no answer comes within its wait", "[transport][exchange]") {
  Bytes request = envelope(256, proto::Kind::request);
  auto slow = [](ByteView req) {
    std::this_thread::sleep_for(std::chrono::seconds(3));
    return answer_4k(req);
  };
  auto requester = quiet();
  requester.answer_wait = proto::Duration(1'000'000);
  auto r = exchange_over_loopback(LoopbackLink{}, requester, request, quiet(), slow);
  REQUIRE(r);
  CHECK(r->first.response.empty());
  REQUIRE_FALSE(r->first.report.errors.empty());
  CHECK(r->first.report.errors[0].code == errc::timed_out);
  CHECK_THAT(r->first.report.errors[0].message(), Catch::Contains("no answer within 1 s"));
}

TEST_CASE("exchange: the answerer closes a session that brings no request within its wait", "[transport][exchange]") {
  LineSimOptions lo;
  lo.baud = 1000000;
  SimThread line(lo);
  auto answerer = quiet("serial:" + line.b() + ",baud=1000000");
  answerer.request_wait = proto::Duration(1'000'000);
  auto start = std::chrono::steady_clock::now();
  auto answering = std::async(std::launch::async, [&] { return answer_requests(answerer, answer_4k, 0); });
  // A peer that shakes hands and keeps the link alive, but never asks.
  TempDir dir;
  auto idle_peer = receive_files(quiet("serial:" + line.a() + ",baud=1000000"), dir.file("in"), 1);
  auto answered = answering.get();
  REQUIRE(answered);
  REQUIRE_FALSE(answered->report.errors.empty());
  CHECK(answered->report.errors[0].code == errc::timed_out);
  CHECK_THAT(answered->report.errors[0].message(), Catch::Contains("no request within 1 s"));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(8));
  REQUIRE(idle_peer);
  CHECK_FALSE(idle_peer->ok());  // it learns that the session was closed
}

TEST_CASE("exchange: over the real serial code and a simulated line", "[transport][exchange]") {
  LineSimOptions lo;
  lo.baud = 1000000;
  lo.ber = 1e-5;
  SimThread line(lo);
  auto answering = std::async(std::launch::async, [&] {
    return answer_requests(quiet("serial:" + line.b() + ",baud=1000000"), answer_4k, 1);
  });
  Bytes request = envelope(2048, proto::Kind::request);
  auto asked = request_response(quiet("serial:" + line.a() + ",baud=1000000"), request);
  auto answered = answering.get();
  REQUIRE(asked);
  REQUIRE(answered);
  CHECK(asked->report.ok());
  CHECK(answered->report.ok());
  auto response = proto::parse_envelope(asked->response);
  REQUIRE(response);
  CHECK(response->header.in_reply_to == proto::parse_envelope(request)->digest);
  CHECK(request_response(quiet("spool:/tmp"), request).error().code == errc::not_supported);
}
