#include "zone/signed_output.hpp"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.hpp"
#include "zone/rdata.hpp"
#include "zone/rr_types.hpp"

namespace kskline::zone {
namespace {

tl::unexpected<Error> io_fail(std::string_view what, const std::string& path) {
  int saved = errno;
  return fail(base::errc::io_error, std::string(what) + ": " + std::strerror(saved), path);
}

std::string directory_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string random_suffix() {
  std::uint64_t v = 0;
  if (::getrandom(&v, sizeof v, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof v)) {
    v = reinterpret_cast<std::uintptr_t>(&v) ^ static_cast<std::uint64_t>(::getpid());
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// Type mnemonics of the types a signed zone is mostly made of, cached so a
// line costs no allocation for them.
const std::string& type_text(std::uint16_t type) {
  static const auto* table = [] {
    auto* t = new std::string[256];
    for (unsigned i = 0; i < 256; ++i) t[i] = type_to_string(static_cast<std::uint16_t>(i));
    return t;
  }();
  if (type < 256) return table[type];
  thread_local std::string other;
  other = type_to_string(type);
  return other;
}

}  // namespace

void append_record_line(std::string_view owner, std::uint32_t ttl, std::uint16_t type, ByteView rdata,
                        std::string& out) {
  out += owner;
  out.push_back('\t');
  char digits[16];
  auto end = std::to_chars(digits, digits + sizeof digits, ttl).ptr;
  out.append(digits, static_cast<std::size_t>(end - digits));
  out += "\tIN\t";
  out += type_text(type);
  out.push_back('\t');
  append_rdata_text(type, rdata, out);
  out.push_back('\n');
}

Result<OutputFile> OutputFile::create(const std::string& path) {
  if (path == "-") return OutputFile(path, {}, STDOUT_FILENO);
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::string temp = directory_of(path) + "/.kskline-" + random_suffix() + ".tmp";
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd >= 0) return OutputFile(path, std::move(temp), fd);
    if (errno != EEXIST) return io_fail("creating a temporary file beside it", path);
  }
  return io_fail("creating a temporary file beside it", path);
}

OutputFile::OutputFile(OutputFile&& other) noexcept
    : path_(std::move(other.path_)), temp_(std::move(other.temp_)), fd_(std::exchange(other.fd_, -1)) {}

OutputFile& OutputFile::operator=(OutputFile&& other) noexcept {
  if (this != &other) {
    discard();
    path_ = std::move(other.path_);
    temp_ = std::move(other.temp_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

OutputFile::~OutputFile() { discard(); }

void OutputFile::discard() noexcept {
  if (fd_ >= 0 && !temp_.empty()) {
    ::close(fd_);
    ::unlink(temp_.c_str());
  }
  fd_ = -1;
}

Result<void> OutputFile::write(std::string_view data) {
  if (fd_ < 0) return fail(base::errc::io_error, "the file is already closed", path_);
  const char* p = data.data();
  std::size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_fail("writing", path_);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return {};
}

Result<void> OutputFile::commit() {
  if (fd_ < 0) return fail(base::errc::io_error, "the file is already closed", path_);
  if (temp_.empty()) {
    fd_ = -1;
    return {};
  }
  if (::fsync(fd_) != 0) return io_fail("syncing", path_);
  int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0) {
    ::unlink(temp_.c_str());
    return io_fail("closing", path_);
  }
  if (::rename(temp_.c_str(), path_.c_str()) != 0) {
    auto err = io_fail("renaming the temporary file into place", path_);
    ::unlink(temp_.c_str());
    return err;
  }
  int dir = ::open(directory_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return io_fail("opening the directory to sync it", path_);
  int rc = ::fsync(dir);
  ::close(dir);
  if (rc != 0) return io_fail("syncing the directory", path_);
  return {};
}

}  // namespace kskline::zone
