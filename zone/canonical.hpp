// Canonical order of records and RRsets (RFC 4034 §6): sorting, duplicate
// removal and grouping into RRsets.
#pragma once

#include <cstddef>
#include <vector>

#include "zone/record.hpp"

namespace kskline::zone {

// Compares two RDATA of one type in canonical form (names lowercased for the
// types RFC 4034 §6.2 lists) as left-justified octet strings; <0, 0 or >0.
int compare_canonical_rdata(std::uint16_t type, ByteView a, ByteView b);

// Where owner names change in a canonically sorted list: element i is true
// when records[i]'s owner differs from records[i-1]'s (and for i = 0). Found
// while sorting, so later passes need not compare the names again.
using OwnerStarts = std::vector<bool>;

// Sorts records by canonical owner name, then type, then canonical RDATA, and
// returns where the owners change. Stable for equal records, so the first of
// a set of duplicates stays first.
OwnerStarts sort_canonical(std::vector<Record>& records);

// Removes records equal in owner, type, class and canonical RDATA from a
// canonically sorted list (RFC 2181 §5: duplicates are one record); returns
// how many were removed. When `starts` is given (from sort_canonical), it is
// used instead of comparing names, and kept in step with the records.
std::size_t remove_duplicates(std::vector<Record>& records, OwnerStarts* starts = nullptr);

// A run of records with one owner and type in a canonically sorted list.
struct RRsetRange {
  std::size_t begin;
  std::size_t end;
  bool new_owner = true;  // the first RRset of its owner name
};

// Splits a canonically sorted list into RRsets, in order; `starts` (from
// sort_canonical, kept in step by remove_duplicates) saves comparing names.
std::vector<RRsetRange> group_rrsets(const std::vector<Record>& records, const OwnerStarts* starts = nullptr);

}  // namespace kskline::zone
