#include <catch2/catch.hpp>

#include "signer/errc.hpp"
#include "signer/zsk_schedule.hpp"

using namespace kskline;
using namespace kskline::signer;

namespace {

constexpr std::int64_t kT0 = 1796083200;  // 2026-12-01
constexpr std::int64_t kDay = 86400;

ZoneConfig config() {
  ZoneConfig c;
  c.zsk_lifetime = 30 * kDay;
  c.prepublish = 2 * kDay;
  c.retire = 2 * kDay;
  c.slot_interval = 7 * kDay;
  return c;
}

}  // namespace

TEST_CASE("zsk_schedule: the first ZSK is active now, the next published prepublish before it takes over",
          "[signer][zsk_schedule]") {
  auto keys = plan_zsks({}, config(), kT0 + 60 * kDay, kT0);
  REQUIRE(keys.size() == 3);
  CHECK(keys[0].publish == kT0);
  CHECK(keys[0].activate == kT0);
  CHECK(keys[0].inactive == kT0 + 30 * kDay);
  CHECK(keys[0].remove == kT0 + 32 * kDay);
  CHECK(keys[1].activate == kT0 + 30 * kDay);
  CHECK(keys[1].publish == kT0 + 28 * kDay);
  CHECK(keys[1].inactive == kT0 + 60 * kDay);
  CHECK(keys[2].activate == kT0 + 60 * kDay);  // someone must be active at `until` itself
  CHECK_FALSE(first_unsigned_moment(keys, kT0, kT0 + 60 * kDay));
}

TEST_CASE("zsk_schedule: planning again makes nothing, a later date extends the chain", "[signer][zsk_schedule]") {
  auto keys = plan_zsks({}, config(), kT0 + 60 * kDay, kT0);
  CHECK(plan_zsks(keys, config(), kT0 + 60 * kDay, kT0 + 5 * kDay).empty());
  auto more = plan_zsks(keys, config(), kT0 + 100 * kDay, kT0 + 5 * kDay);
  REQUIRE(more.size() == 1);
  CHECK(more[0].activate == keys.back().inactive);
  CHECK(more[0].publish == keys.back().inactive - 2 * kDay);
}

TEST_CASE("zsk_schedule: a chain that ran out starts again at now", "[signer][zsk_schedule]") {
  auto keys = plan_zsks({}, config(), kT0 + 10 * kDay, kT0);
  auto fresh = plan_zsks(keys, config(), kT0 + 200 * kDay, kT0 + 100 * kDay);
  REQUIRE_FALSE(fresh.empty());
  CHECK(fresh[0].publish == kT0 + 100 * kDay);
  CHECK(fresh[0].activate == kT0 + 100 * kDay);
}

TEST_CASE("zsk_schedule: a rollover gives a slot at the new key's publication and one at the old key's removal",
          "[signer][zsk_schedule]") {
  auto keys = plan_zsks({}, config(), kT0 + 60 * kDay, kT0);
  auto slots = plan_slots(keys, kT0, kT0 + 40 * kDay, 7 * kDay);
  REQUIRE(slots);
  REQUIRE_FALSE(slots->empty());
  CHECK(slots->front().start == kT0);
  CHECK(slots->back().end == kT0 + 40 * kDay);
  bool at_publish = false, at_remove = false;
  for (std::size_t i = 0; i < slots->size(); ++i) {
    const auto& s = (*slots)[i];
    if (i > 0) CHECK(s.start == (*slots)[i - 1].end);  // no gap, no overlap
    CHECK(s.end - s.start <= 7 * kDay);                // at least one slot per interval
    CHECK(s.end > s.start);
    if (s.start == kT0 + 28 * kDay) {
      at_publish = true;
      CHECK(s.keys == std::vector<std::size_t>{0, 1});  // old and new published
    }
    if (s.start == kT0 + 32 * kDay) {
      at_remove = true;
      CHECK(s.keys == std::vector<std::size_t>{1});  // the old one removed
    }
  }
  CHECK(at_publish);
  CHECK(at_remove);
  // Slot boundaries only where the set changes or the interval demands.
  CHECK(slots->size() == 4 + 1 + 2);
}

TEST_CASE("zsk_schedule: a period the ZSKs do not cover is refused with the fix", "[signer][zsk_schedule]") {
  auto keys = plan_zsks({}, config(), kT0 + 10 * kDay, kT0);
  auto slots = plan_slots(keys, kT0, kT0 + 40 * kDay, 7 * kDay);
  REQUIRE_FALSE(slots);
  CHECK(slots.error().code == errc::coverage_gap);
  CHECK(slots.error().detail.find("zone pregenerate --until") != std::string::npos);
  CHECK_FALSE(plan_slots(keys, kT0 + 5, kT0 + 5, 7 * kDay));
  auto huge = plan_slots(keys, kT0, kT0 + 10 * kDay, 1);
  REQUIRE_FALSE(huge);
  CHECK(huge.error().code == errc::bad_config);
}
