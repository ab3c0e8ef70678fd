// The ZSK timeline (RFC 7583 §3.2 pre-publication rollovers) and the slots
// of a key-signing request: one at every change of the published ZSK set and
// at least one per slot interval.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "signer/zone_config.hpp"

namespace kskline::signer {

// The times of one ZSK (seconds since 1970): published from `publish`,
// signing from `activate` until `inactive`, removed from the DNSKEY RRset at
// `remove`. publish <= activate < inactive <= remove.
struct ZskWindow {
  std::int64_t publish = 0;
  std::int64_t activate = 0;
  std::int64_t inactive = 0;
  std::int64_t remove = 0;

  // Whether the key is in the DNSKEY RRset at `t` (publish <= t < remove).
  bool published_at(std::int64_t t) const { return publish <= t && t < remove; }
  // Whether the key signs the zone at `t` (activate <= t < inactive).
  bool active_at(std::int64_t t) const { return activate <= t && t < inactive; }
};

// The windows of the ZSKs to generate so that, with `existing`, some ZSK is
// active at every moment from `now` to `until` (inclusive). The chain goes on
// from the existing key that goes inactive last; when none is active at
// `now`, the first new key is published and active at `now`. Each next key
// is active from the previous key's inactive time for zsk_lifetime,
// published prepublish before, removed retire after. Empty when nothing is
// needed. The caller bounds (until - now) / zsk_lifetime.
std::vector<ZskWindow> plan_zsks(const std::vector<ZskWindow>& existing, const ZoneConfig& config,
                                 std::int64_t until, std::int64_t now);

// One slot of the timeline: its period and the indexes (into the windows it
// was planned from) of the ZSKs published in it.
struct PlannedSlot {
  std::int64_t start = 0;
  std::int64_t end = 0;
  std::vector<std::size_t> keys;
};

// The first moment in [from, until) at which no ZSK is active, or nullopt
// when `keys` keep the zone signed for the whole period.
std::optional<std::int64_t> first_unsigned_moment(const std::vector<ZskWindow>& keys, std::int64_t from,
                                                  std::int64_t until);

// The most slots plan_slots makes for one period.
inline constexpr std::int64_t kMaxSlots = 10000;

// Cuts [from, until) into slots: a boundary at every publish and remove time
// inside the period, and more so that no slot is longer than `interval`
// (long stretches are cut into equal parts). Each slot's keys are those
// published at its start. errc::bad_config when from >= until, interval
// <= 0, or the period needs kMaxSlots slots or more; errc::coverage_gap naming the time when some moment of the period has
// no active ZSK ("run `kskline zone pregenerate --until ...`").
Result<std::vector<PlannedSlot>> plan_slots(const std::vector<ZskWindow>& keys, std::int64_t from,
                                            std::int64_t until, std::int64_t interval);

}  // namespace kskline::signer
