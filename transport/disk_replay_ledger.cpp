#include "transport/disk_replay_ledger.hpp"

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <sys/stat.h>
#include <vector>

#include "base/atomic_file.hpp"
#include "base/encoding.hpp"
#include "transport/errc.hpp"

namespace kskline::transport {
namespace {

constexpr std::string_view kMagic = "kskline-replay-ledger 1";

template <std::size_t N>
bool decode(const std::string& hex, std::array<std::uint8_t, N>& out) {
  auto bytes = base::from_hex(hex);
  if (!bytes || bytes->size() != N) return false;
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return true;
}

}  // namespace

Result<std::unique_ptr<DiskReplayLedger>> DiskReplayLedger::open(const std::string& dir, std::size_t max_ids) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail(errc::io_error, "cannot create the replay ledger directory: " + ec.message(), dir);
  auto lock = base::FileLock::acquire(dir + "/replay-ledger.lock");
  if (!lock) {
    Error e = lock.error();
    if (e.code == base::errc::lock_held) e.detail = "another process is using this replay ledger";
    e.where = dir;
    return tl::unexpected(e);
  }
  std::unique_ptr<DiskReplayLedger> ledger(new DiskReplayLedger(dir + "/replay-ledger", max_ids, std::move(*lock)));
  if (auto ok = ledger->load(); !ok) return tl::unexpected(ok.error());
  return ledger;
}

Result<void> DiskReplayLedger::load() {
  auto text = base::read_file(file_, 256u << 20);
  if (!text) {
    if (text.error().code == base::errc::not_found) return {};
    return tl::unexpected(text.error());
  }
  std::istringstream in(*text);
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    auto bad = [&] {
      return fail(errc::io_error, "malformed replay ledger (refusing to start afresh, which would accept replays)",
                  file_ + ":" + std::to_string(line_no));
    };
    if (line_no == 1) {
      if (line != kMagic) return bad();
      continue;
    }
    std::istringstream fields(line);
    std::string kind, sender_hex, third;
    fields >> kind >> sender_hex;
    proto::PublicKey sender{};
    if (!decode(sender_hex, sender)) return bad();
    if (kind == "highest") {
      std::uint64_t counter = 0;
      if (!(fields >> counter)) return bad();
      senders_[sender].highest = counter;
    } else if (kind == "id") {
      std::string id_hex;
      std::uint64_t counter = 0;
      proto::MessageId id{};
      if (!(fields >> id_hex >> counter) || !decode(id_hex, id)) return bad();
      senders_[sender].ids[id] = counter;
    } else {
      return bad();
    }
  }
  if (line_no == 0) return fail(errc::io_error, "empty replay ledger (refusing to start afresh)", file_);
  return {};
}

Result<void> DiskReplayLedger::save() const {
  std::string out = std::string(kMagic) + "\n";
  for (const auto& [sender, s] : senders_) {
    std::string key = base::to_hex(sender);
    out += "highest " + key + " " + std::to_string(s.highest) + "\n";
    for (const auto& [id, counter] : s.ids) out += "id " + key + " " + base::to_hex(id) + " " + std::to_string(counter) + "\n";
  }
  return base::write_file_atomic(file_, as_bytes(out), 0600);
}

Result<std::uint64_t> DiskReplayLedger::highest_counter(const proto::PublicKey& sender) {
  auto it = senders_.find(sender);
  return it == senders_.end() ? 0 : it->second.highest;
}

Result<bool> DiskReplayLedger::contains(const proto::PublicKey& sender, const proto::MessageId& id) {
  auto it = senders_.find(sender);
  return it != senders_.end() && it->second.ids.count(id) != 0;
}

bool DiskReplayLedger::knows(const proto::PublicKey& sender) const { return senders_.count(sender) != 0; }

std::vector<proto::PublicKey> DiskReplayLedger::signers() const {
  std::vector<proto::PublicKey> out;
  for (const auto& [sender, s] : senders_) {
    if (sender != proto::PublicKey{}) out.push_back(sender);
  }
  return out;
}

Result<void> DiskReplayLedger::record(const proto::PublicKey& sender, const proto::MessageId& id, std::uint64_t counter) {
  PerSender before;
  auto existing = senders_.find(sender);
  bool had = existing != senders_.end();
  if (had) before = existing->second;
  PerSender& s = senders_[sender];
  s.ids[id] = counter;
  s.highest = std::max(s.highest, counter);
  // Forget ids the counter rule refuses anyway, then the oldest beyond max_ids_.
  if (s.highest > proto::kReplayWindow) {
    std::uint64_t floor = s.highest - proto::kReplayWindow;
    std::erase_if(s.ids, [&](const auto& kv) { return kv.second < floor; });
  }
  if (s.ids.size() > max_ids_) {
    std::vector<std::pair<std::uint64_t, proto::MessageId>> by_counter;
    for (const auto& [i, c] : s.ids) by_counter.emplace_back(c, i);
    std::sort(by_counter.begin(), by_counter.end());
    for (std::size_t k = 0; k + max_ids_ < by_counter.size(); ++k) s.ids.erase(by_counter[k].second);
  }
  if (auto ok = save(); !ok) {
    if (had) {
      senders_[sender] = std::move(before);
    } else {
      senders_.erase(sender);
    }
    return ok;
  }
  return {};
}

}  // namespace kskline::transport
