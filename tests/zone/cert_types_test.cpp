// CERT certificate types (zone/internal/cert_types): through the RDATA codec
// and directly.
#include <catch2/catch.hpp>

#include "tests/zone/rdata_test_util.hpp"
#include "zone/errc.hpp"
#include "zone/internal/cert_types.hpp"

using namespace kskline;
using namespace kskline::zone;
using namespace kskline::test::rdata_text;

TEST_CASE("cert_types: CERT RDATA reads mnemonics or numbers and prints mnemonics", "[zone][cert_types]") {
  // Type, key tag, algorithm (mnemonic or number), base64.
  CHECK(P("CERT", "1 12345 RSASHA256 MIIBCgKCAQEA") == H("0001 3039 08 3082010a0282010100"));
  CHECK(print("CERT", H("0001 3039 08 3082010a0282010100")) == "PKIX 12345 8 MIIBCgKCAQEA");
  CHECK(P("CERT", "pgp 0 0 AAAA") == H("0003 0000 00 000000"));
  CHECK(P("CERT", "9 0 0 AAAA") == H("0009 0000 00 000000"));
  CHECK(print("CERT", H("0009 0000 00 000000")) == "9 0 0 AAAA");
  CHECK(refused("CERT", "BOGUS 0 0 AAAA").code == errc::bad_rdata);
  CHECK(refused("CERT", "65536 0 0 AAAA").code == errc::bad_rdata);
}

TEST_CASE("cert_types: the RFC 4398 table both ways", "[zone][cert_types]") {
  const std::pair<std::uint16_t, const char*> table[] = {{1, "PKIX"},   {2, "SPKI"},    {3, "PGP"},
                                                         {4, "IPKIX"},  {5, "ISPKI"},   {6, "IPGP"},
                                                         {7, "ACPKIX"}, {8, "IACPKIX"}, {253, "URI"},
                                                         {254, "OID"}};
  for (auto [code, name] : table) {
    CAPTURE(code, name);
    CHECK(internal::cert_type_to_string(code) == name);
    CHECK(internal::parse_cert_type(name) == code);
  }
  CHECK(internal::parse_cert_type("ipgp") == 6);
  CHECK(internal::parse_cert_type("65535") == 65535);
  CHECK(internal::cert_type_to_string(0) == "0");
  CHECK(internal::cert_type_to_string(255) == "255");
  CHECK_FALSE(internal::parse_cert_type("X509"));
  CHECK_FALSE(internal::parse_cert_type("-1"));
  CHECK_FALSE(internal::parse_cert_type(""));
}
