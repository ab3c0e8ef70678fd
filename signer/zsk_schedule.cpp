#include "signer/zsk_schedule.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "signer/errc.hpp"
#include "signer/key_request.hpp"

namespace kskline::signer {

std::vector<ZskWindow> plan_zsks(const std::vector<ZskWindow>& existing, const ZoneConfig& config,
                                 std::int64_t until, std::int64_t now) {
  std::vector<ZskWindow> out;
  // The chain continues from the key that goes inactive last, if it is still
  // active (or yet to come) at `now`.
  std::optional<ZskWindow> last;
  for (const auto& w : existing) {
    if (w.inactive > now && (!last || w.inactive > last->inactive)) last = w;
  }
  auto next_after = [&](std::int64_t activate) {
    ZskWindow w;
    w.activate = activate;
    w.publish = std::max(now, activate - config.prepublish);
    w.inactive = activate + config.zsk_lifetime;
    w.remove = w.inactive + config.retire;
    return w;
  };
  if (!last) {
    last = next_after(now);
    out.push_back(*last);
  }
  while (last->inactive <= until) {
    last = next_after(last->inactive);
    out.push_back(*last);
  }
  return out;
}

std::optional<std::int64_t> first_unsigned_moment(const std::vector<ZskWindow>& keys, std::int64_t from,
                                                  std::int64_t until) {
  std::int64_t t = from;
  while (t < until) {
    // The furthest any key active at t reaches.
    std::optional<std::int64_t> reach;
    for (const auto& k : keys) {
      if (k.active_at(t) && (!reach || k.inactive > *reach)) reach = k.inactive;
    }
    if (!reach) return t;
    t = *reach;
  }
  return std::nullopt;
}

Result<std::vector<PlannedSlot>> plan_slots(const std::vector<ZskWindow>& keys, std::int64_t from,
                                            std::int64_t until, std::int64_t interval) {
  if (from >= until) return fail(errc::bad_config, "the period ends before it starts", "--from/--until");
  if (interval <= 0) return fail(errc::bad_config, "must be longer than 0", "signatures.slot_interval");
  if ((until - from) / interval >= kMaxSlots) {
    return fail(errc::bad_config,
                "the period would need more than " + std::to_string(kMaxSlots) + " slots; ask for a shorter one",
                "--from/--until");
  }
  if (auto gap = first_unsigned_moment(keys, from, until)) {
    return fail(errc::coverage_gap,
                "no ZSK is active at " + format_time(*gap) + "; run `kskline zone pregenerate --until " +
                    format_time(until) + "` first",
                format_time(*gap));
  }
  // Changes of the published set inside the period.
  std::set<std::int64_t> changes{from, until};
  for (const auto& k : keys) {
    for (std::int64_t t : {k.publish, k.remove}) {
      if (t > from && t < until) changes.insert(t);
    }
  }
  std::vector<PlannedSlot> slots;
  for (auto it = changes.begin(); std::next(it) != changes.end(); ++it) {
    std::int64_t a = *it, b = *std::next(it);
    // Equal parts of at most `interval`.
    std::int64_t parts = (b - a + interval - 1) / interval;
    for (std::int64_t i = 0; i < parts; ++i) {
      PlannedSlot s;
      s.start = a + (b - a) * i / parts;
      s.end = a + (b - a) * (i + 1) / parts;
      for (std::size_t k = 0; k < keys.size(); ++k) {
        if (keys[k].published_at(s.start)) s.keys.push_back(k);
      }
      slots.push_back(std::move(s));
    }
  }
  return slots;
}

}  // namespace kskline::signer
