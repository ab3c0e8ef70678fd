// A SoftHSM2 token of its own for a test: a token directory in a temporary
// directory, a softhsm2.conf naming it, SOFTHSM2_CONF pointing there for
// this process and the programs it starts, and one token initialised by
// softhsm2-util with a known user PIN.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kskline::test {

// Debian's SoftHSM2 module (package softhsm2).
inline constexpr const char* kSoftHsmModule = "/usr/lib/softhsm/libsofthsm2.so";

// A SoftHSM2 token for one test; SOFTHSM2_CONF is set while it lives.
struct SoftHsm {
  TempDir tmp{"kskline-softhsm"};
  std::string label;
  std::string pin = "pin-7730-x";
  std::string pin_file = tmp.file("pin");
  std::string conf = tmp.file("softhsm2.conf");

  // Initialises a token labelled `token_label` (user PIN pin-7730-x, SO PIN 5678).
  explicit SoftHsm(std::string token_label = "kskline-test") : label(std::move(token_label)) {
    if (!std::filesystem::exists(kSoftHsmModule)) FAIL("SoftHSM2 is missing: ./run setup installs softhsm2");
    std::filesystem::create_directories(tmp.file("tokens"));
    spit(conf, "directories.tokendir = " + tmp.file("tokens") + "\nobjectstore.backend = file\nlog.level = ERROR\n");
    spit(pin_file, pin + "\n");
    ::setenv("SOFTHSM2_CONF", conf.c_str(), 1);
    auto r = run("softhsm2-util --init-token --free --label " + shell_quote(label) + " --pin " + pin +
                 " --so-pin 5678 2>&1");
    INFO(r.out);
    REQUIRE(r.status == 0);
  }
  ~SoftHsm() { ::unsetenv("SOFTHSM2_CONF"); }
  SoftHsm(const SoftHsm&) = delete;
  SoftHsm& operator=(const SoftHsm&) = delete;

  // The module's path.
  std::string module() const { return kSoftHsmModule; }
};

}  // namespace kskline::test
