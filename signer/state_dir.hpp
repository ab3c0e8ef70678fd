// What the KSK side's and the zone side's state directories share: the
// paths of their files and their lock, DIR/.lock, which every stateful
// command holds while it runs and which names its holder while held.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "base/file_lock.hpp"

namespace kskline::signer {

// The name of a state directory's lock file.
inline constexpr std::string_view kStateLockFile = ".lock";

// The path of `name` inside the state directory `dir`: `name` alone when
// `dir` is empty, one '/' between them otherwise (none added after a
// trailing '/').
std::string state_path(const std::string& dir, std::string_view name);

// A state directory's lock held for the object's lifetime; while held, the
// lock file says who holds it ("<command> (pid N)"), and it is emptied
// before the lock is released. Move-only.
class StateLock {
 public:
  ~StateLock();
  StateLock(StateLock&& other) noexcept;
  StateLock& operator=(StateLock&& other) noexcept;
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;

 private:
  friend Result<StateLock> lock_state_dir(const std::string& dir, std::string_view command);
  StateLock(base::FileLock lock, std::string path) : lock_(std::move(lock)), path_(std::move(path)) {}
  void release() noexcept;
  base::FileLock lock_;
  std::string path_;  // empty when moved from
};

// Takes DIR/.lock for `command` without waiting and writes "<command> (pid
// N)" into it. base::errc::lock_held, where `dir`, when another process
// holds it: "another kskline command is working on this state directory",
// followed by the holder when the lock file names one; base::errc::io_error
// when the lock file cannot be opened.
Result<StateLock> lock_state_dir(const std::string& dir, std::string_view command);

// lock_state_dir, trying again every 50 ms for up to `patience` while
// another process holds the lock (others hold it only while they read or
// write); base::errc::lock_held as lock_state_dir once `patience` has passed.
Result<StateLock> lock_state_dir(const std::string& dir, std::string_view command, std::chrono::milliseconds patience);

}  // namespace kskline::signer
