// Zone-level checks of a parsed master file: what `kskline zone check` runs.
#pragma once

#include <cstddef>
#include <vector>

#include "base/error.hpp"
#include "zone/name.hpp"
#include "zone/record.hpp"

namespace kskline::zone {

// Counts describing a checked zone.
struct ZoneSummary {
  std::size_t names = 0;       // distinct owner names (as VerifyStats counts them)
  std::size_t rrsets = 0;      // distinct (owner, type), RRSIG excluded (RRSIGs are records of the RRsets they cover)
  std::size_t records = 0;     // records after duplicate removal
  std::size_t duplicates = 0;  // identical records removed (RFC 2181 §5)
};

// The outcome of checking a zone: counts and every problem found.
struct ZoneReport {
  ZoneSummary summary;
  std::vector<Error> problems;  // each with where = "file:line"
};

// The largest RRset in uncompressed wire form (all its records' owner, type,
// class, TTL, RDLENGTH and RDATA): a DNS message holds at most 65,535 octets.
inline constexpr std::size_t kMaxRRsetWireSize = 65535;

// Puts `list.records` into canonical order, removes duplicates and checks the
// zone rules: every owner at or below `origin`; exactly one SOA, at the apex;
// NS at the apex; one TTL per RRset (RFC 2181 §5.2, duplicates included; RRSIG
// exempt); CNAME alone at its name but for RRSIG/NSEC (RFC 1034 §3.6.2,
// RFC 4035 §2.5) and at most one; at most one DNAME per name; no RRset but
// RRSIG over kMaxRRsetWireSize after duplicates are removed
// (errc::rrset_too_large, at the record that took it over in reading order). Each problem
// names the offending record's file:line (the one read later, for a second
// SOA/CNAME/DNAME; just the first file for a missing SOA or NS). Problems are
// reported, not thrown; at most `max_problems` are kept.
ZoneReport check_zone(RecordList& list, const Name& origin, std::size_t max_problems = 1000);

}  // namespace kskline::zone
