#include "transport/device_lock.hpp"

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <signal.h>
#include <string_view>

#include <fcntl.h>
#include <unistd.h>

#include "base/atomic_file.hpp"
#include "transport/errc.hpp"

namespace kskline::transport {
namespace {

std::string resolved(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) != nullptr) return buf;
  return path;
}

std::string lock_name(const std::string& real) {
  std::string name = real.rfind("/dev/", 0) == 0 ? real.substr(5) : real;
  for (auto& c : name) {
    if (c == '/') c = '_';
  }
  return "LCK.." + name;
}

std::string command_of(long pid) {
  auto comm = base::read_file("/proc/" + std::to_string(pid) + "/comm", 256);
  if (!comm) return {};
  std::string s = *comm;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string describe(long pid) {
  std::string comm = command_of(pid);
  return "process " + std::to_string(pid) + (comm.empty() ? "" : " (" + comm + ")");
}

bool alive(long pid) {
  if (pid <= 0) return false;
  if (pid == ::getpid()) return true;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

long read_pid(const std::string& file) {
  auto text = base::read_file(file, 128);
  if (!text) return -1;
  char* end = nullptr;
  long pid = std::strtol(text->c_str(), &end, 10);
  return end == text->c_str() ? -1 : pid;
}

}  // namespace

Result<DeviceLock> DeviceLock::acquire(const std::string& path) {
  std::string real = resolved(path);
  std::string dir = "/var/lock";
  if (::access(dir.c_str(), W_OK) != 0) {
    auto slash = path.rfind('/');
    dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  }
  std::string file = dir + "/" + lock_name(real);
  // HDB UUCP format: the pid in ten columns and a newline.
  char content[16];
  std::snprintf(content, sizeof content, "%10ld\n", static_cast<long>(::getpid()));
  static std::atomic<unsigned> serial{0};
  std::string tmp = dir + "/.LCK.kskline." + std::to_string(::getpid()) + "." + std::to_string(++serial);
  for (int attempt = 0; attempt < 3; ++attempt) {
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return fail_errno(errc::io_error, "cannot create a lock file", tmp);
    bool ok = ::write(fd, content, 11) == 11;
    ::close(fd);
    if (!ok) {
      ::unlink(tmp.c_str());
      return fail_errno(errc::io_error, "cannot write the lock file", tmp);
    }
    int rc = ::link(tmp.c_str(), file.c_str());
    int saved = errno;
    ::unlink(tmp.c_str());
    if (rc == 0) return DeviceLock(file);
    if (saved != EEXIST) {
      errno = saved;
      return fail_errno(errc::io_error, "cannot take the lock file", file);
    }
    long pid = read_pid(file);
    if (alive(pid)) {
      return fail(errc::device_busy,
                  "in use by " + describe(pid) + (pid == ::getpid() ? ", this very process," : "") +
                      " (lock file " + file + ")",
                  path);
    }
    ::unlink(file.c_str());  // stale: its process is gone (or the file is garbage)
  }
  return fail(errc::device_busy, "could not take the lock file " + file + " (it keeps reappearing)", path);
}

DeviceLock::~DeviceLock() { release(); }

DeviceLock::DeviceLock(DeviceLock&& other) noexcept : file_(std::move(other.file_)) { other.file_.clear(); }

DeviceLock& DeviceLock::operator=(DeviceLock&& other) noexcept {
  if (this != &other) {
    release();
    file_ = std::move(other.file_);
    other.file_.clear();
  }
  return *this;
}

void DeviceLock::release() noexcept {
  if (file_.empty()) return;
  if (read_pid(file_) == ::getpid()) ::unlink(file_.c_str());
  file_.clear();
}

std::string device_holders(const std::string& path) {
  std::string real = resolved(path);
  std::string out;
  std::error_code ec;
  for (const auto& proc : std::filesystem::directory_iterator("/proc", ec)) {
    std::string pid_text = proc.path().filename().string();
    if (pid_text.empty() || pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
    long pid = std::stol(pid_text);
    if (pid == ::getpid()) continue;
    std::error_code ec2;
    for (const auto& fd : std::filesystem::directory_iterator(proc.path() / "fd", ec2)) {
      std::error_code ec3;
      auto target = std::filesystem::read_symlink(fd.path(), ec3);
      if (!ec3 && target == real) {
        if (!out.empty()) out += ", ";
        out += describe(pid);
        break;
      }
    }
  }
  return out;
}

}  // namespace kskline::transport
