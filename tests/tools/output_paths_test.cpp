// Every command that writes a file the operator names, given a character
// device (a null device made with mknod in a temporary directory) or a FIFO:
// it writes through and the node stays what it was. Run as root, as on many
// KSK laptops, a rename over the path would have replaced /dev/null.
#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/tools/cli_process.hpp"

using kskline::test::is_char_device;
using kskline::test::Ran;
using kskline::test::run;
using kskline::test::spit;
using kskline::transport::testing::TempDir;

namespace {

const std::string kExampleZone = std::string(KSKLINE_SOURCE_DIR) + "/docs/examples/example.com.zone";

// The DS lines `ksk init` printed.
std::string ds_lines(std::string out) {
  std::string ds;
  std::smatch m;
  while (std::regex_search(out, m, std::regex(R"(example\.com\.[^\n]*\sDS\s[^\n]*)"))) {
    ds += m.str() + "\n";
    out = m.suffix();
  }
  return ds;
}

// `kskline ARGS...` with "yes" typed on its standard input.
Ran run_yes(const TempDir& dir, const std::vector<std::string>& args, const std::string& tag) {
  std::string line = "yes yes | exec " + kskline::test::shell_quote(KSKLINE_BINARY);
  for (const auto& a : args) line += " " + kskline::test::shell_quote(a);
  kskline::transport::testing::Process p({"/bin/sh", "-c", line}, dir.file(tag + ".err"));
  return kskline::test::finish(p, dir.file(tag + ".err"));
}

}  // namespace

TEST_CASE("output_paths: every command writes through to a character device and leaves it one",
          "[tools][output_paths]") {
  TempDir dir;
  const std::string null = dir.file("null");
  if (!kskline::test::make_null_device(null)) {
    WARN("mknod is not permitted here (not root); checked in CI, which runs as root");
    return;
  }
  auto check = [&](const Ran& r, const std::string& what) {
    INFO(what << ": " << r.out << r.err);
    CHECK(r.status == 0);
    CHECK(is_char_device(null));
  };

  auto key = run(dir, {"keygen", "--zone", "example.com", "-a", "13", "--dir", dir.path()}, "keygen");
  REQUIRE(key.status == 0);
  std::string zsk = dir.file(key.out.substr(0, key.out.find('\n')));
  check(run(dir, {"zone", "sign", kExampleZone, "--origin", "example.com", "-k", zsk, "-o", null}, "sign"),
        "zone sign");

  const std::string ksk = dir.file("ksk"), zone = dir.file("zone");
  auto k = run(dir, {"ksk", "init", "--zone", "example.com", "--dir", ksk}, "ksk-init");
  REQUIRE(k.status == 0);
  spit(dir.file("anchor.ds"), ds_lines(k.out));
  // The signed zone the state publishes is the null device too.
  auto z = run(dir, {"zone", "init", "--zone", "example.com", "--dir", zone, "--zone-file", kExampleZone,
                     "--signed-file", null, "--trust-anchor", dir.file("anchor.ds")},
               "zone-init");
  INFO(z.err);
  REQUIRE(z.status == 0);
  REQUIRE(run(dir, {"zone", "pregenerate", "--dir", zone, "--until", "+60d"}, "pregenerate").status == 0);
  check(run(dir, {"zone", "request", "--dir", zone, "--until", "+20d", "-o", null}, "request-null"), "zone request");
  const std::string request = dir.file("request.txt"), response = dir.file("response.txt");
  REQUIRE(run(dir, {"zone", "request", "--dir", zone, "--until", "+20d", "-o", request}, "request").status == 0);
  check(run_yes(dir, {"ksk", "sign", request, "--dir", ksk, "-o", null}, "ksk-sign-null"), "ksk sign");
  REQUIRE(run_yes(dir, {"ksk", "sign", request, "--dir", ksk, "-o", response}, "ksk-sign").status == 0);
  REQUIRE(run(dir, {"zone", "import", "--dir", zone, response}, "import").status == 0);
  check(run(dir, {"zone", "publish", "--dir", zone}, "publish"), "zone publish");

  // A secret is never written where it cannot be kept: refused by name.
  auto id = run(dir, {"link-keygen", "-o", null}, "link-keygen");
  CHECK(id.status == 1);
  CHECK(id.err.find(null) != std::string::npos);
  CHECK(is_char_device(null));

  // Nothing but the files each step was asked for was made beside the node.
  std::vector<std::string> made;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    auto name = e.path().filename().string();
    if (name.rfind(".kskline-", 0) == 0 || name.find(".tmp.") != std::string::npos) made.push_back(name);
  }
  CHECK(made.empty());
}

TEST_CASE("output_paths: a signed zone written to a FIFO reaches its reader whole", "[tools][output_paths]") {
  TempDir dir;
  auto key = run(dir, {"keygen", "--zone", "example.com", "-a", "13", "--dir", dir.path()}, "keygen");
  REQUIRE(key.status == 0);
  std::string zsk = dir.file(key.out.substr(0, key.out.find('\n')));
  auto through_fifo = kskline::test::run("cd " + kskline::test::shell_quote(dir.path()) +
                                         " && mkfifo fifo && { cat fifo > got & } && " +
                                         kskline::test::shell_quote(KSKLINE_BINARY) + " zone sign " +
                                         kskline::test::shell_quote(kExampleZone) + " --origin example.com -k " +
                                         kskline::test::shell_quote(zsk) + " -o fifo && wait $!");
  INFO(through_fifo.out);
  REQUIRE(through_fifo.status == 0);
  CHECK(std::filesystem::is_fifo(dir.file("fifo")));
  auto verify = run(dir, {"zone", "verify", dir.file("got"), "--origin", "example.com"}, "verify");
  INFO(verify.err);
  CHECK(verify.status == 0);
}
