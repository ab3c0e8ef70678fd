#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/atomic_file.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"

using namespace kskline;
using base::errc;
using test::slurp;
namespace fs = std::filesystem;

namespace {

// The shared temporary directory, with a listing of its entries.
class TempDir : public test::TempDir {
 public:
  TempDir() : test::TempDir("kskline-atomic-test") {}

  // Names of the entries in the directory, sorted.
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path())) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
};

// Sets the umask for a scope.
class UmaskScope {
 public:
  explicit UmaskScope(mode_t mask) : old_(::umask(mask)) {}
  ~UmaskScope() { ::umask(old_); }
  UmaskScope(const UmaskScope&) = delete;
  UmaskScope& operator=(const UmaskScope&) = delete;

 private:
  mode_t old_;
};

mode_t mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("atomic_file: written data reads back identically", "[base][atomic_file]") {
  TempDir dir;
  std::string binary("key\0data\xff\n", 11);
  auto path = dir.file("k.private");
  REQUIRE(base::write_file_atomic(path, as_bytes(binary)));
  auto back = base::read_file(path);
  REQUIRE(back);
  CHECK(*back == binary);
  CHECK(slurp(path) == binary);
  CHECK(dir.entries() == std::vector<std::string>{"k.private"});

  auto empty = dir.file("empty");
  REQUIRE(base::write_file_atomic(empty, {}));
  auto back_empty = base::read_file(empty);
  REQUIRE(back_empty);
  CHECK(back_empty->empty());

  std::string big(300000, 'x');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7);
  REQUIRE(base::write_file_atomic(dir.file("big"), as_bytes(big)));
  auto back_big = base::read_file(dir.file("big"));
  REQUIRE(back_big);
  CHECK(*back_big == big);
}

TEST_CASE("atomic_file: a secret file reads back only while group and others cannot read it", "[base][atomic_file]") {
  TempDir dir;
  auto path = dir.file("k.private");
  REQUIRE(base::write_file_atomic(path, as_bytes("secret"), 0600));
  auto back = base::read_secret_file(path, 1024);
  REQUIRE(back);
  CHECK(*back == "secret");
  ::chmod(path.c_str(), 0644);
  auto exposed = base::read_secret_file(path, 1024);
  REQUIRE_FALSE(exposed);
  CHECK(exposed.error().code == base::errc::secret_exposed);
  CHECK_THAT(exposed.error().message(), Catch::Contains("mode 0644") && Catch::Contains(path));
  CHECK(base::read_file(path, 1024));  // a file that is not a secret may be read by all
}

TEST_CASE("atomic_file: a relative path writes in the current directory", "[base][atomic_file]") {
  TempDir dir;
  auto old_cwd = fs::current_path();
  fs::current_path(dir.file(""));
  auto r = base::write_file_atomic("relative.txt", as_bytes("here"));
  auto back = base::read_file("relative.txt");
  fs::current_path(old_cwd);
  REQUIRE(r);
  REQUIRE(back);
  CHECK(*back == "here");
  CHECK(dir.entries() == std::vector<std::string>{"relative.txt"});
}

TEST_CASE("atomic_file: the requested mode is set exactly, whatever the umask", "[base][atomic_file]") {
  TempDir dir;
  {
    UmaskScope mask(0);
    REQUIRE(base::write_file_atomic(dir.file("secret"), as_bytes("s"), 0600));
    CHECK(mode_of(dir.file("secret")) == 0600);
    REQUIRE(base::create_file_atomic(dir.file("secret2"), as_bytes("s"), 0600));
    CHECK(mode_of(dir.file("secret2")) == 0600);
  }
  {
    UmaskScope mask(077);
    REQUIRE(base::write_file_atomic(dir.file("public"), as_bytes("p"), 0644));
    CHECK(mode_of(dir.file("public")) == 0644);
    REQUIRE(base::write_file_atomic(dir.file("shared"), as_bytes("p"), 0640));
    CHECK(mode_of(dir.file("shared")) == 0640);
  }
  CHECK(mode_of(dir.file("secret")) != mode_of(dir.file("public")));
}

TEST_CASE("atomic_file: an existing file is replaced with new contents and mode", "[base][atomic_file]") {
  TempDir dir;
  auto path = dir.file("zone.db");
  REQUIRE(base::write_file_atomic(path, as_bytes("old contents that are longer"), 0644));
  REQUIRE(base::write_file_atomic(path, as_bytes("new"), 0600));
  auto back = base::read_file(path);
  REQUIRE(back);
  CHECK(*back == "new");
  CHECK(mode_of(path) == 0600);
  CHECK(dir.entries() == std::vector<std::string>{"zone.db"});
}

TEST_CASE("atomic_file: a symlink at the path is neither replaced nor followed to a file", "[base][atomic_file]") {
  TempDir dir;
  auto target = dir.file("target");
  auto link = dir.file("link");
  REQUIRE(base::write_file_atomic(target, as_bytes("target contents")));
  fs::create_symlink(target, link);
  for (bool output : {false, true}) {
    auto w = output ? base::write_output_file(link, as_bytes("replacement"))
                    : base::write_file_atomic(link, as_bytes("replacement"));
    REQUIRE_FALSE(w);
    CHECK(w.error().code == errc::io_error);
    CHECK(w.error().where == link);
    CHECK(w.error().message().find("a symbolic link; kskline does not replace or follow it") != std::string::npos);
  }
  CHECK(fs::is_symlink(link));
  CHECK(slurp(target) == "target contents");

  fs::create_symlink(dir.file("nowhere"), dir.file("dangling"));
  auto dangling = base::write_output_file(dir.file("dangling"), as_bytes("x"));
  REQUIRE_FALSE(dangling);
  CHECK(dangling.error().message().find("a symbolic link to nothing") != std::string::npos);
  CHECK(fs::is_symlink(dir.file("dangling")));
  CHECK_FALSE(fs::exists(dir.file("nowhere")));
  CHECK(dir.entries() == std::vector<std::string>{"dangling", "link", "target"});
}

TEST_CASE("atomic_file: a directory at the path is refused by name", "[base][atomic_file]") {
  TempDir dir;
  fs::create_directory(dir.file("sub"));
  auto w = base::write_output_file(dir.file("sub"), as_bytes("x"));
  REQUIRE_FALSE(w);
  CHECK(w.error().message().find("a directory; kskline writes only regular files, character devices and FIFOs") !=
        std::string::npos);
  CHECK(fs::is_directory(dir.file("sub")));
  CHECK(dir.entries() == std::vector<std::string>{"sub"});
}

TEST_CASE("atomic_file: output to a FIFO is written through, a state file there is refused", "[base][atomic_file]") {
  TempDir dir;
  auto fifo = dir.file("fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto refused = base::write_file_atomic(fifo, as_bytes("state"));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message().find("a FIFO; kskline keeps its state in regular files only") != std::string::npos);

  // A reader on the other end gets the bytes; the FIFO stays a FIFO.
  std::string got;
  std::thread reader([&] { got = slurp(fifo); });
  auto w = base::write_output_file(fifo, as_bytes("through the pipe"));
  reader.join();
  REQUIRE(w);
  CHECK(got == "through the pipe");
  CHECK(fs::is_fifo(fifo));
  CHECK(dir.entries() == std::vector<std::string>{"fifo"});
}

TEST_CASE("atomic_file: output to a character device, directly or through a symlink, is written through",
          "[base][atomic_file]") {
  TempDir dir;
  auto node = dir.file("null");
  if (!test::make_null_device(node)) {
    WARN("mknod is not permitted here (not root); the character device case is checked in CI");
    return;
  }
  fs::create_symlink(node, dir.file("stdout-like"));
  REQUIRE(base::write_output_file(node, as_bytes("discarded")));
  REQUIRE(base::write_output_file(dir.file("stdout-like"), as_bytes("discarded too")));
  CHECK(test::is_char_device(node));
  CHECK(fs::is_symlink(dir.file("stdout-like")));
  // kskline's own state is never written to a device.
  auto refused = base::write_file_atomic(node, as_bytes("state"));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message().find("a character device; kskline keeps its state in regular files only") !=
        std::string::npos);
  CHECK(test::is_char_device(node));
  CHECK(dir.entries() == std::vector<std::string>{"null", "stdout-like"});
}

TEST_CASE("atomic_file: create_file_atomic refuses an existing file", "[base][atomic_file]") {
  TempDir dir;
  auto path = dir.file("request.txt");
  REQUIRE(base::create_file_atomic(path, as_bytes("first"), 0600));
  CHECK(slurp(path) == "first");

  auto again = base::create_file_atomic(path, as_bytes("second"), 0644);
  REQUIRE_FALSE(again);
  CHECK(again.error().code == errc::io_error);
  CHECK(again.error().where == path);
  CHECK(again.error().message().find("exists") != std::string::npos);
  CHECK(slurp(path) == "first");
  CHECK(mode_of(path) == 0600);
  CHECK(dir.entries() == std::vector<std::string>{"request.txt"});

  // A dangling symlink also counts as existing and is left alone.
  fs::create_symlink(dir.file("nowhere"), dir.file("dangling"));
  auto onto_link = base::create_file_atomic(dir.file("dangling"), as_bytes("x"));
  REQUIRE_FALSE(onto_link);
  CHECK(fs::is_symlink(dir.file("dangling")));
  CHECK_FALSE(fs::exists(dir.file("nowhere")));
}

TEST_CASE("atomic_file: a failed write leaves no temporary and the target untouched", "[base][atomic_file]") {
  TempDir dir;
  // A non-empty directory at the path: refused before anything is written.
  auto path = dir.file("occupied");
  fs::create_directory(path);
  REQUIRE(base::write_file_atomic(dir.file("occupied/inside"), as_bytes("keep")));

  auto r = base::write_file_atomic(path, as_bytes("data"));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::io_error);
  CHECK(r.error().where == path);
  CHECK(dir.entries() == std::vector<std::string>{"occupied"});
  CHECK(fs::is_directory(path));
  CHECK(slurp(dir.file("occupied/inside")) == "keep");

  auto c = base::create_file_atomic(path, as_bytes("data"));
  REQUIRE_FALSE(c);
  CHECK(c.error().code == errc::io_error);
  CHECK(dir.entries() == std::vector<std::string>{"occupied"});
}

TEST_CASE("atomic_file: writing into a missing directory fails naming the path", "[base][atomic_file]") {
  TempDir dir;
  auto path = dir.file("no-such-dir/file");
  auto r = base::write_file_atomic(path, as_bytes("x"));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::io_error);
  CHECK(r.error().where == path);
  CHECK(dir.entries().empty());
}

TEST_CASE("atomic_file: read_file of a missing file is not_found naming the path", "[base][atomic_file]") {
  TempDir dir;
  auto path = dir.file("missing.txt");
  auto r = base::read_file(path);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::not_found);
  CHECK(r.error().where == path);
  CHECK(r.error().message().find(path) != std::string::npos);
}

TEST_CASE("atomic_file: read_file refuses what is not a regular file", "[base][atomic_file]") {
  TempDir dir;
  auto r = base::read_file(dir.file(""));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::io_error);

  // A FIFO with no writer would block a plain open(); it must be refused at once.
  auto fifo = dir.file("fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto f = base::read_file(fifo);
  REQUIRE_FALSE(f);
  CHECK(f.error().code == errc::io_error);
  CHECK(f.error().where == fifo);
}

TEST_CASE("atomic_file: read_file follows a symlink to a regular file", "[base][atomic_file]") {
  TempDir dir;
  REQUIRE(base::write_file_atomic(dir.file("real"), as_bytes("through the link")));
  fs::create_symlink(dir.file("real"), dir.file("alias"));
  auto r = base::read_file(dir.file("alias"));
  REQUIRE(r);
  CHECK(*r == "through the link");
}

TEST_CASE("atomic_file: read_file refuses files larger than max_size", "[base][atomic_file]") {
  TempDir dir;
  auto path = dir.file("ten");
  REQUIRE(base::write_file_atomic(path, as_bytes("0123456789")));
  auto exact = base::read_file(path, 10);
  REQUIRE(exact);
  CHECK(*exact == "0123456789");
  auto over = base::read_file(path, 9);
  REQUIRE_FALSE(over);
  CHECK(over.error().code == errc::io_error);
  CHECK(over.error().where == path);
  auto none = base::read_file(path, 0);
  REQUIRE_FALSE(none);
}

TEST_CASE("atomic_file: temporaries left by a writer that was killed are removed by the next write", "[base][atomic_file]") {
  TempDir dir;
  const std::string target = dir.file("state.toml");
  // A pid that no longer runs: a child that has exited and been reaped.
  pid_t gone = ::fork();
  REQUIRE(gone >= 0);
  if (gone == 0) ::_exit(0);
  REQUIRE(::waitpid(gone, nullptr, 0) == gone);
  const std::string stale = dir.file(".state.toml.tmp." + std::to_string(gone) + ".0123456789abcdef");
  const std::string live = dir.file(".state.toml.tmp." + std::to_string(::getpid()) + ".fedcba9876543210");
  const std::string other = dir.file(".other.toml.tmp." + std::to_string(gone) + ".0123456789abcdef");
  for (const auto& f : {stale, live, other}) test::spit(f, "half written");
  REQUIRE(base::write_file_atomic(target, as_bytes(std::string("whole\n"))));
  CHECK(slurp(target) == "whole\n");
  CHECK_FALSE(std::filesystem::exists(stale));
  CHECK(std::filesystem::exists(live));   // its writer may still be at work
  CHECK(std::filesystem::exists(other));  // another file's, left to its own writer
}
