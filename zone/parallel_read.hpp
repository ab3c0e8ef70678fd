// Reading a large master file on several threads when its form allows it:
// one record a line with owner, TTL and class on each line and no directives,
// as signed zones (kskline's, ldns-signzone's) are written.
#pragma once

#include <string>
#include <string_view>

#include "base/error.hpp"
#include "zone/master_file.hpp"
#include "zone/record.hpp"

namespace kskline::zone {

// Whether master-file text can be split at any line boundary and its pieces
// read apart with the same result: every line empty, a comment, or a record
// "owner TTL IN ..." (owner not blank, TTL all digits, class IN) on one line
// (no parenthesis, quotes balanced), and no directive.
bool splittable(std::string_view text);

// Reads a master file as read_master_file does (same records in the same
// order, the same locations), on up to `threads` threads when the text is
// splittable and large, on one otherwise. An error is reported as
// read_master_file reports it (the file is read again on one thread then).
// Text with more lines than options.max_records is read on one thread, so the
// threads together never hold more records than the limit.
Result<RecordList> read_master_file_parallel(const std::string& path, const MasterOptions& options,
                                             unsigned threads);

// As read_master_file_parallel, for text held in memory (read_master_text);
// `source` names it in errors.
Result<RecordList> read_master_text_parallel(std::string_view text, const std::string& source,
                                             const MasterOptions& options, unsigned threads);

}  // namespace kskline::zone
