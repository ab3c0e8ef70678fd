#include <catch2/catch.hpp>

#include <string>

#include "base/encoding.hpp"
#include "tests/zone/dnssec_test_util.hpp"
#include "zone/canonical.hpp"
#include "zone/errc.hpp"
#include "zone/master_file.hpp"
#include "zone/zonemd.hpp"

using namespace kskline;
using namespace kskline::zone;
using kskline::test::name;

namespace {

// The records of zone text with origin example., in canonical order with
// duplicates removed, as a signer or verifier holds them.
std::vector<Record> zone_records(const std::string& text, const std::string& origin = "example.") {
  MasterOptions options;
  options.origin = name(origin);
  auto list = read_master_text(text, "test.zone", options);
  if (!list) FAIL(list.error().message());
  sort_canonical(list->records);
  remove_duplicates(list->records);
  return std::move(list->records);
}

std::string digest_hex(const std::vector<Record>& records, std::uint8_t alg,
                       const std::string& origin = "example.") {
  auto d = zonemd_digest(records, name(origin), alg);
  REQUIRE(d);
  return base::to_hex(*d);
}

// The digest the apex ZONEMD of a given hash algorithm carries.
std::string published_hex(const std::vector<Record>& records, std::uint8_t alg) {
  for (const auto& r : records) {
    if (r.type != rrtype::ZONEMD || r.owner.label_count() != 1) continue;
    auto v = parse_zonemd(r.rdata);
    REQUIRE(v);
    if (v->scheme == zonemd::SIMPLE && v->hash_algorithm == alg) return base::to_hex(v->digest);
  }
  return {};
}

const char* const kSimple = R"(
example.      86400  IN  SOA     ns1 admin 2018031900 1800 900 604800 86400
              86400  IN  NS      ns1
              86400  IN  NS      ns2
              86400  IN  ZONEMD  2018031900 1 1 (
                                 c68090d90a7aed716bc459f9340e3d7c
                                 1370d4d24b7e2fc3a1ddc0b9a87153b9
                                 a9713b3c9ae5cc27777f98b8e730044c )
ns1           3600   IN  A       203.0.113.63
ns2           3600   IN  AAAA    2001:db8::63
)";

const char* const kComplex = R"(
example.      86400  IN  SOA     ns1 admin 2018031900 1800 900 604800 86400
              86400  IN  NS      ns1
              86400  IN  NS      ns2
              86400  IN  ZONEMD  2018031900 1 1 (
                                 a3b69bad980a3504e1cffcb0fd6397f9
                                 3848071c93151f552ae2f6b1711d4bd2
                                 d8b39808226d7b9db71e34b72077f8fe )
ns1           3600   IN  A       203.0.113.63
NS2           3600   IN  AAAA    2001:db8::63
occluded.sub  7200   IN  TXT     "I'm occluded but must be digested"
sub           7200   IN  NS      ns1
duplicate     300    IN  TXT     "I must be digested just once"
duplicate     300    IN  TXT     "I must be digested just once"
foo.test.     555    IN  TXT     "out-of-zone data must be excluded"
UPPERCASE     3600   IN  TXT     "canonicalize uppercase owner names"
*             777    IN  PTR     dont-forget-about-wildcards
mail          3600   IN  MX      20 MAIL1
mail          3600   IN  MX      10 Mail2.Example.
sortme        3600   IN  AAAA    2001:db8::5:61
sortme        3600   IN  AAAA    2001:db8::3:62
sortme        3600   IN  AAAA    2001:db8::4:63
sortme        3600   IN  AAAA    2001:db8::1:65
sortme        3600   IN  AAAA    2001:db8::2:64
non-apex      900    IN  ZONEMD  2018031900 1 1 (
                                 616c6c6f776564206275742069676e6f
                                 7265642e20616c6c6f77656420627574
                                 2069676e6f7265642e20616c6c6f7765 )
)";

const char* const kMultiple = R"(
example.      86400  IN  SOA     ns1 admin 2018031900 1800 900 604800 86400
example.      86400  IN  NS      ns1.example.
example.      86400  IN  NS      ns2.example.
example.      86400  IN  ZONEMD  2018031900 1 1 (
                                 62e6cf51b02e54b9b5f967d547ce4313
                                 6792901f9f88e637493daaf401c92c27
                                 9dd10f0edb1c56f8080211f8480ee306 )
example.      86400  IN  ZONEMD  2018031900 1 2 (
                                 08cfa1115c7b948c4163a901270395ea
                                 226a930cd2cbcf2fa9a5e6eb85f37c8a
                                 4e114d884e66f176eab121cb02db7d65
                                 2e0cc4827e7a3204f166b47e5613fd27 )
example.      86400  IN  ZONEMD  2018031900 1 240 e2d523f654b9422a96c5a8f44607bbee
example.      86400  IN  ZONEMD  2018031900 241 1 e1846540e33a9e4189792d18d5d131f605fc283e
ns1.example.  3600   IN  A       203.0.113.63
ns2.example.  86400  IN  TXT     "This example has multiple digests"
NS2.EXAMPLE.  3600   IN  AAAA    2001:db8::63
)";

}  // namespace

TEST_CASE("zonemd: RFC 8976 A.1 simple example zone, SHA-384", "[zone][zonemd]") {
  const auto records = zone_records(kSimple);
  CHECK(digest_hex(records, zonemd::SHA384) ==
        "c68090d90a7aed716bc459f9340e3d7c1370d4d24b7e2fc3a1ddc0b9a87153b9a9713b3c9ae5cc27777f98b8e730044c");
  CHECK(published_hex(records, zonemd::SHA384) == digest_hex(records, zonemd::SHA384));
}

TEST_CASE("zonemd: RFC 8976 A.2 complex example zone (occluded, duplicate, out-of-zone, case, wildcard, "
          "non-apex ZONEMD)",
          "[zone][zonemd]") {
  const auto records = zone_records(kComplex);
  CHECK(digest_hex(records, zonemd::SHA384) ==
        "a3b69bad980a3504e1cffcb0fd6397f93848071c93151f552ae2f6b1711d4bd2d8b39808226d7b9db71e34b72077f8fe");
}

TEST_CASE("zonemd: RFC 8976 A.3 multiple digests, SHA-384 and SHA-512", "[zone][zonemd]") {
  const auto records = zone_records(kMultiple);
  CHECK(digest_hex(records, zonemd::SHA384) ==
        "62e6cf51b02e54b9b5f967d547ce43136792901f9f88e637493daaf401c92c279dd10f0edb1c56f8080211f8480ee306");
  CHECK(digest_hex(records, zonemd::SHA512) ==
        "08cfa1115c7b948c4163a901270395ea226a930cd2cbcf2fa9a5e6eb85f37c8a"
        "4e114d884e66f176eab121cb02db7d652e0cc4827e7a3204f166b47e5613fd27");
}

TEST_CASE("zonemd: duplicates in an unreduced list are digested once", "[zone][zonemd]") {
  MasterOptions options;
  options.origin = name("example.");
  auto list = read_master_text(kComplex, "test.zone", options);
  REQUIRE(list);
  sort_canonical(list->records);  // duplicates kept
  CHECK(base::to_hex(*zonemd_digest(list->records, name("example."))) ==
        "a3b69bad980a3504e1cffcb0fd6397f93848071c93151f552ae2f6b1711d4bd2d8b39808226d7b9db71e34b72077f8fe");
}

TEST_CASE("zonemd: any change to digested data changes the digest, apex ZONEMD and its RRSIG do not",
          "[zone][zonemd]") {
  auto records = zone_records(kSimple);
  const std::string base = digest_hex(records, zonemd::SHA384);
  // The apex ZONEMD and an RRSIG covering it are excluded.
  records.push_back(test::record("example.", rrtype::RRSIG, 86400,
                                 "ZONEMD 13 1 86400 20300101000000 20200101000000 1 example. AAAA"));
  sort_canonical(records);
  CHECK(digest_hex(records, zonemd::SHA384) == base);
  // An RRSIG covering something else is digested.
  records.push_back(test::record("example.", rrtype::RRSIG, 86400,
                                 "SOA 13 1 86400 20300101000000 20200101000000 1 example. AAAA"));
  sort_canonical(records);
  const std::string with_sig = digest_hex(records, zonemd::SHA384);
  CHECK(with_sig != base);
  // A TTL change is digested.
  for (auto& r : records) {
    if (r.type == rrtype::A) r.ttl = 3601;
  }
  CHECK(digest_hex(records, zonemd::SHA384) != with_sig);
}

TEST_CASE("zonemd: placeholder, RDATA fields and unsupported hash algorithms", "[zone][zonemd]") {
  auto placeholder = make_zonemd_placeholder(2018031900);
  REQUIRE(placeholder);
  REQUIRE(placeholder->size() == 6 + 48);
  auto v = parse_zonemd(*placeholder);
  REQUIRE(v);
  CHECK(v->serial == 2018031900);
  CHECK(v->scheme == zonemd::SIMPLE);
  CHECK(v->hash_algorithm == zonemd::SHA384);
  CHECK(std::all_of(v->digest.begin(), v->digest.end(), [](std::uint8_t b) { return b == 0; }));
  CHECK(make_zonemd_placeholder(1, zonemd::SHA512)->size() == 6 + 64);
  CHECK(make_zonemd_placeholder(1, 240).error().code == errc::unsupported_algorithm);
  CHECK(zonemd_digest({}, name("example."), 3).error().code == errc::unsupported_algorithm);
  CHECK(zonemd_digest_size(zonemd::SHA512) == 64);
  CHECK(zonemd_digest_size(7) == 0);
  CHECK(parse_zonemd(Bytes(17, 0)).error().code == errc::bad_rdata);
  CHECK(*placeholder == test::rdata(rrtype::ZONEMD, "2018031900 1 1 " + std::string(96, '0')));
}
