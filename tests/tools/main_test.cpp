// The kskline binary's own options, run as the built binary.
#include <catch2/catch.hpp>

#include <regex>

#include "tests/support/files.hpp"
#include "tests/support/process.hpp"

using namespace kskline;

TEST_CASE("main: --version prints the version CMakeLists.txt declares", "[tools][main]") {
  std::smatch m;
  std::string cmake = test::slurp(std::string(KSKLINE_SOURCE_DIR) + "/CMakeLists.txt");
  REQUIRE(std::regex_search(cmake, m, std::regex(R"(project\(kskline VERSION ([0-9.]+))")));
  auto r = test::kskline("--version");
  CHECK(r.status == 0);
  CHECK(r.out == "kskline " + m[1].str() + "\n");
}
