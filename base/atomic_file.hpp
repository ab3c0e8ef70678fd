// Crash-safe whole-file writes and bounded whole-file reads.
#pragma once

#include <string>
#include <sys/types.h>

#include "base/bytes.hpp"
#include "base/error.hpp"

namespace kskline::base {

// Replaces `path` with `data` atomically: writes a temporary file in the same
// directory (created with `mode`, O_EXCL, never following symlinks), fsyncs it,
// renames it over `path` and fsyncs the directory. On any failure before the
// rename the old file is untouched and the temporary is removed; if only the
// final directory fsync fails, the new file is already in place. A symlink at
// `path` is replaced, not followed. Errors: errc::io_error naming path.
Result<void> write_file_atomic(const std::string& path, ByteView data, mode_t mode = 0644);

// As write_file_atomic, but fails (errc::io_error, EEXIST) when `path` exists.
Result<void> create_file_atomic(const std::string& path, ByteView data, mode_t mode = 0644);

// Reads a whole regular file (symlinks are followed), refusing files larger
// than max_size and anything not a regular file, such as a directory or FIFO
// (errc::io_error, without blocking). errc::not_found when it does not exist.
Result<std::string> read_file(const std::string& path, std::size_t max_size = std::size_t{1} << 32);

}  // namespace kskline::base
