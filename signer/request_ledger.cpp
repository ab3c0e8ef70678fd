#include "signer/request_ledger.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include <sys/stat.h>

#include "base/atomic_file.hpp"
#include "signer/errc.hpp"
#include "signer/key_request.hpp"

namespace kskline::signer {

bool is_request_id(std::string_view id) noexcept {
  if (id.size() != 32) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Result<RequestLedger> RequestLedger::open(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return base::fail_errno("mkdir", dir);
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return fail(base::errc::io_error, "not a directory", dir);
  return RequestLedger(dir);
}

Result<std::optional<LedgerEntry>> RequestLedger::find(std::string_view id) const {
  if (!is_request_id(id)) return fail(errc::syntax, "a request id is 32 lowercase hex digits", std::string(id));
  std::string base = dir_ + "/" + std::string(id);
  auto response = base::read_file(base + ".response");
  if (!response) {
    if (response.error().code == base::errc::not_found) return std::optional<LedgerEntry>();
    return tl::unexpected(response.error());
  }
  auto request = base::read_file(base + ".request");
  if (!request) {
    return fail(errc::bad_state, "a response is stored without its request", base + ".request");
  }
  return std::optional<LedgerEntry>(LedgerEntry{std::move(*request), std::move(*response)});
}

Result<void> RequestLedger::record(std::string_view id, std::string_view request_text,
                                   std::string_view response_text, std::string_view slots_text) const {
  if (!is_request_id(id)) return fail(errc::syntax, "a request id is 32 lowercase hex digits", std::string(id));
  std::string base = dir_ + "/" + std::string(id);
  auto existing = base::read_file(base + ".request");
  if (existing) {
    // A request stored before a crash and never answered may be answered now.
    if (*existing != request_text) {
      return fail(errc::request_id_reused, "the ledger holds another request under this id", base + ".request");
    }
  } else if (existing.error().code == base::errc::not_found) {
    if (auto r = base::create_file_atomic(base + ".request", as_bytes(request_text), 0644); !r) return r;
  } else {
    return tl::unexpected(existing.error());
  }
  std::error_code ec;
  if (std::filesystem::exists(base + ".response", ec)) {
    return fail(errc::request_id_reused, "this request was answered before", base + ".response");
  }
  if (!slots_text.empty()) {
    // Replaced when a crash left one: it is derived, the response is not yet written.
    if (auto r = base::write_file_atomic(base + ".slots", as_bytes(slots_text), 0644); !r) return r;
  }
  return base::create_file_atomic(base + ".response", as_bytes(response_text), 0644);
}

Result<std::size_t> RequestLedger::signed_count() const {
  std::size_t n = 0;
  std::error_code ec;
  const std::string suffix = ".response";
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    std::string name = entry.path().filename().string();
    if (name.size() == 32 + suffix.size() && name.compare(32, suffix.size(), suffix) == 0 &&
        is_request_id(std::string_view(name).substr(0, 32))) {
      ++n;
    }
  }
  if (ec) return fail(base::errc::io_error, ec.message(), dir_);
  return n;
}

Result<std::vector<SignedSlot>> RequestLedger::signed_slots() const {
  std::vector<SignedSlot> out;
  std::error_code ec;
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    std::string name = entry.path().filename().string();
    const std::string suffix = ".response";
    if (name.size() != 32 + suffix.size() || name.compare(32, suffix.size(), suffix) != 0) continue;
    if (!is_request_id(std::string_view(name).substr(0, 32))) continue;
    names.push_back(name.substr(0, 32));
  }
  if (ec) return fail(base::errc::io_error, ec.message(), dir_);
  std::sort(names.begin(), names.end());
  for (const auto& id : names) {
    std::string path = dir_ + "/" + id + ".slots";
    std::error_code slots_ec;
    if (!std::filesystem::exists(path, slots_ec)) path = dir_ + "/" + id + ".request";
    auto text = base::read_file(path);
    if (!text) return fail(errc::bad_state, "a response is stored without its request", path);
    auto request = parse_request(*text, path);
    if (!request) return fail(errc::bad_state, "a stored request does not parse: " + request.error().message(), path);
    for (const auto& slot : request->slots) {
      SignedSlot s;
      s.request_id = request->id;
      s.zone = request->zone;
      s.request_created = request->created;
      s.start = slot.start;
      s.end = slot.end;
      for (const auto& r : slot.zsks) s.zsks.push_back(r.rdata);
      std::sort(s.zsks.begin(), s.zsks.end());
      out.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace kskline::signer
