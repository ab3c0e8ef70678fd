// Crash-safe whole-file writes and bounded whole-file reads.
#pragma once

#include <string>
#include <sys/types.h>

#include "base/bytes.hpp"
#include "base/error.hpp"

namespace kskline::base {

// How a writer may write the path it was given (see output_kind).
enum class OutputKind {
  file,    // nothing there yet, or a regular file: a temporary renamed over it
  stream,  // a character device or FIFO, directly or through symlinks: written through
};

// The one rule every writer follows for what it finds at `path`: nothing or a
// regular file is replaced atomically; a character device or FIFO (such as
// /dev/null, or /dev/stdout on a pipe or terminal) is written through when
// `streams` allows it and refused otherwise; anything else (a directory, a
// block device, a socket, a symlink to a regular file or to nothing) is
// refused by name. So no writer ever replaces anything but a regular file,
// and a symlink is never replaced or followed to a file. errc::io_error
// naming path.
Result<OutputKind> output_kind(const std::string& path, bool streams);

// Replaces `path` with `data` atomically: writes a temporary file in the same
// directory (created with `mode`, O_EXCL, never following symlinks), fsyncs it,
// renames it over `path` and fsyncs the directory. On any failure before the
// rename the old file is untouched and the temporary is removed; if only the
// final directory fsync fails, the new file is already in place. For kskline's
// own state files: anything at `path` but a regular file is refused
// (output_kind without streams). Errors: errc::io_error naming path.
Result<void> write_file_atomic(const std::string& path, ByteView data, mode_t mode = 0644);

// Writes a file the operator named as output (`-o FILE`): as
// write_file_atomic, but a character device or FIFO is written through
// instead of refused (output_kind with streams).
Result<void> write_output_file(const std::string& path, ByteView data, mode_t mode = 0644);

// As write_file_atomic, but fails (errc::io_error, EEXIST) when `path` exists.
Result<void> create_file_atomic(const std::string& path, ByteView data, mode_t mode = 0644);

// A temporary file beside a path, to be renamed over it once written.
struct TemporaryFile {
  std::string path;  // the directory of the target, then name
  std::string name;  // ".<basename>.tmp.<pid>.<random>"
  int fd = -1;       // open for writing; the caller closes it
};

// Creates a temporary file beside `path` (O_EXCL, never following symlinks,
// with `mode`). Temporaries beside `path` left by writers that are no longer
// running (killed mid-write) are removed first, so a crash leaves debris only
// until the next write. errc::io_error naming path.
Result<TemporaryFile> create_temporary_beside(const std::string& path, mode_t mode);

// Reads a whole regular file (symlinks are followed), refusing files larger
// than max_size and anything not a regular file, such as a directory or FIFO
// (errc::io_error, without blocking). errc::not_found when it does not exist.
Result<std::string> read_file(const std::string& path, std::size_t max_size = std::size_t{1} << 32);

// Reads a file holding a secret (a private key, a link identity) as
// read_file does, and refuses it when its mode lets group or others read or
// write it (errc::secret_exposed, naming the mode): a key that others could
// copy is no longer the operator's alone.
Result<std::string> read_secret_file(const std::string& path, std::size_t max_size);

}  // namespace kskline::base
