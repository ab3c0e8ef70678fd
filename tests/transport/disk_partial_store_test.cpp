#include <catch2/catch.hpp>

#include "base/encoding.hpp"
#include "base/error.hpp"
#include "proto/errc.hpp"
#include "transport/disk_partial_store.hpp"
#include "transport_test_util.hpp"

using namespace kskline;
using namespace kskline::transport;
using testing::TempDir;

namespace {

proto::Sha256 digest_of(int n) {
  proto::Sha256 d{};
  d[0] = static_cast<std::uint8_t>(n);
  d[31] = 0xAB;
  return d;
}

Bytes bytes(std::size_t n, std::uint64_t seed) {
  std::string s = testing::random_text(n, seed);
  return Bytes(s.begin(), s.end());
}

}  // namespace

TEST_CASE("disk_partial_store: bytes at offsets make a complete message", "[transport][disk_partial_store]") {
  TempDir dir;
  auto store = DiskPartialStore::open(dir.file("partial"));
  REQUIRE(store);
  auto& s = **store;
  auto d = digest_of(1);
  Bytes msg = bytes(10000, 1);
  REQUIRE(s.open(d, msg.size()));
  CHECK(s.held_blocks(d, 4096).empty());
  REQUIRE(s.write(d, 4096, ByteView(msg).subspan(4096, 4096)));
  CHECK(s.held_blocks(d, 4096) == std::vector<proto::BlockRange>{{1, 1}});
  REQUIRE(s.write(d, 8192, ByteView(msg).subspan(8192)));
  CHECK(s.held_blocks(d, 4096) == std::vector<proto::BlockRange>{{1, 2}});  // the short last block counts
  CHECK_FALSE(s.complete(d));
  REQUIRE(s.write(d, 0, ByteView(msg).first(4096)));
  CHECK(s.complete(d));
  CHECK(s.held_bytes(d) == msg.size());
  auto taken = s.take(d);
  REQUIRE(taken);
  CHECK(*taken == msg);
  CHECK_FALSE(std::filesystem::exists(dir.file("partial/" + base::to_hex(d) + ".part")));
  // Chunks outside the message are refused.
  REQUIRE(s.open(d, 100));
  CHECK(s.write(d, 90, Bytes(11)).error().code == proto::errc::malformed);
  CHECK(s.write(digest_of(9), 0, Bytes(1)).error().code == proto::errc::malformed);
}

TEST_CASE("disk_partial_store: a restarted receiver finds the synced blocks again", "[transport][disk_partial_store]") {
  TempDir dir;
  auto d = digest_of(2);
  Bytes msg = bytes(300000, 2);
  DiskPartialStore::Options o;
  o.sync_bytes = 64 * 1024;
  {
    auto store = DiskPartialStore::open(dir.file("p"), o);
    REQUIRE(store);
    REQUIRE((*store)->open(d, msg.size()));
    for (std::size_t off = 0; off < 100000; off += 1000) {
      REQUIRE((*store)->write(d, off, ByteView(msg).subspan(off, 1000)));
    }
    // Destroyed as on a clean exit: everything written is synced.
  }
  {
    auto store = DiskPartialStore::open(dir.file("p"), o);
    REQUIRE(store);
    REQUIRE((*store)->open(d, msg.size()));
    CHECK((*store)->held_bytes(d) == 100000);
    CHECK((*store)->resumed_bytes() == 100000);
    CHECK((*store)->held_blocks(d, 4096) == std::vector<proto::BlockRange>{{0, 24}});
    for (std::size_t off = 100000; off < msg.size(); off += 1000) {
      REQUIRE((*store)->write(d, off, ByteView(msg).subspan(off, 1000)));
    }
    REQUIRE((*store)->complete(d));
    CHECK((*store)->take(d).value() == msg);
  }
  // A different total for the same digest starts afresh.
  auto store = DiskPartialStore::open(dir.file("p"), o);
  REQUIRE(store);
  REQUIRE((*store)->open(d, 5000));
  REQUIRE((*store)->write(d, 0, Bytes(5000, 7)));
  REQUIRE((*store)->sync());
  REQUIRE((*store)->open(d, 6000));
  CHECK((*store)->held_bytes(d) == 0);
}

TEST_CASE("disk_partial_store: bytes not yet synced are not trusted after a crash", "[transport][disk_partial_store]") {
  TempDir dir;
  auto d = digest_of(3);
  DiskPartialStore::Options o;
  o.sync_bytes = 10000;
  std::string have;
  {
    auto store = DiskPartialStore::open(dir.file("p"), o);
    REQUIRE(store);
    REQUIRE((*store)->open(d, 50000));
    REQUIRE((*store)->write(d, 0, Bytes(12000, 1)));  // synced: over sync_bytes
    REQUIRE((*store)->write(d, 12000, Bytes(3000, 2)));  // not synced yet
    have = testing::slurp(dir.file("p/" + base::to_hex(d) + ".have"));
  }
  // Simulate the crash: the .have file as it was before the clean exit.
  testing::spit(dir.file("p/" + base::to_hex(d) + ".have"), have);
  auto store = DiskPartialStore::open(dir.file("p"), o);
  REQUIRE(store);
  REQUIRE((*store)->open(d, 50000));
  CHECK((*store)->held_bytes(d) == 12000);
}

TEST_CASE("disk_partial_store: delivered digests persist, one process at a time", "[transport][disk_partial_store]") {
  TempDir dir;
  {
    auto store = DiskPartialStore::open(dir.file("p"));
    REQUIRE(store);
    CHECK_FALSE((*store)->completed(digest_of(4)));
    REQUIRE((*store)->mark_completed(digest_of(4)));
    CHECK((*store)->completed(digest_of(4)));
    auto second = DiskPartialStore::open(dir.file("p"));
    REQUIRE_FALSE(second);
    CHECK(second.error().code == base::errc::lock_held);
    CHECK_THAT(second.error().message(), Catch::Contains("another receiver"));
  }
  DiskPartialStore::Options o;
  o.max_completed = 3;
  auto store = DiskPartialStore::open(dir.file("p"), o);
  REQUIRE(store);
  CHECK((*store)->completed(digest_of(4)));
  for (int i = 5; i < 9; ++i) REQUIRE((*store)->mark_completed(digest_of(i)));
  CHECK_FALSE((*store)->completed(digest_of(4)));  // the oldest forgotten
  CHECK((*store)->completed(digest_of(8)));
}

TEST_CASE("disk_partial_store: at most max_partials messages are kept", "[transport][disk_partial_store]") {
  TempDir dir;
  DiskPartialStore::Options o;
  o.max_partials = 2;
  auto store = DiskPartialStore::open(dir.file("p"), o);
  REQUIRE(store);
  for (int i = 0; i < 5; ++i) {
    REQUIRE((*store)->open(digest_of(10 + i), 1000));
    REQUIRE((*store)->write(digest_of(10 + i), 0, Bytes(10, 1)));
  }
  std::size_t parts = 0;
  for (const auto& name : testing::list_dir(dir.file("p"))) parts += name.size() > 5 && name.substr(name.size() - 5) == ".part";
  CHECK(parts <= 2);
  CHECK((*store)->held_bytes(digest_of(14)) == 10);
}
