#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "base/encoding.hpp"
#include "tests/zone/dnssec_test_util.hpp"
#include "zone/errc.hpp"
#include "zone/nsec3_hash.hpp"
#include "zone/type_bitmap.hpp"

using namespace kskline;
using namespace kskline::zone;
using kskline::test::name;

namespace {

Bytes hex(const std::string& text) {
  auto b = base::from_hex(text);
  REQUIRE(b);
  return *b;
}

}  // namespace

TEST_CASE("nsec3_hash: RFC 5155 Appendix A hashes (salt aabbccdd, 12 iterations)", "[zone][nsec3_hash]") {
  // The owner names of the example zone of RFC 5155 Appendix A and their hashes.
  const std::pair<const char*, const char*> vectors[] = {
      {"example.", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom"},
      {"a.example.", "35mthgpgcu1qg68fab165klnsnk3dpvl"},
      {"ai.example.", "gjeqe526plbf1g8mklp59enfd789njgi"},
      {"ns1.example.", "2t7b4g4vsa5smi47k61mv5bv1a22bojr"},
      {"ns2.example.", "q04jkcevqvmu85r014c7dkba38o0ji5r"},
      {"w.example.", "k8udemvp1j2f7eg6jebps17vp3n8i58h"},
      {"*.w.example.", "r53bq7cc2uvmubfu5ocmm6pers9tk9en"},
      {"x.w.example.", "b4um86eghhds6nea196smvmlo4ors995"},
      {"y.w.example.", "ji6neoaepv8b5o6k4ev33abha8ht9fgc"},
      {"x.y.w.example.", "2vptu5timamqttgl4luu9kg21e0aor3s"},
      {"xx.example.", "t644ebqk9bibcna874givr6joj62mlhv"},
  };
  Nsec3Hasher hasher(hex("aabbccdd"), 12);
  for (const auto& [owner, label] : vectors) {
    INFO(owner);
    CHECK(hasher.hash_label(name(owner)) == label);
    auto hashed = hasher.hashed_owner(name(owner), name("example."));
    REQUIRE(hashed);
    CHECK(hashed->to_string() == std::string(label) + ".example.");
    auto back = parse_nsec3_hash_label(label);
    REQUIRE(back);
    CHECK(*back == hasher.hash(name(owner)));
  }
}

TEST_CASE("nsec3_hash: hashing ignores the case of the name", "[zone][nsec3_hash]") {
  Nsec3Hasher hasher(Bytes{}, 0);
  CHECK(hasher.hash(name("WwW.ExAmple.COM.")) == hasher.hash(name("www.example.com.")));
  CHECK(hasher.hash(name("www.example.com.")) != hasher.hash(name("www.example.net.")));
}

TEST_CASE("nsec3_hash: agrees with ldns-nsec3-hash on random names, salts and iterations",
          "[zone][nsec3_hash]") {
  if (!test::have_tool("ldns-nsec3-hash")) {
    WARN("ldns-nsec3-hash not installed; skipped");
    return;
  }
  std::mt19937 rng(5155);
  const std::string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-";
  for (int round = 0; round < 12; ++round) {
    std::string text;
    const int labels = 1 + static_cast<int>(rng() % 4);
    for (int l = 0; l < labels; ++l) {
      const int len = 1 + static_cast<int>(rng() % 20);
      for (int c = 0; c < len; ++c) text.push_back(alphabet[rng() % alphabet.size()]);
      text.push_back('.');
    }
    Bytes salt(rng() % 9);
    for (auto& b : salt) b = static_cast<std::uint8_t>(rng());
    const auto iterations = static_cast<std::uint16_t>(round == 0 ? 0 : rng() % 30);
    std::string command = "ldns-nsec3-hash -t " + std::to_string(iterations);
    if (!salt.empty()) command += " -s " + base::to_hex(salt);
    command += " " + test::shell_quote(text) + " 2>&1";
    auto out = test::run(command);
    REQUIRE(out.status == 0);
    Nsec3Hasher hasher(salt, iterations);
    INFO(command);
    CHECK(test::words(out.out).at(0) == hasher.hash_label(name(text)) + ".");
  }
}

TEST_CASE("nsec3_hash: NSEC3PARAM and NSEC3 RDATA round trip and truncation is refused",
          "[zone][nsec3_hash]") {
  Nsec3Params p;
  p.flags = kNsec3OptOut;
  p.iterations = 12;
  p.salt = hex("aabbccdd");
  Bytes param = make_nsec3param_rdata(p);
  CHECK(param == test::rdata(rrtype::NSEC3PARAM, "1 1 12 aabbccdd"));
  auto back = parse_nsec3param(param);
  REQUIRE(back);
  CHECK(back->iterations == 12);
  CHECK(back->flags == kNsec3OptOut);
  CHECK(back->salt == p.salt);
  param.pop_back();
  CHECK(parse_nsec3param(param).error().code == errc::bad_rdata);

  const std::uint16_t types[] = {rrtype::MX, rrtype::DNSKEY, rrtype::NS, rrtype::SOA, rrtype::NSEC3PARAM,
                                 rrtype::RRSIG};
  auto next = parse_nsec3_hash_label("2t7b4g4vsa5smi47k61mv5bv1a22bojr");
  REQUIRE(next);
  Bytes nsec3 = make_nsec3_rdata(p, *next, make_type_bitmap(types));
  CHECK(nsec3 == test::rdata(rrtype::NSEC3, "1 1 12 aabbccdd 2t7b4g4vsa5smi47k61mv5bv1a22bojr "
                                            "MX DNSKEY NS SOA NSEC3PARAM RRSIG"));
  auto view = parse_nsec3(nsec3);
  REQUIRE(view);
  CHECK(view->params.salt == p.salt);
  CHECK(Bytes(view->next_hash.begin(), view->next_hash.end()) == Bytes(next->begin(), next->end()));
  CHECK(type_bitmap_has(view->type_bitmap, rrtype::NSEC3PARAM));
  CHECK_FALSE(type_bitmap_has(view->type_bitmap, rrtype::A));
  CHECK_FALSE(parse_nsec3(ByteView(nsec3).first(9)));
  CHECK_FALSE(parse_nsec3_hash_label("not-a-hash"));
}
