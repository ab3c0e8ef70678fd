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

// Sorts records by canonical owner name, then type, then canonical RDATA.
// Stable for equal records, so the first of a set of duplicates stays first.
void sort_canonical(std::vector<Record>& records);

// Removes records equal in owner, type, class and canonical RDATA from a
// canonically sorted list (RFC 2181 §5: duplicates are one record); returns
// how many were removed.
std::size_t remove_duplicates(std::vector<Record>& records);

// A run of records with one owner and type in a canonically sorted list.
struct RRsetRange {
  std::size_t begin;
  std::size_t end;
};

// Splits a canonically sorted list into RRsets, in order.
std::vector<RRsetRange> group_rrsets(const std::vector<Record>& records);

}  // namespace kskline::zone
