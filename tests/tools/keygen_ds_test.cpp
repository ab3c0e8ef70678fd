// The `kskline keygen` and `kskline ds` commands, run as the built binary and
// compared with dnssec-dsfromkey.
#include <catch2/catch.hpp>

#include <regex>

#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/zone/dnssec_test_util.hpp"
#include "zone/ds.hpp"
#include "zone/key_file.hpp"

using namespace kskline;

namespace {

// Runs the kskline binary with arguments; stderr is merged when `merge`.
test::CommandResult run_cli(const std::string& args, bool merge = false) {
  return test::kskline(args + (merge ? " 2>&1" : " 2>/dev/null"));
}

// Runs `kskline keygen` and returns the path (without extension) it made.
std::string keygen(const test::TempDir& dir, const std::string& args) {
  auto r = run_cli("keygen --zone example.com --dir " + test::shell_quote(dir.path()) + " " + args, true);
  INFO(r.out);
  REQUIRE(r.status == 0);
  auto w = test::words(r.out);
  REQUIRE(w.size() == 1);
  return dir.file(w[0]);
}

}  // namespace

TEST_CASE("keygen: writes a BIND pair for every algorithm and prints its basename", "[tools][keygen]") {
  test::TempDir dir;
  struct Case {
    const char* args;
    int alg;
    std::uint16_t flags;
    unsigned bits;
  };
  for (const Case& c : {Case{"--algorithm rsasha256", 8, 256, 2048}, Case{"-a RSASHA512 --rsa-bits 1024 --ksk", 10, 257, 1024},
                        Case{"--algorithm ecdsap256sha256", 13, 256, 256}, Case{"-a 14 --ksk", 14, 257, 384},
                        Case{"-a Ed25519", 15, 256, 256}, Case{"-a ED448 --ksk", 16, 257, 456}}) {
    INFO(c.args);
    std::string base = keygen(dir, c.args);
    std::string file = std::filesystem::path(base).filename().string();
    std::smatch m;
    REQUIRE(std::regex_match(file, m, std::regex(R"(Kexample\.com\.\+(\d{3})\+(\d{5}))")));
    CHECK(std::stoi(m[1].str()) == c.alg);
    CHECK(test::file_mode(base + ".private") == 0600);
    auto pair = zone::read_key_pair(base);
    REQUIRE(pair);
    CHECK(pair->algorithm() == c.alg);
    CHECK(pair->flags == c.flags);
    CHECK(pair->key_tag == std::stoi(m[2].str()));
    CHECK(pair->key.bits() == c.bits);
    CHECK(test::slurp(base + ".key").rfind(c.flags == 257 ? "; This is a key-signing key" : "; This is a zone-signing key", 0) == 0);
  }
}

TEST_CASE("keygen: --ttl reaches the DNSKEY line", "[tools][keygen]") {
  test::TempDir dir;
  std::string base = keygen(dir, "-a ed25519 --ttl 1h");
  CHECK(test::slurp(base + ".key").find("\nexample.com. 3600 IN DNSKEY 256 3 15 ") != std::string::npos);
  auto pair = zone::read_key_pair(base);
  REQUIRE(pair);
  CHECK(pair->ttl == std::optional<std::uint32_t>(3600));
}

TEST_CASE("keygen: refuses what it cannot do, with a message", "[tools][keygen]") {
  test::TempDir dir;
  std::string d = " --dir " + test::shell_quote(dir.path());
  struct Case {
    std::string args;
    int status;
    std::string message;
  };
  for (const Case& c : {Case{"keygen --zone example.com -a RSASHA1" + d, 1, "algorithm 5 (RSASHA1) is not supported"},
                        Case{"keygen --zone example.com -a DSA" + d, 1, "not supported"},
                        Case{"keygen --zone example.com -a foo" + d, 2, "unknown algorithm 'foo'"},
                        Case{"keygen --zone example.com -a 8 --rsa-bits 512" + d, 2, "--rsa-bits"},
                        Case{"keygen --zone example.com -a 13 --rsa-bits 2048" + d, 1, "fixed key size"},
                        Case{"keygen --zone example.com -a 13 --ttl 5x" + d, 2, "--ttl"},
                        Case{"keygen --zone 'a..b' -a 13" + d, 2, "--zone"},
                        Case{"keygen --zone example.com -a 13 --dir " + test::shell_quote(dir.file("missing")), 1,
                             dir.file("missing")},
                        Case{"keygen -a 13" + d, 2, "--zone"}}) {
    INFO(c.args);
    auto r = run_cli(c.args, true);
    INFO(r.out);
    CHECK(r.status == c.status);
    CHECK(r.out.find(c.message) != std::string::npos);
  }
  CHECK(std::filesystem::is_empty(dir.path()));
}

TEST_CASE("ds: prints exactly what dnssec-dsfromkey prints", "[tools][ds][oracle]") {
  if (!test::have_tool("dnssec-dsfromkey") || !test::have_tool("dnssec-keygen")) {
    WARN("BIND tools not installed; skipped");
    return;
  }
  test::TempDir dir;
  std::vector<std::string> keys{keygen(dir, "-a ecdsap256sha256 --ksk"), keygen(dir, "-a ed448"),
                                keygen(dir, "-a rsasha512 --rsa-bits 1024 --ttl 600")};
  for (const char* alg : {"ECDSAP384SHA384", "ED25519"}) {
    auto r = test::run("dnssec-keygen -q -K " + test::shell_quote(dir.path()) + " -a " + alg + " -f KSK example.com");
    REQUIRE(r.status == 0);
    keys.push_back(dir.file(test::words(r.out).at(0)));
  }
  for (const auto& base : keys) {
    INFO(base);
    std::string key = test::shell_quote(base + ".key");
    auto ours = run_cli("ds " + key);
    auto bind = test::run("dnssec-dsfromkey -2 " + key);
    REQUIRE(ours.status == 0);
    REQUIRE(bind.status == 0);
    CHECK(ours.out == bind.out);
    auto both = run_cli("ds --digest sha256,sha384 " + key);
    auto bind384 = test::run("dnssec-dsfromkey -a SHA-384 " + key);
    REQUIRE(both.status == 0);
    CHECK(both.out == bind.out + bind384.out);
    // The .private path and the basename name the same key.
    CHECK(run_cli("ds " + test::shell_quote(base + ".private")).out == bind.out);
    CHECK(run_cli("ds " + test::shell_quote(base)).out == bind.out);
  }
  // Several files: one line per key and digest, in order.
  auto all = run_cli("ds --digest 4,2 " + test::shell_quote(keys[0] + ".key") + " " + test::shell_quote(keys[1] + ".key"));
  REQUIRE(all.status == 0);
  auto lines = test::words(all.out);
  CHECK(lines.size() == 4 * 7);
  CHECK(lines[5] == "4");
  CHECK(lines[12] == "2");
}

TEST_CASE("ds: errors name the file and print no DS at all", "[tools][ds]") {
  test::TempDir dir;
  std::string good = keygen(dir, "-a ed25519 --ksk") + ".key";
  std::string a_record = dir.file("a.key");
  test::spit(a_record, "example.com. 3600 IN A 192.0.2.1\n");
  std::string not_zone = dir.file("nozone.key");
  test::spit(not_zone, "example.com. IN DNSKEY 0 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=\n");
  std::string broken = dir.file("broken.key");
  test::spit(broken, "example.com. IN DNSKEY 257 3 15 not-base64!\n");
  std::string short_p256 = dir.file("short.key");
  test::spit(short_p256, "; a P-256 key of 3 octets\nexample.com. IN DNSKEY 257 3 13 AAAA\n");
  struct Case {
    std::string args;
    std::string message;
    int status = 1;  // 2: a bad option value
  };
  for (const Case& c : {Case{"ds " + test::shell_quote(good) + " " + test::shell_quote(dir.file("missing.key")),
                             dir.file("missing.key")},
                        Case{"ds " + test::shell_quote(good) + " " + test::shell_quote(a_record), a_record},
                        Case{"ds " + test::shell_quote(not_zone), "not a zone key"},
                        Case{"ds " + test::shell_quote(broken), broken + ":1"},
                        Case{"ds " + test::shell_quote(short_p256), short_p256 + ":2"},
                        Case{"ds " + test::shell_quote(short_p256), "not a usable key of algorithm 13"},
                        Case{"ds --digest sha1 " + test::shell_quote(good), "SHA-1", 2},
                        Case{"ds --digest sha512 " + test::shell_quote(good), "sha512", 2}}) {
    INFO(c.args);
    auto out_only = run_cli(c.args);
    CHECK(out_only.status == c.status);
    CHECK(out_only.out.empty());
    auto merged = run_cli(c.args, true);
    INFO(merged.out);
    CHECK(merged.out.find(c.message) != std::string::npos);
  }
  CHECK(run_cli("ds").status == 2);
}

TEST_CASE("keygen: never takes a key tag already used in the directory", "[tools][keygen]") {
  // Every Ed25519 tag taken (by a .key or a .private): keygen must give up
  // rather than overwrite, and leave every file as it was.
  test::TempDir dir;
  for (unsigned tag = 0; tag < 65536; ++tag) {
    char name[64];
    std::snprintf(name, sizeof name, "Kexample.com.+015+%05u.%s", tag, tag % 2 ? "key" : "private");
    test::spit(dir.file(name), "");
  }
  auto r = run_cli("keygen --zone example.com -a ed25519 --dir " + test::shell_quote(dir.path()), true);
  CHECK(r.status == 1);
  CHECK(r.out.find("no free key tag") != std::string::npos);
  std::size_t files = 0, nonempty = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    ++files;
    if (std::filesystem::file_size(e.path()) != 0) ++nonempty;
  }
  CHECK(files == 65536);
  CHECK(nonempty == 0);
  // Another algorithm's tags are free.
  auto other = run_cli("keygen --zone example.com -a ed448 --dir " + test::shell_quote(dir.path()), true);
  CHECK(other.status == 0);
}
