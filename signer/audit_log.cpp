#include "signer/audit_log.hpp"

#include <cerrno>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "base/atomic_file.hpp"
#include "base/digest.hpp"
#include "base/encoding.hpp"
#include "signer/errc.hpp"
#include "signer/key_request.hpp"

namespace kskline::signer {
namespace {

std::string sha256_hex(std::string_view text) {
  return base::to_hex(base::digest(base::DigestAlgorithm::sha256, as_bytes(text)));
}

bool is_hex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// A reason as one field: control characters become spaces, and at most
// kMaxReason octets are kept (a hostile request must not make a line so long
// that the log cannot be appended to).
std::string clean(std::string_view text) {
  constexpr std::size_t kMaxReason = 2000;
  std::string out(text.substr(0, kMaxReason));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return out;
}

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    std::size_t tab = line.find('\t', start);
    if (tab == std::string_view::npos) {
      out.push_back(line.substr(start));
      return out;
    }
    out.push_back(line.substr(start, tab - start));
    start = tab + 1;
  }
}

tl::unexpected<Error> broken(std::string detail) { return fail(errc::audit_chain_broken, std::move(detail)); }

}  // namespace

Result<AuditEntry> parse_audit_line(std::string_view line) {
  auto f = split_tabs(line);
  if (f.size() != 8) return broken("an entry has 8 tab-separated fields, this line " + std::to_string(f.size()));
  AuditEntry e;
  if (f[0].empty() || f[0].size() > 19) return broken("bad sequence number");
  for (char c : f[0]) {
    if (c < '0' || c > '9') return broken("bad sequence number");
  }
  e.sequence = std::stoull(std::string(f[0]));
  auto time = parse_time(f[1], "audit time");
  if (!time) return broken("bad time '" + std::string(f[1]) + "'");
  e.time = *time;
  if (!is_hex64(f[2])) return broken("bad request sha256");
  e.request_sha256 = f[2];
  if (f[3] != audit_decision::signed_ && f[3] != audit_decision::resent && f[3] != audit_decision::refused &&
      f[3] != audit_decision::declined && f[3] != audit_decision::head && f[3] != audit_decision::exec_answered &&
      f[3] != audit_decision::exec_refused) {
    return broken("unknown decision '" + std::string(f[3]) + "'");
  }
  e.decision = f[3];
  if (f[4] != "-" && !is_hex64(f[4])) return broken("bad response sha256");
  e.response_sha256 = f[4];
  if (!is_hex64(f[5])) return broken("bad previous hash");
  e.previous = f[5];
  e.reason = f[6];
  if (!is_hex64(f[7])) return broken("bad entry hash");
  e.hash = f[7];
  std::string_view body = line.substr(0, line.size() - 65);
  if (sha256_hex(body) != e.hash) return broken("the entry's hash does not match its text (edited)");
  return e;
}

Result<std::size_t> verify_audit_log(const std::string& path) {
  auto entries = read_audit_log(path);
  if (!entries) return tl::unexpected(entries.error());
  return entries->size();
}

Result<std::vector<AuditEntry>> read_audit_log(const std::string& path) {
  std::vector<AuditEntry> out;
  auto text = base::read_file(path);
  if (!text) {
    if (text.error().code == base::errc::not_found) return out;
    return tl::unexpected(text.error());
  }
  if (text->empty()) return out;
  if (text->back() != '\n') {
    std::size_t lines = 1;
    for (char c : *text) lines += c == '\n';
    return fail(errc::audit_chain_broken, "the last line is incomplete (no newline)", path + ":" + std::to_string(lines));
  }
  std::string previous;
  std::size_t count = 0, start = 0;
  while (start < text->size()) {
    std::size_t nl = text->find('\n', start);
    std::string_view line(text->data() + start, nl - start);
    ++count;
    std::string where = path + ":" + std::to_string(count);
    auto e = parse_audit_line(line);
    if (!e) return tl::unexpected(e.error().located(where));
    if (e->sequence != count) {
      return fail(errc::audit_chain_broken,
                  "sequence " + std::to_string(e->sequence) + " where " + std::to_string(count) +
                      " was expected (an entry was removed, inserted or moved)",
                  where);
    }
    if (count == 1 && (e->previous == kAuditGenesis || e->previous == kAuditHeadGenesis)) previous = e->previous;
    if (e->previous != previous) {
      return fail(errc::audit_chain_broken,
                  "the previous-entry hash does not match the line before (removed, inserted or reordered)", where);
    }
    previous = e->hash;
    start = nl + 1;
    out.push_back(std::move(*e));
  }
  return out;
}

Result<std::optional<AuditHead>> read_audit_head(const std::string& path) {
  auto text = base::read_file(path, 4096);
  if (!text) {
    if (text.error().code == base::errc::not_found) return std::optional<AuditHead>();
    return tl::unexpected(text.error());
  }
  auto bad = [&] {
    return fail(errc::audit_chain_broken, "the head file is not one line \"<count>\\t<hash>[\\t<pending>]\"", path);
  };
  if (text->empty() || text->back() != '\n') return bad();
  std::string_view line(text->data(), text->size() - 1);
  auto tab = line.find('\t');
  if (tab == std::string_view::npos || tab == 0 || tab > 19) return bad();
  std::string_view count = line.substr(0, tab), hash = line.substr(tab + 1), pending;
  if (auto second = hash.find('\t'); second != std::string_view::npos) {
    pending = hash.substr(second + 1);
    hash = hash.substr(0, second);
    if (!is_hex64(pending)) return bad();
  }
  if (count.find_first_not_of("0123456789") != std::string_view::npos || !is_hex64(hash)) return bad();
  AuditHead head;
  head.count = std::stoull(std::string(count));
  head.hash = hash;
  head.pending = pending;
  return std::optional<AuditHead>(std::move(head));
}

Result<void> write_audit_head(const std::string& path, const AuditHead& head) {
  std::string text = std::to_string(head.count) + "\t" + head.hash + (head.pending.empty() ? "" : "\t" + head.pending) + "\n";
  return base::write_file_atomic(path, as_bytes(text), 0600);
}

Result<AuditEntry> append_audit_entry(const std::string& path, std::int64_t time, std::string_view request_sha256,
                                      std::string_view decision, std::string_view reason,
                                      std::string_view response_sha256, std::string_view genesis,
                                      const std::function<Result<void>(const AuditEntry&)>& before_write) {
  int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return base::fail_errno("open audit log", path);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  // The last line: read the tail of the file (entries are short).
  AuditEntry last;
  last.hash = genesis;
  off_t size = ::lseek(fd, 0, SEEK_END);
  if (size < 0) return base::fail_errno("seek audit log", path);
  if (size > 0) {
    off_t from = size > 65536 ? size - 65536 : 0;
    std::string tail(static_cast<std::size_t>(size - from), '\0');
    ssize_t n = ::pread(fd, tail.data(), tail.size(), from);
    if (n != static_cast<ssize_t>(tail.size())) return base::fail_errno("read audit log", path);
    if (tail.back() != '\n') return fail(errc::audit_chain_broken, "the last line is incomplete (no newline)", path);
    tail.pop_back();
    std::size_t nl = tail.rfind('\n');
    std::string_view line = nl == std::string::npos ? std::string_view(tail) : std::string_view(tail).substr(nl + 1);
    auto e = parse_audit_line(line);
    if (!e) return tl::unexpected(e.error().located(path + ": last line"));
    last = *e;
  }
  AuditEntry e;
  e.sequence = last.sequence + 1;
  e.time = time;
  e.request_sha256 = request_sha256;
  e.decision = decision;
  e.response_sha256 = response_sha256.empty() ? std::string("-") : std::string(response_sha256);
  e.previous = last.hash;
  e.reason = clean(reason);
  std::string line = std::to_string(e.sequence) + "\t" + format_time(time) + "\t" + e.request_sha256 + "\t" + e.decision +
                     "\t" + e.response_sha256 + "\t" + e.previous + "\t" + e.reason;
  e.hash = sha256_hex(line);
  line += "\t" + e.hash + "\n";
  if (before_write) {
    if (auto r = before_write(e); !r) return tl::unexpected(r.error());
  }
  std::size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(fd, line.data() + done, line.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return base::fail_errno("write audit log", path);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return base::fail_errno("fsync audit log", path);
  if (size == 0) {
    // A new log: its directory entry must survive a crash too.
    auto slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return base::fail_errno("open directory", dir);
    int rc = ::fsync(dfd);
    ::close(dfd);
    if (rc != 0) return base::fail_errno("fsync directory", dir);
  }
  return e;
}

}  // namespace kskline::signer
