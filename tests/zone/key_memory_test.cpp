#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <openssl/crypto.h>

#include "zone/algorithm.hpp"
#include "zone/dnssec_key.hpp"
#include "zone/key_memory.hpp"

using namespace kskline::zone;

TEST_CASE("key_memory: no core file, and private keys made afterwards live in OpenSSL's secure heap", "[zone][key_memory]") {
  REQUIRE(protect_key_memory());
  rlimit core{};
  REQUIRE(::getrlimit(RLIMIT_CORE, &core) == 0);
  CHECK(core.rlim_cur == 0);
  CHECK(core.rlim_max == 0);
  for (std::uint8_t algorithm : {alg::ECDSAP256SHA256, alg::ED25519, alg::RSASHA256}) {
    INFO("algorithm " << static_cast<int>(algorithm));
    std::size_t before = CRYPTO_secure_used();
    auto key = PrivateKey::generate(algorithm, algorithm == alg::RSASHA256 ? 2048 : 0);
    REQUIRE(key);
    CHECK(CRYPTO_secure_used() > before);
  }
  CHECK(protect_key_memory());  // a second call keeps the heap it has
}
