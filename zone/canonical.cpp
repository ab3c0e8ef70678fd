#include "zone/canonical.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <string>

#include "zone/rdata.hpp"

namespace kskline::zone {
namespace {

int compare_bytes(ByteView a, ByteView b) {
  std::size_t n = std::min(a.size(), b.size());
  if (n > 0) {
    if (int c = std::memcmp(a.data(), b.data(), n); c != 0) return c;
  }
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

}  // namespace

int compare_canonical_rdata(std::uint16_t type, ByteView a, ByteView b) {
  const RRTypeInfo* info = find_type(type);
  if (info == nullptr || !info->canonical_lowercase) return compare_bytes(a, b);
  Bytes ca(a.begin(), a.end()), cb(b.begin(), b.end());
  canonicalize_rdata(type, ca);
  canonicalize_rdata(type, cb);
  return compare_bytes(ca, cb);
}

void sort_canonical(std::vector<Record>& records) {
  // Owner keys live in one arena so that sorting compares flat octet strings.
  std::string arena;
  std::vector<std::uint32_t> offset(records.size() + 1);
  for (std::size_t i = 0; i < records.size(); ++i) {
    offset[i] = static_cast<std::uint32_t>(arena.size());
    arena += records[i].owner.canonical_key();
  }
  offset[records.size()] = static_cast<std::uint32_t>(arena.size());
  auto key = [&](std::size_t i) {
    return std::string_view(arena.data() + offset[i], offset[i + 1] - offset[i]);
  };

  std::vector<std::uint32_t> order(records.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
    if (int c = key(x).compare(key(y)); c != 0) return c < 0;
    const Record& a = records[x];
    const Record& b = records[y];
    if (a.type != b.type) return a.type < b.type;
    return compare_canonical_rdata(a.type, a.rdata, b.rdata) < 0;
  });

  std::vector<Record> sorted;
  sorted.reserve(records.size());
  for (auto i : order) sorted.push_back(std::move(records[i]));
  records = std::move(sorted);
}

std::size_t remove_duplicates(std::vector<Record>& records) {
  if (records.empty()) return 0;
  std::size_t kept = 1;
  for (std::size_t i = 1; i < records.size(); ++i) {
    const Record& prev = records[kept - 1];
    Record& cur = records[i];
    bool duplicate = cur.type == prev.type && cur.rclass == prev.rclass && cur.owner == prev.owner &&
                     compare_canonical_rdata(cur.type, cur.rdata, prev.rdata) == 0;
    if (!duplicate) {
      if (kept != i) records[kept] = std::move(cur);
      ++kept;
    }
  }
  std::size_t removed = records.size() - kept;
  records.resize(kept);
  return removed;
}

std::vector<RRsetRange> group_rrsets(const std::vector<Record>& records) {
  std::vector<RRsetRange> sets;
  std::size_t begin = 0;
  for (std::size_t i = 1; i <= records.size(); ++i) {
    if (i == records.size() || records[i].type != records[begin].type || !(records[i].owner == records[begin].owner)) {
      if (i > begin) sets.push_back({begin, i});
      begin = i;
    }
  }
  return sets;
}

}  // namespace kskline::zone
