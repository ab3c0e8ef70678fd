#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>
#include <vector>

#include "tests/zone/dnssec_test_util.hpp"
#include "zone/dnssec_key.hpp"
#include "zone/internal/thread_signer.hpp"

using namespace kskline;
using namespace kskline::zone;

namespace {

PrivateKey generate(std::uint8_t alg) {
  auto k = PrivateKey::generate(alg, alg == 8 || alg == 10 ? 1024 : 0);
  REQUIRE(k);
  return std::move(*k);
}

const Bytes kData = [] {
  Bytes d;
  for (int i = 0; i < 300; ++i) d.push_back(static_cast<std::uint8_t>(i * 7));
  return d;
}();

}  // namespace

TEST_CASE("thread_signer: signatures of every algorithm verify with the key's public half", "[zone][thread_signer]") {
  for (std::uint8_t alg : {8, 10, 13, 14, 15, 16}) {
    CAPTURE(alg);
    PrivateKey key = generate(alg);
    const PrivateKey* keys[] = {&key};
    auto signer = ThreadSigner::create(keys);
    REQUIRE(signer);
    CHECK(signer->key_count() == 1);
    CHECK(signer->algorithm(0) == alg);
    Bytes sig{0xaa};  // appended after what is there
    REQUIRE(signer->sign(0, kData, sig));
    REQUIRE(sig.size() > 1);
    CHECK(sig.front() == 0xaa);
    Bytes raw(sig.begin() + 1, sig.end());
    auto ok = verify_data(key.public_key().value(), kData, raw);
    REQUIRE(ok);
    CHECK(*ok);
    Bytes other = kData;
    other[5] ^= 1;
    CHECK_FALSE(*verify_data(key.public_key().value(), other, raw));
  }
}

TEST_CASE("thread_signer: ECDSA signatures are r||s of fixed width", "[zone][thread_signer]") {
  for (auto [alg, width] : {std::pair<std::uint8_t, std::size_t>{13, 64}, {14, 96}}) {
    PrivateKey key = generate(alg);
    const PrivateKey* keys[] = {&key};
    auto signer = ThreadSigner::create(keys);
    REQUIRE(signer);
    // Many signatures, so that r or s with leading zero octets occur.
    for (int i = 0; i < 300; ++i) {
      Bytes sig;
      Bytes data = kData;
      data[0] = static_cast<std::uint8_t>(i);
      REQUIRE(signer->sign(0, data, sig));
      REQUIRE(sig.size() == width);
      REQUIRE(*verify_data(key.public_key().value(), data, sig));
    }
  }
}

TEST_CASE("thread_signer: alternating EdDSA keys each sign with their own key", "[zone][thread_signer]") {
  // OpenSSL 3.0 kept the first key when one DigestSign context was
  // initialised again with another: the second key's signatures were bogus.
  for (std::uint8_t alg : {15, 16}) {
    PrivateKey a = generate(alg), b = generate(alg);
    const PrivateKey* keys[] = {&a, &b};
    auto signer = ThreadSigner::create(keys);
    REQUIRE(signer);
    for (int round = 0; round < 3; ++round) {
      for (std::size_t k = 0; k < 2; ++k) {
        Bytes sig;
        REQUIRE(signer->sign(k, kData, sig));
        CHECK(*verify_data((k == 0 ? a : b).public_key().value(), kData, sig));
      }
    }
  }
}

TEST_CASE("thread_signer: Ed25519 signatures equal the shared Signer's", "[zone][thread_signer]") {
  PrivateKey key = generate(15);
  const PrivateKey* keys[] = {&key};
  auto signer = ThreadSigner::create(keys);
  REQUIRE(signer);
  Bytes mine;
  REQUIRE(signer->sign(0, kData, mine));
  auto theirs = key.sign(kData);
  REQUIRE(theirs);
  CHECK(mine == *theirs);
}

TEST_CASE("thread_signer: threads sign at once, each with its own context", "[zone][thread_signer]") {
  PrivateKey p256 = generate(13), ed = generate(15);
  const PrivateKey* keys[] = {&p256, &ed};
  std::vector<std::vector<Bytes>> sigs(4);
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < sigs.size(); ++t) {
    pool.emplace_back([&, t] {
      auto signer = ThreadSigner::create(keys);
      if (!signer) return;
      for (int i = 0; i < 100; ++i) {
        Bytes sig;
        if (signer->sign(static_cast<std::size_t>(i % 2), kData, sig)) sigs[t].push_back(std::move(sig));
      }
    });
  }
  for (auto& th : pool) th.join();
  for (const auto& per_thread : sigs) {
    REQUIRE(per_thread.size() == 100);
    for (std::size_t i = 0; i < per_thread.size(); ++i) {
      CHECK(*verify_data((i % 2 == 0 ? p256 : ed).public_key().value(), kData, per_thread[i]));
    }
  }
}

TEST_CASE("thread_signer: ECDSA nonces computed ahead are spent once each and sign validly", "[zone][thread_signer]") {
  for (std::uint8_t alg : {13, 14}) {
    CAPTURE(alg);
    PrivateKey key = generate(alg);
    PrivateKey other = generate(15);
    const PrivateKey* keys[] = {&key, &other};
    auto signer = ThreadSigner::create(keys);
    REQUIRE(signer);
    CHECK(signer->precompute(0, 50) == 50);
    CHECK(signer->precompute(1, 50) == 0);  // EdDSA has no nonce to compute
    CHECK(signer->pooled(0) == 50);
    std::vector<Bytes> sigs;
    for (int i = 0; i < 60; ++i) {  // 50 from the pool, then OpenSSL's own
      Bytes sig;
      REQUIRE(signer->sign(0, kData, sig));
      CHECK(*verify_data(key.public_key().value(), kData, sig));
      sigs.push_back(sig);
      CHECK(signer->pooled(0) == static_cast<std::size_t>(std::max(0, 49 - i)));
    }
    // A nonce used twice would repeat r (the first half).
    std::sort(sigs.begin(), sigs.end());
    for (std::size_t i = 1; i < sigs.size(); ++i) {
      CHECK_FALSE(std::equal(sigs[i].begin(), sigs[i].begin() + sigs[i].size() / 2, sigs[i - 1].begin()));
    }
  }
}

TEST_CASE("thread_signer: a key held elsewhere signs through one session of its own", "[zone][thread_signer]") {
  auto [held, holder] = test::held_elsewhere(13);
  PrivateKey in_memory = generate(15);
  const PrivateKey* keys[] = {&held, &in_memory};
  auto signer = ThreadSigner::create(keys);
  REQUIRE(signer);
  CHECK(holder->sessions == 1);
  CHECK(signer->algorithm(0) == 13);
  CHECK(signer->precompute(0, 4) == 0);  // no nonces ahead: the holder signs
  for (int i = 0; i < 3; ++i) {
    Bytes sig{0xaa};
    REQUIRE(signer->sign(0, kData, sig));
    CHECK(sig.front() == 0xaa);
    CHECK(*verify_data(held.public_key().value(), kData, Bytes(sig.begin() + 1, sig.end())));
  }
  CHECK(holder->sessions == 1);
  Bytes sig;
  REQUIRE(signer->sign(1, kData, sig));
  CHECK(*verify_data(in_memory.public_key().value(), kData, sig));
}
