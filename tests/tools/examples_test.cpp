// The operator's examples in docs/examples/ work as written: the systemd
// units pass `systemd-analyze verify` and their commands run against a zone
// state made by the README's ceremony, as do the lines of the cron file.
// Paths the examples take from a real host (/usr/bin/kskline,
// /var/lib/kskline, node_exporter's textfile folder) are moved into a
// temporary directory; nothing else is changed.
#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/markdown.hpp"
#include "tests/support/process.hpp"
#include "tests/transport/transport_test_util.hpp"

using kskline::transport::testing::TempDir;
using kskline::transport::testing::slurp;
using kskline::transport::testing::spit;

namespace {

namespace fs = std::filesystem;

const std::string kZone = "example.com";

// `text` with every `from` replaced by `to`.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

// A directory laid out like the repository after the README's ceremony ran
// in it: the zone state in zone/ (kZone), with a stored answer; the host's
// paths of the examples under host/, and `kskline` on host/bin.
struct CeremonyDone {
  TempDir dir;
  std::string host = dir.file("host");

  CeremonyDone() {
    const std::string source = KSKLINE_SOURCE_DIR;
    const std::string first = kskline::test::shell_blocks(slurp(source + "/README.md"), "Commands", 1);
    fs::create_directories(dir.file("build/tools"));
    fs::create_symlink(KSKLINE_BINARY, dir.file("build/tools/kskline"));
    fs::create_directory_symlink(source + "/docs", dir.file("docs"));
    spit(dir.file("first.sh"), "set -eu\n" + first);
    auto ran = kskline::test::run("cd " + kskline::test::shell_quote(dir.path()) + " && yes yes | sh first.sh");
    INFO(ran.out << ran.err);
    REQUIRE(ran.status == 0);
    fs::create_directories(host + "/bin");
    fs::create_directories(host + "/lib/kskline");
    fs::create_directories(host + "/textfile");
    fs::create_symlink(KSKLINE_BINARY, host + "/bin/kskline");
    fs::create_directory_symlink(dir.file("zone"), host + "/lib/kskline/" + kZone);
  }

  // An example's text with the host's paths moved under host/.
  std::string localized(const std::string& text) const {
    std::string out = replaced(text, "/usr/bin/kskline", host + "/bin/kskline");
    out = replaced(out, "/var/lib/kskline/", host + "/lib/kskline/");
    return replaced(out, "/var/lib/prometheus/node-exporter/", host + "/textfile/");
  }

  // Runs a command line with host/bin first on PATH.
  kskline::test::CommandResult run(const std::string& command) const {
    return kskline::test::run("cd " + kskline::test::shell_quote(dir.path()) + " && PATH=" +
                              kskline::test::shell_quote(host + "/bin") + ":$PATH " + command);
  }

  // The signed file's modification time (the README's zone publishes to it).
  fs::file_time_type signed_time() const { return fs::last_write_time(dir.file("example.com.signed")); }
};

// The values of `key=` lines of a unit file.
std::vector<std::string> unit_values(const std::string& unit, const std::string& key) {
  std::vector<std::string> out;
  std::istringstream in(unit);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key + "=", 0) == 0) out.push_back(line.substr(key.size() + 1));
  }
  return out;
}

}  // namespace

TEST_CASE("examples: the systemd units verify and their commands publish and write the status gauges",
          "[tools][examples]") {
  if (!kskline::test::have_tool("systemd-analyze")) FAIL("systemd-analyze is missing: ./run setup installs systemd");
  CeremonyDone done;
  const std::string examples = std::string(KSKLINE_SOURCE_DIR) + "/docs/examples/systemd";
  const std::string units = done.dir.file("units");
  fs::create_directories(units);
  std::vector<std::string> instances;
  for (const auto& entry : fs::directory_iterator(examples)) {
    const std::string name = entry.path().filename();
    const auto at = name.find("@.");
    REQUIRE(at != std::string::npos);  // every example is a template, one instance a zone
    const std::string instance = name.substr(0, at + 1) + kZone + name.substr(at + 1);
    spit(units + "/" + name, done.localized(slurp(entry.path())));
    fs::create_symlink(name, units + "/" + instance);
    instances.push_back(units + "/" + instance);
  }
  REQUIRE(instances.size() == 4);
  for (const auto& instance : instances) {
    auto verified = kskline::test::run("systemd-analyze verify --man=no " + kskline::test::shell_quote(instance));
    INFO(instance << "\n" << verified.out << verified.err);
    CHECK(verified.status == 0);
    CHECK(verified.err.empty());
  }

  // Each service's command, run as systemd would for the instance (%i).
  const auto before = done.signed_time();
  for (const char* service : {"kskline-publish@.service", "kskline-status@.service"}) {
    const auto commands = unit_values(slurp(units + "/" + service), "ExecStart");
    REQUIRE(commands.size() == 1);
    auto ran = done.run(replaced(commands[0], "%i", kZone));
    INFO(service << ": " << commands[0] << "\n" << ran.out << ran.err);
    CHECK(ran.status == 0);
    CHECK(ran.err.empty());
  }
  CHECK(done.signed_time() > before);
  const std::string gauges = slurp(done.host + "/textfile/kskline-" + kZone + ".prom");
  CHECK(gauges.find("kskline_zone_status_level{zone=\"example.com.\"} 0") != std::string::npos);
  CHECK_FALSE(fs::exists(done.host + "/textfile/kskline-" + kZone + ".prom.tmp"));
}

TEST_CASE("examples: each line of the cron file runs as written", "[tools][examples]") {
  CeremonyDone done;
  const std::string cron = done.localized(slurp(std::string(KSKLINE_SOURCE_DIR) + "/docs/examples/kskline.cron"));
  std::istringstream in(cron);
  int lines = 0;
  const auto before = done.signed_time();
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    // minute hour day month weekday user command
    std::istringstream fields(line);
    std::string field;
    for (int i = 0; i < 6; ++i) fields >> field;
    std::string command;
    std::getline(fields, command);
    auto ran = done.run(command);
    INFO(line << "\n" << ran.out << ran.err);
    CHECK(ran.status == 0);
    CHECK(ran.out.empty());  // cron mails nothing on a good day
    CHECK(ran.err.empty());
    ++lines;
  }
  CHECK(lines == 1);
  CHECK(done.signed_time() > before);
}
