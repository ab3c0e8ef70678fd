// The programs of Debian 13 that the interop tests run against, each in a
// work directory of the root (tests/support/trixie.hpp): Knot 3.4's two
// sides (keymgr), BIND 9.20's dnssec-ksr, and a named 9.20 serving a zone
// with an offline KSK, with rndc and its log read.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/files.hpp"
#include "tests/support/knot_conf.hpp"
#include "tests/support/process.hpp"
#include "tests/support/trixie.hpp"

namespace kskline::test {

// Fails the test, naming `./run setup`, when the Debian 13 root cannot be used.
inline void require_trixie() {
  const auto missing = trixie_missing();
  if (!missing.empty()) FAIL(missing);
}

// The lines of a text.
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Knot 3.4's two sides in a work directory of the root, as the keymgr 3.2 tests' KnotSetup.
struct Knot34 {
  TrixieDir dir;

  Knot34() {
    std::filesystem::create_directories(dir.outside("zsk"));
    std::filesystem::create_directories(dir.outside("ksk"));
    spit(dir.outside("zsk.conf"), knot_offline_conf(dir.inside("zsk"), "example.com."));
    spit(dir.outside("ksk.conf"), knot_offline_conf(dir.inside("ksk"), "example.com.", kKnotKskSide));
  }

  CommandResult zsk(const std::string& args) const { return dir.run("keymgr -c zsk.conf example.com. " + args); }
  CommandResult ksk(const std::string& args) const { return dir.run("keymgr -c ksk.conf example.com. " + args); }
};

// A BIND 9.20 dnssec-policy with an offline KSK, for dnssec-ksr and named.
inline constexpr const char* kBindPolicy =
    "dnssec-policy \"offline\" {\n  offline-ksk yes;\n  dnskey-ttl 3600;\n  keys {\n"
    "    ksk key-directory lifetime unlimited algorithm ecdsap256sha256;\n"
    "    zsk key-directory lifetime P60D algorithm ecdsap256sha256;\n  };\n};\n";

// dnssec-ksr 9.20's ZSK side (zsk/) and KSK side (ksk/, one KSK made by dnssec-keygen) in a work directory.
struct Bind920 {
  TrixieDir dir;

  Bind920() {
    std::filesystem::create_directories(dir.outside("zsk"));
    std::filesystem::create_directories(dir.outside("ksk"));
    spit(dir.outside("policy.conf"), kBindPolicy);
  }
  CommandResult ksr(const std::string& args) const {
    return dir.run("dnssec-ksr -k offline -l policy.conf " + args);
  }
  // keygen and request for 90 days from now: the KSR's text.
  std::string request() const {
    auto keygen = ksr("-K zsk -i now -e +90d keygen example.com");
    INFO(keygen.err);
    REQUIRE(keygen.status == 0);
    auto request = ksr("-K zsk -i now -e +90d request example.com");
    INFO(request.err);
    REQUIRE(request.status == 0);
    return request.out;
  }
  // A KSK made by dnssec-keygen and dnssec-ksr sign of `ksr_file` (in the work directory): the SKR's text.
  std::string sign(const std::string& ksr_file) const {
    auto keygen = dir.run("dnssec-keygen -q -K ksk -f KSK -a ECDSAP256SHA256 -L 3600 example.com");
    INFO(keygen.err);
    REQUIRE(keygen.status == 0);
    auto sign = ksr("-K ksk -f " + shell_quote(ksr_file) + " -i now -e +90d sign example.com");
    INFO(sign.err);
    REQUIRE(sign.status == 0);
    return sign.out;
  }
};

// Copies the public key files (.key) of `from` into `to`, as an operator
// gives named the KSK's public key; their key tags, from the file names.
inline std::vector<std::string> copy_public_keys(const std::string& from, const std::string& to) {
  std::vector<std::string> tags;
  for (const auto& entry : std::filesystem::directory_iterator(from)) {
    if (entry.path().extension() != ".key") continue;
    std::filesystem::copy_file(entry.path(), std::filesystem::path(to) / entry.path().filename());
    const auto name = entry.path().filename().string();  // Kexample.com.+013+12345.key
    tags.push_back(std::to_string(std::stoul(name.substr(name.size() - 9, 5))));
  }
  return tags;
}

// named 9.20 serving example.com with the offline-ksk policy from `keys`
// (the ZSKs and the KSK's public key) on 127.0.0.1, with rndc on another
// port; stopped at the end.
struct Named {
  const TrixieDir& dir;
  int port = free_port();
  int control = free_port();

  Named(const TrixieDir& d, const std::string& keys) : dir(d) {
    spit(dir.outside("example.com.db"),
               "$TTL 3600\nexample.com. IN SOA ns.example.com. host.example.com. 1 3600 900 604800 300\n"
               "example.com. IN NS ns.example.com.\nns.example.com. IN A 192.0.2.1\nwww.example.com. IN A 192.0.2.2\n");
    const std::string key = "key \"rndc-key\" { algorithm hmac-sha256; secret \"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=\"; };\n";
    spit(dir.outside("rndc.conf"), key + "options { default-key \"rndc-key\"; default-server 127.0.0.1; default-port " +
                                             std::to_string(control) + "; };\n");
    spit(dir.outside("named.conf"),
               std::string(kBindPolicy) + key + "controls { inet 127.0.0.1 port " + std::to_string(control) +
                   " allow { 127.0.0.1; } keys { \"rndc-key\"; }; };\n"
                   "options { directory \"" + dir.inside("") + "\"; listen-on port " + std::to_string(port) +
                   " { 127.0.0.1; }; listen-on-v6 { none; }; pid-file \"" + dir.inside("named.pid") +
                   "\"; recursion no; dnssec-validation no; allow-transfer { any; }; };\n"
                   "logging { channel l { file \"" + dir.inside("named.log") +
                   "\"; severity info; }; category default { l; }; category dnssec { l; }; };\n"
                   "zone \"example.com\" { type primary; file \"" + dir.inside("example.com.db") +
                   "\"; dnssec-policy \"offline\"; key-directory \"" + dir.inside(keys) + "\"; inline-signing yes; };\n");
    REQUIRE(port != 0);
    REQUIRE(control != 0);
    auto started = dir.run("named -c named.conf -n 1");
    INFO(started.err);
    REQUIRE(started.status == 0);
    REQUIRE(wait_log("running"));
  }

  ~Named() {
    const auto pid = slurp(dir.outside("named.pid"));
    if (!pid.empty()) run("kill " + std::to_string(std::stol(pid)));
    for (int i = 0; i < 50 && std::filesystem::exists(dir.outside("named.pid")); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  Named(const Named&) = delete;
  Named& operator=(const Named&) = delete;

  std::string log() const { return slurp(dir.outside("named.log")); }

  // Whether named's log has a line containing `text` within 10 seconds.
  bool wait_log(const std::string& text) const {
    for (int i = 0; i < 100; ++i) {
      if (log().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // `rndc skr -import FILE example.com`; whether named's log says it took it.
  // rndc prints "import failed: success" and exits 0 whether it did or not;
  // named logs "reconfiguring zone keys" right after the command when it did.
  bool import_skr(const std::string& file) const {
    auto rndc = dir.run("rndc -c rndc.conf skr -import " + shell_quote(dir.inside(file)) + " example.com");
    INFO(rndc.out + rndc.err);
    REQUIRE(rndc.status == 0);
    const std::string command = "received control channel command 'skr -import " + dir.inside(file) + " example.com'";
    REQUIRE(wait_log(command));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const auto lines = lines_of(log());
    for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
      if (lines[i].find(command) != std::string::npos) {
        return lines[i + 1].find("zone example.com/IN (signed): reconfiguring zone keys") != std::string::npos;
      }
    }
    return false;
  }

  // `dig +dnssec example.com DNSKEY` once the answer holds a KSK (flags 257),
  // asked again for up to 5 seconds after an import; the last answer otherwise.
  std::string dnskey_with_ksk() const {
    std::string answer;
    for (int i = 0; i < 50; ++i) {
      answer = dig("+dnssec example.com DNSKEY").out;
      if (answer.find("DNSKEY\t257 ") != std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return answer;
  }

  CommandResult dig(const std::string& args) const {
    return dir.run("dig +norec +noall +answer -p " + std::to_string(port) + " @127.0.0.1 " + args);
  }
};

}  // namespace kskline::test
