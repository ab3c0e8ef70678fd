#include "transport/disk_partial_store.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.hpp"
#include "base/encoding.hpp"
#include "proto/errc.hpp"
#include "transport/errc.hpp"

namespace kskline::transport {
namespace {

constexpr std::string_view kHaveMagic = "kskline-partial 1";

Result<proto::ByteRanges> parse_have(const std::string& text, std::uint64_t& total) {
  proto::ByteRanges have;
  std::size_t pos = 0;
  int line_no = 0;
  auto bad = [] { return fail(errc::io_error, "malformed .have file"); };
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) return bad();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line_no == 1) {
      if (line != kHaveMagic) return bad();
      continue;
    }
    unsigned long long a = 0, b = 0;
    char kind[8] = {};
    int n = std::sscanf(line.c_str(), "%7s %llu %llu", kind, &a, &b);
    if (n == 2 && std::strcmp(kind, "total") == 0) {
      total = a;
    } else if (n == 3 && std::strcmp(kind, "have") == 0 && a < b && b <= total) {
      have[a] = b;
    } else {
      return bad();
    }
  }
  return have;
}

}  // namespace

DiskPartialStore::DiskPartialStore(std::string dir, Options options, base::FileLock lock)
    : dir_(std::move(dir)), options_(options), lock_(std::move(lock)) {}

Result<std::unique_ptr<DiskPartialStore>> DiskPartialStore::open(const std::string& dir) { return open(dir, Options{}); }

Result<std::unique_ptr<DiskPartialStore>> DiskPartialStore::open(const std::string& dir, Options options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail(errc::io_error, "cannot create the partial-message store: " + ec.message(), dir);
  ::chmod(dir.c_str(), 0700);
  auto lock = base::FileLock::acquire(dir + "/lock");
  if (!lock) {
    Error e = lock.error();
    if (e.code == base::errc::lock_held) e.detail = "another receiver is using this partial-message store";
    e.where = dir;
    return tl::unexpected(e);
  }
  std::unique_ptr<DiskPartialStore> store(new DiskPartialStore(dir, options, std::move(*lock)));
  if (auto ok = store->load_completed(); !ok) return tl::unexpected(ok.error());
  return store;
}

DiskPartialStore::~DiskPartialStore() {
  (void)sync();
  for (auto& [digest, p] : open_) {
    if (p.fd >= 0) ::close(p.fd);
  }
}

std::string DiskPartialStore::path(const proto::Sha256& digest, const char* ext) const {
  return dir_ + "/" + base::to_hex(digest) + ext;
}

Result<void> DiskPartialStore::load_completed() {
  auto text = base::read_file(dir_ + "/completed", 64u << 20);
  if (!text) {
    if (text.error().code == base::errc::not_found) return {};
    return tl::unexpected(text.error());
  }
  std::size_t pos = 0;
  while (pos < text->size()) {
    std::size_t end = text->find('\n', pos);
    if (end == std::string::npos) break;  // a torn last line: ignore it
    auto bytes = base::from_hex(std::string_view(*text).substr(pos, end - pos));
    pos = end + 1;
    if (!bytes || bytes->size() != 32) continue;
    proto::Sha256 d{};
    std::copy(bytes->begin(), bytes->end(), d.begin());
    if (completed_.insert(d).second) completed_order_.push_back(d);
  }
  bool trimmed = false;
  while (completed_order_.size() > options_.max_completed) {
    completed_.erase(completed_order_.front());
    completed_order_.pop_front();
    trimmed = true;
  }
  if (trimmed) {
    std::string out;
    for (const auto& d : completed_order_) out += base::to_hex(d) + "\n";
    if (auto w = base::write_file_atomic(dir_ + "/completed", as_bytes(out), 0600); !w) return w;
  }
  return {};
}

bool DiskPartialStore::completed(const proto::Sha256& digest) { return completed_.count(digest) != 0; }

Result<void> DiskPartialStore::mark_completed(const proto::Sha256& digest) {
  if (completed_.count(digest)) return {};
  std::string line = base::to_hex(digest) + "\n";
  std::string file = dir_ + "/completed";
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return fail_errno(errc::io_error, "open", file);
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  errno = saved;
  if (!ok) return fail_errno(errc::io_error, "append", file);
  completed_.insert(digest);
  completed_order_.push_back(digest);
  while (completed_order_.size() > options_.max_completed) {
    completed_.erase(completed_order_.front());
    completed_order_.pop_front();
  }
  return {};
}

void DiskPartialStore::prune_partials(const proto::Sha256& keep) {
  // Partials on disk, oldest .have first; keep at most max_partials - 1 others.
  std::vector<std::pair<std::filesystem::file_time_type, std::string>> found;
  std::error_code ec;
  std::string keep_name = base::to_hex(keep);
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    std::string name = entry.path().filename().string();
    if (name.size() != 64 + 5 || name.compare(64, 5, ".have") != 0) continue;
    std::string stem = name.substr(0, 64);
    if (stem == keep_name) continue;
    found.emplace_back(std::filesystem::last_write_time(entry.path(), ec), stem);
  }
  std::sort(found.begin(), found.end());
  std::size_t limit = options_.max_partials == 0 ? 0 : options_.max_partials - 1;
  for (std::size_t i = 0; i + limit < found.size(); ++i) {
    auto bytes = base::from_hex(found[i].second);
    if (!bytes || bytes->size() != 32) continue;
    proto::Sha256 d{};
    std::copy(bytes->begin(), bytes->end(), d.begin());
    drop(d, true);
  }
}

Result<void> DiskPartialStore::open(const proto::Sha256& digest, std::uint64_t total) {
  if (options_.max_partials == 0) return fail(proto::errc::too_large, "no room for partial messages");
  if (auto it = open_.find(digest); it != open_.end()) {
    if (it->second.total == total) {
      resumed_bytes_ += proto::bytes_held(it->second.have);
      return {};
    }
    drop(digest, true);
  }
  prune_partials(digest);
  Partial p;
  p.total = total;
  std::string part = path(digest, ".part"), have = path(digest, ".have");
  auto text = base::read_file(have, 1u << 20);
  bool resumed = false;
  if (text) {
    std::uint64_t recorded_total = 0;
    auto ranges = parse_have(*text, recorded_total);
    if (ranges && recorded_total == total) {
      p.have = std::move(*ranges);
      resumed = true;
    }
  }
  p.fd = ::open(part.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (p.fd < 0) return fail_errno(errc::io_error, "open", part);
  struct stat st {};
  if (::fstat(p.fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      (resumed && static_cast<std::uint64_t>(st.st_size) != total)) {
    resumed = false;
    p.have.clear();
  }
  if (!resumed) {
    if (::ftruncate(p.fd, 0) != 0 || ::ftruncate(p.fd, static_cast<off_t>(total)) != 0) {
      auto e = fail_errno(errc::io_error, "cannot size the partial message", part);
      ::close(p.fd);
      ::unlink(part.c_str());
      return fail(proto::errc::too_large, e.value().detail, part);
    }
  }
  resumed_bytes_ += proto::bytes_held(p.have);
  auto [it, inserted] = open_.emplace(digest, std::move(p));
  (void)inserted;
  return sync_one(digest, it->second);
}

std::vector<proto::BlockRange> DiskPartialStore::held_blocks(const proto::Sha256& digest, std::uint32_t block_size) {
  auto it = open_.find(digest);
  if (it == open_.end()) return {};
  return proto::whole_blocks(it->second.have, it->second.total, block_size);
}

Result<void> DiskPartialStore::write(const proto::Sha256& digest, std::uint64_t offset, ByteView data) {
  auto it = open_.find(digest);
  if (it == open_.end()) return fail(proto::errc::malformed, "chunk for a message that is not open");
  Partial& p = it->second;
  if (offset > p.total || data.size() > p.total - offset) return fail(proto::errc::malformed, "chunk outside the message");
  if (data.empty()) return {};
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(p.fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno(errc::io_error, "write", path(digest, ".part"));
    }
    done += static_cast<std::size_t>(n);
  }
  proto::add_range(p.have, offset, offset + data.size());
  p.unsynced += data.size();
  if (p.unsynced >= options_.sync_bytes || std::chrono::steady_clock::now() - p.synced_at >= options_.sync_interval) {
    return sync_one(digest, p);
  }
  return {};
}

Result<void> DiskPartialStore::sync_one(const proto::Sha256& digest, Partial& p) {
  if (p.fd >= 0 && ::fdatasync(p.fd) != 0) return fail_errno(errc::io_error, "fdatasync", path(digest, ".part"));
  std::string text = std::string(kHaveMagic) + "\ntotal " + std::to_string(p.total) + "\n";
  for (const auto& [a, b] : p.have) text += "have " + std::to_string(a) + " " + std::to_string(b) + "\n";
  if (auto w = base::write_file_atomic(path(digest, ".have"), as_bytes(text), 0600); !w) return w;
  p.unsynced = 0;
  p.synced_at = std::chrono::steady_clock::now();
  return {};
}

Result<void> DiskPartialStore::sync() {
  for (auto& [digest, p] : open_) {
    if (p.unsynced == 0) continue;
    if (auto ok = sync_one(digest, p); !ok) return ok;
  }
  return {};
}

bool DiskPartialStore::complete(const proto::Sha256& digest) {
  auto it = open_.find(digest);
  if (it == open_.end()) return false;
  const Partial& p = it->second;
  return proto::holds_all(p.have, p.total);
}

Result<Bytes> DiskPartialStore::take(const proto::Sha256& digest) {
  if (!complete(digest)) return fail(proto::errc::malformed, "the message is not complete");
  Partial& p = open_.at(digest);
  Bytes out(p.total);
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(p.fd, out.data() + done, out.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail_errno(errc::io_error, "read", path(digest, ".part"));
    done += static_cast<std::size_t>(n);
  }
  drop(digest, true);
  return out;
}

void DiskPartialStore::erase(const proto::Sha256& digest) { drop(digest, true); }

void DiskPartialStore::drop(const proto::Sha256& digest, bool remove_files) {
  if (auto it = open_.find(digest); it != open_.end()) {
    if (it->second.fd >= 0) ::close(it->second.fd);
    open_.erase(it);
  }
  if (remove_files) {
    ::unlink(path(digest, ".have").c_str());
    ::unlink(path(digest, ".part").c_str());
  }
}

std::uint64_t DiskPartialStore::held_bytes(const proto::Sha256& digest) const {
  auto it = open_.find(digest);
  return it == open_.end() ? 0 : proto::bytes_held(it->second.have);
}

}  // namespace kskline::transport
