#include <catch2/catch.hpp>

#include "proto/errc.hpp"
#include "proto/replay.hpp"

using namespace kskline;
using namespace kskline::proto;

namespace {

Bytes envelope(std::uint8_t id, std::uint64_t counter) {
  EnvelopeSpec s;
  s.id[0] = id;
  s.counter = counter;
  return *build_envelope(s, as_bytes("payload"));
}

}  // namespace

TEST_CASE("replay: a message id is accepted once per sender", "[proto][replay]") {
  MemoryReplayLedger ledger;
  Bytes a = envelope(1, 1);
  CHECK(check_and_record_replay(*parse_envelope(a), ledger));
  auto again = check_and_record_replay(*parse_envelope(a), ledger);
  REQUIRE_FALSE(again);
  CHECK(again.error().code == errc::replayed);
  CHECK(check_and_record_replay(*parse_envelope(envelope(2, 2)), ledger));
}

TEST_CASE("replay: counters far below the highest are refused, nearby ones accepted out of order", "[proto][replay]") {
  MemoryReplayLedger ledger;
  CHECK(check_and_record_replay(*parse_envelope(envelope(1, 5000)), ledger));
  CHECK(check_and_record_replay(*parse_envelope(envelope(2, 4000)), ledger));  // within the window
  auto old = check_and_record_replay(*parse_envelope(envelope(3, 3975)), ledger);
  REQUIRE_FALSE(old);
  CHECK(old.error().code == errc::replayed);
  CHECK(*ledger.highest_counter(PublicKey{}) == 5000);
}
