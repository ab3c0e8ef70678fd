#include <catch2/catch.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <utility>

#include <sys/stat.h>
#include <unistd.h>

#include "base/file_lock.hpp"
#include "tests/support/temp_dir.hpp"

using namespace kskline;
using base::errc;
using base::FileLock;
namespace fs = std::filesystem;

namespace {

using TempDir = test::TempDir;

bool is_held(const std::string& path) {
  auto r = FileLock::acquire(path);
  if (r) return false;
  REQUIRE(r.error().code == errc::lock_held);
  return true;
}

}  // namespace

TEST_CASE("file_lock: acquire creates the lock file with mode 0600", "[base][file_lock]") {
  TempDir dir;
  auto path = dir.file("state.lock");
  auto lock = FileLock::acquire(path);
  REQUIRE(lock);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK(S_ISREG(st.st_mode));
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("file_lock: a second acquire fails with lock_held until the first is gone", "[base][file_lock]") {
  TempDir dir;
  auto path = dir.file("state.lock");
  {
    auto first = FileLock::acquire(path);
    REQUIRE(first);
    auto second = FileLock::acquire(path);
    REQUIRE_FALSE(second);
    CHECK(second.error().code == errc::lock_held);
    CHECK(second.error().where == path);
    // A different lock file is independent.
    CHECK(FileLock::acquire(dir.file("other.lock")));
  }
  auto third = FileLock::acquire(path);
  CHECK(third);
}

TEST_CASE("file_lock: an existing lock file is reused", "[base][file_lock]") {
  TempDir dir;
  auto path = dir.file("state.lock");
  { REQUIRE(FileLock::acquire(path)); }
  REQUIRE(fs::exists(path));
  auto again = FileLock::acquire(path);
  CHECK(again);
}

TEST_CASE("file_lock: moving a lock keeps it held", "[base][file_lock]") {
  TempDir dir;
  auto path = dir.file("state.lock");
  std::optional<FileLock> moved;
  {
    auto original = FileLock::acquire(path);
    REQUIRE(original);
    moved.emplace(std::move(*original));
  }  // the moved-from lock is destroyed here and must not release
  CHECK(is_held(path));
  moved.reset();
  CHECK_FALSE(is_held(path));
}

TEST_CASE("file_lock: move assignment releases the lock it replaces", "[base][file_lock]") {
  TempDir dir;
  auto path_a = dir.file("a.lock");
  auto path_b = dir.file("b.lock");
  auto a = FileLock::acquire(path_a);
  auto b = FileLock::acquire(path_b);
  REQUIRE(a);
  REQUIRE(b);
  *a = std::move(*b);
  CHECK_FALSE(is_held(path_a));
  CHECK(is_held(path_b));
  // Self-move keeps the lock.
  FileLock& alias = *a;
  *a = std::move(alias);
  CHECK(is_held(path_b));
  a = tl::unexpected(Error{});  // destroys the lock
  CHECK_FALSE(is_held(path_b));
}

TEST_CASE("file_lock: a lock file that cannot be opened is io_error", "[base][file_lock]") {
  TempDir dir;
  auto path = dir.file("no-such-dir/state.lock");
  auto r = FileLock::acquire(path);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::io_error);
  CHECK(r.error().where == path);

  // A directory cannot be opened read-write.
  auto d = FileLock::acquire(dir.file(""));
  REQUIRE_FALSE(d);
  CHECK(d.error().code == errc::io_error);
}
