// The kskline binary's own options, run as the built binary.
#include <catch2/catch.hpp>

#include <regex>

#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace kskline;

TEST_CASE("main: --version prints the version CMakeLists.txt declares", "[tools][main]") {
  std::smatch m;
  std::string cmake = test::slurp(std::string(KSKLINE_SOURCE_DIR) + "/CMakeLists.txt");
  REQUIRE(std::regex_search(cmake, m, std::regex(R"(project\(kskline VERSION ([0-9.]+))")));
  auto r = test::kskline("--version");
  CHECK(r.status == 0);
  CHECK(r.out == "kskline " + m[1].str() + "\n");
}

TEST_CASE("main: a kskline process writes no core file, whatever limit it was started with", "[tools][main]") {
  test::TempDir dir;
  std::string command = "ulimit -c unlimited 2>/dev/null; " + test::shell_quote(KSKLINE_BINARY) + " linesim --baud 9600 --link-dir " +
                        test::shell_quote(dir.file("line")) +
                        " >/dev/null 2>&1 & pid=$!; sleep 0.5; grep 'Max core file size' /proc/$pid/limits; kill $pid; wait";
  auto r = test::run(command);
  CHECK_THAT(r.out, Catch::Matches(R"(Max core file size\s+0\s+0\s+bytes\s*)"));
}
