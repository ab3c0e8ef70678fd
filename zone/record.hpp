// A resource record as the project holds it: owner, type, class, TTL and
// uncompressed wire RDATA, with the place it was read from.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "zone/name.hpp"
#include "zone/rr_types.hpp"

namespace kskline::zone {

// Where a record came from: an index into a file table and a 1-based line
// (line 0 when the record was made by the program).
struct SourceLoc {
  std::uint32_t file = 0;
  std::uint32_t line = 0;
};

// One resource record.
struct Record {
  Name owner;
  std::uint16_t type = 0;
  std::uint16_t rclass = kClassIN;
  std::uint32_t ttl = 0;
  Bytes rdata;  // uncompressed wire form
  SourceLoc loc;
};

// Records read from master files plus the file names SourceLoc::file indexes.
struct RecordList {
  std::vector<Record> records;
  std::vector<std::string> files;

  // "file:line" for a location (just "file" when the line is 0).
  std::string where(SourceLoc loc) const;
};

// A record of class IN made by the program (SourceLoc {0, 0}) from its owner,
// type, TTL and uncompressed wire RDATA, which it takes as given.
Record make_record(const Name& owner, std::uint16_t type, std::uint32_t ttl, Bytes rdata);

// The presentation form of one record on one line: owner, TTL, class, type
// and RDATA separated by tabs, owner absolute, no trailing newline; it reads
// back (read_master_text) as the identical record.
std::string to_text(const Record& record);
// Appends to_text(record) and a newline to out.
void append_text(const Record& record, std::string& out);

}  // namespace kskline::zone
