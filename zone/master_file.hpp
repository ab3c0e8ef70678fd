// Reading master files (RFC 1035 §5) into records.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "zone/name.hpp"
#include "zone/record.hpp"

namespace kskline::zone {

// The default limit on the records read for one zone (MasterOptions::max_records):
// about 28 GiB of memory at the ~296 octets a record `zone sign` was measured to
// take (docs/hardening.md, "Limits").
inline constexpr std::size_t kDefaultMaxRecords = 100'000'000;

// How a master file is read.
struct MasterOptions {
  Name origin;                               // the initial $ORIGIN
  std::optional<std::uint32_t> default_ttl;  // the initial $TTL, if any
  bool allow_include = true;                 // $INCLUDE allowed at all
  int max_include_depth = 8;                 // nesting limit of $INCLUDE
  std::size_t max_records = kDefaultMaxRecords;  // records read in all, $INCLUDEd files counted
};

// Reads a master file. Every error is "file:line: what is wrong" (Error::where
// holds "file:line"); nothing is guessed. errc::zone_too_large at the record
// that would go over options.max_records. $INCLUDE paths are relative to the
// including file's directory. Records are returned in file order.
Result<RecordList> read_master_file(const std::string& path, const MasterOptions& options);

// Reads master-file text held in memory; `source_name` names it in errors.
// $INCLUDE is resolved relative to the current directory.
Result<RecordList> read_master_text(std::string_view text, std::string_view source_name,
                                    const MasterOptions& options);

}  // namespace kskline::zone
