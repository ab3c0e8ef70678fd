#include "zone/signed_output.hpp"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.hpp"
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

void append_number(std::uint64_t v, std::string& out) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
  out.append(digits, static_cast<std::size_t>(end - digits));
}

// YYYYMMDDHHmmSS of an RRSIG timestamp read as seconds since 1970 (what
// format_dnssec_time(value) gives: 1970..2106).
void append_time(std::uint32_t value, std::string& out) {
  // Howard Hinnant's civil_from_days.
  std::int64_t days = value / 86400;
  std::uint32_t rest = value % 86400;
  days += 719468;
  const std::int64_t era = days / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t year = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  year += month <= 2;
  char buf[14];
  auto put2 = [&](int at, unsigned v) {
    buf[at] = static_cast<char>('0' + v / 10);
    buf[at + 1] = static_cast<char>('0' + v % 10);
  };
  auto y = static_cast<unsigned>(year);
  put2(0, y / 100);
  put2(2, y % 100);
  put2(4, month);
  put2(6, day);
  put2(8, rest / 3600);
  put2(10, rest / 60 % 60);
  put2(12, rest % 60);
  out.append(buf, sizeof buf);
}

void append_base64(ByteView data, std::string& out) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) | data[i + 2];
    char quad[4] = {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63], kAlphabet[v & 63]};
    out.append(quad, 4);
  }
  if (std::size_t left = data.size() - i; left > 0) {
    std::uint32_t v = std::uint32_t{data[i]} << 16;
    if (left == 2) v |= std::uint32_t{data[i + 1]} << 8;
    char quad[4] = {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], left == 2 ? kAlphabet[(v >> 6) & 63] : '=', '='};
    out.append(quad, 4);
  }
}

// Whether a label octet is printed as itself by Name::to_string.
bool plain_octet(std::uint8_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '*';
}

// RRSIG RDATA in presentation form, as append_rdata_text writes it, without
// allocating; false (nothing appended) for what it does not handle: a
// malformed RDATA or a signer name with octets that need escapes.
bool append_rrsig_text(ByteView rdata, std::string& out) {
  constexpr std::size_t kFixed = 18;
  if (rdata.size() <= kFixed + 1) return false;
  const std::uint8_t* p = rdata.data();
  std::size_t pos = kFixed;
  std::size_t name_start = pos;
  while (true) {
    if (pos >= rdata.size()) return false;
    std::uint8_t len = rdata[pos];
    if (len == 0) break;
    if (len > 63 || pos + 1 + len > rdata.size()) return false;
    for (std::size_t k = pos + 1; k <= pos + len; ++k) {
      if (!plain_octet(rdata[k])) return false;
    }
    pos += 1 + len;
  }
  const std::size_t name_end = pos + 1;
  if (name_end - name_start > 255 || name_end >= rdata.size()) return false;
  out += type_text(get_u16(p));
  out.push_back(' ');
  append_number(p[2], out);
  out.push_back(' ');
  append_number(p[3], out);
  out.push_back(' ');
  append_number(get_u32(p + 4), out);
  out.push_back(' ');
  append_time(get_u32(p + 8), out);
  out.push_back(' ');
  append_time(get_u32(p + 12), out);
  out.push_back(' ');
  append_number(get_u16(p + 16), out);
  out.push_back(' ');
  if (name_end - name_start == 1) {
    out.push_back('.');
  } else {
    for (std::size_t k = name_start; rdata[k] != 0; k += 1 + rdata[k]) {
      out.append(reinterpret_cast<const char*>(rdata.data() + k + 1), rdata[k]);
      out.push_back('.');
    }
  }
  out.push_back(' ');
  append_base64(rdata.subspan(name_end), out);
  return true;
}

}  // namespace

void append_record_line(std::string_view owner, std::uint32_t ttl, std::uint16_t type, ByteView rdata,
                        std::string& out) {
  out += owner;
  out.push_back('\t');
  append_number(ttl, out);
  out += "\tIN\t";
  out += type_text(type);
  out.push_back('\t');
  if (type != rrtype::RRSIG || !append_rrsig_text(rdata, out)) append_rdata_text(type, rdata, out);
  out.push_back('\n');
}

Result<OutputFile> OutputFile::create(const std::string& path) {
  if (path == "-") return OutputFile(path, {}, STDOUT_FILENO);
  auto kind = base::output_kind(path, true);
  if (!kind) return tl::unexpected(kind.error());
  if (*kind == base::OutputKind::stream) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return io_fail("opening it for writing", path);
    return OutputFile(path, {}, fd);
  }
  auto temporary = base::create_temporary_beside(path, 0644);
  if (!temporary) return tl::unexpected(temporary.error());
  return OutputFile(path, std::move(temporary->path), temporary->fd);
}

OutputFile::OutputFile(OutputFile&& other) noexcept
    : path_(std::move(other.path_)),
      temp_(std::move(other.temp_)),
      fd_(std::exchange(other.fd_, -1)),
      written_(other.written_) {}

OutputFile& OutputFile::operator=(OutputFile&& other) noexcept {
  if (this != &other) {
    discard();
    path_ = std::move(other.path_);
    temp_ = std::move(other.temp_);
    fd_ = std::exchange(other.fd_, -1);
    written_ = other.written_;
  }
  return *this;
}

OutputFile::~OutputFile() { discard(); }

void OutputFile::discard() noexcept {
  if (fd_ >= 0 && !temp_.empty()) {
    ::close(fd_);
    ::unlink(temp_.c_str());
  } else if (fd_ > STDERR_FILENO) {
    ::close(fd_);
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
  written_ += data.size();
  return {};
}

Result<void> OutputFile::overwrite_start(std::string_view data) {
  if (fd_ < 0) return fail(base::errc::io_error, "the file is already closed", path_);
  if (temp_.empty()) return fail(base::errc::io_error, "a stream (standard output, a device, a FIFO) cannot be written again", path_);
  if (data.size() > written_) return fail(base::errc::io_error, "overwriting more than was written", path_);
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_fail("writing", path_);
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Result<void> OutputFile::commit() {
  if (fd_ < 0) return fail(base::errc::io_error, "the file is already closed", path_);
  if (temp_.empty()) {
    int fd = std::exchange(fd_, -1);
    if (fd > STDERR_FILENO && ::close(fd) != 0) return io_fail("closing", path_);
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
