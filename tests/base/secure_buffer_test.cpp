#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <utility>

#include <sys/resource.h>

#include "base/secure_buffer.hpp"

using kskline::base::SecureBuffer;

namespace {

const std::array<std::uint8_t, 5> kSecret = {0xde, 0xad, 0xbe, 0xef, 0x42};

bool holds_secret(const SecureBuffer& b) {
  auto bytes = b.bytes();
  return bytes.size() == kSecret.size() && std::equal(bytes.begin(), bytes.end(), kSecret.begin());
}

// Whether this process may lock at least a few pages (RLIMIT_MEMLOCK).
bool can_lock_pages() {
  rlimit lim{};
  if (getrlimit(RLIMIT_MEMLOCK, &lim) != 0) return false;
  return lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur >= 64 * 1024;
}

}  // namespace

TEST_CASE("secure_buffer: a default buffer is empty", "[base][secure_buffer]") {
  SecureBuffer b;
  CHECK(b.size() == 0);
  CHECK(b.bytes().empty());
  CHECK(b.bytes().data() == nullptr);
  CHECK_FALSE(b.locked());
  SecureBuffer zero(std::size_t{0});
  CHECK(zero.size() == 0);
  CHECK(zero.bytes().empty());
}

TEST_CASE("secure_buffer: a sized buffer is zero-filled and writable", "[base][secure_buffer]") {
  SecureBuffer b(std::size_t{100});
  REQUIRE(b.size() == 100);
  REQUIRE(b.bytes().size() == 100);
  CHECK(std::all_of(b.bytes().begin(), b.bytes().end(), [](std::uint8_t v) { return v == 0; }));
  b.bytes()[0] = 0x11;
  b.bytes()[99] = 0x99;
  const SecureBuffer& view = b;
  CHECK(view.bytes()[0] == 0x11);
  CHECK(view.bytes()[99] == 0x99);
}

TEST_CASE("secure_buffer: a buffer holds its own copy of the data", "[base][secure_buffer]") {
  auto source = kSecret;
  SecureBuffer b{std::span<const std::uint8_t>(source)};
  CHECK(b.size() == kSecret.size());
  CHECK(holds_secret(b));
  source[0] = 0;
  CHECK(holds_secret(b));
  CHECK(b.bytes().data() != source.data());
}

TEST_CASE("secure_buffer: move construction transfers the bytes without copying", "[base][secure_buffer]") {
  SecureBuffer a{std::span<const std::uint8_t>(kSecret)};
  const std::uint8_t* where = a.bytes().data();
  bool was_locked = a.locked();
  SecureBuffer b(std::move(a));
  CHECK(holds_secret(b));
  CHECK(b.size() == kSecret.size());
  CHECK(b.bytes().data() == where);
  CHECK(b.locked() == was_locked);
  CHECK(a.size() == 0);  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  CHECK(a.bytes().empty());
  CHECK(a.bytes().data() == nullptr);
  CHECK_FALSE(a.locked());
}

TEST_CASE("secure_buffer: move assignment replaces the old contents", "[base][secure_buffer]") {
  SecureBuffer a{std::span<const std::uint8_t>(kSecret)};
  SecureBuffer b(std::size_t{3000});
  b = std::move(a);
  CHECK(holds_secret(b));
  CHECK(b.size() == kSecret.size());
  CHECK(a.size() == 0);  // NOLINT(bugprone-use-after-move)
  CHECK(a.bytes().data() == nullptr);

  // Self-move leaves the buffer intact.
  SecureBuffer& alias = b;
  b = std::move(alias);
  CHECK(holds_secret(b));

  // A moved-from buffer can be assigned again.
  a = SecureBuffer(std::size_t{8});
  CHECK(a.size() == 8);
}

TEST_CASE("secure_buffer: memory is locked when the limit allows it", "[base][secure_buffer]") {
  if (!can_lock_pages()) {
    WARN("RLIMIT_MEMLOCK below 64 KiB; not checking locked()");
    return;
  }
  SecureBuffer small(std::size_t{32});
  SecureBuffer other(std::size_t{32});
  CHECK(small.locked());
  CHECK(other.locked());
  // Each buffer has pages of its own, so releasing one cannot unlock the other.
  CHECK(reinterpret_cast<std::uintptr_t>(small.bytes().data()) % 4096 == 0);
  CHECK(small.bytes().data() != other.bytes().data());
}

TEST_CASE("secure_buffer: wipe zeroes memory", "[base][secure_buffer]") {
  std::array<std::uint8_t, 64> data{};
  data.fill(0xa5);
  kskline::base::wipe(data.data() + 8, 48);
  CHECK(std::all_of(data.begin(), data.begin() + 8, [](std::uint8_t v) { return v == 0xa5; }));
  CHECK(std::all_of(data.begin() + 8, data.begin() + 56, [](std::uint8_t v) { return v == 0; }));
  CHECK(std::all_of(data.begin() + 56, data.end(), [](std::uint8_t v) { return v == 0xa5; }));
  kskline::base::wipe(nullptr, 0);  // harmless
}
