// The KSK side's audit log: an append-only text file, one hash-chained entry
// a line, written (O_APPEND, fsync) before a response leaves the laptop.
//
//   <seq>\t<UTC YYYYMMDDHHmmSS>\t<request sha256>\t<decision>\t<response sha256 or ->\t<previous hash>\t<reason>\t<hash>
//
// <hash> is the SHA-256 (hex) of the line up to and without "\t<hash>";
// <previous hash> is the hash of the line before: on the first line 64 zeros
// (a log begun before audit.head existed) or kAuditHeadGenesis (a log kept
// with its head file, DIR/audit.head: the entry count and the last hash).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace kskline::signer {

// The previous hash of the first entry.
inline constexpr std::string_view kAuditGenesis = "0000000000000000000000000000000000000000000000000000000000000000";

// The previous hash of the first entry of a log kept with a head file: such a
// log without its head file has lost the head.
inline constexpr std::string_view kAuditHeadGenesis =
    "0000000000000000000000000000000000000000000000000000000000000001";

// What happened to a request: "signed", "resent" (the stored answer to a
// request signed before), "refused" (policy) or "declined" (operator);
// "exec_answered" (the --exec command's answer, checked, was sent) or
// "exec_refused" (the command failed or its output did not answer); or
// "head", an entry about the log itself (its head file made for a log begun
// before it, or a break the operator accepted; the reason says which).
namespace audit_decision {
inline constexpr std::string_view signed_ = "signed", resent = "resent", refused = "refused", declined = "declined",
                                  head = "head", exec_answered = "exec_answered",
                                  exec_refused = "exec_refused";
}  // namespace audit_decision

// One entry of the audit log.
struct AuditEntry {
  std::uint64_t sequence = 0;    // 1, 2, ... in file order
  std::int64_t time = 0;         // seconds since 1970, UTC
  std::string request_sha256;    // hex
  std::string decision;          // see audit_decision
  std::string response_sha256;   // hex, or "-" when nothing was sent
  std::string previous;          // hash of the entry before
  std::string reason;            // free text (control characters become spaces; at most 2000 octets)
  std::string hash;              // SHA-256 of the line without its own hash
};

// Appends an entry to the log at `path` (created 0600 if missing) with the
// next sequence number and the last entry's hash, and fsyncs it before
// returning the entry. The last line must be a well-formed entry
// (errc::audit_chain_broken naming its line otherwise); base::errc::io_error
// when the file cannot be read or written.
// A new log's first entry has `genesis` as its previous hash. `before_write`,
// when set, is called with the finished entry before its line is written
// (an error from it is returned and nothing is written).
Result<AuditEntry> append_audit_entry(const std::string& path, std::int64_t time, std::string_view request_sha256,
                                      std::string_view decision, std::string_view reason,
                                      std::string_view response_sha256, std::string_view genesis = kAuditGenesis,
                                      const std::function<Result<void>(const AuditEntry&)>& before_write = {});

// Reads and checks the whole log as verify_audit_log does and returns its
// entries (none for a missing or empty file); the same errors.
Result<std::vector<AuditEntry>> read_audit_log(const std::string& path);

// Reads and checks the whole log: every line well formed, sequence numbers
// 1, 2, ..., each previous hash equal to the hash of the line before, each
// hash equal to the SHA-256 of its line; the file ends with a newline.
// Returns the number of entries (0 for a missing or empty file).
// errc::audit_chain_broken with where = "<path>:<line>" at the first line
// that was edited, removed, inserted or reordered. Removing entries from the
// end cannot be seen from the file alone: compare the count with a copy.
Result<std::size_t> verify_audit_log(const std::string& path);

// What the head file (DIR/audit.head) keeps of the log: its entry count and
// the hash of its last entry (the first entry's genesis when empty), and the
// hash of the entry being appended, written before it is (so that a crash
// between the log and its head is told from a line added by hand).
struct AuditHead {
  std::uint64_t count = 0;
  std::string hash{kAuditHeadGenesis};
  std::string pending;  // empty: no append under way
};

// Reads a head file: one line "<count>\t<hash>[\t<pending hash>]". nullopt
// when it does not exist; errc::audit_chain_broken naming the file when
// malformed.
Result<std::optional<AuditHead>> read_audit_head(const std::string& path);

// Replaces the head file atomically (temporary, fsync, rename, directory
// fsync; mode 0600). base::errc::io_error when it cannot be written.
Result<void> write_audit_head(const std::string& path, const AuditHead& head);

// Parses one line (without newline) of the log and checks its own hash.
// errc::audit_chain_broken when malformed or when the hash does not match.
Result<AuditEntry> parse_audit_line(std::string_view line);

}  // namespace kskline::signer
