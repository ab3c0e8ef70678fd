#include <catch2/catch.hpp>

#include <cerrno>
#include <cstring>
#include <set>
#include <string>

#include "base/error.hpp"

using namespace kskline;
using base::errc;

TEST_CASE("error: message joins where and detail", "[base][error]") {
  Error e{errc::bad_encoding, "zone.db:12", "bad base64 in DNSKEY"};
  CHECK(e.message() == "zone.db:12: bad base64 in DNSKEY");
}

TEST_CASE("error: message without a location is the detail alone", "[base][error]") {
  Error e{errc::io_error, "", "write: No space left on device"};
  CHECK(e.message() == "write: No space left on device");
}

TEST_CASE("error: message without detail falls back to the category message", "[base][error]") {
  Error located_error{errc::not_found, "/etc/kskline.toml", ""};
  CHECK(located_error.message() == "/etc/kskline.toml: not found");
  Error bare{errc::lock_held, "", ""};
  CHECK(bare.message() == "locked by another process");
}

TEST_CASE("error: located sets a location only when none is set", "[base][error]") {
  const Error unlocated{errc::bad_encoding, "", "odd number of hex digits"};
  Error outer = unlocated.located("keys.txt:3");
  CHECK(outer.where == "keys.txt:3");
  CHECK(outer.detail == "odd number of hex digits");
  CHECK(outer.code == errc::bad_encoding);
  CHECK(unlocated.where.empty());  // the const& overload copies

  const Error inner{errc::bad_encoding, "line 7", "odd number of hex digits"};
  CHECK(inner.located("keys.txt:3").where == "line 7");

  Error moved = Error{errc::io_error, "", "x"}.located("slot 3");
  CHECK(moved.where == "slot 3");
  Error kept = Error{errc::io_error, "key tag 12345", "x"}.located("slot 3");
  CHECK(kept.where == "key tag 12345");
}

TEST_CASE("error: base category names itself and gives a message per code", "[base][error]") {
  const auto& cat = base::category();
  CHECK(std::string(cat.name()) == "kskline.base");
  CHECK(cat.message(static_cast<int>(errc::io_error)) == "input/output error");
  CHECK(cat.message(static_cast<int>(errc::lock_held)) == "locked by another process");
  CHECK(cat.message(static_cast<int>(errc::bad_encoding)) == "malformed encoded data");
  CHECK(cat.message(static_cast<int>(errc::not_found)) == "not found");
  CHECK(cat.message(0) == "unknown base error");
  CHECK(cat.message(999) == "unknown base error");
  CHECK(&base::category() == &cat);  // one instance
}

TEST_CASE("error: make_error_code is found by ADL and errc converts implicitly", "[base][error]") {
  std::error_code adl = make_error_code(errc::lock_held);  // unqualified: ADL
  CHECK(adl.value() == static_cast<int>(errc::lock_held));
  CHECK(&adl.category() == &base::category());

  std::error_code implicit = errc::not_found;  // is_error_code_enum
  CHECK(implicit == errc::not_found);
  CHECK(implicit != errc::io_error);
  CHECK(implicit.message() == "not found");
  // Same numeric value in another category is a different error.
  CHECK(std::error_code(static_cast<int>(errc::not_found), std::generic_category()) != errc::not_found);
}

TEST_CASE("error: fail builds an unexpected Result", "[base][error]") {
  Result<int> r = fail(errc::bad_encoding, "bad digit", "file:1");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::bad_encoding);
  CHECK(r.error().detail == "bad digit");
  CHECK(r.error().where == "file:1");
}

TEST_CASE("error: fail_errno maps ENOENT to not_found and other errors to io_error", "[base][error]") {
  errno = ENOENT;
  Result<void> missing = base::fail_errno("open", "/no/such");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == errc::not_found);
  CHECK(missing.error().where == "/no/such");
  CHECK(missing.error().detail == std::string("open: ") + std::strerror(ENOENT));

  errno = EACCES;
  Result<void> denied = base::fail_errno("open", "/root/x");
  REQUIRE_FALSE(denied);
  CHECK(denied.error().code == errc::io_error);
  CHECK(denied.error().detail == std::string("open: ") + std::strerror(EACCES));
}
