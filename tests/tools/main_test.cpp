// The kskline binary's own options, run as the built binary.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <regex>
#include <string>
#include <vector>

#include "tests/support/commands.hpp"
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

TEST_CASE("main: a usage error of each command exits as docs/exit-codes.md says", "[tools][main]") {
  // Rows "| `kskline CMD` | done | refused | usage | link |" of the one table.
  std::string doc = test::slurp(std::string(KSKLINE_SOURCE_DIR) + "/docs/exit-codes.md");
  std::regex row(R"(\n\| `kskline ([a-z -]+)` \|[^|\n]*\|[^|\n]*\| ([0-9]) \|)");
  std::size_t rows = 0;
  for (std::sregex_iterator it(doc.begin(), doc.end(), row), end; it != end; ++it) {
    ++rows;
    const std::string command = (*it)[1].str();
    const int usage = std::stoi((*it)[2].str());
    auto r = test::kskline(command + " --no-such-option");
    INFO(command << ": " << r.out << r.err);
    CHECK(r.status == usage);
    if (command == "zone status") CHECK(r.out.rfind("KSKLINE UNKNOWN - ", 0) == 0);
  }
  CHECK(rows >= 22);
  // Every command of the binary has a row.
  for (const char* group : {"", "zone ", "ksk ", "ksk audit "}) {
    auto help = test::kskline(std::string(group) + "--help");
    auto at = help.out.find("Subcommands:");
    REQUIRE(at != std::string::npos);
    std::regex sub(R"(\n  ([a-z-]+) )");
    std::string list = help.out.substr(at);
    for (std::sregex_iterator it(list.begin(), list.end(), sub), end; it != end; ++it) {
      std::string name = std::string(group) + (*it)[1].str();
      if (name == "zone" || name == "ksk" || name == "ksk audit") continue;
      INFO(name);
      CHECK(doc.find("| `kskline " + name + "` |") != std::string::npos);
    }
  }
}

TEST_CASE("main: a malformed value of any option with a form is a usage error, found before anything runs",
          "[tools][main]") {
  // The value labels of options whose value has a form (a time, a number, a
  // name, a link, a word from a list); "x..y" fits none of them. FILE, DIR,
  // KEY and TEXT values are input, read when the command runs.
  const std::set<std::string> formed{"TIME", "DURATION", "SECONDS", "N",      "P",      "BITS",   "ALG", "LINK",
                                     "ZONE", "POLICY",   "SIDE",    "FORMAT", "DIGESTS", "SERIAL", "TTL"};
  const std::string bad = "x..y";
  test::TempDir dir;  // the examples' files do not exist here: nothing may be read or made
  std::size_t tried = 0;
  for (const auto& command : test::kskline_commands()) {
    auto help = test::kskline(command + " --help");
    const std::string marker = "\nExample:\n  kskline ";
    const auto at = help.out.rfind(marker);
    REQUIRE(at != std::string::npos);
    std::string example = help.out.substr(at + marker.size());
    example = example.substr(0, std::min(example.find('\n'), example.find("   (")));
    // The example's words, a quoted word kept whole.
    std::vector<std::string> words;
    const std::regex word(R"('[^']*'|[^ ]+)");
    for (std::sregex_iterator it(example.begin(), example.end(), word), end; it != end; ++it) {
      words.push_back(it->str());
    }
    std::regex option(R"(\n  (?:-[a-zA-Z],)?(--[a-z][a-z0-9-]*) ([A-Z][A-Z]*) )");
    for (std::sregex_iterator it(help.out.begin(), help.out.end(), option), end; it != end; ++it) {
      const std::string name = (*it)[1].str();
      if (formed.count((*it)[2].str()) == 0) continue;
      std::vector<std::string> args = words;
      auto given = std::find(args.begin(), args.end(), name);
      if (given != args.end() && given + 1 != args.end()) {
        given[1] = bad;
      } else {
        args.insert(args.end(), {name, bad});
      }
      std::string line;
      for (const auto& a : args) line += " " + a;
      auto r = test::run("cd " + test::shell_quote(dir.path()) + " && timeout 20 " + test::shell_quote(KSKLINE_BINARY) +
                         line);
      ++tried;
      INFO("kskline" << line << "\n" << r.out << r.err);
      CHECK(r.status == (command == "zone status" ? 3 : 2));
      CHECK_THAT(r.out + r.err, Catch::Contains(name + ": "));
      CHECK(std::filesystem::is_empty(dir.path()));
    }
  }
  CHECK(tried >= 60);
}

TEST_CASE("main: zone status usage errors and conflicting options are Nagios UNKNOWN", "[tools][main]") {
  test::TempDir dir;
  const std::vector<std::string> usage_errors{"--json --format prometheus", "--format xml", "--now +5", "--dir",
                                              "extra", "--dir " + test::shell_quote(dir.file("nowhere"))};
  for (const auto& args : usage_errors) {
    auto r = test::kskline("zone status " + args);
    INFO(args << ": " << r.out << r.err);
    CHECK(r.status == 3);
    CHECK(r.out.rfind("KSKLINE UNKNOWN - ", 0) == 0);
  }
  auto json = test::kskline("zone status --json --dir " + test::shell_quote(dir.file("nowhere")));
  CHECK(json.status == 3);
  CHECK(json.out.rfind("{\"status\": \"UNKNOWN\", \"exit_code\": 3, ", 0) == 0);
  auto prom = test::kskline("zone status --format prometheus --dir " + test::shell_quote(dir.file("nowhere")));
  CHECK(prom.status == 3);
  CHECK(prom.out.find("\nkskline_zone_status_level 3\n") != std::string::npos);
}

TEST_CASE("main: an unknown or missing command is a usage error that lists the commands there are",
          "[tools][main]") {
  auto frob = test::kskline("frob");
  CHECK(frob.status == 2);
  CHECK_THAT(frob.err, Catch::StartsWith("kskline: usage: `kskline` has no command `frob`; its commands are zone, ksk,"));
  auto zone_frob = test::kskline("zone frob --dir x");
  CHECK(zone_frob.status == 2);
  CHECK_THAT(zone_frob.err, Catch::Contains("`kskline zone` has no command `frob`") &&
                                Catch::Contains("check, verify, sign,"));
  auto bare = test::kskline("ksk audit");
  CHECK(bare.status == 2);
  CHECK_THAT(bare.err, Catch::StartsWith("kskline: usage: `kskline ksk audit` needs a command: verify, accept"));
  CHECK(test::kskline("ksk audit --help").status == 0);
  // A usage error of a command names it and where to read more.
  auto bad = test::kskline("linesim --baud x");
  CHECK(bad.status == 2);
  CHECK_THAT(bad.err, Catch::StartsWith("kskline: usage: linesim: --baud: ") &&
                          Catch::EndsWith("(`kskline linesim --help`)\n"));
}


TEST_CASE("main: every command's help follows the command-line conventions of DESIGN.md", "[tools][main]") {
  const auto commands = test::kskline_commands();
  REQUIRE(commands.size() >= 23);
  std::map<char, std::string> short_meaning;  // -o -> --output, across every command
  // One name per meaning: these spellings were used for what the right-hand names.
  const std::map<std::string, std::string> renamed{
      {"--time", "--now"}, {"--bits", "--rsa-bits"}, {"--ds-digest", "--digest"}};
  for (const auto& command : commands) {
    auto help = test::kskline(command + " --help");
    INFO(command << "\n" << help.out);
    REQUIRE(help.status == 0);
    // It ends with an example of the command itself.
    const auto example = help.out.rfind("\nExample:\n  kskline " + command + " ");
    CHECK(example != std::string::npos);
    // No parser leftovers in the option list.
    for (const char* leftover : {"UINT:", "FLOAT:", "TEXT:", " in [", "Excludes:", "Needs:"}) {
      CHECK(help.out.find(leftover) == std::string::npos);
    }
    // --wait has one default everywhere.
    if (const auto wait = help.out.find("\n  --wait "); wait != std::string::npos) {
      CHECK(help.out.substr(wait, help.out.find('\n', wait + 1) - wait).find("(default 600; 0: forever)") !=
            std::string::npos);
    }
    std::regex option(R"(\n  (?:-([a-zA-Z]),)?(--[a-z][a-z0-9-]*))");
    for (std::sregex_iterator it(help.out.begin(), help.out.end(), option), end; it != end; ++it) {
      const std::string long_name = (*it)[2].str();
      CHECK(renamed.count(long_name) == 0);
      if ((*it)[1].matched) {
        const char letter = (*it)[1].str()[0];
        auto [where, fresh] = short_meaning.emplace(letter, long_name);
        INFO("-" << letter << " is " << where->second << " elsewhere and " << long_name << " here");
        CHECK(where->second == long_name);
      }
    }
  }
  CHECK(short_meaning.at('o') == "--output");
}
