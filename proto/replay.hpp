// Replay refusal for spool links: proto decides, the transport keeps the
// ledger (on disk, atomically, under a lock).
#pragma once

#include <cstdint>
#include <map>
#include <set>

#include "base/error.hpp"
#include "proto/envelope.hpp"

namespace kskline::proto {

// How far below a sender's highest counter a message may still be accepted.
inline constexpr std::uint64_t kReplayWindow = 1024;

// The ledger of messages accepted per sender (keyed by the signer's public
// key, all zeros for unsigned envelopes). Implementations report storage
// failures as errors; they need not remember ids more than kReplayWindow
// counters below the highest.
class ReplayLedger {
 public:
  virtual ~ReplayLedger() = default;
  // The highest counter accepted from a sender, 0 if none.
  virtual Result<std::uint64_t> highest_counter(const PublicKey& sender) = 0;
  // Whether a message id was already accepted from a sender.
  virtual Result<bool> contains(const PublicKey& sender, const MessageId& id) = 0;
  // Records that a message was accepted (durably, before the caller acts on it).
  virtual Result<void> record(const PublicKey& sender, const MessageId& id, std::uint64_t counter) = 0;
};

// Refuses a replayed envelope (errc::replayed: id already accepted from its
// sender, or counter more than kReplayWindow below the highest accepted) and
// otherwise records it. Call after authenticate() succeeded.
Result<void> check_and_record_replay(const Envelope& envelope, ReplayLedger& ledger);

// A ledger in memory, for tests and loopback links.
class MemoryReplayLedger final : public ReplayLedger {
 public:
  Result<std::uint64_t> highest_counter(const PublicKey& sender) override;
  Result<bool> contains(const PublicKey& sender, const MessageId& id) override;
  Result<void> record(const PublicKey& sender, const MessageId& id, std::uint64_t counter) override;

 private:
  struct PerSender {
    std::uint64_t highest = 0;
    std::set<MessageId> ids;
  };
  std::map<PublicKey, PerSender> senders_;
};

}  // namespace kskline::proto
