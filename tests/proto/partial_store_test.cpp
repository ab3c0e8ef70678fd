#include <catch2/catch.hpp>

#include "proto/errc.hpp"
#include "proto/partial_store.hpp"
#include "test_support.hpp"

using namespace kskline;
using namespace kskline::proto;

namespace {

Sha256 digest(std::uint8_t v) {
  Sha256 d{};
  d[0] = v;
  return d;
}

}  // namespace

TEST_CASE("partial_store: held blocks follow the written ranges", "[proto][partial_store]") {
  MemoryPartialStore s;
  Sha256 d = digest(1);
  REQUIRE(s.open(d, 10000));
  Bytes data = testing::random_bytes(10000, 1);
  CHECK(s.held_blocks(d, 1000).empty());
  REQUIRE(s.write(d, 0, ByteView(data).first(2500)));
  CHECK(s.held_blocks(d, 1000) == std::vector<BlockRange>{{0, 2}});
  REQUIRE(s.write(d, 2500, ByteView(data).subspan(2500, 500)));
  CHECK(s.held_blocks(d, 1000) == std::vector<BlockRange>{{0, 3}});
  REQUIRE(s.write(d, 9500, ByteView(data).subspan(9500)));  // the short last block... half of it
  CHECK(s.held_blocks(d, 1000) == std::vector<BlockRange>{{0, 3}});
  REQUIRE(s.write(d, 9000, ByteView(data).subspan(9000, 500)));
  CHECK(s.held_blocks(d, 1000) == std::vector<BlockRange>{{0, 3}, {9, 1}});
  CHECK(s.held_bytes(d) == 4000);
  CHECK_FALSE(s.complete(d));
  REQUIRE(s.write(d, 2900, ByteView(data).subspan(2900, 6200)));
  CHECK(s.complete(d));
  auto all = s.take(d);
  REQUIRE(all);
  CHECK(*all == data);
  CHECK_FALSE(s.complete(d));
}

TEST_CASE("partial_store: writes outside the message are refused", "[proto][partial_store]") {
  MemoryPartialStore s;
  Sha256 d = digest(2);
  CHECK_FALSE(s.write(d, 0, Bytes{1}));  // not open
  REQUIRE(s.open(d, 10));
  CHECK(s.write(d, 5, Bytes(6, 0)).error().code == errc::malformed);
  CHECK(s.write(d, 11, Bytes{}).error().code == errc::malformed);
  CHECK(s.write(d, 5, Bytes(5, 0)));
}

TEST_CASE("partial_store: reopening keeps what is held, another size restarts", "[proto][partial_store]") {
  MemoryPartialStore s;
  Sha256 d = digest(3);
  REQUIRE(s.open(d, 100));
  REQUIRE(s.write(d, 0, Bytes(50, 1)));
  REQUIRE(s.open(d, 100));
  CHECK(s.held_bytes(d) == 50);
  REQUIRE(s.open(d, 200));
  CHECK(s.held_bytes(d) == 0);
}

TEST_CASE("partial_store: bounded partials and completed digests", "[proto][partial_store]") {
  MemoryPartialStore s(2, 3);
  REQUIRE(s.open(digest(1), 10));
  REQUIRE(s.open(digest(2), 10));
  REQUIRE(s.open(digest(3), 10));  // drops the oldest
  CHECK_FALSE(s.write(digest(1), 0, Bytes{1}));
  CHECK(s.write(digest(3), 0, Bytes{1}));
  for (std::uint8_t i = 1; i <= 4; ++i) REQUIRE(s.mark_completed(digest(i)));
  CHECK_FALSE(s.completed(digest(1)));
  CHECK(s.completed(digest(4)));
  CHECK(s.completed(digest(2)));
}
