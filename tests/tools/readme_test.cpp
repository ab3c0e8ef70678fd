// The README tells the truth: the shell blocks of its "Commands" section run
// as written, in order, from a directory laid out like the repository (the
// built binary at build/tools/kskline, docs/ beside it), with "yes" typed
// wherever the KSK side asks its operator.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "tests/support/process.hpp"
#include "tests/transport/transport_test_util.hpp"

using kskline::transport::testing::TempDir;
using kskline::transport::testing::slurp;
using kskline::transport::testing::spit;

namespace {

namespace fs = std::filesystem;

// The ```sh blocks between "## <section>" and the next "## " heading.
std::string shell_blocks(const std::string& markdown, const std::string& section) {
  auto start = markdown.find("\n## " + section + "\n");
  REQUIRE(start != std::string::npos);
  auto end = markdown.find("\n## ", start + 1);
  std::string part = markdown.substr(start, end == std::string::npos ? std::string::npos : end - start);
  std::string script;
  std::size_t pos = 0;
  while ((pos = part.find("```sh\n", pos)) != std::string::npos) {
    pos += 6;
    auto close = part.find("```", pos);
    REQUIRE(close != std::string::npos);
    script += part.substr(pos, close - pos);
    pos = close + 3;
  }
  return script;
}

}  // namespace

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
