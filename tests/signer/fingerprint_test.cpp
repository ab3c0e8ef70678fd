// Fingerprints read aloud across the air gap.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "signer/fingerprint.hpp"

using namespace kskline;

TEST_CASE("fingerprint: 256 distinct lowercase words", "[signer][fingerprint]") {
  const auto& words = signer::fingerprint_word_list();
  std::set<std::string_view> unique(words.begin(), words.end());
  CHECK(unique.size() == 256);
  for (auto w : words) {
    INFO(w);
    CHECK(!w.empty());
    for (char c : w) CHECK((c >= 'a' && c <= 'z'));
  }
}

TEST_CASE("fingerprint: one word an octet, from the first octets", "[signer][fingerprint]") {
  signer::Sha256 d{};
  d[0] = 0;
  d[1] = 1;
  d[2] = 255;
  const auto& w = signer::fingerprint_word_list();
  std::string expect = std::string(w[0]) + " " + std::string(w[1]) + " " + std::string(w[255]) + " " +
                       std::string(w[0]) + " " + std::string(w[0]) + " " + std::string(w[0]);
  CHECK(signer::word_fingerprint(d) == expect);
  CHECK(signer::word_fingerprint(d, 2) == std::string(w[0]) + " " + std::string(w[1]));
  auto other = d;
  other[5] = 7;
  CHECK(signer::word_fingerprint(other) != signer::word_fingerprint(d));
}

TEST_CASE("fingerprint: hex in 16 groups of 4", "[signer][fingerprint]") {
  auto d = signer::text_sha256("abc");
  CHECK(signer::hex_groups(d) ==
        "ba78 16bf 8f01 cfea 4141 40de 5dae 2223 b003 61a3 9617 7a9c b410 ff61 f200 15ad");
}
