// Where a receiver keeps partly received messages (for resume) and the
// digests of messages it delivered (for exactly-once delivery). The engine
// uses an in-memory store by default; the transport may keep one on disk.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "proto/envelope.hpp"
#include "proto/record.hpp"

namespace kskline::proto {

// The byte ranges held of a message: disjoint, non-touching [start, end)
// intervals keyed by start. Both stores keep one per partial message.
using ByteRanges = std::map<std::uint64_t, std::uint64_t>;

// Adds [start, end) to the ranges, merging it with every range it overlaps
// or touches.
void add_range(ByteRanges& ranges, std::uint64_t start, std::uint64_t end);
// The number of bytes the ranges hold.
std::uint64_t bytes_held(const ByteRanges& ranges);
// Whether the ranges hold every byte of a message of `total` bytes.
bool holds_all(const ByteRanges& ranges, std::uint64_t total);
// The runs of whole blocks of block_size bytes the ranges hold, lowest
// first; the last block of a message of `total` bytes may be shorter.
std::vector<BlockRange> whole_blocks(const ByteRanges& ranges, std::uint64_t total, std::uint32_t block_size);

// Storage for incoming messages, keyed by envelope digest. Implementations
// need not be thread-safe; the engine calls them from its own thread only.
class PartialStore {
 public:
  virtual ~PartialStore() = default;
  // Whether the message with this digest was delivered before.
  virtual bool completed(const Sha256& digest) = 0;
  // Records that a message was delivered (durably, for a disk store).
  virtual Result<void> mark_completed(const Sha256& digest) = 0;
  // Opens the partial message of `total` bytes, keeping what is held if it
  // exists with the same total (restarting it otherwise). errc::too_large
  // when the store cannot hold it.
  virtual Result<void> open(const Sha256& digest, std::uint64_t total) = 0;
  // The runs of whole blocks of block_size bytes held (the last block may be
  // shorter), lowest first; empty if the message is not open.
  virtual std::vector<BlockRange> held_blocks(const Sha256& digest, std::uint32_t block_size) = 0;
  // Stores bytes at an offset of an open message; errc::malformed if they
  // lie outside it or it is not open.
  virtual Result<void> write(const Sha256& digest, std::uint64_t offset, ByteView data) = 0;
  // Whether every byte of an open message is held.
  virtual bool complete(const Sha256& digest) = 0;
  // Returns a complete message's bytes and forgets the partial.
  virtual Result<Bytes> take(const Sha256& digest) = 0;
  // Forgets a partial message (e.g. its digest did not match).
  virtual void erase(const Sha256& digest) = 0;
};

// A PartialStore in memory, bounded: at most `max_partials` partial messages
// (the oldest is dropped first) and the last `max_completed` digests.
class MemoryPartialStore final : public PartialStore {
 public:
  explicit MemoryPartialStore(std::size_t max_partials = 4, std::size_t max_completed = 4096)
      : max_partials_(max_partials), max_completed_(max_completed) {}

  bool completed(const Sha256& digest) override;
  Result<void> mark_completed(const Sha256& digest) override;
  Result<void> open(const Sha256& digest, std::uint64_t total) override;
  std::vector<BlockRange> held_blocks(const Sha256& digest, std::uint32_t block_size) override;
  Result<void> write(const Sha256& digest, std::uint64_t offset, ByteView data) override;
  bool complete(const Sha256& digest) override;
  Result<Bytes> take(const Sha256& digest) override;
  void erase(const Sha256& digest) override;

  // The number of bytes held of a message (for tests and progress).
  std::uint64_t held_bytes(const Sha256& digest) const;

 private:
  struct Partial {
    std::uint64_t total = 0;
    Bytes data;
    ByteRanges have;
    std::uint64_t opened = 0;
  };
  std::size_t max_partials_, max_completed_;
  std::map<Sha256, Partial> partials_;
  std::uint64_t clock_ = 0;
  std::set<Sha256> completed_;
  std::deque<Sha256> completed_order_;
};

}  // namespace kskline::proto
