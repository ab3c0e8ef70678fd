// Exclusive use of a serial device between processes: a UUCP-style lock
// file (LCK..name holding the owner's pid), as minicom, cu and ModemManager
// honour.
#pragma once

#include <string>

#include "base/error.hpp"

namespace kskline::transport {

// A held lock on a device, released (the file removed) on destruction.
// Move-only.
class DeviceLock {
 public:
  // Takes the lock of the device at `path` (symlinks resolved, so every path
  // to one device shares a lock): /var/lock/LCK..<name>, or
  // DIR/LCK..<basename> beside `path` when /var/lock is not writable. A lock
  // whose process is gone is stale and taken over. errc::device_busy naming
  // the holder's pid and command when it is alive (this process included);
  // errc::io_error when no lock file can be written.
  static Result<DeviceLock> acquire(const std::string& path);

  DeviceLock() = default;
  ~DeviceLock();
  DeviceLock(DeviceLock&& other) noexcept;
  DeviceLock& operator=(DeviceLock&& other) noexcept;
  DeviceLock(const DeviceLock&) = delete;
  DeviceLock& operator=(const DeviceLock&) = delete;

  // The lock file (empty when not held).
  const std::string& file() const noexcept { return file_; }
  // Releases the lock now.
  void release() noexcept;

 private:
  explicit DeviceLock(std::string file) : file_(std::move(file)) {}
  std::string file_;
};

// Describes the processes that have `path` (resolved) open, for messages:
// "process 123 (agetty), process 456 (ModemManager)"; empty if none found.
std::string device_holders(const std::string& path);

}  // namespace kskline::transport
