// Writing a signed zone: one record a line, and a file that is written in
// pieces while signing goes on and put in place atomically at the end.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/error.hpp"

namespace kskline::zone {

// Appends one record line, "owner<TAB>ttl<TAB>IN<TAB>TYPE<TAB>rdata\n", the
// form append_text (record.hpp) writes; `owner` is the owner's presentation
// form, made once per name by the caller. The RDATA must be valid for the type.
void append_record_line(std::string_view owner, std::uint32_t ttl, std::uint16_t type, ByteView rdata,
                        std::string& out);

// A file written sequentially to a temporary name in the target directory
// (mode 0644, O_EXCL, no symlinks followed) and renamed over the target by
// commit() after an fsync, the directory fsynced too. "-" writes to standard
// output instead, and a character device or FIFO is written through
// (base::output_kind decides; commit then only closes). Destroying an
// uncommitted file removes the temporary. Move-only; not thread-safe.
class OutputFile {
 public:
  // Opens the temporary file for `path`. errc::io_error naming the path.
  static Result<OutputFile> create(const std::string& path);

  OutputFile(OutputFile&& other) noexcept;
  OutputFile& operator=(OutputFile&& other) noexcept;
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile();

  // Appends data (retrying short writes). errc::io_error naming the path.
  Result<void> write(std::string_view data);
  // Replaces the first data.size() octets written (no more than were
  // written). errc::io_error naming the path, and always for standard output.
  Result<void> overwrite_start(std::string_view data);
  // Whether overwrite_start can work (a regular file, not a stream).
  bool seekable() const { return !temp_.empty(); }
  // Puts the file in place. errc::io_error naming the path; after a failure
  // the target is unchanged unless only the directory fsync failed.
  Result<void> commit();
  // The target path.
  const std::string& path() const { return path_; }

 private:
  OutputFile(std::string path, std::string temp, int fd) : path_(std::move(path)), temp_(std::move(temp)), fd_(fd) {}
  void discard() noexcept;
  std::string path_;
  std::string temp_;  // empty for standard output
  int fd_ = -1;
  std::uint64_t written_ = 0;
};

}  // namespace kskline::zone
