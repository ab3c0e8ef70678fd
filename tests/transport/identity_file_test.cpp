#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "base/encoding.hpp"
#include "transport/errc.hpp"
#include "transport/identity_file.hpp"
#include "transport/sodium_random.hpp"
#include "transport_test_util.hpp"

using namespace kskline;
using namespace kskline::transport;
using testing::TempDir;

namespace {

unsigned mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("identity_file: a written identity reads back, secret 0600, public 0644", "[transport][identity_file]") {
  TempDir dir;
  SodiumRandom random;
  auto id = proto::LinkIdentity::generate(random);
  std::string path = dir.file("ksk-laptop");
  REQUIRE(write_identity_files(path, id));
  CHECK(mode_of(path) == 0600);
  CHECK(mode_of(path + ".pub") == 0644);
  auto back = read_identity_file(path);
  REQUIRE(back);
  CHECK(back->public_key() == id.public_key());
  auto pub = read_public_key(path + ".pub");
  REQUIRE(pub);
  CHECK(*pub == id.public_key());
  // The identity file names its public key too, and the key itself works.
  CHECK(read_public_key(path).value() == id.public_key());
  CHECK(read_public_key(public_key_text(id.public_key())).value() == id.public_key());
  CHECK(testing::slurp(path + ".pub").find("secret") == std::string::npos);
  // Nothing is overwritten.
  auto again = write_identity_files(path, id);
  REQUIRE_FALSE(again);
  CHECK_THAT(again.error().message(), Catch::Contains("refusing to replace"));
  std::string other = dir.file("other");
  testing::spit(other + ".pub", "x");
  auto blocked = write_identity_files(other, id);
  REQUIRE_FALSE(blocked);
  CHECK_FALSE(std::filesystem::exists(other));
}

TEST_CASE("identity_file: a secret file others may read is refused", "[transport][identity_file]") {
  TempDir dir;
  SodiumRandom random;
  std::string path = dir.file("id");
  REQUIRE(write_identity_files(path, proto::LinkIdentity::generate(random)));
  ::chmod(path.c_str(), 0640);
  auto r = read_identity_file(path);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == base::errc::secret_exposed);
  CHECK_THAT(r.error().message(), Catch::Contains("mode 0640") && Catch::Contains("chmod 600"));
}

TEST_CASE("identity_file: malformed files are refused with the file and line", "[transport][identity_file]") {
  TempDir dir;
  SodiumRandom random;
  auto id = proto::LinkIdentity::generate(random);
  auto other = proto::LinkIdentity::generate(random);
  std::string seed = base::to_base64(id.seed());
  std::string pub = public_key_text(id.public_key());
  struct Case {
    std::string text;
    std::string message;
  };
  for (const Case& c : {
           Case{"", "no 'kskline-link-identity: 1' line"},
           Case{"kskline-link-identity: 2\n", "version 2 is not supported"},
           Case{"kskline-link-identity: 1\npublic-key: " + pub + "\n", "no 'secret-seed' line"},
           Case{"kskline-link-identity: 1\npublic-key: " + pub + "\nsecret-seed: AAAA\n", ":3: 'secret-seed' must be 32 bytes"},
           Case{"kskline-link-identity: 1\npublic-key: " + public_key_text(other.public_key()) + "\nsecret-seed: " + seed + "\n",
                "does not belong to the secret seed"},
           Case{"kskline-link-identity: 1\nkskline-link-identity: 1\n", ":2: 'kskline-link-identity' given twice"},
           Case{"kskline-link-identity: 1\ncolour: blue\n", ":2: unknown field 'colour'"},
           Case{"kskline-link-identity: 1\njunk\n", ":2: expected 'name: value'"},
           Case{"kskline-link-public-key: 1\npublic-key: " + pub + "\n", "this is a public key file"},
       }) {
    INFO(c.text);
    std::string path = dir.file("bad");
    std::filesystem::remove(path);
    testing::spit(path, c.text);
    ::chmod(path.c_str(), 0600);
    auto r = read_identity_file(path);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::bad_identity_file);
    CHECK_THAT(r.error().message(), Catch::Contains(c.message));
  }
  auto missing = read_public_key(dir.file("nope.pub"));
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().message(), Catch::Contains("not a public key file"));
  testing::spit(dir.file("p.pub"), "kskline-link-public-key: 1\npublic-key: abc\n");
  CHECK_FALSE(read_public_key(dir.file("p.pub")));
}
