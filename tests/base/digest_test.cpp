#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "base/digest.hpp"
#include "base/encoding.hpp"

using namespace kskline;
using base::DigestAlgorithm;

namespace {

// FIPS 180-2 example messages.
const std::string kAbc = "abc";
const std::string k448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const std::string k896 =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

struct Vector {
  DigestAlgorithm alg;
  std::string message;
  std::string hex;
};

const std::vector<Vector> kVectors = {
    {DigestAlgorithm::sha1, kAbc, "a9993e364706816aba3e25717850c26c9cd0d89d"},
    {DigestAlgorithm::sha1, "", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
    {DigestAlgorithm::sha1, k448, "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
    {DigestAlgorithm::sha256, kAbc, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {DigestAlgorithm::sha256, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {DigestAlgorithm::sha256, k448, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {DigestAlgorithm::sha384, kAbc,
     "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"},
    {DigestAlgorithm::sha384, "",
     "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b"},
    {DigestAlgorithm::sha384, k448,
     "3391fdddfc8dc7393707a65b1b4709397cf8b1d162af05abfe8f450de5f36bc6b0455a8520bc4e6f5fe95b1fe3c8452b"},
    {DigestAlgorithm::sha384, k896,
     "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039"},
    {DigestAlgorithm::sha512, kAbc,
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
     "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
    {DigestAlgorithm::sha512, "",
     "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
     "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"},
    {DigestAlgorithm::sha512, k448,
     "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c335"
     "96fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445"},
    {DigestAlgorithm::sha512, k896,
     "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
     "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"},
};

const std::vector<DigestAlgorithm> kAll = {DigestAlgorithm::sha1, DigestAlgorithm::sha256,
                                           DigestAlgorithm::sha384, DigestAlgorithm::sha512};

}  // namespace

TEST_CASE("digest: sizes of each algorithm", "[base][digest]") {
  CHECK(base::digest_size(DigestAlgorithm::sha1) == 20);
  CHECK(base::digest_size(DigestAlgorithm::sha256) == 32);
  CHECK(base::digest_size(DigestAlgorithm::sha384) == 48);
  CHECK(base::digest_size(DigestAlgorithm::sha512) == 64);
  for (auto alg : kAll) CHECK(base::digest(alg, {}).size() == base::digest_size(alg));
}

TEST_CASE("digest: one-shot matches FIPS 180 vectors", "[base][digest]") {
  for (const auto& v : kVectors) {
    CAPTURE(static_cast<int>(v.alg), v.message);
    CHECK(base::to_hex(base::digest(v.alg, as_bytes(v.message))) == v.hex);
  }
}

TEST_CASE("digest: incremental matches FIPS 180 vectors", "[base][digest]") {
  for (const auto& v : kVectors) {
    CAPTURE(static_cast<int>(v.alg), v.message);
    base::Digest d(v.alg);
    d.update(as_bytes(v.message));
    CHECK(base::to_hex(d.finish()) == v.hex);
  }
}

TEST_CASE("digest: incremental equals one-shot at every split point", "[base][digest]") {
  std::mt19937 rng(7);
  Bytes data(300);
  for (auto& b : data) b = static_cast<std::uint8_t>(rng());
  ByteView all(data);
  for (auto alg : kAll) {
    Bytes expected = base::digest(alg, all);
    base::Digest d(alg);  // one context reused for every split
    for (std::size_t split = 0; split <= data.size(); ++split) {
      CAPTURE(static_cast<int>(alg), split);
      d.update(all.first(split));
      d.update(all.subspan(split));
      REQUIRE(d.finish() == expected);
    }
  }
}

TEST_CASE("digest: a million 'a' fed in uneven chunks", "[base][digest]") {
  std::string million(1000000, 'a');
  ByteView all = as_bytes(million);
  base::Digest d(DigestAlgorithm::sha256);
  std::size_t pos = 0;
  for (std::size_t chunk = 1; pos < all.size(); chunk = chunk * 3 % 4093 + 1) {
    std::size_t n = std::min(chunk, all.size() - pos);
    d.update(all.subspan(pos, n));
    pos += n;
  }
  CHECK(base::to_hex(d.finish()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("digest: finish resets for the next message", "[base][digest]") {
  base::Digest d(DigestAlgorithm::sha256);
  d.update(as_bytes("abc"));
  CHECK(base::to_hex(d.finish()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(base::to_hex(d.finish()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  d.update(as_bytes("abc"));
  CHECK(base::to_hex(d.finish()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("digest: reset discards data fed so far", "[base][digest]") {
  base::Digest d(DigestAlgorithm::sha384);
  d.update(as_bytes("garbage that must not count"));
  d.reset();
  d.update(as_bytes("abc"));
  CHECK(d.finish() == base::digest(DigestAlgorithm::sha384, as_bytes("abc")));
}

TEST_CASE("digest: a moved digest keeps its state", "[base][digest]") {
  base::Digest a(DigestAlgorithm::sha512);
  a.update(as_bytes("ab"));
  base::Digest b(std::move(a));
  b.update(as_bytes("c"));
  CHECK(b.finish() == base::digest(DigestAlgorithm::sha512, as_bytes("abc")));

  base::Digest c(DigestAlgorithm::sha1);
  c.update(as_bytes("a"));
  c = std::move(b);  // c becomes the SHA-512 digest, freshly reset by finish()
  c.update(as_bytes("abc"));
  CHECK(c.finish() == base::digest(DigestAlgorithm::sha512, as_bytes("abc")));
}
