// kskline-token-sign: DNSSEC signatures a second through a PKCS#11 token
// (SoftHSM2) against the same algorithm's key in memory (a file key), the two
// measured side by side in one run, alternating rounds, and their ratio:
//   kskline-token-sign [--seconds S] [--module PATH]
// It makes a throw-away SoftHSM2 token in a temporary directory (SOFTHSM2_CONF
// points there for this process) with softhsm2-util, so it needs softhsm2.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "zone/algorithm.hpp"
#include "zone/dnssec_key.hpp"
#include "zone/pkcs11_key.hpp"

using namespace kskline;
using Clock = std::chrono::steady_clock;

namespace {

// Signatures a second of `signer` over `data` during `seconds`.
double rate(zone::Signer& signer, ByteView data, double seconds) {
  const auto start = Clock::now();
  std::size_t n = 0;
  Bytes out;
  for (;;) {
    for (int i = 0; i < 16; ++i) {
      out.clear();
      if (!signer.sign(data, out)) {
        std::fprintf(stderr, "kskline-token-sign: signing failed\n");
        std::exit(1);
      }
      ++n;
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (elapsed >= seconds) return static_cast<double>(n) / elapsed;
  }
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 2;
  std::string module = "/usr/lib/softhsm/libsofthsm2.so";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::stod(argv[i + 1]);
    else if (std::strcmp(argv[i], "--module") == 0) module = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: kskline-token-sign [--seconds S] [--module PATH]\n");
      return 2;
    }
  }
  char tmpl[] = "/tmp/kskline-token-bench-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return 1;
  const std::string dir = tmpl;
  std::filesystem::create_directories(dir + "/tokens");
  std::ofstream(dir + "/softhsm2.conf") << "directories.tokendir = " << dir << "/tokens\nlog.level = ERROR\n";
  ::setenv("SOFTHSM2_CONF", (dir + "/softhsm2.conf").c_str(), 1);
  const std::string init = "softhsm2-util --init-token --free --label bench --pin 1234 --so-pin 5678 >/dev/null";
  if (std::system(init.c_str()) != 0) {
    std::fprintf(stderr, "kskline-token-sign: softhsm2-util failed (is softhsm2 installed?)\n");
    return 1;
  }
  int status = 0;
  {
    auto token = zone::Pkcs11Token::open(module, "bench", [](std::string_view) -> Result<base::SecureBuffer> {
      return base::SecureBuffer(as_bytes(std::string_view("1234")));
    });
    if (!token) {
      std::fprintf(stderr, "kskline-token-sign: %s\n", token.error().message().c_str());
      return 1;
    }
    // A DNSKEY RRset's signed data is a few hundred octets.
    const Bytes data(600, 0x5a);
    std::printf("signatures a second, %.1f s per round, three alternating rounds, best round kept\n\n", seconds);
    std::printf("%-22s %14s %14s %10s\n", "algorithm", "file key /s", "SoftHSM2 /s", "file/token");
    for (std::uint8_t algorithm : {zone::alg::ECDSAP256SHA256, zone::alg::ECDSAP384SHA384, zone::alg::RSASHA256,
                                   zone::alg::ED25519}) {
      auto in_token = (*token)->generate_key("bench-" + std::to_string(algorithm), algorithm);
      auto in_memory = zone::PrivateKey::generate(algorithm);
      if (!in_token || !in_memory) {
        std::printf("%-22s (skipped: %s)\n", zone::algorithm_to_string(algorithm).c_str(),
                    (!in_token ? in_token.error() : in_memory.error()).message().c_str());
        continue;
      }
      auto token_signer = zone::Signer::create(in_token->key);
      auto file_signer = zone::Signer::create(*in_memory);
      if (!token_signer || !file_signer) {
        status = 1;
        continue;
      }
      double file_best = 0, token_best = 0;
      for (int round = 0; round < 3; ++round) {
        file_best = std::max(file_best, rate(*file_signer, data, seconds));
        token_best = std::max(token_best, rate(*token_signer, data, seconds));
      }
      std::printf("%-22s %14.0f %14.0f %9.2fx\n", zone::algorithm_to_string(algorithm).c_str(), file_best,
                  token_best, file_best / token_best);
    }
  }
  std::filesystem::remove_all(dir);
  return status;
}
