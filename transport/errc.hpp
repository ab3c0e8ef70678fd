// Error codes of the transport module: link specs, serial devices, spool
// directories, the on-disk stores.
#pragma once

#include <system_error>

#include "base/error.hpp"

namespace kskline::transport {

// Errors of the transport module; Error::detail says what exactly was wrong.
enum class errc {
  bad_link_spec = 1,   // a link spec that does not parse; detail names the part
  device_unavailable,  // the serial device cannot be opened (missing, permissions)
  device_busy,         // another process holds the serial device; detail names it
  setting_refused,     // the device does not take a setting; detail names it
  device_lost,         // the device vanished and did not come back in time
  io_error,            // a system call failed; detail carries strerror
  not_a_file,          // a spool entry that is not a regular file (symlink, FIFO, ...)
  name_refused,        // a file name that cannot be used on the receiving side
  not_supported,       // the operation does not exist for this kind of link
  timed_out,           // nothing arrived within the time allowed
  interrupted,         // stopped by a signal
  bad_identity_file,   // a link identity or public key file that does not parse
  too_many_files,      // a spool folder holds more entries than one run reads
};

// The category of transport::errc.
const std::error_category& category() noexcept;

// Makes an error_code from a transport::errc (found by ADL).
inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), category()};
}

// Builds the unexpected value for a failed system call from errno: the code
// is `code`, the detail "what: strerror", the place `where`.
tl::unexpected<Error> fail_errno(errc code, std::string_view what, std::string_view where);

// Whether an error says the link or the peer failed (no device, no peer
// within the wait, the line dropped, the peer closed or broke the protocol),
// as opposed to a refusal (authentication, a peer that refused the session,
// no common version), a usage error or bad input.
bool link_failed(const Error& error) noexcept;

}  // namespace kskline::transport

template <>
struct std::is_error_code_enum<kskline::transport::errc> : std::true_type {};
