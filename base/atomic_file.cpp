#include "base/atomic_file.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include <dirent.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

namespace kskline::base {
namespace {

// An I/O failure from errno, always errc::io_error (the write contract),
// naming the path.
tl::unexpected<Error> io_fail(std::string_view what, const std::string& path) {
  int saved = errno;
  return fail(errc::io_error, std::string(what) + ": " + std::strerror(saved), path);
}

// Closes a descriptor on scope exit unless released.
class Fd {
 public:
  explicit Fd(int fd = -1) noexcept : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  // Closes now, returning close()'s result (errno set on failure).
  int close() noexcept {
    int rc = fd_ >= 0 ? ::close(fd_) : 0;
    fd_ = -1;
    return rc;
  }
  void reset() noexcept {
    if (fd_ >= 0) {
      int saved = errno;
      ::close(fd_);
      errno = saved;
    }
    fd_ = -1;
  }

 private:
  int fd_;
};

// Splits a path into its directory ("." when none) and final component.
struct Split {
  std::string dir;
  std::string base;
};

Split split(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return {".", path};
  std::string dir = slash == 0 ? "/" : path.substr(0, slash);
  return {dir, path.substr(slash + 1)};
}

// A random suffix for temporary names; falls back to the address of a local
// if getrandom() is unavailable (O_EXCL still guarantees uniqueness).
std::string random_suffix() {
  std::uint64_t v = 0;
  if (::getrandom(&v, sizeof v, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof v)) {
    v = reinterpret_cast<std::uintptr_t>(&v) ^ static_cast<std::uint64_t>(::getpid());
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// Writes all of data, retrying on EINTR and short writes.
bool write_all(int fd, ByteView data) {
  const std::uint8_t* p = data.data();
  std::size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return true;
}

// How the temporary file is moved to its final name.
enum class Install { replace, no_replace };

// Moves the temporary to the final name without replacing an existing file:
// renameat2(RENAME_NOREPLACE), or link()+unlink() on file systems without it.
int rename_noreplace(int dirfd, const std::string& tmp, const std::string& base) {
  if (::renameat2(dirfd, tmp.c_str(), dirfd, base.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return -1;
  if (::linkat(dirfd, tmp.c_str(), dirfd, base.c_str(), 0) != 0) return -1;
  ::unlinkat(dirfd, tmp.c_str(), 0);
  return 0;
}

// What a stat of the path found, in the words of a refusal.
std::string_view kind_name(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISFIFO(mode)) return "a FIFO";
  return "not a regular file";
}

// Writes data through to a character device or FIFO (opened without creating
// or truncating anything); a FIFO blocks until a reader opens it.
Result<void> write_through(const std::string& path, ByteView data) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd) return io_fail("open for writing", path);
  if (!write_all(fd.get(), data)) return io_fail("write", path);
  if (fd.close() != 0) return io_fail("close", path);
  return {};
}

Result<void> write_atomic(const std::string& path, ByteView data, mode_t mode, Install how) {
  auto [dir, base] = split(path);
  if (base.empty() || base == "." || base == "..") {
    return fail(errc::io_error, "not a file name", path);
  }
  Fd dirfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dirfd) return io_fail("open directory " + dir, path);

  auto temporary = create_temporary_beside(path, mode);
  if (!temporary) return tl::unexpected(temporary.error());
  Fd fd(temporary->fd);
  const std::string& tmp = temporary->name;

  // From here on the temporary exists and is removed on any failure.
  auto abandon = [&](std::string_view what) {
    auto error = io_fail(what, path);
    fd.reset();
    ::unlinkat(dirfd.get(), tmp.c_str(), 0);
    return error;
  };
  if (::fchmod(fd.get(), mode) != 0) return abandon("fchmod");  // umask must not widen or narrow it
  if (!write_all(fd.get(), data)) return abandon("write");
  if (::fsync(fd.get()) != 0) return abandon("fsync");
  if (fd.close() != 0) return abandon("close");

  if (how == Install::replace) {
    if (::renameat(dirfd.get(), tmp.c_str(), dirfd.get(), base.c_str()) != 0) return abandon("rename");
  } else if (rename_noreplace(dirfd.get(), tmp, base) != 0) {
    if (errno == EEXIST) {
      ::unlinkat(dirfd.get(), tmp.c_str(), 0);
      return fail(errc::io_error, "file exists; refusing to replace it", path);
    }
    return abandon("rename");
  }
  // The new contents are in place; make the directory entry durable.
  if (::fsync(dirfd.get()) != 0) return io_fail("fsync directory " + dir, path);
  return {};
}

}  // namespace

Result<TemporaryFile> create_temporary_beside(const std::string& path, mode_t mode) {
  auto [dir, base] = split(path);
  // ".<basename>.tmp.<pid>.<random>", the basename shortened so that the
  // name stays within NAME_MAX (255) for any valid basename.
  const std::string prefix = "." + base.substr(0, 200) + ".tmp.";
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* e = ::readdir(d)) {
      std::string_view name = e->d_name;
      if (name.substr(0, prefix.size()) != prefix) continue;
      const long pid = std::strtol(e->d_name + prefix.size(), nullptr, 10);
      if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
        ::unlinkat(::dirfd(d), e->d_name, 0);
      }
    }
    ::closedir(d);
  }
  for (int attempt = 0; attempt < 8; ++attempt) {
    TemporaryFile t;
    t.name = prefix + std::to_string(::getpid()) + "." + random_suffix();
    t.path = dir + "/" + t.name;
    t.fd = ::open(t.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (t.fd >= 0) return t;
    if (errno != EEXIST) break;
  }
  return io_fail("create temporary file", path);
}

Result<OutputKind> output_kind(const std::string& path, bool streams) {
  struct stat here {};
  if (::lstat(path.c_str(), &here) != 0) {
    if (errno == ENOENT) return OutputKind::file;
    return io_fail("lstat", path);
  }
  if (S_ISREG(here.st_mode)) return OutputKind::file;
  struct stat there = here;
  if (S_ISLNK(here.st_mode) && ::stat(path.c_str(), &there) != 0) {
    if (errno == ENOENT) return fail(errc::io_error, "a symbolic link to nothing; refusing to replace it", path);
    return io_fail("stat", path);
  }
  if (S_ISCHR(there.st_mode) || S_ISFIFO(there.st_mode)) {
    if (streams) return OutputKind::stream;
    return fail(errc::io_error, std::string(kind_name(there.st_mode)) + "; kskline keeps its state in regular files only",
                path);
  }
  if (S_ISLNK(here.st_mode)) {
    return fail(errc::io_error,
                S_ISREG(there.st_mode) ? "a symbolic link; kskline does not replace or follow it: name the file itself"
                                       : "a symbolic link to " + std::string(kind_name(there.st_mode)) + "; refusing to write it",
                path);
  }
  return fail(errc::io_error,
              std::string(kind_name(there.st_mode)) + "; kskline writes only regular files, character devices and FIFOs",
              path);
}

Result<void> write_file_atomic(const std::string& path, ByteView data, mode_t mode) {
  if (auto kind = output_kind(path, false); !kind) return tl::unexpected(kind.error());
  return write_atomic(path, data, mode, Install::replace);
}

Result<void> write_output_file(const std::string& path, ByteView data, mode_t mode) {
  auto kind = output_kind(path, true);
  if (!kind) return tl::unexpected(kind.error());
  if (*kind == OutputKind::stream) return write_through(path, data);
  return write_atomic(path, data, mode, Install::replace);
}

Result<void> create_file_atomic(const std::string& path, ByteView data, mode_t mode) {
  return write_atomic(path, data, mode, Install::no_replace);
}

namespace {

Result<std::string> read_whole_file(const std::string& path, std::size_t max_size, bool secret) {
  // O_NONBLOCK so that opening a FIFO cannot hang before it is refused below.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd) return fail_errno("open", path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return fail_errno("fstat", path);
  if (!S_ISREG(st.st_mode)) return fail(errc::io_error, "not a regular file", path);
  if (secret && (st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return fail(errc::secret_exposed,
                std::string("the secret key file has mode ") + mode + ": group or others may read it (chmod 600 it)",
                path);
  }
  if (static_cast<std::uintmax_t>(st.st_size) > max_size) {
    return fail(errc::io_error,
                "file is larger than " + std::to_string(max_size) + " bytes", path);
  }
  int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0) return fail_errno("fcntl", path);

  std::string out;
  out.reserve(static_cast<std::size_t>(st.st_size));
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("read", path);
    }
    if (n == 0) break;
    // The file may have grown since fstat.
    if (static_cast<std::size_t>(n) > max_size - out.size()) {
      return fail(errc::io_error,
                  "file is larger than " + std::to_string(max_size) + " bytes", path);
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

}  // namespace

Result<std::string> read_file(const std::string& path, std::size_t max_size) {
  return read_whole_file(path, max_size, false);
}

Result<std::string> read_secret_file(const std::string& path, std::size_t max_size) {
  return read_whole_file(path, max_size, true);
}

}  // namespace kskline::base
