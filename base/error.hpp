// Error plumbing shared by every module: Error values and Result<T>.
#pragma once

#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <tl/expected.hpp>

namespace kskline {

// An error as a value: a code from a module's category plus the context an
// operator needs to act on it (where: "file:line", "slot 3", "key tag 12345";
// detail: what exactly was wrong).
struct Error {
  std::error_code code;
  std::string where;
  std::string detail;

  // Formats as "where: detail" (or the category message when detail is empty).
  std::string message() const;

  // Returns a copy whose `where` is `outer` unless a location is already set.
  Error located(std::string_view outer) const&;
  Error located(std::string_view outer) &&;
};

// The result of an operation that can fail with an Error.
template <class T>
using Result = tl::expected<T, Error>;

// Builds the unexpected value for a Result from a code, a detail and a place.
inline tl::unexpected<Error> fail(std::error_code code, std::string detail = {},
                                  std::string where = {}) {
  return tl::unexpected<Error>(Error{code, std::move(where), std::move(detail)});
}

}  // namespace kskline

namespace kskline::base {

// Errors of the base module: files, locks, encodings.
enum class errc {
  io_error = 1,      // a system call failed; detail carries strerror
  lock_held,         // another process holds the lock
  bad_encoding,      // hex/base64/base32hex text is malformed
  not_found,         // a file or directory does not exist
  secret_exposed,    // a secret key file that group or others may read
};

// The category of base::errc.
const std::error_category& category() noexcept;

// Makes an error_code from a base::errc (found by ADL).
inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), category()};
}

// Builds the unexpected value for an I/O failure from errno, naming the path.
tl::unexpected<Error> fail_errno(std::string_view what, std::string_view path);

}  // namespace kskline::base

template <>
struct std::is_error_code_enum<kskline::base::errc> : std::true_type {};
