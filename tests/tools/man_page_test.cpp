// The man page (docs/kskline.1.scd, built into kskline.1) documents every
// command of the binary with every option its --help lists.
#include <catch2/catch.hpp>

#include <regex>
#include <string>

#include "tests/support/commands.hpp"
#include "tests/support/files.hpp"
#include "tests/support/process.hpp"

using namespace kskline;

namespace {

// The options add_link_options gives a command, which the page names once
// under LINKS and as "[link options]" in each command's synopsis.
bool is_link_option(const std::string& name) {
  return name == "--identity" || name == "--peer" || name == "--auth" || name == "--side" || name == "--wait" ||
         name == "--quiet";
}

}  // namespace

TEST_CASE("man_page: every command and each of its options is in kskline.1", "[tools][man_page]") {
  const std::string page = test::slurp(std::string(KSKLINE_SOURCE_DIR) + "/docs/kskline.1.scd");
  const auto commands = test::kskline_commands();
  REQUIRE(commands.size() >= 23);
  for (const auto& command : commands) {
    INFO(command);
    // Its entry: a line starting "*<command>*", up to the blank line after it.
    const auto at = page.find("\n*" + command + "* ");
    const auto bare = page.find("\n*" + command + "*\n");
    REQUIRE((at != std::string::npos || bare != std::string::npos));
    const auto start = at != std::string::npos ? at : bare;
    const std::string entry = page.substr(start, page.find("\n\n", start + 1) - start);
    const auto help = test::kskline(command + " --help").out;
    std::regex option(R"(\n  (?:(-[a-zA-Z]),)?(--[a-z][a-z0-9-]*))");
    for (std::sregex_iterator it(help.begin(), help.end(), option), end; it != end; ++it) {
      const std::string name = (*it)[2].str();
      const std::string letter = (*it)[1].str();  // the page may give the short form
      if (name == "--help") continue;
      INFO(name);
      if (is_link_option(name) && entry.find("[link options]") != std::string::npos) continue;
      CHECK((entry.find("*" + name + "*") != std::string::npos ||
             (!letter.empty() && entry.find("*" + letter + "*") != std::string::npos)));
    }
  }
}

TEST_CASE("man_page: scdoc builds the page the build installs", "[tools][man_page]") {
  auto built = test::run("scdoc < " + test::shell_quote(std::string(KSKLINE_SOURCE_DIR) + "/docs/kskline.1.scd"));
  INFO(built.err);
  CHECK(built.status == 0);
  CHECK(built.err.empty());
  CHECK(built.out.find(".TH \"kskline\" \"1\"") != std::string::npos);
}
