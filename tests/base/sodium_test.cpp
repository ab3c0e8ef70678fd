#include <catch2/catch.hpp>

#include <thread>
#include <vector>

#include <sodium.h>

#include "base/sodium.hpp"

using kskline::base::init_sodium;

TEST_CASE("sodium: init_sodium initialises libsodium once, from any thread", "[base][sodium]") {
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back([] { init_sodium(); });
  for (auto& t : threads) t.join();
  CHECK(sodium_init() == 1);  // 1: already initialised
  CHECK_NOTHROW(init_sodium());
}
