// A proto::PartialStore on disk, so that a receiver that restarts resumes a
// message from the blocks it already holds instead of from zero.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "base/file_lock.hpp"
#include "proto/partial_store.hpp"

namespace kskline::transport {

// Partial messages and delivered digests in a directory, locked by one
// process at a time:
//   DIR/lock                an exclusive lock (base::FileLock) while open
//   DIR/<digest>.part       the message bytes at their offsets (sparse)
//   DIR/<digest>.have       the byte ranges of .part known good, written
//                           atomically after the bytes were fsynced
//   DIR/completed           digests delivered, one hex line each
// Bytes received since the last sync (at most sync_bytes, or sync_interval
// of the line's time) are re-requested after a crash, never trusted. At most max_partials messages are kept (the least recently
// touched one is dropped first) and the last max_completed digests.
class DiskPartialStore final : public proto::PartialStore {
 public:
  // Tuning of a store.
  struct Options {
    std::size_t max_partials = 4;
    std::size_t max_completed = 4096;
    std::uint64_t sync_bytes = 64 * 1024;  // make written bytes durable this often,
    std::chrono::milliseconds sync_interval{1000};  // or when this long has passed
  };

  // Opens the store in `dir` (created if missing, mode 0700) and locks it.
  // base::errc::lock_held when another process has it open; errc::io_error
  // when it cannot be created or its completed list cannot be read.
  static Result<std::unique_ptr<DiskPartialStore>> open(const std::string& dir, Options options);
  // As open(dir, Options{}).
  static Result<std::unique_ptr<DiskPartialStore>> open(const std::string& dir);

  // Syncs every open partial (see sync()) and releases the lock.
  ~DiskPartialStore() override;
  DiskPartialStore(const DiskPartialStore&) = delete;
  DiskPartialStore& operator=(const DiskPartialStore&) = delete;

  bool completed(const proto::Sha256& digest) override;
  Result<void> mark_completed(const proto::Sha256& digest) override;
  Result<void> open(const proto::Sha256& digest, std::uint64_t total) override;
  std::vector<proto::BlockRange> held_blocks(const proto::Sha256& digest, std::uint32_t block_size) override;
  Result<void> write(const proto::Sha256& digest, std::uint64_t offset, ByteView data) override;
  bool complete(const proto::Sha256& digest) override;
  Result<Bytes> take(const proto::Sha256& digest) override;
  void erase(const proto::Sha256& digest) override;

  // Makes every byte written so far durable and recorded in its .have file.
  Result<void> sync();
  // The number of bytes held of an open message (0 if not open).
  std::uint64_t held_bytes(const proto::Sha256& digest) const;
  // The bytes held when a message was opened: what a restart resumed from.
  // Bytes found already held when messages were (re)opened, in total:
  // what resuming saved.
  std::uint64_t resumed_bytes() const noexcept { return resumed_bytes_; }

 private:
  struct Partial {
    std::uint64_t total = 0;
    proto::ByteRanges have;
    int fd = -1;
    std::uint64_t unsynced = 0;
    std::chrono::steady_clock::time_point synced_at;
  };
  DiskPartialStore(std::string dir, Options options, base::FileLock lock);
  std::string path(const proto::Sha256& digest, const char* ext) const;
  Result<void> sync_one(const proto::Sha256& digest, Partial& p);
  void drop(const proto::Sha256& digest, bool remove_files);
  void prune_partials(const proto::Sha256& keep);
  Result<void> load_completed();

  std::string dir_;
  Options options_;
  base::FileLock lock_;
  std::map<proto::Sha256, Partial> open_;
  std::set<proto::Sha256> completed_;
  std::deque<proto::Sha256> completed_order_;
  std::uint64_t resumed_bytes_ = 0;
};

}  // namespace kskline::transport
