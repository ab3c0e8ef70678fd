// The spool replay ledger on disk: which message ids and counters each
// sender already had accepted, kept atomically under a lock.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "base/file_lock.hpp"
#include "proto/replay.hpp"

namespace kskline::transport {

// A proto::ReplayLedger in a file, rewritten atomically (temp, fsync,
// rename, directory fsync) by every record() before it returns, and locked
// (DIR/replay-ledger.lock, base::FileLock) for the life of the object:
//   kskline-replay-ledger 1
//   highest <sender hex> <counter>
//   id <sender hex> <message id hex> <counter>
// Ids more than kReplayWindow counters below their sender's highest are
// forgotten (the counter rule refuses them anyway); at most max_ids a sender.
class DiskReplayLedger final : public proto::ReplayLedger {
 public:
  // Opens (creating DIR, mode 0700) and locks the ledger in `dir`.
  // base::errc::lock_held when another process holds it; errc::io_error when
  // the file is unreadable or malformed (never silently reset: that would
  // accept replays).
  static Result<std::unique_ptr<DiskReplayLedger>> open(const std::string& dir, std::size_t max_ids = 100000);

  Result<std::uint64_t> highest_counter(const proto::PublicKey& sender) override;
  Result<bool> contains(const proto::PublicKey& sender, const proto::MessageId& id) override;
  Result<void> record(const proto::PublicKey& sender, const proto::MessageId& id, std::uint64_t counter) override;

  // Whether a message from this signer was ever accepted (all zeros: unsigned).
  bool knows(const proto::PublicKey& sender) const;
  // The signers (not the all-zeros key) of messages accepted before.
  std::vector<proto::PublicKey> signers() const;

 private:
  struct PerSender {
    std::uint64_t highest = 0;
    std::map<proto::MessageId, std::uint64_t> ids;  // id -> counter
  };
  DiskReplayLedger(std::string file, std::size_t max_ids, base::FileLock lock)
      : file_(std::move(file)), max_ids_(max_ids), lock_(std::move(lock)) {}
  Result<void> load();
  Result<void> save() const;

  std::string file_;
  std::size_t max_ids_;
  base::FileLock lock_;
  std::map<proto::PublicKey, PerSender> senders_;
};

}  // namespace kskline::transport
