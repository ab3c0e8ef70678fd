// The commands of the built kskline binary, for tests that hold every
// command to a rule (help, exit codes, the man page).
#pragma once

#include <catch2/catch.hpp>

#include <regex>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace kskline::test {

// Every command of the binary ("zone sign", ...), from the help of each group.
inline std::vector<std::string> kskline_commands() {
  std::vector<std::string> out;
  std::vector<std::string> groups{""};
  for (std::size_t g = 0; g < groups.size(); ++g) {
    auto help = kskline(groups[g] + "--help");
    auto at = help.out.find("Subcommands:");
    REQUIRE(at != std::string::npos);
    const std::string list = help.out.substr(at);
    std::regex sub(R"(\n  ([a-z-]+) )");
    for (std::sregex_iterator it(list.begin(), list.end(), sub), end; it != end; ++it) {
      const std::string name = groups[g] + (*it)[1].str();
      if (kskline(name + " --help").out.find("Subcommands:") != std::string::npos) {
        groups.push_back(name + " ");
      } else {
        out.push_back(name);
      }
    }
  }
  return out;
}

}  // namespace kskline::test
