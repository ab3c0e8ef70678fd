#include "proto/partial_store.hpp"

#include <algorithm>

#include "proto/errc.hpp"

namespace kskline::proto {

void add_range(ByteRanges& ranges, std::uint64_t start, std::uint64_t end) {
  auto it = ranges.upper_bound(start);
  if (it != ranges.begin()) {
    auto prev = std::prev(it);
    if (prev->second >= start) {
      start = prev->first;
      end = std::max(end, prev->second);
      it = ranges.erase(prev);
    }
  }
  while (it != ranges.end() && it->first <= end) {
    end = std::max(end, it->second);
    it = ranges.erase(it);
  }
  ranges.emplace(start, end);
}

std::uint64_t bytes_held(const ByteRanges& ranges) {
  std::uint64_t n = 0;
  for (const auto& [start, end] : ranges) n += end - start;
  return n;
}

bool holds_all(const ByteRanges& ranges, std::uint64_t total) {
  if (total == 0) return true;
  return ranges.size() == 1 && ranges.begin()->first == 0 && ranges.begin()->second == total;
}

std::vector<BlockRange> whole_blocks(const ByteRanges& ranges, std::uint64_t total, std::uint32_t block_size) {
  std::vector<BlockRange> out;
  if (block_size == 0) return out;
  for (const auto& [start, end] : ranges) {
    std::uint64_t first = (start + block_size - 1) / block_size;
    // Blocks wholly inside [start, end); the last block of the message ends at total.
    std::uint64_t last = end == total ? (end + block_size - 1) / block_size : end / block_size;
    if (last <= first) continue;
    out.push_back({static_cast<std::uint32_t>(first), static_cast<std::uint32_t>(last - first)});
  }
  return out;
}

bool MemoryPartialStore::completed(const Sha256& digest) { return completed_.count(digest) != 0; }

Result<void> MemoryPartialStore::mark_completed(const Sha256& digest) {
  if (completed_.insert(digest).second) {
    completed_order_.push_back(digest);
    while (completed_order_.size() > max_completed_) {
      completed_.erase(completed_order_.front());
      completed_order_.pop_front();
    }
  }
  return {};
}

Result<void> MemoryPartialStore::open(const Sha256& digest, std::uint64_t total) {
  auto it = partials_.find(digest);
  if (it != partials_.end() && it->second.total == total) return {};
  if (it != partials_.end()) partials_.erase(it);
  if (max_partials_ == 0) return fail(errc::too_large, "no room for partial messages");
  while (partials_.size() >= max_partials_) {
    auto oldest = std::min_element(partials_.begin(), partials_.end(),
                                   [](const auto& a, const auto& b) { return a.second.opened < b.second.opened; });
    partials_.erase(oldest);
  }
  Partial p;
  p.total = total;
  p.opened = ++clock_;
  partials_.emplace(digest, std::move(p));
  return {};
}

std::vector<BlockRange> MemoryPartialStore::held_blocks(const Sha256& digest, std::uint32_t block_size) {
  auto it = partials_.find(digest);
  if (it == partials_.end()) return {};
  return whole_blocks(it->second.have, it->second.total, block_size);
}

Result<void> MemoryPartialStore::write(const Sha256& digest, std::uint64_t offset, ByteView data) {
  auto it = partials_.find(digest);
  if (it == partials_.end()) return fail(errc::malformed, "chunk for a message that is not open");
  Partial& p = it->second;
  if (offset > p.total || data.size() > p.total - offset) return fail(errc::malformed, "chunk outside the message");
  if (data.empty()) return {};
  std::uint64_t end = offset + data.size();
  if (p.data.size() < end) p.data.resize(static_cast<std::size_t>(end));
  std::copy(data.begin(), data.end(), p.data.begin() + static_cast<std::ptrdiff_t>(offset));
  add_range(p.have, offset, end);
  return {};
}

bool MemoryPartialStore::complete(const Sha256& digest) {
  auto it = partials_.find(digest);
  if (it == partials_.end()) return false;
  const Partial& p = it->second;
  return holds_all(p.have, p.total);
}

Result<Bytes> MemoryPartialStore::take(const Sha256& digest) {
  if (!complete(digest)) return fail(errc::malformed, "message is not complete");
  auto it = partials_.find(digest);
  Bytes data = std::move(it->second.data);
  partials_.erase(it);
  return data;
}

void MemoryPartialStore::erase(const Sha256& digest) { partials_.erase(digest); }

std::uint64_t MemoryPartialStore::held_bytes(const Sha256& digest) const {
  auto it = partials_.find(digest);
  if (it == partials_.end()) return 0;
  return bytes_held(it->second.have);
}

}  // namespace kskline::proto
