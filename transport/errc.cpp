#include "transport/errc.hpp"

#include <cerrno>
#include <cstring>
#include <string>

#include "proto/errc.hpp"

namespace kskline::transport {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "kskline.transport"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::bad_link_spec: return "malformed link spec";
      case errc::device_unavailable: return "the serial device cannot be opened";
      case errc::device_busy: return "the serial device is in use by another process";
      case errc::setting_refused: return "the serial device does not take a setting";
      case errc::device_lost: return "the serial device vanished";
      case errc::io_error: return "input/output error";
      case errc::not_a_file: return "not a regular file";
      case errc::name_refused: return "file name refused";
      case errc::not_supported: return "not supported on this link";
      case errc::timed_out: return "timed out";
      case errc::interrupted: return "interrupted";
      case errc::bad_identity_file: return "malformed link identity file";
      case errc::too_many_files: return "too many files";
    }
    return "unknown transport error";
  }
};

}  // namespace

const std::error_category& category() noexcept {
  static const Category instance;
  return instance;
}

tl::unexpected<Error> fail_errno(errc code, std::string_view what, std::string_view where) {
  int saved = errno;
  return fail(code, std::string(what) + ": " + std::strerror(saved), std::string(where));
}

bool link_failed(const Error& error) noexcept {
  if (error.code.category() == category()) {
    switch (static_cast<errc>(error.code.value())) {
      case errc::device_unavailable:
      case errc::device_busy:
      case errc::setting_refused:
      case errc::device_lost:
      case errc::timed_out:
        return true;
      default:
        return false;
    }
  }
  if (error.code.category() == proto::category()) {
    switch (static_cast<proto::errc>(error.code.value())) {
      case proto::errc::handshake_timeout:
      case proto::errc::link_lost:
      case proto::errc::message_refused:
      case proto::errc::protocol_violation:
      case proto::errc::closed:
        return true;
      default:
        return false;
    }
  }
  return false;
}

}  // namespace kskline::transport
