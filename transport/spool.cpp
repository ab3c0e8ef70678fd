#include "transport/spool.hpp"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.hpp"
#include "base/encoding.hpp"
#include "proto/errc.hpp"
#include "transport/errc.hpp"

namespace kskline::transport {
namespace {

constexpr const char* kDone = "done";
constexpr const char* kRejected = "rejected";

// A descriptor closed on scope exit.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

Result<void> make_folder(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) return fail_errno(errc::io_error, "mkdir", path);
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return fail_errno(errc::io_error, "lstat", path);
  if (!S_ISDIR(st.st_mode)) return fail(errc::not_a_file, "not a directory (spool folders may not be symlinks)", path);
  return {};
}

// The longest file name (NAME_MAX on Linux and on the file systems of sticks).
constexpr std::size_t kNameMax = 255;

// The n-th name to try in a done/ or rejected/ folder for `name`: the name,
// then name.1, name.2, ..., shortened so that the result and `reserve` more
// bytes (".reason") fit in kNameMax.
std::string nth_name(const std::string& name, int n, std::size_t reserve) {
  std::string suffix = n == 0 ? "" : "." + std::to_string(n);
  std::size_t room = kNameMax - reserve - suffix.size();
  return (name.size() > room ? name.substr(0, room) : name) + suffix;
}

// Renames `from` to `to` unless `to` exists (EEXIST then): renameat2 with
// RENAME_NOREPLACE, or link + unlink where the file system lacks it.
int rename_noreplace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return -1;
  if (::link(from.c_str(), to.c_str()) != 0) return -1;
  ::unlink(from.c_str());
  return 0;
}

// Makes a rename durable: fsyncs the folders it left and entered.
void sync_folders(const std::string& a, const std::string& b) {
  for (const std::string& d : {a, b}) {
    Fd fd(::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.fd >= 0) ::fsync(fd.fd);
  }
}

// Whether anything (a file, a dangling symlink) has the name `path`.
bool taken(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 || errno != ENOENT;
}

// Renames dir/name into dir/sub/ without replacing anything (nth_name) and
// returns the final name. errc::io_error naming the file, which stays.
Result<std::string> move_into(const std::string& dir, const std::string& name, const char* sub) {
  std::string target_dir = dir + "/" + sub;
  for (int n = 0; n < 10000; ++n) {
    std::string target = nth_name(name, n, 0);
    if (rename_noreplace(dir + "/" + name, target_dir + "/" + target) == 0) {
      sync_folders(target_dir, dir);
      return target;
    }
    if (errno != EEXIST) {
      return fail_errno(errc::io_error, std::string("move into ") + sub + "/", printable_name(dir + "/" + name));
    }
  }
  return fail(errc::io_error, std::string("too many files of that name in ") + sub + "/",
              printable_name(dir + "/" + name));
}

}  // namespace

Result<std::optional<std::string>> move_taken(const std::string& file) {
  const auto slash = file.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : file.substr(0, slash));
  const std::string name = slash == std::string::npos ? file : file.substr(slash + 1);
  const auto dir_slash = dir.rfind('/');
  const std::string folder = dir_slash == std::string::npos ? dir : dir.substr(dir_slash + 1);
  if (folder != inbound_folder(Side::zone) && folder != inbound_folder(Side::ksk)) return std::nullopt;
  if (name.empty() || name.front() == '.') return std::nullopt;
  if (auto made = make_folder(dir + "/" + kDone); !made) return tl::unexpected(made.error());
  auto moved = move_into(dir, name, kDone);
  if (!moved) return tl::unexpected(moved.error());
  return dir + "/" + kDone + "/" + *moved;
}

namespace {

// Moves dir/name into dir/rejected/ beside NAME.reason holding `reason`,
// which is written first: when it cannot be (a full disk), the file stays
// where it is and errc::io_error names it. Returns the final name.
Result<std::string> reject_into(const std::string& dir, const std::string& name, const std::string& reason) {
  std::string target_dir = dir + "/" + kRejected;
  const std::string shown = printable_name(dir + "/" + name);
  for (int n = 0; n < 10000; ++n) {
    std::string target = target_dir + "/" + nth_name(name, n, std::strlen(".reason"));
    if (taken(target) || taken(target + ".reason")) continue;
    if (auto written = base::create_file_atomic(target + ".reason", as_bytes(reason), 0644); !written) {
      if (taken(target + ".reason")) continue;  // taken meanwhile
      return fail(errc::io_error, "left in place: its .reason file cannot be written (" + written.error().detail + ")",
                  shown);
    }
    if (rename_noreplace(dir + "/" + name, target) == 0) {
      sync_folders(target_dir, dir);
      return target.substr(target_dir.size() + 1);
    }
    int saved = errno;
    ::unlink((target + ".reason").c_str());  // the reason just written, for a file that did not move
    if (saved != EEXIST) {
      errno = saved;
      return fail_errno(errc::io_error, "left in place: move into rejected/", shown);
    }
  }
  return fail(errc::io_error, "too many files of that name in rejected/", shown);
}

// A ledger that checks but records nothing: the replay check before acting.
class CheckOnly final : public proto::ReplayLedger {
 public:
  explicit CheckOnly(proto::ReplayLedger& real) : real_(real) {}
  Result<std::uint64_t> highest_counter(const proto::PublicKey& s) override { return real_.highest_counter(s); }
  Result<bool> contains(const proto::PublicKey& s, const proto::MessageId& id) override { return real_.contains(s, id); }
  Result<void> record(const proto::PublicKey&, const proto::MessageId&, std::uint64_t) override { return {}; }

 private:
  proto::ReplayLedger& real_;
};

// Reads a candidate file: regular, not a symlink, one link, within
// max_size and the size its header announces, unchanged while it was read.
// Errors are reasons to reject it, but for errc::io_error.
Result<Bytes> read_candidate(const std::string& path, std::uint64_t max_size) {
  const std::string shown = printable_name(path);
  struct stat lst {};
  if (::lstat(path.c_str(), &lst) != 0) return fail_errno(errc::io_error, "lstat", shown);
  if (S_ISLNK(lst.st_mode)) return fail(errc::not_a_file, "a symbolic link; spool readers follow none", shown);
  if (!S_ISREG(lst.st_mode)) return fail(errc::not_a_file, "not a regular file", shown);
  Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.fd < 0) {
    if (errno == ELOOP) return fail(errc::not_a_file, "a symbolic link; spool readers follow none", shown);
    return fail_errno(errc::io_error, "open", shown);
  }
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) return fail_errno(errc::io_error, "fstat", shown);
  if (!S_ISREG(st.st_mode) || st.st_ino != lst.st_ino || st.st_dev != lst.st_dev) {
    return fail(errc::not_a_file, "replaced while being read", shown);
  }
  if (st.st_nlink != 1) {
    return fail(errc::not_a_file,
                "a hard link (" + std::to_string(st.st_nlink) +
                    " names); a spool file has one name, so this one is also a file elsewhere",
                shown);
  }
  auto size = static_cast<std::uint64_t>(st.st_size);
  if (size > max_size) {
    return fail(proto::errc::too_large,
                "the file is " + std::to_string(size) + " bytes, over the limit of " + std::to_string(max_size) +
                    " for an envelope; not read",
                shown);
  }
  Bytes head(std::min<std::uint64_t>(size, proto::kEnvelopeHeaderSize));
  if (::pread(fd.fd, head.data(), head.size(), 0) != static_cast<ssize_t>(head.size())) {
    return fail_errno(errc::io_error, "read", shown);
  }
  auto header = proto::parse_envelope_header(head, max_size);
  if (!header) return tl::unexpected(header.error().located(shown));
  if (header->total_size() != size) {
    return fail(proto::errc::malformed,
                "the file is " + std::to_string(size) + " bytes but its envelope header announces " +
                    std::to_string(header->total_size()) + " (truncated, padded or half-written)",
                shown);
  }
  // One read into memory: everything after this works on these bytes only.
  Bytes all(size);
  std::size_t done = 0;
  while (done < all.size()) {
    ssize_t n = ::pread(fd.fd, all.data() + done, all.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno(errc::io_error, "read", shown);
    if (n == 0) return fail(errc::not_a_file, "changed while being read (it became shorter)", shown);
    done += static_cast<std::size_t>(n);
  }
  struct stat after {};
  if (::fstat(fd.fd, &after) != 0) return fail_errno(errc::io_error, "fstat", shown);
  if (after.st_size != st.st_size || after.st_mtim.tv_sec != st.st_mtim.tv_sec ||
      after.st_mtim.tv_nsec != st.st_mtim.tv_nsec || after.st_ctim.tv_sec != st.st_ctim.tv_sec ||
      after.st_ctim.tv_nsec != st.st_ctim.tv_nsec) {
    return fail(errc::not_a_file, "changed while being read", shown);
  }
  return all;
}

}  // namespace

std::string printable_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (unsigned char c : name) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  return out;
}

std::string_view outbound_folder(Side side) noexcept { return side == Side::zone ? "to-ksk" : "to-zone"; }
std::string_view inbound_folder(Side side) noexcept { return side == Side::zone ? "to-zone" : "to-ksk"; }

Result<Spool> Spool::open(const std::string& dir, Side side) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return fail_errno(errc::io_error, "spool directory", dir);
  if (!S_ISDIR(st.st_mode)) return fail(errc::not_a_file, "the spool is not a directory", dir);
  std::string out = dir + "/" + std::string(outbound_folder(side));
  std::string in = dir + "/" + std::string(inbound_folder(side));
  for (const std::string& p : {out, in, in + "/" + kDone, in + "/" + kRejected}) {
    if (auto ok = make_folder(p); !ok) return tl::unexpected(ok.error());
  }
  return Spool(out, in);
}

Result<std::string> Spool::post(ByteView envelope) const {
  auto env = proto::parse_envelope(envelope, UINT64_MAX >> 1);
  if (!env) return tl::unexpected(env.error());
  char counter[24];
  std::snprintf(counter, sizeof counter, "%020" PRIu64, env->header.counter);
  std::string path = outbound_ + "/" + counter + "-" + base::to_hex(env->header.id) + ".kske";
  if (auto ok = base::create_file_atomic(path, envelope, 0644); !ok) return tl::unexpected(ok.error());
  return path;
}

std::optional<std::string> Spool::posted_reply(const proto::Sha256& request_digest) const {
  for (const std::string& dir : {outbound_, outbound_ + "/" + kDone}) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) continue;
    std::optional<std::string> found;
    while (const dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name.empty() || name[0] == '.' || name.size() < 5 || name.compare(name.size() - 5, 5, ".kske") != 0) continue;
      auto bytes = read_candidate(dir + "/" + name, proto::kDefaultMaxEnvelope);
      if (!bytes) continue;
      auto header = proto::parse_envelope_header(*bytes);
      if (header && header->in_reply_to == request_digest) {
        found = dir + "/" + name;
        break;
      }
    }
    ::closedir(d);
    if (found) return found;
  }
  return std::nullopt;
}

Result<SpoolScan> Spool::receive(const SpoolRules& rules, DiskReplayLedger& ledger, const Act& act,
                                 std::size_t limit) const {
  std::vector<std::string> names;
  {
    DIR* d = ::opendir(inbound_.c_str());
    if (d == nullptr) return fail_errno(errc::io_error, "opendir", inbound_);
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name.empty() || name[0] == '.' || name == kDone || name == kRejected) continue;
      if (names.size() == kMaxInboundEntries) {
        ::closedir(d);
        return fail(errc::too_many_files,
                    "more than " + std::to_string(kMaxInboundEntries) +
                        " files to read; a zone side posts one request a ceremony, so this is not its work",
                    inbound_);
      }
      names.push_back(std::move(name));
    }
    ::closedir(d);
  }
  std::sort(names.begin(), names.end());

  SpoolScan scan;
  auto reject = [&](const std::string& name, Error error) -> Result<void> {
    error.where = printable_name(inbound_ + "/" + name);
    std::string reason = "kskline: rejected " + printable_name(name) + ": " + error.message() + "\n";
    auto moved = reject_into(inbound_, name, reason);
    if (!moved) return tl::unexpected(moved.error());
    scan.rejected.push_back({inbound_ + "/" + kRejected + "/" + *moved, std::move(error)});
    return {};
  };

  bool signer_known = false;
  if (rules.pinned != nullptr) {
    for (const auto& key : ledger.signers()) signer_known = signer_known || rules.pinned->contains(key);
  }
  for (const std::string& name : names) {
    if (limit != 0 && scan.accepted.size() >= limit) break;
    std::string path = inbound_ + "/" + name;
    auto bytes = read_candidate(path, rules.max_size);
    if (!bytes) {
      if (bytes.error().code == errc::io_error) return tl::unexpected(bytes.error());
      if (auto r = reject(name, bytes.error()); !r) return tl::unexpected(r.error());
      continue;
    }
    auto env = proto::parse_envelope(*bytes, rules.max_size);
    if (!env) {
      if (auto r = reject(name, env.error()); !r) return tl::unexpected(r.error());
      continue;
    }
    proto::AuthRules auth;
    auth.policy = rules.policy;
    auth.pinned = rules.pinned;
    auth.sender_signs = signer_known;
    auto status = proto::authenticate(*env, auth);
    if (!status) {
      if (auto r = reject(name, status.error()); !r) return tl::unexpected(r.error());
      continue;
    }
    CheckOnly dry(ledger);
    if (auto fresh = proto::check_and_record_replay(*env, dry); !fresh) {
      if (fresh.error().code != proto::errc::replayed) return tl::unexpected(fresh.error());
      if (auto r = reject(name, fresh.error()); !r) return tl::unexpected(r.error());
      continue;
    }
    if (auto done = act(*env, *bytes); !done) return tl::unexpected(done.error().located(printable_name(path)));
    if (auto recorded = proto::check_and_record_replay(*env, ledger); !recorded) {
      return tl::unexpected(recorded.error().located(printable_name(path)));
    }
    if (*status == proto::AuthStatus::authenticated) signer_known = true;
    auto moved = move_into(inbound_, name, kDone);
    if (!moved) return tl::unexpected(moved.error());
    scan.accepted.push_back({inbound_ + "/" + kDone + "/" + *moved, std::move(*bytes), *status});
  }
  return scan;
}

}  // namespace kskline::transport
