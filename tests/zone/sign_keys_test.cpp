#include <catch2/catch.hpp>

#include "tests/zone/sign_test_util.hpp"
#include "zone/errc.hpp"
#include "zone/rr_types.hpp"
#include "zone/sign_keys.hpp"

using namespace kskline;
using namespace kskline::zone;
using kskline::test::key_pair;
using kskline::test::name;

namespace {

std::vector<KeyPair> keys_of(std::initializer_list<std::pair<std::uint8_t, std::uint16_t>> specs) {
  std::vector<KeyPair> out;
  for (auto [alg, flags] : specs) out.push_back(key_pair(alg, flags));
  return out;
}

}  // namespace

TEST_CASE("sign_keys: SEP keys sign the key RRsets, the others the data", "[zone][sign_keys]") {
  auto roles = SigningKeys::assign(keys_of({{13, 256}, {13, 257}}), name("example.org."), false);
  REQUIRE(roles);
  CHECK(roles->data_signers() == std::vector<std::size_t>{0});
  CHECK(roles->key_set_signers() == std::vector<std::size_t>{1});
  for (auto type : {rrtype::DNSKEY, rrtype::CDS, rrtype::CDNSKEY}) {
    CHECK(roles->keys_for(type, true) == std::vector<std::size_t>{1});
    CHECK(roles->keys_for(type, false) == std::vector<std::size_t>{0});  // not at the apex: data
  }
  CHECK(roles->keys_for(rrtype::SOA, true) == std::vector<std::size_t>{0});
  CHECK(roles->describe(1).find("KSK") != std::string::npos);
}

TEST_CASE("sign_keys: without a KSK the ZSK signs everything, and a lone KSK does too", "[zone][sign_keys]") {
  auto zsk_only = SigningKeys::assign(keys_of({{15, 256}}), name("example.org."), false);
  REQUIRE(zsk_only);
  CHECK(zsk_only->keys_for(rrtype::DNSKEY, true) == std::vector<std::size_t>{0});
  CHECK(zsk_only->data_signers() == std::vector<std::size_t>{0});
  auto ksk_only = SigningKeys::assign(keys_of({{15, 257}}), name("example.org."), false);
  REQUIRE(ksk_only);
  CHECK(ksk_only->data_signers() == std::vector<std::size_t>{0});
  CHECK(ksk_only->key_set_signers() == std::vector<std::size_t>{0});
}

TEST_CASE("sign_keys: every algorithm signs every RRset (RFC 4035 2.2)", "[zone][sign_keys]") {
  // A KSK of algorithm 15 without a ZSK of it signs the data too; a ZSK of
  // algorithm 13 without a KSK of it signs the DNSKEY RRset too.
  auto roles = SigningKeys::assign(keys_of({{13, 256}, {15, 257}}), name("example.org."), false);
  REQUIRE(roles);
  CHECK(roles->data_signers() == std::vector<std::size_t>{0, 1});
  CHECK(roles->key_set_signers() == std::vector<std::size_t>{0, 1});
  auto two = SigningKeys::assign(keys_of({{13, 256}, {13, 257}, {15, 256}, {15, 257}}), name("example.org."), false);
  REQUIRE(two);
  CHECK(two->data_signers() == std::vector<std::size_t>{0, 2});
  CHECK(two->key_set_signers() == std::vector<std::size_t>{1, 3});
}

TEST_CASE("sign_keys: with a keyset only ZSKs are given and the key RRsets are not signed", "[zone][sign_keys]") {
  auto roles = SigningKeys::assign(keys_of({{13, 256}}), name("example.org."), true);
  REQUIRE(roles);
  CHECK(roles->key_set_signers().empty());
  auto refused = SigningKeys::assign(keys_of({{13, 256}, {13, 257}}), name("example.org."), true);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == errc::bad_key);
  CHECK(refused.error().detail.find("--keyset") != std::string::npos);
}

TEST_CASE("sign_keys: keys of another zone, without the Zone flag, colliding or missing are refused", "[zone][sign_keys]") {
  auto other = SigningKeys::assign(test::one_key(13, 256, "example.net."), name("example.org."), false);
  REQUIRE_FALSE(other);
  CHECK(other.error().detail.find("example.net.") != std::string::npos);

  auto no_zone_flag = SigningKeys::assign(test::one_key(13, 0), name("example.org."), false);
  REQUIRE_FALSE(no_zone_flag);
  CHECK(no_zone_flag.error().detail.find("Zone Key") != std::string::npos);

  auto k = key_pair(13, 256);
  std::vector<KeyPair> twice;
  twice.push_back(test::copy_key(k));
  twice.push_back(std::move(k));
  auto dup = SigningKeys::assign(std::move(twice), name("example.org."), false);
  REQUIRE_FALSE(dup);
  CHECK(dup.error().detail.find("share algorithm") != std::string::npos);

  auto none = SigningKeys::assign(std::vector<KeyPair>{}, name("example.org."), false);
  REQUIRE_FALSE(none);
  CHECK(none.error().code == errc::bad_key);
}
