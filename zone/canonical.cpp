#include "zone/canonical.hpp"

#include <algorithm>
#include <cstring>
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
  // Reused per thread: canonical copies without an allocation per comparison.
  thread_local Bytes ca, cb;
  ca.assign(a.begin(), a.end());
  cb.assign(b.begin(), b.end());
  canonicalize_rdata(type, ca);
  canonicalize_rdata(type, cb);
  return compare_bytes(ca, cb);
}

OwnerStarts sort_canonical(std::vector<Record>& records) {
  const std::size_t n = records.size();
  if (n < 2) return OwnerStarts(n, true);

  // Owner keys (Name::append_canonical_key) live in one arena.
  std::string arena;
  arena.reserve(n * 16);
  std::vector<std::size_t> offset(n + 1);
  for (std::size_t i = 0; i < n; ++i) {
    offset[i] = arena.size();
    records[i].owner.append_canonical_key(arena);
  }
  offset[n] = arena.size();
  auto key = [&](std::size_t i) { return std::string_view(arena.data() + offset[i], offset[i + 1] - offset[i]); };

  // Every key of a zone starts with the origin's labels: skip what all share,
  // and sort small entries holding the next 16 key octets, so that most
  // comparisons never leave the entry array.
  std::size_t common = key(0).size();
  for (std::size_t i = 1; i < n && common > 0; ++i) {
    auto k = key(i);
    auto limit = std::min(common, k.size());
    common = static_cast<std::size_t>(std::mismatch(k.begin(), k.begin() + static_cast<std::ptrdiff_t>(limit),
                                                    key(0).begin()).first - k.begin());
  }
  struct Entry {
    std::uint64_t head0, head1;  // key octets common..common+16, big-endian, zero-padded
    std::uint32_t index;
    std::uint16_t type;
    std::uint16_t length;  // of the whole key (at most 2 * 255 octets)
  };
  auto load = [](std::string_view k, std::size_t at) {
    std::uint64_t v = 0;
    for (std::size_t j = 0; j < 8; ++j) {
      v = (v << 8) | (at + j < k.size() ? static_cast<std::uint8_t>(k[at + j]) : 0u);
    }
    return v;
  };
  std::vector<Entry> entries(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto k = key(i);
    entries[i] = Entry{load(k, common), load(k, common + 8), static_cast<std::uint32_t>(i), records[i].type,
                       static_cast<std::uint16_t>(k.size())};
  }
  // Compares the keys of two entries; the arena is read only when the heads
  // tie and a key is longer than what the heads hold.
  auto compare_keys = [&](const Entry& x, const Entry& y) -> int {
    if (x.head0 != y.head0) return x.head0 < y.head0 ? -1 : 1;
    if (x.head1 != y.head1) return x.head1 < y.head1 ? -1 : 1;
    if (x.length <= common + 16 && y.length <= common + 16) return x.length - y.length;
    std::size_t skip = std::min<std::size_t>({common + 16, x.length, y.length});
    return key(x.index).substr(skip).compare(key(y.index).substr(skip));
  };
  std::sort(entries.begin(), entries.end(), [&](const Entry& x, const Entry& y) {
    if (int c = compare_keys(x, y); c != 0) return c < 0;
    if (x.type != y.type) return x.type < y.type;
    if (int c = compare_canonical_rdata(x.type, records[x.index].rdata, records[y.index].rdata); c != 0) return c < 0;
    return x.index < y.index;  // equal records keep their input order
  });

  // Owners change where the sorted keys do.
  OwnerStarts starts(n, true);
  for (std::size_t p = 1; p < n; ++p) {
    starts[p] = compare_keys(entries[p - 1], entries[p]) != 0;
  }

  // Gather the records in their new order; the reads are random, so each is
  // prefetched a few entries ahead.
  std::vector<Record> sorted;
  sorted.reserve(n);
  constexpr std::size_t kAhead = 8;
  for (std::size_t p = 0; p < n; ++p) {
    if (p + kAhead < n) __builtin_prefetch(&records[entries[p + kAhead].index]);
    sorted.push_back(std::move(records[entries[p].index]));
  }
  records = std::move(sorted);
  return starts;
}

namespace {

// Whether records[i] starts a new owner name after records[i-1]: from
// `starts` when given, else by comparing the names.
bool owner_changes(const std::vector<Record>& records, const OwnerStarts* starts, std::size_t i) {
  return starts != nullptr ? (*starts)[i] : !(records[i].owner == records[i - 1].owner);
}

}  // namespace

std::size_t remove_duplicates(std::vector<Record>& records, OwnerStarts* starts) {
  if (records.empty()) return 0;
  std::size_t kept = 1;
  for (std::size_t i = 1; i < records.size(); ++i) {
    const Record& prev = records[kept - 1];
    Record& cur = records[i];
    // Only removed duplicates of prev lie between prev and cur, so starts[i]
    // tells whether cur's owner differs from prev's. Records before i may have
    // been moved from: names are compared with prev, never with records[i-1].
    bool duplicate = cur.type == prev.type && cur.rclass == prev.rclass &&
                     (starts != nullptr ? !(*starts)[i] : cur.owner == prev.owner) &&
                     compare_canonical_rdata(cur.type, cur.rdata, prev.rdata) == 0;
    if (!duplicate) {
      if (kept != i) {
        records[kept] = std::move(cur);
        if (starts != nullptr) (*starts)[kept] = (*starts)[i];
      }
      ++kept;
    }
  }
  std::size_t removed = records.size() - kept;
  records.resize(kept);
  if (starts != nullptr) starts->resize(kept);
  return removed;
}

std::vector<RRsetRange> group_rrsets(const std::vector<Record>& records, const OwnerStarts* starts) {
  std::vector<RRsetRange> sets;
  std::size_t begin = 0;
  bool begin_new_owner = true;
  for (std::size_t i = 1; i <= records.size(); ++i) {
    bool boundary = i == records.size();
    bool new_owner = false;
    if (!boundary) {
      new_owner = owner_changes(records, starts, i);
      boundary = new_owner || records[i].type != records[begin].type;
    }
    if (boundary) {
      if (i > begin) sets.push_back({begin, i, begin_new_owner});
      begin = i;
      begin_new_owner = new_owner;
    }
  }
  return sets;
}

}  // namespace kskline::zone
