#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "proto/errc.hpp"
#include "transport/disk_replay_ledger.hpp"
#include "transport/errc.hpp"
#include "transport_test_util.hpp"

using namespace kskline;
using namespace kskline::transport;
using testing::TempDir;

namespace {

proto::MessageId id_of(int n) {
  proto::MessageId id{};
  id[0] = static_cast<std::uint8_t>(n);
  id[1] = static_cast<std::uint8_t>(n >> 8);
  return id;
}

proto::PublicKey key_of(int n) {
  proto::PublicKey k{};
  k[5] = static_cast<std::uint8_t>(n);
  return k;
}

}  // namespace

TEST_CASE("disk_replay_ledger: records survive a restart and refuse replays", "[transport][disk_replay_ledger]") {
  TempDir dir;
  {
    auto ledger = DiskReplayLedger::open(dir.path());
    REQUIRE(ledger);
    CHECK((*ledger)->highest_counter(key_of(1)).value() == 0);
    REQUIRE((*ledger)->record(key_of(1), id_of(1), 10));
    REQUIRE((*ledger)->record(key_of(1), id_of(2), 12));
    REQUIRE((*ledger)->record(proto::PublicKey{}, id_of(3), 0));
    auto second = DiskReplayLedger::open(dir.path());
    REQUIRE_FALSE(second);
    CHECK(second.error().code == base::errc::lock_held);
  }
  auto ledger = DiskReplayLedger::open(dir.path());
  REQUIRE(ledger);
  auto& l = **ledger;
  CHECK(l.highest_counter(key_of(1)).value() == 12);
  CHECK(l.contains(key_of(1), id_of(1)).value());
  CHECK_FALSE(l.contains(key_of(2), id_of(1)).value());
  CHECK(l.contains(proto::PublicKey{}, id_of(3)).value());
  CHECK(l.knows(key_of(1)));
  CHECK(l.signers() == std::vector<proto::PublicKey>{key_of(1)});
  // The proto rule on top of it.
  proto::Envelope env;
  env.signer = key_of(1);
  env.header.id = id_of(1);
  env.header.counter = 13;
  auto replay = proto::check_and_record_replay(env, l);
  REQUIRE_FALSE(replay);
  CHECK(replay.error().code == proto::errc::replayed);
  env.header.id = id_of(4);
  CHECK(proto::check_and_record_replay(env, l));
}

TEST_CASE("disk_replay_ledger: ids far below the highest counter are forgotten", "[transport][disk_replay_ledger]") {
  TempDir dir;
  auto ledger = DiskReplayLedger::open(dir.path(), 50);
  REQUIRE(ledger);
  for (int i = 1; i <= 100; ++i) REQUIRE((*ledger)->record(key_of(1), id_of(i), static_cast<std::uint64_t>(i) * 100));
  std::string text = testing::slurp(dir.file("replay-ledger"));
  std::size_t ids = 0;
  for (std::size_t p = text.find("\nid "); p != std::string::npos; p = text.find("\nid ", p + 1)) ++ids;
  CHECK(ids <= 50);
  CHECK((*ledger)->contains(key_of(1), id_of(100)).value());
  CHECK_FALSE((*ledger)->contains(key_of(1), id_of(1)).value());
  CHECK((*ledger)->highest_counter(key_of(1)).value() == 10000);
}

TEST_CASE("disk_replay_ledger: a damaged ledger is refused, not reset", "[transport][disk_replay_ledger]") {
  TempDir dir;
  for (std::string text : {std::string(""), std::string("something else\n"),
                           std::string("kskline-replay-ledger 1\nhighest zz 1\n"),
                           std::string("kskline-replay-ledger 1\nid 00 01\n")}) {
    INFO(text);
    testing::spit(dir.file("replay-ledger"), text);
    auto ledger = DiskReplayLedger::open(dir.path());
    REQUIRE_FALSE(ledger);
    CHECK(ledger.error().code == errc::io_error);
    CHECK_THAT(ledger.error().message(), Catch::Contains("refusing to start afresh"));
  }
}
