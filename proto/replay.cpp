#include "proto/replay.hpp"

#include <string>

#include "base/encoding.hpp"
#include "proto/errc.hpp"

namespace kskline::proto {

Result<void> check_and_record_replay(const Envelope& envelope, ReplayLedger& ledger) {
  PublicKey sender = envelope.signer.value_or(PublicKey{});
  const auto& h = envelope.header;
  auto seen = ledger.contains(sender, h.id);
  if (!seen) return tl::unexpected(seen.error());
  if (*seen) return fail(errc::replayed, "message id " + base::to_hex(h.id) + " was already accepted");
  auto highest = ledger.highest_counter(sender);
  if (!highest) return tl::unexpected(highest.error());
  if (*highest > kReplayWindow && h.counter < *highest - kReplayWindow) {
    return fail(errc::replayed, "counter " + std::to_string(h.counter) + " is too far below " +
                                    std::to_string(*highest) + ", the highest accepted from this sender");
  }
  return ledger.record(sender, h.id, h.counter);
}

Result<std::uint64_t> MemoryReplayLedger::highest_counter(const PublicKey& sender) {
  auto it = senders_.find(sender);
  return it == senders_.end() ? 0 : it->second.highest;
}

Result<bool> MemoryReplayLedger::contains(const PublicKey& sender, const MessageId& id) {
  auto it = senders_.find(sender);
  return it != senders_.end() && it->second.ids.count(id) != 0;
}

Result<void> MemoryReplayLedger::record(const PublicKey& sender, const MessageId& id, std::uint64_t counter) {
  auto& s = senders_[sender];
  s.ids.insert(id);
  if (counter > s.highest) s.highest = counter;
  return {};
}

}  // namespace kskline::proto
