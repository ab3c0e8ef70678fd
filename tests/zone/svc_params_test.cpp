// SVCB and HTTPS SvcParams (zone/internal/svc_params): through the RDATA
// codec, as zone files reach them, and directly.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/zone/rdata_test_util.hpp"
#include "zone/errc.hpp"
#include "zone/internal/svc_params.hpp"
#include "zone/rdata.hpp"

using namespace kskline;
using namespace kskline::zone;
using namespace kskline::test::rdata_text;

TEST_CASE("svc_params: SVCB and HTTPS read the RFC 9460 Appendix D test vectors", "[zone][svc_params]") {
  struct Vector {
    std::string text;
    std::string wire;
  };
  // Presentation forms of RFC 9460 Appendix D.1 and D.2 with their wire forms.
  const std::vector<Vector> vectors = {
      {"0 foo.example.com.", "0000 03666f6f076578616d706c6503636f6d00"},  // D.1
      {"1 .", "0001 00"},                                                   // D.2 from here
      {"16 foo.example.com. port=53", "0010 03666f6f076578616d706c6503636f6d00 0003 0002 0035"},
      {"1 foo.example.com. key667=hello", "0001 03666f6f076578616d706c6503636f6d00 029b 0005 68656c6c6f"},
      {"1 foo.example.com. key667=\"hello\\210qoo\"",
       "0001 03666f6f076578616d706c6503636f6d00 029b 0009 68656c6c6fd2716f6f"},
      {"1 foo.example.com. ipv6hint=\"2001:db8::1,2001:db8::53:1\"",
       "0001 03666f6f076578616d706c6503636f6d00 0006 0020 20010db8000000000000000000000001"
       "20010db8000000000000000000530001"},
      {"1 example.com. ipv6hint=\"2001:db8:ffff:ffff:ffff:ffff:198.51.100.100\"",
       "0001 076578616d706c6503636f6d00 0006 0010 20010db8ffffffffffffffffc6336464"},
      {"16 foo.example.org. (alpn=h2,h3-19 mandatory=ipv4hint,alpn\n ipv4hint=192.0.2.1)",
       "0010 03666f6f076578616d706c65036f726700 0000 0004 0001 0004 0001 0009 02 6832 05 68332d3139 0004 0004 c0000201"},
      {"16 foo.example.org. alpn=\"f\\\\\\\\oo\\\\,bar,h2\"",
       "0010 03666f6f076578616d706c65036f726700 0001 000c 08 665c6f6f2c626172 02 6832"},
      {"16 foo.example.org. alpn=f\\\\\\092oo\\092,bar,h2",
       "0010 03666f6f076578616d706c65036f726700 0001 000c 08 665c6f6f2c626172 02 6832"},
  };
  for (const auto& v : vectors) {
    for (std::string_view type : {"SVCB", "HTTPS"}) {
      CAPTURE(type, v.text);
      Bytes wire = P(type, v.text);
      CHECK(hex(wire) == hex(H(v.wire)));
      std::string printed = print(type, wire);
      CAPTURE(printed);
      CHECK(printed.rfind("\\#", 0) == std::string::npos);
      CHECK(P(type, printed) == wire);
      CHECK(P(type, generic(wire)) == wire);
    }
  }
  // The printed forms are RFC 9460's, with the keys in wire order.
  CHECK(print("SVCB", P("SVCB", vectors[7].text)) == "16 foo.example.org. mandatory=alpn,ipv4hint alpn=\"h2,h3-19\" ipv4hint=192.0.2.1");
  CHECK(print("SVCB", P("SVCB", vectors[8].text)) == "16 foo.example.org. alpn=\"f\\\\\\\\oo\\\\,bar,h2\"");
  CHECK(print("SVCB", P("SVCB", vectors[4].text)) == "1 foo.example.com. key667=\"hello\\210qoo\"");
  CHECK(print("SVCB", P("SVCB", vectors[2].text)) == "16 foo.example.com. port=53");
}

TEST_CASE("svc_params: SVCB and HTTPS refuse the RFC 9460 Appendix D.3 failure cases", "[zone][svc_params]") {
  for (std::string text : {
           "1 foo.example.com. key123=abc key123=def",
           "1 foo.example.com. mandatory",
           "1 foo.example.com. alpn",
           "1 foo.example.com. port",
           "1 foo.example.com. ipv4hint",
           "1 foo.example.com. ipv6hint",
           "1 foo.example.com. no-default-alpn=abc",
           "1 foo.example.com. mandatory=key123",
           "1 foo.example.com. mandatory=mandatory",
           "1 foo.example.com. mandatory=key123,key123 key123=abc",
       }) {
    for (std::string_view type : {"SVCB", "HTTPS"}) {
      CAPTURE(type, text);
      auto e = refused(type, text);
      CHECK(e.code == errc::bad_rdata);
      CHECK(e.where == "rdata:1");
    }
  }
}

TEST_CASE("svc_params: SVCB refuses malformed parameters", "[zone][svc_params]") {
  // Knot's zone scanner refuses these too (tests/libzscanner/data/57_SVCB.in).
  for (std::string text : std::vector<std::string>{
           "", "1", "65536 .", "1 . bogus", "1 . PORT=0", "1 . key65535", "1 . key01=x", "1 . keyx=1",
           "1 . mandatory=", "1 . mandatory=a,", "1 . mandatory=alpn,,port alpn=h2 port=1", "1 . mandatory=bogus",
           "1 . alpn=", "1 . alpn=a,", "1 . alpn=a,,b", "1 . alpn=a\\\\", "1 . alpn=a\\\\b", "1 . alpn=a\\\\\\b",
           "1 . alpn=a\\\\092,b", "1 . alpn=\"" + std::string(256, 'a') + "\"",
           "1 . no-default-alpn=", "1 . no-default-alpn=h1", "1 . ohttp=", "1 . ohttp=x",
           "1 . port=", "1 . port=65536", "1 . port=1,2", "1 . port=x",
           "1 . ipv4hint=", "1 . ipv4hint=1.2.3", "1 . ipv4hint=1.2.3.4,", "1 . ipv4hint=1.2.3.4,,2.3.4.5",
           "1 . ipv4hint=::1", "1 . ipv4hint=1.2.3.4\\000", "1 . ech", "1 . ech=", "1 . ech=AA==,AA==", "1 . ech=W",
           "1 . ipv6hint=", "1 . ipv6hint=::1,,::2", "1 . ipv6hint=::W", "1 . ipv6hint=1.2.3.4",
           "1 . dohpath", "1 . dohpath=",
       }) {
    CAPTURE(text);
    auto r = try_parse("SVCB", text);
    CHECK_FALSE(r);
  }
}

TEST_CASE("svc_params: SVCB parameters round-trip through their printed form", "[zone][svc_params]") {
  // Knot's accepted cases, which RFC 9460 allows.
  struct Case {
    std::string text;
    std::string wire;  // params only, after "0001 00"
  };
  for (const auto& c : std::vector<Case>{
           {"1 . mandatory=alpn alpn=h2", "0000 0002 0001 0001 0003 026832"},
           {"1 . mandatory=\"alpn\" alpn=h2", "0000 0002 0001 0001 0003 026832"},
           {"1 . alpn=\"part1,part2,part3\\\\,part4\\\\\\\\\"",
            "0001 0019 05 7061727431 05 7061727432 0c 70617274332c70617274345c"},
           {"1 . alpn=part1\\,\\p\\a\\r\\t2\\044part3\\092,part4\\092\\\\",
            "0001 0019 05 7061727431 05 7061727432 0c 70617274332c70617274345c"},
           {"1 . alpn=foo\\\\\\092,bar", "0001 0009 04 666f6f5c 03 626172"},
           {"1 . alpn=\"" + std::string(255, 'a') + "\"", "0001 0100 ff" + hex(as_bytes(std::string(255, 'a')))},
           {"1 . no-default-alpn", "0002 0000"},
           {"1 . port=0", "0003 0002 0000"},
           {"1 . port=\"65535\"", "0003 0002 ffff"},
           {"1 . ipv4hint=0.0.0.0", "0004 0004 00000000"},
           {"1 . ipv4hint=\"255.255.255.255,1.2.3.4\"", "0004 0008 ffffffff 01020304"},
           {"1 . ech=AA==", "0005 0001 00"},
           {"1 . ech=\"Zm9vYg==\"", "0005 0004 666f6f62"},
           {"1 . ipv6hint=::1", "0006 0010 00000000000000000000000000000001"},
           {"1 . dohpath=/q{?dns}", "0007 0008 2f717b3f646e737d"},
           {"1 . dohpath=\"/dns-query{?dns}\"", "0007 0010 2f646e732d71756572797b3f646e737d"},
           {"1 . ohttp", "0008 0000"},
           {"1 . key707", "02c3 0000"},
           {"1 . key65534=\"a b\" key1000=b port=4 key7=/x mandatory=key7,port",
            "0000 0004 0003 0007 0003 0002 0004 0007 0002 2f78 03e8 0001 62 fffe 0003 612062"},
           {"1 . key667=\"\\000\\\"\\\\ ;()\"", "029b 0007 00225c203b2829"},
       }) {
    CAPTURE(c.text);
    Bytes wire = P("SVCB", c.text);
    CHECK(hex(wire) == hex(H("0001 00" + c.wire)));
    std::string printed = print("SVCB", wire);
    CAPTURE(printed);
    CHECK(P("SVCB", printed) == wire);
  }
  CHECK(print("SVCB", P("SVCB", "1 . key707")) == "1 . key707");
  CHECK(print("SVCB", P("SVCB", "1 . alpn=h2 no-default-alpn")) == "1 . alpn=\"h2\" no-default-alpn");
  CHECK(print("HTTPS", P("HTTPS", "1 . ech=AA== ipv4hint=1.2.3.4,5.6.7.8")) == "1 . ipv4hint=1.2.3.4,5.6.7.8 ech=AA==");
}

TEST_CASE("svc_params: generic form of SVCB must be valid SvcParams wire", "[zone][svc_params]") {
  for (auto [type, text] : std::vector<std::pair<std::string, std::string>>{
           {"SVCB", "\\# 0"},
           {"SVCB", "\\# 2 0001"},                     // no target
           {"SVCB", "\\# 5 0001000003"},               // SvcParam header cut short
           {"SVCB", "\\# 7 00010000030001"},           // value cut short
           {"SVCB", "\\# 16 000100000300021e6100010003026833"},  // keys out of order
           {"SVCB", "\\# 8 000100000300021e"},         // value missing
           {"SVCB", "\\# 8 0001000002000161"},         // no-default-alpn with a value
           {"SVCB", "\\# 7 00010000000000"},           // empty mandatory
           {"SVCB", "\\# 9 000100000000020000"},       // mandatory lists itself
           {"SVCB", "\\# 9 000100000000020003"},       // mandatory lists a missing key
           {"SVCB", "\\# 7 00010000010000"},           // empty alpn
           {"SVCB", "\\# 11 0001000001000402683200"},  // alpn id of length 0
           {"SVCB", "\\# 7 000100ffff0000"},           // key 65535
           {"SVCB", "\\# 8 00010000030001 0a"},        // port of one octet
           {"SVCB", "\\# 10 00010000040003010203"},    // ipv4hint of three octets
       }) {
    CAPTURE(type, text);
    auto e = refused(type, text);
    CHECK(e.code == errc::bad_rdata);
    CHECK(e.where == "rdata:1");
  }
}

TEST_CASE("svc_params: one parameter reads to its key and wire value", "[zone][svc_params]") {
  auto port = internal::parse_svc_param("port=53");
  REQUIRE(port);
  CHECK(port->key == 3);
  CHECK(port->value == H("0035"));
  auto flag = internal::parse_svc_param("no-default-alpn");
  REQUIRE(flag);
  CHECK(flag->key == 2);
  CHECK(flag->value.empty());
  auto unknown = internal::parse_svc_param("key667=\"hello\"");
  REQUIRE(unknown);
  CHECK(unknown->key == 667);
  CHECK(unknown->value == H("68656c6c6f"));
  for (const char* bad : {"bogus=1", "port=65536", "port", "no-default-alpn=x", "alpn=a,,b", "key65535"}) {
    CAPTURE(bad);
    auto r = internal::parse_svc_param(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::bad_rdata);
  }
}

TEST_CASE("svc_params: parameters are written sorted by key and checked as a whole", "[zone][svc_params]") {
  Bytes out{0xaa};  // appended after what is there
  std::vector<internal::SvcParam> params{{3, H("0035")}, {0, H("0003")}, {1, H("026832")}};
  REQUIRE(internal::append_svc_params(params, out));
  CHECK(hex(out) == "aa" "000000020003" "0001000302" "6832" "000300020035");
  CHECK(internal::validate_svc_params(ByteView(out).subspan(1)));
  std::string text;
  internal::append_svc_params_text(ByteView(out).subspan(1), text);
  CHECK(text == "mandatory=port alpn=\"h2\" port=53");
  Bytes twice;
  auto e = internal::append_svc_params({{3, H("0035")}, {3, H("0036")}}, twice);
  REQUIRE_FALSE(e);
  CHECK(e.error().detail == "SvcParam port given twice");
  Bytes missing;
  auto m = internal::append_svc_params({{0, H("0003")}}, missing);
  REQUIRE_FALSE(m);
  CHECK(m.error().detail.find("mandatory lists port, which is missing") != std::string::npos);
}
