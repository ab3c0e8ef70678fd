// The --exec command runner: the template split as a shell would without
// running one, {} replaced, and real programs run with stdin on /dev/null,
// their output collected, and a hanging one (and its children) killed.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include <signal.h>

#include "signer/errc.hpp"
#include "tools/exec_command.hpp"

using namespace kskline;
using kskline::tools::CommandRun;
using kskline::tools::describe_failure;
using kskline::tools::expand_command;
using kskline::tools::run_command;
using kskline::tools::split_command_template;

namespace {

std::vector<std::string> words(const std::string& text) {
  auto w = split_command_template(text, "--exec");
  INFO(text << ": " << (w ? std::string() : w.error().message()));
  REQUIRE(w);
  return *w;
}

CommandRun run(const std::vector<std::string>& argv, double timeout = 10) {
  auto r = run_command(argv, timeout);
  INFO((r ? std::string() : r.error().message()));
  REQUIRE(r);
  return *r;
}

}  // namespace

TEST_CASE("exec_command: the template splits into words with quotes and escapes, nothing expanded",
          "[tools][exec_command]") {
  CHECK(words("keymgr -c /etc/knot/knot.conf example.com. sign-ksr {}") ==
        std::vector<std::string>{"keymgr", "-c", "/etc/knot/knot.conf", "example.com.", "sign-ksr", "{}"});
  CHECK(words("  a   'b c'  \"d \\\"e\\\" $HOME\"  f\\ g  {}") ==
        std::vector<std::string>{"a", "b c", "d \"e\" $HOME", "f g", "{}"});
  CHECK(words("dnssec-ksr -f {} sign example.com; rm -rf /") ==
        std::vector<std::string>{"dnssec-ksr", "-f", "{}", "sign", "example.com;", "rm", "-rf", "/"});
  CHECK(words("tool --in={}.ksr") == std::vector<std::string>{"tool", "--in={}.ksr"});
  CHECK(expand_command(words("tool --in={}.ksr {} x"), "/s/tmp/request-1") ==
        std::vector<std::string>{"tool", "--in=/s/tmp/request-1.ksr", "/s/tmp/request-1", "x"});
}

TEST_CASE("exec_command: an empty template, an unclosed quote or no {} is bad_config naming the option",
          "[tools][exec_command]") {
  for (const char* bad : {"", "   ", "keymgr 'sign-ksr {}", "keymgr \"sign-ksr {}", "keymgr example.com. sign-ksr"}) {
    INFO("'" << bad << "'");
    auto w = split_command_template(bad, "--exec");
    REQUIRE_FALSE(w);
    CHECK(w.error().code == signer::make_error_code(signer::errc::bad_config));
    CHECK(w.error().where == "--exec");
  }
}

TEST_CASE("exec_command: stdout and stderr are collected, stdin is /dev/null, the exit status kept",
          "[tools][exec_command]") {
  auto ok = run({"sh", "-c", "printf 'one\\ntwo\\n'; echo warning >&2; cat"});
  CHECK(ok.exit_status == 0);
  CHECK(ok.out == "one\ntwo\n");  // cat read /dev/null: nothing more
  CHECK(ok.err == "warning\n");
  CHECK(describe_failure(ok, 10).empty());
  auto bad = run({"sh", "-c", "echo; echo '  key not found  ' >&2; echo more >&2; exit 3"});
  CHECK(bad.exit_status == 3);
  CHECK(describe_failure(bad, 10) == "exited with status 3: key not found");
  auto missing = run({"kskline-no-such-program-here", "x"});
  CHECK(missing.exit_status == 127);
  CHECK_THAT(describe_failure(missing, 10), Catch::Contains("cannot run kskline-no-such-program-here"));
}

TEST_CASE("exec_command: a command past its timeout is killed with its children", "[tools][exec_command]") {
  const auto start = std::chrono::steady_clock::now();
  // The child keeps stdout open too: only killing the whole group ends it.
  auto r = run({"sh", "-c", "sleep 100 & sleep 100"}, 0.5);
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(r.timed_out);
  CHECK(r.signal == SIGKILL);
  CHECK(took < std::chrono::seconds(5));
  CHECK(describe_failure(r, 0.5) == "did not finish within 0.5 s (killed)");
}

TEST_CASE("exec_command: output beyond the limit kills the command", "[tools][exec_command]") {
  auto r = run_command({"sh", "-c", "yes kskline"}, 10, 4096);
  REQUIRE(r);
  CHECK(r->output_too_large);
  CHECK(r->out.size() <= 4096);
  CHECK_FALSE(describe_failure(*r, 10).empty());
}
