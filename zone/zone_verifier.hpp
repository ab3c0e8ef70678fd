// Verifying a signed zone completely: signatures of every authoritative RRset
// for every algorithm of the apex DNSKEY set, the trust anchor, the NSEC or
// NSEC3 chain and its bitmaps, and ZONEMD. What `kskline zone verify` runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "zone/name.hpp"
#include "zone/record.hpp"

namespace kskline::zone {

// How a zone is verified.
struct VerifyOptions {
  std::int64_t now = 0;               // seconds since 1970 for signature windows
  std::vector<Record> trust_anchors;  // DS or DNSKEY records of the origin;
                                      // empty: no anchor is checked
  unsigned threads = 0;               // worker threads; 0 = every CPU the process may use
};

// One problem found: where, the owner and type it concerns, and why.
struct VerifyProblem {
  std::optional<Name> owner;  // none for file-level problems (zone check rules)
  std::uint16_t type = 0;     // 0 when the problem concerns a name, not an RRset
  std::string reason;
  std::string where;       // "file:line" of the record concerned, if any
};

// Counts describing a verified zone.
struct VerifyStats {
  std::size_t names = 0;          // owner names with records (as ZoneSummary counts them: no empty non-terminals)
  std::size_t rrsets = 0;         // RRsets, RRSIG RRsets excluded (as ZoneSummary counts them)
  std::size_t records = 0;        // records, RRSIGs included
  std::size_t signed_rrsets = 0;  // RRsets that must be signed
  std::size_t signatures = 0;     // RRSIGs checked cryptographically
  std::size_t denial_records = 0; // NSEC or NSEC3 records in the chain
  const char* denial = "none";    // "NSEC", "NSEC3" or "none"
  bool zonemd = false;            // whether a ZONEMD digest was checked
};

// The outcome: counts and every problem found, sorted by owner and type.
struct VerifyReport {
  VerifyStats stats;
  std::vector<VerifyProblem> problems;
  // Whether the zone is fully valid.
  bool ok() const { return problems.empty(); }
};

// Verifies the signed zone `list` of `origin`. The records are put into
// canonical order and duplicates removed (check_zone runs first and its
// problems are reported too). Checks (RFC 4035 §2, §5.3; RFC 5155; RFC 8976):
// every authoritative RRset, DS and NSEC at cuts included, has for every
// algorithm of the apex DNSKEY set an RRSIG by a key of that set that
// verifies and whose window holds options.now; every RRSIG present verifies,
// names the apex as signer, has the right Labels and original TTL, and covers
// an RRset that must be signed (not delegation NS, glue or occluded data);
// with trust anchors, the DNSKEY RRset is validly signed by a key matching
// one; the NSEC chain or the NSEC3 chain (with its NSEC3PARAM) is complete,
// closed, without extra records and with exact type bitmaps; an apex ZONEMD
// with a supported hash matches the zone. Never throws for bad input; every
// problem is in the report.
VerifyReport verify_zone(RecordList& list, const Name& origin, const VerifyOptions& options);

// One line for a problem: "file:line: owner TYPE: reason" (parts left out
// when unknown).
std::string format_problem(const VerifyProblem& problem);

}  // namespace kskline::zone
