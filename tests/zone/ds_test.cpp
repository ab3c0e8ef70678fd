#include <catch2/catch.hpp>

#include "tests/zone/dnssec_test_util.hpp"
#include "zone/ds.hpp"
#include "zone/errc.hpp"
#include "zone/key_tag.hpp"

using namespace kskline;
using namespace kskline::zone;
using kskline::test::name;
using kskline::test::rdata;

namespace {

const char* kDskey =
    "256 3 5 AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxeg"
    "Xd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw==";
const char* kDskeyDs = "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118";

}  // namespace

TEST_CASE("ds: RFC 4034 5.4 SHA-1 DS matches its DNSKEY as a trust anchor", "[zone][ds]") {
  Name owner = name("dskey.example.com.");
  Bytes key = rdata(rrtype::DNSKEY, kDskey);
  Bytes ds = rdata(rrtype::DS, kDskeyDs);
  auto ok = ds_matches(owner, key, ds);
  REQUIRE(ok);
  CHECK(*ok);
  // The owner is part of the digest, in lowercase.
  CHECK(*ds_matches(name("DSKEY.Example.COM."), key, ds));
  CHECK_FALSE(*ds_matches(name("other.example.com."), key, ds));
  // Any change to the digest, tag or algorithm breaks the match.
  for (std::size_t i = 0; i < ds.size(); ++i) {
    Bytes bad = ds;
    bad[i] ^= 0x01;
    if (i == 3) continue;  // the digest type: checked below
    INFO("octet " << i);
    CHECK_FALSE(*ds_matches(owner, key, bad));
  }
  // A DS with a truncated digest does not match.
  Bytes short_ds(ds.begin(), ds.end() - 1);
  CHECK_FALSE(*ds_matches(owner, key, short_ds));
}

TEST_CASE("ds: SHA-1 is accepted for checking but never generated", "[zone][ds]") {
  auto r = make_ds(name("dskey.example.com."), rdata(rrtype::DNSKEY, kDskey), ds_digest::SHA1);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::unsupported_algorithm);
  auto t = parse_ds_digest_type("SHA1");
  REQUIRE_FALSE(t);
  CHECK(t.error().code == errc::unsupported_algorithm);
}

TEST_CASE("ds: equals the DS of the RFC 6605 and RFC 8080 examples", "[zone][ds]") {
  int checked = 0;
  for (const auto& ex : test::rfc_examples()) {
    if (ex.ds == nullptr) continue;
    INFO(ex.label);
    Bytes expected = rdata(rrtype::DS, ex.ds);
    auto type = parse_ds(expected);
    REQUIRE(type);
    auto ds = make_ds(name(ex.zone), rdata(rrtype::DNSKEY, ex.dnskey), type->digest_type);
    REQUIRE(ds);
    CHECK(*ds == expected);
    CHECK(*ds_matches(name(ex.zone), rdata(rrtype::DNSKEY, ex.dnskey), expected));
    ++checked;
  }
  CHECK(checked == 6);  // P-256 (SHA-256), P-384 (SHA-384), 2 x Ed25519, 2 x Ed448
}

TEST_CASE("ds: the owner name is lowercased", "[zone][ds]") {
  Bytes key = rdata(rrtype::DNSKEY, "257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=");
  auto upper = make_ds(name("EXAMPLE.Com."), key, ds_digest::SHA256);
  auto lower = make_ds(name("example.com."), key, ds_digest::SHA256);
  REQUIRE(upper);
  REQUIRE(lower);
  CHECK(*upper == *lower);
  CHECK(*upper == rdata(rrtype::DS, "3613 15 2 3aa5ab37efce57f737fc1627013fee07bdf241bd10f3b1964ab55c78e79a304b"));
}

TEST_CASE("ds: refuses keys that are not zone keys and malformed input", "[zone][ds]") {
  Bytes key = rdata(rrtype::DNSKEY, "0 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=");
  auto r = make_ds(name("example.com."), key, ds_digest::SHA256);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::bad_key);

  auto truncated = make_ds(name("example.com."), Bytes{0x01, 0x01, 0x03}, ds_digest::SHA256);
  REQUIRE_FALSE(truncated);
  CHECK(truncated.error().code == errc::bad_key);

  auto gost = ds_matches(name("dskey.example.com."), rdata(rrtype::DNSKEY, kDskey),
                         rdata(rrtype::DS, "60485 5 3 2BB183AF5F22588179A53B0A98631FAD1A292118"));
  REQUIRE_FALSE(gost);
  CHECK(gost.error().code == errc::unsupported_algorithm);

  auto short_ds = ds_matches(name("dskey.example.com."), rdata(rrtype::DNSKEY, kDskey), Bytes{0xec, 0x45, 5, 1});
  REQUIRE_FALSE(short_ds);
  CHECK(short_ds.error().code == errc::bad_rdata);
}

TEST_CASE("ds: refuses a DNSKEY that cannot be a key of its algorithm, naming its key tag", "[zone][ds]") {
  // Each is well-formed DNSKEY RDATA whose key could never verify a signature.
  for (const char* text : {"257 3 13 AAAA",                                   // a 3-octet P-256 key
                           "257 3 8 AAEAAQ==",                                // RSA, zero-length exponent
                           "257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZ",  // Ed25519, 30 octets
                           "257 3 99 AQIDBA==",                               // an unknown algorithm
                           "257 3 5 AwEAAQ=="}) {                             // RSASHA1: not used here
    INFO(text);
    Bytes key = rdata(rrtype::DNSKEY, text);
    auto r = make_ds(name("example.com."), key, ds_digest::SHA256);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::bad_key);
    CHECK(r.error().message().find("key tag " + std::to_string(key_tag(key))) != std::string::npos);
  }
  // The same key made well-formed gets its DS.
  CHECK(make_ds(name("example.com."), rdata(rrtype::DNSKEY, "257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4="),
                ds_digest::SHA256));
}

TEST_CASE("ds: parses digest type names", "[zone][ds]") {
  CHECK(*parse_ds_digest_type("sha256") == ds_digest::SHA256);
  CHECK(*parse_ds_digest_type("SHA-256") == ds_digest::SHA256);
  CHECK(*parse_ds_digest_type("2") == ds_digest::SHA256);
  CHECK(*parse_ds_digest_type("sha384") == ds_digest::SHA384);
  CHECK(*parse_ds_digest_type("4") == ds_digest::SHA384);
  auto bad = parse_ds_digest_type("md5");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == errc::syntax);
}

TEST_CASE("ds: prints RDATA as dnssec-dsfromkey does", "[zone][ds]") {
  CHECK(ds_rdata_text(rdata(rrtype::DS, kDskeyDs)) == "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118");
  CHECK(ds_rdata_text(Bytes{1, 2}).empty());
}
