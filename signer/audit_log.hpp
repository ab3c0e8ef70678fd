// The KSK side's audit log: an append-only text file, one hash-chained entry
// a line, written (O_APPEND, fsync) before a response leaves the laptop.
//
//   <seq>\t<UTC YYYYMMDDHHmmSS>\t<request sha256>\t<decision>\t<response sha256 or ->\t<previous hash>\t<reason>\t<hash>
//
// <hash> is the SHA-256 (hex) of the line up to and without "\t<hash>";
// <previous hash> is the hash of the line before (64 zeros on the first).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace kskline::signer {

// The previous hash of the first entry.
inline constexpr std::string_view kAuditGenesis = "0000000000000000000000000000000000000000000000000000000000000000";

// What happened to a request: "signed", "resent" (the stored answer to a
// request signed before), "refused" (policy) or "declined" (operator).
namespace audit_decision {
inline constexpr std::string_view signed_ = "signed", resent = "resent", refused = "refused", declined = "declined";
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
Result<AuditEntry> append_audit_entry(const std::string& path, std::int64_t time, std::string_view request_sha256,
                                      std::string_view decision, std::string_view reason,
                                      std::string_view response_sha256);

// Reads and checks the whole log: every line well formed, sequence numbers
// 1, 2, ..., each previous hash equal to the hash of the line before, each
// hash equal to the SHA-256 of its line; the file ends with a newline.
// Returns the number of entries (0 for a missing or empty file).
// errc::audit_chain_broken with where = "<path>:<line>" at the first line
// that was edited, removed, inserted or reordered. Removing entries from the
// end cannot be seen from the file alone: compare the count with a copy.
Result<std::size_t> verify_audit_log(const std::string& path);

// Parses one line (without newline) of the log and checks its own hash.
// errc::audit_chain_broken when malformed or when the hash does not match.
Result<AuditEntry> parse_audit_line(std::string_view line);

}  // namespace kskline::signer
