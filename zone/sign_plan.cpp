#include "zone/internal/sign_plan.hpp"

#include <algorithm>
#include <atomic>
#include <thread>
#include <utility>

#include "zone/errc.hpp"

namespace kskline::zone::signing {

Result<void> plan_nsec3(Plan& plan, unsigned threads) {
  const ZoneTree& tree = *plan.tree;
  const auto& s = *plan.options->nsec3;
  std::vector<std::uint32_t> chain;
  for (std::size_t i = 0; i < tree.name_count(); ++i) {
    if (tree.in_nsec3_chain(i, s.opt_out)) chain.push_back(static_cast<std::uint32_t>(i));
  }
  plan.nsec3.resize(chain.size());
  std::vector<Error> errors(threads);
  std::vector<std::thread> pool;
  std::atomic<bool> failed{false};
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      Nsec3Hasher hasher(s.salt, s.iterations);
      for (std::size_t k = t; k < chain.size() && !failed; k += threads) {
        auto& e = plan.nsec3[k];
        e.name = chain[k];
        e.hash = hasher.hash(tree.name(chain[k]));
        auto owner = Name::parse(nsec3_hash_label(e.hash), &tree.origin());
        if (!owner) {
          errors[t] = owner.error();
          failed = true;
          return;
        }
        e.owner = std::move(*owner);
      }
    });
  }
  for (auto& th : pool) th.join();
  for (auto& e : errors) {
    if (e.code) return tl::unexpected(e);
  }
  std::sort(plan.nsec3.begin(), plan.nsec3.end(),
            [](const Nsec3Entry& a, const Nsec3Entry& b) { return a.hash < b.hash; });
  for (std::size_t k = 1; k < plan.nsec3.size(); ++k) {
    if (plan.nsec3[k].hash == plan.nsec3[k - 1].hash) {
      return fail(errc::zone_invalid, "NSEC3 hash collision between " + tree.name(plan.nsec3[k - 1].name).to_string() +
                                          " and " + tree.name(plan.nsec3[k].name).to_string() +
                                          "; choose another salt");
    }
  }
  return {};
}

void plan_items(Plan& plan) {
  const ZoneTree& tree = *plan.tree;
  std::size_t k = 0;
  for (std::size_t i = 0; i < tree.name_count(); ++i) {
    if (tree.rrsets(i).empty()) continue;
    const Name& name = tree.name(i);
    while (k < plan.nsec3.size() && plan.nsec3[k].owner < name) {
      plan.items.push_back({kNone, static_cast<std::uint32_t>(k)});
      ++k;
    }
    Item item{static_cast<std::uint32_t>(i), kNone};
    if (k < plan.nsec3.size() && plan.nsec3[k].owner == name) item.nsec3 = static_cast<std::uint32_t>(k++);
    plan.items.push_back(item);
  }
  for (; k < plan.nsec3.size(); ++k) plan.items.push_back({kNone, static_cast<std::uint32_t>(k)});
}

void plan_nsec(Plan& plan) {
  const ZoneTree& tree = *plan.tree;
  plan.nsec_next.assign(tree.name_count(), kNone);
  std::uint32_t first = kNone, last = kNone;
  for (std::size_t i = 0; i < tree.name_count(); ++i) {
    if (!tree.in_nsec_chain(i)) continue;
    if (last == kNone) {
      first = static_cast<std::uint32_t>(i);
    } else {
      plan.nsec_next[last] = static_cast<std::uint32_t>(i);
    }
    last = static_cast<std::uint32_t>(i);
  }
  if (last != kNone) plan.nsec_next[last] = first;
}

}  // namespace kskline::zone::signing
