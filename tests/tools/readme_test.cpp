// The README tells the truth: the shell blocks of its "Commands" section run
// as written, in order, from a directory laid out like the repository (the
// built binary at build/tools/kskline, docs/ beside it), with "yes" typed
// wherever the KSK side asks its operator.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "tests/support/markdown.hpp"
#include "tests/support/process.hpp"
#include "tests/transport/transport_test_util.hpp"

using kskline::transport::testing::TempDir;
using kskline::transport::testing::slurp;
using kskline::transport::testing::spit;

namespace fs = std::filesystem;
using kskline::test::shell_blocks;

TEST_CASE("readme: every command of the Commands section runs as written", "[tools][readme]") {
  const std::string source = KSKLINE_SOURCE_DIR;
  std::string script = shell_blocks(slurp(source + "/README.md"), "Commands");
  REQUIRE(script.find("kskline") != std::string::npos);
  TempDir dir;
  fs::create_directories(dir.file("build/tools"));
  fs::create_symlink(KSKLINE_BINARY, dir.file("build/tools/kskline"));
  fs::create_directory_symlink(source + "/docs", dir.file("docs"));
  spit(dir.file("commands.sh"), "set -eu\n" + script);
  auto ran = kskline::test::run("cd " + kskline::test::shell_quote(dir.path()) + " && yes yes | sh commands.sh");
  INFO(script << "\n--- out:\n" << ran.out << "\n--- err:\n" << ran.err);
  CHECK(ran.status == 0);
}

TEST_CASE("readme: the ceremony's commands run unchanged ceremony after ceremony", "[tools][readme]") {
  const std::string source = KSKLINE_SOURCE_DIR;
  // The first block: set-up, then the ceremony from `zone pregenerate` on,
  // which an operator repeats whenever `zone status` says WARNING.
  const std::string first = shell_blocks(slurp(source + "/README.md"), "Commands", 1);
  const auto ceremony_start = first.find("build/tools/kskline zone pregenerate");
  REQUIRE(ceremony_start != std::string::npos);
  const std::string ceremony = first.substr(ceremony_start);
  REQUIRE(ceremony.find("zone import --dir zone stick/to-zone/*.kske") != std::string::npos);
  TempDir dir;
  fs::create_directories(dir.file("build/tools"));
  fs::create_symlink(KSKLINE_BINARY, dir.file("build/tools/kskline"));
  fs::create_directory_symlink(source + "/docs", dir.file("docs"));
  spit(dir.file("first.sh"), "set -eu\n" + first);
  spit(dir.file("again.sh"), "set -eu\n" + ceremony);
  const std::string cd = "cd " + kskline::test::shell_quote(dir.path()) + " && ";
  auto ran = kskline::test::run(cd + "yes yes | sh first.sh");
  INFO(first << "\n--- out:\n" << ran.out << "\n--- err:\n" << ran.err);
  REQUIRE(ran.status == 0);
  for (int n = 2; n <= 3; ++n) {
    auto again = kskline::test::run(cd + "yes yes | sh again.sh");
    INFO("ceremony " << n << "\n" << ceremony << "\n--- out:\n" << again.out << "\n--- err:\n" << again.err);
    CHECK(again.status == 0);
    // Each import took one new answer and left the stick's inbox empty.
    CHECK(kskline::test::run(cd + "ls stick/to-zone/*.kske").status != 0);
    CHECK(kskline::test::run(cd + "ls stick/to-zone/done/*.kske | wc -l").out == std::to_string(n) + "\n");
    CHECK(kskline::test::run(cd + "ls zone/responses | wc -l").out == std::to_string(n) + "\n");
  }
}
