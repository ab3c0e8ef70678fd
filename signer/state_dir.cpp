#include "signer/state_dir.hpp"

#include <fstream>
#include <thread>
#include <utility>

#include <unistd.h>

#include "base/atomic_file.hpp"

namespace kskline::signer {

std::string state_path(const std::string& dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  return dir.back() == '/' ? dir + std::string(name) : dir + "/" + std::string(name);
}

StateLock::~StateLock() { release(); }

StateLock::StateLock(StateLock&& other) noexcept
    : lock_(std::move(other.lock_)), path_(std::exchange(other.path_, std::string())) {}

StateLock& StateLock::operator=(StateLock&& other) noexcept {
  if (this != &other) {
    release();
    lock_ = std::move(other.lock_);
    path_ = std::exchange(other.path_, std::string());
  }
  return *this;
}

void StateLock::release() noexcept {
  // Emptied while still held; a name left behind (a crash) would only be
  // shown while another process holds the lock.
  if (!path_.empty()) {
    [[maybe_unused]] int rc = ::truncate(path_.c_str(), 0);
  }
  path_.clear();
}

Result<StateLock> lock_state_dir(const std::string& dir, std::string_view command) {
  const std::string path = state_path(dir, kStateLockFile);
  auto lock = base::FileLock::acquire(path);
  if (!lock) {
    if (lock.error().code != base::errc::lock_held) return tl::unexpected(lock.error());
    auto who = base::read_file(path, 4096);
    std::string holder = who ? *who : std::string();
    while (!holder.empty() && holder.back() == '\n') holder.pop_back();
    return fail(base::errc::lock_held,
                "another kskline command is working on this state directory" +
                    (holder.empty() ? std::string() : " (" + holder + ")") +
                    "; wait until it ends (or stop it) and try again",
                dir);
  }
  std::ofstream out(path, std::ios::trunc);
  out << std::string(command) << " (pid " << ::getpid() << ")\n";
  return StateLock(std::move(*lock), path);
}

Result<StateLock> lock_state_dir(const std::string& dir, std::string_view command, std::chrono::milliseconds patience) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  auto lock = lock_state_dir(dir, command);
  while (!lock && lock.error().code == base::errc::lock_held && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    lock = lock_state_dir(dir, command);
  }
  return lock;
}

}  // namespace kskline::signer
