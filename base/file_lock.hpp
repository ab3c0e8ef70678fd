// Advisory whole-file locks (flock) held for the lifetime of an object.
#pragma once

#include <string>

#include "base/error.hpp"

namespace kskline::base {

// An exclusive flock() on a lock file, released on destruction. Move-only.
class FileLock {
 public:
  // Opens (creating, mode 0600) `path` and takes an exclusive lock without
  // waiting. errc::lock_held when another process holds it; errc::io_error
  // when the file cannot be opened.
  static Result<FileLock> acquire(const std::string& path);

  ~FileLock();
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  explicit FileLock(int fd) noexcept : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace kskline::base
