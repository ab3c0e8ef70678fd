#include "base/error.hpp"

#include <cerrno>
#include <cstring>

namespace kskline {

std::string Error::message() const {
  std::string text = detail.empty() ? code.message() : detail;
  if (where.empty()) return text;
  return where + ": " + text;
}

Error Error::located(std::string_view outer) const& {
  Error copy = *this;
  return std::move(copy).located(outer);
}

Error Error::located(std::string_view outer) && {
  if (where.empty()) where = std::string(outer);
  return std::move(*this);
}

}  // namespace kskline

namespace kskline::base {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "kskline.base"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::io_error: return "input/output error";
      case errc::lock_held: return "locked by another process";
      case errc::bad_encoding: return "malformed encoded data";
      case errc::not_found: return "not found";
      case errc::secret_exposed: return "secret key file readable by others";
    }
    return "unknown base error";
  }
};

}  // namespace

const std::error_category& category() noexcept {
  static const Category instance;
  return instance;
}

tl::unexpected<Error> fail_errno(std::string_view what, std::string_view path) {
  int saved = errno;
  errc code = saved == ENOENT ? errc::not_found : errc::io_error;
  return fail(code, std::string(what) + ": " + std::strerror(saved), std::string(path));
}

}  // namespace kskline::base
