// State directories: the paths of their files and DIR/.lock, which names its
// holder while held and is emptied when released.
#include <catch2/catch.hpp>

#include <unistd.h>

#include "signer/state_dir.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"

using namespace kskline;

TEST_CASE("state_dir: paths join with one slash", "[signer][state_dir]") {
  CHECK(signer::state_path("state", "keys") == "state/keys");
  CHECK(signer::state_path("state/", "keys") == "state/keys");
  CHECK(signer::state_path("/var/lib/kskline", ".lock") == "/var/lib/kskline/.lock");
  CHECK(signer::state_path("", "ksk.toml") == "ksk.toml");
}

TEST_CASE("state_dir: a held lock names its holder to the next command", "[signer][state_dir]") {
  test::TempDir tmp{"kskline-state-dir"};
  const std::string lock_file = tmp.file(".lock");
  {
    auto first = signer::lock_state_dir(tmp.path(), "kskline zone publish");
    REQUIRE(first);
    CHECK(test::slurp(lock_file) == "kskline zone publish (pid " + std::to_string(::getpid()) + ")\n");
    auto second = signer::lock_state_dir(tmp.path(), "kskline zone status");
    REQUIRE_FALSE(second);
    CHECK(second.error().code == base::errc::lock_held);
    CHECK(second.error().where == tmp.path());
    CHECK(second.error().detail == "another kskline command is working on this state directory (kskline zone publish (pid " +
                                       std::to_string(::getpid()) + ")); wait until it ends (or stop it) and try again");
    // Moving the lock keeps it held and named.
    signer::StateLock moved = std::move(*first);
    CHECK_FALSE(signer::lock_state_dir(tmp.path(), "again"));
    CHECK(test::slurp(lock_file).rfind("kskline zone publish", 0) == 0);
  }
  // Released: emptied, and free for the next command.
  CHECK(test::slurp(lock_file).empty());
  auto next = signer::lock_state_dir(tmp.path(), "kskline zone status");
  CHECK(next);
}

TEST_CASE("state_dir: a lock held by a process that names nobody is refused plainly", "[signer][state_dir]") {
  test::TempDir tmp{"kskline-state-dir"};
  auto other = base::FileLock::acquire(tmp.file(".lock"));  // as flock(1) would hold it
  REQUIRE(other);
  auto r = signer::lock_state_dir(tmp.path(), "kskline ksk sign");
  REQUIRE_FALSE(r);
  CHECK(r.error().detail ==
        "another kskline command is working on this state directory; wait until it ends (or stop it) and try again");
}

TEST_CASE("state_dir: a lock file that cannot be made is an I/O error", "[signer][state_dir]") {
  test::TempDir tmp{"kskline-state-dir"};
  auto r = signer::lock_state_dir(tmp.file("missing"), "kskline zone");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == base::errc::io_error);
}
