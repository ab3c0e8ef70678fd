#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "base/encoding.hpp"
#include "base/text.hpp"
#include "tests/zone/rdata_test_util.hpp"
#include "zone/errc.hpp"
#include "zone/name.hpp"
#include "zone/rdata.hpp"
#include "zone/rr_types.hpp"

using namespace kskline;
using namespace kskline::zone;
using namespace kskline::test::rdata_text;

namespace {

struct Sample {
  std::string_view mnemonic;
  std::string_view text;     // presentation form read
  std::string_view wire;     // its wire form in hex, as ldns-read-zone -u prints it
  std::string_view printed;  // how kskline prints it, when different from text
};

// One sample per row of the type table; the wire column was cross-checked
// with ldns-read-zone (unknown-type output) on the same text.
const Sample kSamples[] = {
    {"A", "192.0.2.1",
     "c0000201",
     ""},
    {"NS", "ns1.example.",
     "036e7331076578616d706c6500",
     ""},
    {"MD", "md.example.",
     "026d64076578616d706c6500",
     ""},
    {"MF", "mf.example.",
     "026d66076578616d706c6500",
     ""},
    {"CNAME", "target.example.",
     "06746172676574076578616d706c6500",
     ""},
    {"SOA", "ns1.example. hostmaster.example. 2024010101 7200 3600 1209600 3600",
     "036e7331076578616d706c65000a686f73746d6173746572076578616d706c650078a3f17500001c2000000e100012750000000e10",
     ""},
    {"MB", "mb.example.",
     "026d62076578616d706c6500",
     ""},
    {"MG", "mg.example.",
     "026d67076578616d706c6500",
     ""},
    {"MR", "mr.example.",
     "026d72076578616d706c6500",
     ""},
    {"PTR", "host.example.",
     "04686f7374076578616d706c6500",
     ""},
    {"HINFO", "\"Generic PC\" \"Linux\"",
     "0a47656e65726963205043054c696e7578",
     ""},
    {"MINFO", "rmail.example. email.example.",
     "05726d61696c076578616d706c650005656d61696c076578616d706c6500",
     ""},
    {"MX", "10 mail.example.",
     "000a046d61696c076578616d706c6500",
     ""},
    {"TXT", "\"v=spf1 -all\" \"second string\"",
     "0b763d73706631202d616c6c0d7365636f6e6420737472696e67",
     ""},
    {"RP", "admin.example. txt.example.",
     "0561646d696e076578616d706c650003747874076578616d706c6500",
     ""},
    {"AFSDB", "1 afs.example.",
     "000103616673076578616d706c6500",
     ""},
    {"RT", "10 relay.example.",
     "000a0572656c6179076578616d706c6500",
     ""},
    {"PX", "10 map822.example. mapx400.example.",
     "000a066d6170383232076578616d706c6500076d617078343030076578616d706c6500",
     ""},
    {"AAAA", "2001:db8::1",
     "20010db8000000000000000000000001",
     ""},
    {"SRV", "0 5 5060 sip.example.",
     "0000000513c403736970076578616d706c6500",
     ""},
    {"NAPTR", "100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .",
     "0064000a0155074532552b7369701b215e2e2a24217369703a696e666f406578616d706c652e636f6d2100",
     ""},
    {"KX", "10 kx.example.",
     "000a026b78076578616d706c6500",
     ""},
    {"CERT", "PKIX 12345 8 MIIBCgKCAQEA",
     "00013039083082010a0282010100",
     ""},
    {"DNAME", "other.example.",
     "056f74686572076578616d706c6500",
     ""},
    {"DS", "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118",
     "ec4505012bb183af5f22588179a53b0a98631fad1a292118",
     ""},
    {"SSHFP", "2 1 123456789abcdef67890123456789abcdef67890",
     "0201123456789abcdef67890123456789abcdef67890",
     "2 1 123456789ABCDEF67890123456789ABCDEF67890"},
    {"RRSIG", "A 8 2 3600 20230101000000 20221201000000 12345 example. dGVzdHNpZ25hdHVyZQ==",
     "0001080200000e1063b0cd006387ee803039076578616d706c6500746573747369676e6174757265",
     ""},
    {"NSEC", "host.example.com. A MX RRSIG NSEC TYPE1234",
     "04686f7374076578616d706c6503636f6d000006400100000003041b000000000000000000000000000000000000000000000000000020",
     ""},
    {"DNSKEY", "257 3 8 AwEAAcMnWBKL",
     "0101030803010001c32758128b",
     ""},
    {"DHCID", "AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=",
     "000201636fc0b8271c82825bb1ac5c41cf5351aa69b4febd94e8f17cdb95000da48c40",
     ""},
    {"NSEC3", "1 1 12 aabbccdd 2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG",
     "0101000c04aabbccdd1417f3df17b2b2adaef615257de4d2020b80ac6c7c0006400000000002",
     "1 1 12 AABBCCDD 2VPTU5TIMAMQTTGL4LUU9KG21E0AOR3S A RRSIG"},
    {"NSEC3PARAM", "1 0 12 aabbccdd",
     "0100000c04aabbccdd",
     "1 0 12 AABBCCDD"},
    {"TLSA", "3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
     "0301010123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
     "3 1 1 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"},
    {"SMIMEA", "3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
     "0301010123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
     "3 1 1 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"},
    {"CDS", "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118",
     "ec4505012bb183af5f22588179a53b0a98631fad1a292118",
     ""},
    {"CDNSKEY", "257 3 8 AwEAAcMnWBKL",
     "0101030803010001c32758128b",
     ""},
    {"OPENPGPKEY", "bWVzc2FnZQ==",
     "6d657373616765",
     ""},
    {"CSYNC", "66 3 A NS AAAA",
     "000000420003000460000008",
     ""},
    {"ZONEMD", "2018031900 1 1 c68090d90a7aed716bc459f9340e3d7c1370d4d24b7e2fc3a1ddc0b9a87153b9a9713b3c9ae5cc27777f98b8e730044c",
     "7848b91c0101c68090d90a7aed716bc459f9340e3d7c1370d4d24b7e2fc3a1ddc0b9a87153b9a9713b3c9ae5cc27777f98b8e730044c",
     "2018031900 1 1 C68090D90A7AED716BC459F9340E3D7C1370D4D24B7E2FC3A1DDC0B9A87153B9A9713B3C9AE5CC27777F98B8E730044C"},
    {"SVCB", "1 . alpn=h2 port=8443",
     "000100000100030268320003000220fb",
     "1 . alpn=\"h2\" port=8443"},
    {"HTTPS", "1 . alpn=h2,h3 ipv4hint=192.0.2.1",
     "0001000001000602683202683300040004c0000201",
     "1 . alpn=\"h2,h3\" ipv4hint=192.0.2.1"},
    {"SPF", "\"v=spf1 -all\"",
     "0b763d73706631202d616c6c",
     ""},
    {"L32", "10 10.1.2.0",
     "000a0a010200",
     ""},
    {"LP", "10 l64-subnet.example.",
     "000a0a6c36342d7375626e6574076578616d706c6500",
     ""},
    {"EUI48", "00-00-5e-00-53-2a",
     "00005e00532a",
     ""},
    {"EUI64", "00-00-5e-ef-10-00-00-2a",
     "00005eef1000002a",
     ""},
    {"URI", "10 1 \"ftp://ftp1.example.com/public\"",
     "000a00016674703a2f2f667470312e6578616d706c652e636f6d2f7075626c6963",
     ""},
    {"CAA", "0 issue \"letsencrypt.org\"",
     "000569737375656c657473656e63727970742e6f7267",
     ""},
};

const Sample* find_sample(std::string_view mnemonic) {
  for (const auto& s : kSamples) {
    if (s.mnemonic == mnemonic) return &s;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("rdata: every type in the table reads, prints and re-reads its sample", "[zone][rdata]") {
  REQUIRE(all_types().size() >= 40);
  for (const auto& row : all_types()) {
    CAPTURE(row.mnemonic);
    const Sample* sample = find_sample(row.mnemonic);
    if (sample == nullptr) {
      FAIL_CHECK("type " << row.mnemonic << " has no sample in rdata_test.cpp");
      continue;
    }
    Bytes wire = P(row.mnemonic, sample->text);
    CHECK(hex(wire) == sample->wire);
    CHECK(validate_rdata(row.code, wire));

    std::string printed = rdata_to_text(row.code, wire);
    CHECK(printed == (sample->printed.empty() ? sample->text : sample->printed));
    CHECK(printed.rfind("\\#", 0) == std::string::npos);  // known types print in their own form
    CHECK(P(row.mnemonic, printed) == wire);
  }
  // No sample is left over for a type the table lost.
  for (const auto& s : kSamples) {
    CAPTURE(s.mnemonic);
    CHECK(find_type(s.mnemonic) != nullptr);
  }
}

TEST_CASE("rdata: every type in the table reads its sample in RFC 3597 generic form", "[zone][rdata]") {
  for (const auto& row : all_types()) {
    CAPTURE(row.mnemonic);
    const Sample* sample = find_sample(row.mnemonic);
    if (sample == nullptr) {
      FAIL_CHECK("type " << row.mnemonic << " has no sample in rdata_test.cpp");
      continue;
    }
    Bytes wire = H(sample->wire);
    CHECK(P(row.mnemonic, generic(wire)) == wire);
    // Upper-case hex, split in chunks and over lines in parentheses.
    std::string upper = base::to_hex_upper(wire);
    std::string chunked = "\\# " + std::to_string(wire.size()) + " (";
    for (std::size_t i = 0; i < upper.size(); i += 6) chunked += "\n  " + upper.substr(i, 6);
    chunked += " )";
    CHECK(P(row.mnemonic, chunked) == wire);
    // The TYPEn spelling names the same type.
    CHECK(P("TYPE" + std::to_string(row.code), generic(wire)) == wire);
  }
}

TEST_CASE("rdata: a type without a row is read and printed only in generic form", "[zone][rdata]") {
  Bytes wire = P("TYPE65432", "\\# 4 0a000001");
  CHECK(wire == H("0a000001"));
  CHECK(print("TYPE65432", wire) == "\\# 4 0A000001");
  CHECK(P("TYPE65432", print("TYPE65432", wire)) == wire);
  CHECK(validate_rdata(65432, H("00")));
  CHECK(P("TYPE65432", "\\# 0").empty());
  CHECK(print("TYPE65432", Bytes{}) == "\\# 0");
  auto text = refused("TYPE65432", "10.0.0.1");
  CHECK(text.code == errc::bad_rdata);
  CHECK(text.where == "rdata:1");
  // Case does not matter in TYPEn, and TYPE1 is A.
  CHECK(P("type65432", "\\# 1 ff") == H("ff"));
  CHECK(type_code("TYPE1") == rrtype::A);
  CHECK(type_to_string(65432) == "TYPE65432");
  CHECK(type_to_string(rrtype::CAA) == "CAA");
}

TEST_CASE("rdata: generic form of a known type must be valid wire for that type", "[zone][rdata]") {
  std::string long_window = "\\# 36 000021" + std::string(32 * 2, '0') + "01";  // window length 33
  for (auto [type, text] : std::vector<std::pair<std::string, std::string>>{
           {"A", "\\# 3 0a0000"},
           {"A", "\\# 5 0a00000100"},
           {"AAAA", "\\# 4 0a000001"},
           {"MX", "\\# 2 000a"},                       // no exchange
           {"MX", "\\# 6 000a03777777"},               // name without its root label
           {"MX", "\\# 4 000ac00c"},                   // compression pointer
           {"MX", "\\# 5 000a00ffff"},                 // trailing octets
           {"NS", "\\# 0"},
           {"SOA", "\\# 21 " + std::string(21 * 2, '0')},  // two names and 19 of 20 timer octets
           {"TXT", "\\# 0"},                           // TXT has at least one string
           {"TXT", "\\# 4 05616263"},                  // string longer than the data
           {"HINFO", "\\# 2 0141"},                    // one string of two
           {"NSEC", "\\# 3 000001"},                   // bitmap window cut short
           {"NSEC", "\\# 4 00000100"},                 // window ends in a zero octet
           {"NSEC", "\\# 3 000000"},                   // window of length 0
           {"NSEC", long_window},
           {"NSEC", "\\# 7 00000140000140"},           // window repeated
           {"NSEC", "\\# 7 00010140000140"},           // windows out of order
           {"NSEC3", "\\# 5 0100000000"},              // no next hashed owner
           {"NSEC3", "\\# 6 010000000000"},            // next hashed owner of length 0
           {"DS", "\\# 3 ec4505"},
           {"RRSIG", "\\# 18 000108020000000000000000000000000000"},  // no signer
           {"CAA", "\\# 3 000000"},                    // empty tag
           {"CAA", "\\# 5 00026121ff"},                // tag "a!" is not alphanumeric
           {"EUI48", "\\# 5 0000000000"},
           {"EUI64", "\\# 6 000000000000"},
       }) {
    CAPTURE(type, text);
    auto e = refused(type, text);
    CHECK(e.code == errc::bad_rdata);
    CHECK(e.where == "rdata:1");
  }
}

TEST_CASE("rdata: generic form checks its length and hex", "[zone][rdata]") {
  for (std::string text : {"\\# 4 0a00", "\\# 2 0a0000", "\\# 2 0a0", "\\# 1 zz", "\\#", "\\# x 00", "\\# -1",
                           "\\# 65536 00", "\\# 1", "\\# 0 00"}) {
    CAPTURE(text);
    CHECK(refused("TYPE65432", text).code == errc::bad_rdata);
  }
  // A quoted "\#" is not the generic marker.
  CHECK(P("TXT", "\"\\#\" 0") == H("01 23 01 30"));
}

TEST_CASE("rdata: known types with invalid wire print in generic form", "[zone][rdata]") {
  CHECK(print("A", H("0a0000")) == "\\# 3 0A0000");
  CHECK(print("MX", H("000a")) == "\\# 2 000A");
  CHECK(print("TXT", Bytes{}) == "\\# 0");
  // Valid wire whose last field is empty has no text form either.
  CHECK(print("DS", H("ec450501")) == "\\# 4 EC450501");
  CHECK(P("DS", "\\# 4 ec450501") == H("ec450501"));
  CHECK(print("DNSKEY", H("01010308")) == "\\# 4 01010308");
}

TEST_CASE("rdata: TXT holds several strings with escapes", "[zone][rdata]") {
  CHECK(P("TXT", "\"a\" \"b c\"") == H("0161 03622063"));
  CHECK(P("TXT", "abc def") == H("03616263 03646566"));
  CHECK(P("TXT", "\"\"") == H("00"));
  CHECK(P("TXT", "\"\" \"\"") == H("00 00"));
  Bytes esc = P("TXT", "\"a\\\"b\\\\c\\010d\\255\"");
  CHECK(esc == H("08 61 22 62 5c 63 0a 64 ff"));
  CHECK(print("TXT", esc) == "\"a\\\"b\\\\c\\010d\\255\"");
  CHECK(P("TXT", print("TXT", esc)) == esc);
  // Unquoted strings take escapes too, including escaped blanks.
  CHECK(P("TXT", "a\\ b \\\"q") == H("03612062 02 2271"));
  // A quoted semicolon and parentheses are data.
  CHECK(P("TXT", "\"a;(b)\"") == H("05 613b286229"));
  CHECK(print("TXT", H("05 613b286229")) == "\"a;(b)\"");
  // Printing escapes every octet outside printable ASCII.
  CHECK(print("TXT", H("03 00 7f 20")) == "\"\\000\\127 \"");
  // Bad escapes are refused.
  for (std::string bad : {"\"\\25\"", "\"\\256\"", "\"\\2a5\"", "\"a\\\""}) {
    CAPTURE(bad);
    auto r = try_parse("TXT", bad);
    CHECK_FALSE(r);
  }
  CHECK(refused("TXT", "").code == errc::bad_rdata);
}

TEST_CASE("rdata: TXT strings over 255 octets are refused", "[zone][rdata]") {
  std::string s255(255, 'x');
  CHECK(P("TXT", "\"" + s255 + "\"").size() == 256);
  CHECK(P("TXT", s255).size() == 256);
  CHECK(refused("TXT", "\"" + s255 + "y\"").code == errc::bad_rdata);
  CHECK(refused("TXT", s255 + "y").code == errc::bad_rdata);
  // Escapes count as one octet each.
  std::string escaped;
  for (int i = 0; i < 255; ++i) escaped += "\\065";
  CHECK(P("TXT", "\"" + escaped + "\"").size() == 256);
  CHECK(refused("TXT", "\"" + escaped + "\\065\"").code == errc::bad_rdata);
  // HINFO and NAPTR strings too.
  CHECK(refused("HINFO", "\"" + s255 + "y\" x").code == errc::bad_rdata);
}

TEST_CASE("rdata: RDATA over 65535 octets is refused", "[zone][rdata]") {
  std::string text;
  std::string s255(255, 'x');
  for (int i = 0; i < 256; ++i) text += "\"" + s255 + "\" ";  // 256 * 256 = 65536 octets
  CHECK(refused("TXT", text).code == errc::bad_rdata);
  std::string fits;
  for (int i = 0; i < 255; ++i) fits += "\"" + s255 + "\" ";
  fits += "\"" + std::string(254, 'y') + "\"";  // 255 * 256 + 255 = 65535
  CHECK(P("TXT", fits).size() == 65535);
  std::string hex_text = "\\# 65535 " + std::string(65535 * 2, '0');
  CHECK(P("TYPE65432", hex_text).size() == 65535);
}

TEST_CASE("rdata: SOA timers take TTL units but the serial does not", "[zone][rdata]") {
  Bytes soa = P("SOA", "ns1 hostmaster 2024010101 1h 30m 2W 1d");
  Bytes plain = P("SOA", "ns1.example. hostmaster.example. 2024010101 3600 1800 1209600 86400");
  CHECK(soa == plain);
  CHECK(print("SOA", soa) == "ns1.example. hostmaster.example. 2024010101 3600 1800 1209600 86400");
  CHECK(P("SOA", "ns1 hm 1 1h30m 1H 1w2d3h4m5s 4294967295") ==
        P("SOA", "ns1 hm 1 5400 3600 788645 4294967295"));
  CHECK(P("SOA", "ns1 hm 4294967295 1 1 1 1").size() > 0);
  CHECK(refused("SOA", "ns1 hm 1h 1 1 1 1").code == errc::bad_rdata);
  CHECK(refused("SOA", "ns1 hm 4294967296 1 1 1 1").code == errc::bad_rdata);
  CHECK(refused("SOA", "ns1 hm 1 1x 1 1 1").code == errc::bad_rdata);
  CHECK(refused("SOA", "ns1 hm 1 4294967296 1 1 1").code == errc::bad_rdata);
  CHECK(refused("SOA", "ns1 hm 1 1 1 1").code == errc::bad_rdata);
  CHECK(refused("SOA", "ns1 hm 1 1 1 1 1 1").code == errc::bad_rdata);
}

TEST_CASE("rdata: NSEC type bitmap matches RFC 4034 section 4.3", "[zone][rdata]") {
  Bytes expected = H("04 686f7374 07 6578616d706c65 03 636f6d 00"
                     "00 06 40 01 00 00 00 03"
                     "04 1b" + std::string(26 * 2, '0') + "20");
  REQUIRE(expected.size() == 18 + 8 + 29);
  CHECK(P("NSEC", "host.example.com. A MX RRSIG NSEC TYPE1234") == expected);
  // Order and repetition in the text do not matter.
  CHECK(P("NSEC", "host.example.com. TYPE1234 NSEC MX A RRSIG mx TYPE1") == expected);
  CHECK(print("NSEC", expected) == "host.example.com. A MX RRSIG NSEC TYPE1234");
}

TEST_CASE("rdata: type bitmaps handle high types, TYPE65535 and window order", "[zone][rdata]") {
  Bytes high = P("NSEC", ". TYPE65535 A TYPE256 CAA");
  CHECK(high == H("00"
                  "00 01 40"
                  "01 01 c0"  // 256 (URI) and 257 (CAA)
                  "ff 20" + std::string(31 * 2, '0') + "01"));
  CHECK(print("NSEC", high) == ". A URI CAA TYPE65535");
  CHECK(P("NSEC", print("NSEC", high)) == high);
  // The empty bitmap of an empty non-terminal's NSEC3.
  Bytes ent = P("NSEC3", "1 0 0 - 2vptu5timamqttgl4luu9kg21e0aor3s");
  CHECK(ent == H("01 00 0000 00 14 17f3df17b2b2adaef615257de4d2020b80ac6c7c"));
  CHECK(print("NSEC3", ent) == "1 0 0 - 2VPTU5TIMAMQTTGL4LUU9KG21E0AOR3S");
  // CSYNC shares the bitmap.
  CHECK(P("CSYNC", "1 0 TYPE65535") == H("00000001 0000 ff20" + std::string(31 * 2, '0') + "01"));
  CHECK(refused("NSEC", ". A BOGUS").code == errc::bad_rdata);
  CHECK(refused("NSEC", ". TYPE65536").code == errc::bad_rdata);
}

TEST_CASE("rdata: NSEC3 and NSEC3PARAM salt, hash and fields", "[zone][rdata]") {
  CHECK(P("NSEC3PARAM", "1 0 0 -") == H("01 00 0000 00"));
  CHECK(print("NSEC3PARAM", H("01 00 0000 00")) == "1 0 0 -");
  CHECK(P("NSEC3PARAM", "1 0 10 AbCd") == H("01 00 000a 02 abcd"));
  CHECK(print("NSEC3PARAM", H("01 00 000a 02 abcd")) == "1 0 10 ABCD");
  CHECK(refused("NSEC3PARAM", "1 0 10 abc").code == errc::bad_rdata);   // odd hex
  CHECK(refused("NSEC3PARAM", "1 0 10 xyz1").code == errc::bad_rdata);
  CHECK(refused("NSEC3PARAM", "1 0 10 " + std::string(512, 'a')).code == errc::bad_rdata);
  CHECK(P("NSEC3PARAM", "1 0 10 " + std::string(510, 'a')).size() == 5 + 255);
  CHECK(refused("NSEC3PARAM", "1 0 65536 -").code == errc::bad_rdata);
  CHECK(refused("NSEC3PARAM", "1 0 10").code == errc::bad_rdata);

  // The next hashed owner is base32hex, either case, printed upper case.
  Bytes a = P("NSEC3", "1 1 12 aabbccdd 2VPTU5TIMAMQTTGL4LUU9KG21E0AOR3S A RRSIG");
  Bytes b = P("NSEC3", "1 1 12 aabbccdd 2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG");
  CHECK(a == b);
  // Hashes of other lengths round-trip (base32hex without padding).
  for (std::string hash : {"00", "0000", "cpnmu", "cpnmuog", "cpnmuoj1"}) {
    CAPTURE(hash);
    Bytes wire = P("NSEC3", "1 0 0 - " + hash + " A");
    CHECK(P("NSEC3", print("NSEC3", wire)) == wire);
  }
  CHECK(P("NSEC3", "1 0 0 - cpnmuog A") == H("01 00 0000 00 04 666f6f62 0001 40"));
  CHECK(refused("NSEC3", "1 0 0 - 2vptu5timamqttgl4luu9kg21e0aor3! A").code == errc::bad_rdata);
  CHECK(refused("NSEC3", "1 0 0 - - A").code == errc::bad_rdata);
  CHECK(refused("NSEC3", "1 0 0 -").code == errc::bad_rdata);
}

TEST_CASE("rdata: RRSIG takes both time forms and prints YYYYMMDDHHmmSS", "[zone][rdata]") {
  Bytes dates = P("RRSIG", "A 8 2 3600 20221224000000 20221201000000 12345 example. dGVzdA==");
  Bytes secs = P("RRSIG", "A 8 2 3600 1671840000 1669852800 12345 example. dGVzdA==");
  CHECK(dates == secs);
  CHECK(dates == H("0001 08 02 00000e10 63a64100 6387ee80 3039 076578616d706c6500 74657374"));
  CHECK(print("RRSIG", secs) == "A 8 2 3600 20221224000000 20221201000000 12345 example. dGVzdA==");
  CHECK(P("RRSIG", "TYPE1234 RSASHA256 2 3600 0 4294967295 1 . dGVzdA==") ==
        H("04d2 08 02 00000e10 00000000 ffffffff 0001 00 74657374"));
  CHECK(refused("RRSIG", "A 8 2 3600 20221324000000 20221201000000 1 example. dGVzdA==").code == errc::bad_rdata);
  CHECK(refused("RRSIG", "BOGUS 8 2 3600 0 0 1 example. dGVzdA==").code == errc::bad_rdata);
  CHECK(refused("RRSIG", "A 8 2 3600 0 0 1 example. dGVz!A==").code == errc::bad_rdata);
  CHECK(refused("RRSIG", "A 8 2 3600 0 0 1 example.").code == errc::bad_rdata);
}

TEST_CASE("rdata: DS and CDS hex and DNSKEY and CDNSKEY base64 may be split in chunks", "[zone][rdata]") {
  // RFC 4034 §5.4's DS example.
  Bytes ds = P("DS", "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118");
  CHECK(ds == H("ec45 05 01 2bb183af5f22588179a53b0a98631fad1a292118"));
  CHECK(P("DS", "60485 5 1 2BB183AF5F225881 79A53B0A9863 1FAD1A292118") == ds);
  CHECK(P("DS", "60485 5 1 ( 2BB183AF5F22588179A53B0A\n 98631FAD1A292118 )") == ds);
  CHECK(P("DS", "60485 5 1 2bb 183af5f22588179a53b0a98631fad1a292118") == ds);  // chunks need not be octet-aligned
  CHECK(P("CDS", "60485 RSASHA1 1 2BB183AF5F22588179A53B0A 98631FAD1A292118") == ds);
  CHECK(P("CDS", "0 0 0 00") == H("0000 00 00 00"));  // RFC 8078 §4 delete request
  CHECK(refused("DS", "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A29211").code == errc::bad_rdata);  // odd
  CHECK(refused("DS", "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A29211G").code == errc::bad_rdata);
  CHECK(refused("DS", "60485 5 1").code == errc::bad_rdata);

  Bytes key = P("DNSKEY", "257 3 8 AwEAAcMnWBKL");
  CHECK(key == H("0101 03 08 03010001c32758128b"));
  CHECK(P("DNSKEY", "257 3 8 AwEA AcMn WBKL") == key);
  CHECK(P("DNSKEY", "257 3 RSASHA256 (\n AwEAAcMn\n WBKL\n )") == key);
  CHECK(P("CDNSKEY", "257 3 8 AwEAAc MnWBKL") == key);  // chunks need not be 4-aligned
  CHECK(print("DNSKEY", key) == "257 3 8 AwEAAcMnWBKL");
  CHECK(P("CDNSKEY", "0 3 0 AA==") == H("0000 03 00 00"));  // RFC 8078 §4 delete request
  CHECK(refused("DNSKEY", "257 3 8 AwEAAcMnWBK").code == errc::bad_rdata);
  CHECK(refused("DNSKEY", "257 3 8 AwEA*cMnWBKL").code == errc::bad_rdata);
  CHECK(refused("DNSKEY", "257 3 8").code == errc::bad_rdata);
}

TEST_CASE("rdata: CAA flags, tag and value", "[zone][rdata]") {
  Bytes caa = P("CAA", "0 issue \"letsencrypt.org\"");
  CHECK(caa == H("00 05 6973737565 6c657473656e63727970742e6f7267"));
  CHECK(print("CAA", caa) == "0 issue \"letsencrypt.org\"");
  CHECK(P("CAA", "0 issue letsencrypt.org") == caa);
  CHECK(P("CAA", "128 tbs \"Unknown\"") == H("80 03 746273 556e6b6e6f776e"));
  CHECK(P("CAA", "0 issue \";\"") == H("00 05 6973737565 3b"));
  CHECK(P("CAA", "0 iodef \"mailto:security@example.com\"").size() == 2 + 5 + std::string("mailto:security@example.com").size());
  CHECK(P("CAA", "0 issue \"\"") == H("00 05 6973737565"));
  CHECK(print("CAA", H("00 05 6973737565")) == "0 issue \"\"");
  CHECK(refused("CAA", "0 is-sue \"x\"").code == errc::bad_rdata);
  CHECK(refused("CAA", "256 issue \"x\"").code == errc::bad_rdata);
  CHECK(refused("CAA", "0 issue \"a\" \"b\"").code == errc::bad_rdata);
  CHECK(refused("CAA", "0 issue").code == errc::bad_rdata);
}

TEST_CASE("rdata: TLSA, SSHFP, NAPTR, SRV, EUI48, EUI64, URI and ZONEMD fields", "[zone][rdata]") {
  // RFC 6698 §2.3.
  CHECK(P("TLSA", "0 0 1 d2abde240d7cd3ee6b4b28c54df034b9 7983a1d16e8a410e4561cb106618e971") ==
        H("00 00 01 d2abde240d7cd3ee6b4b28c54df034b97983a1d16e8a410e4561cb106618e971"));
  CHECK(refused("TLSA", "0 0 256 00").code == errc::bad_rdata);
  // RFC 4255 §3.3.
  CHECK(P("SSHFP", "2 1 123456789abcdef67890123456789abcdef67890") ==
        H("02 01 123456789abcdef67890123456789abcdef67890"));
  // RFC 3403 §6.2, with an escaped backslash in the regexp.
  Bytes naptr = P("NAPTR", "100 50 \"s\" \"z3950+N2L+N2C\" \"\" _z3950._tcp.gatech.edu.");
  CHECK(naptr == H("0064 0032 01 73 0d 7a333935302b4e324c2b4e3243 00"
                   "06 5f7a33393530 04 5f746370 06 676174656368 03 656475 00"));
  CHECK(print("NAPTR", naptr) == "100 50 \"s\" \"z3950+N2L+N2C\" \"\" _z3950._tcp.gatech.edu.");
  Bytes regexp = P("NAPTR", "100 10 \"\" \"\" \"/urn:cid:.+@([^\\\\.]+\\\\.)(.*)$/\\\\2/i\" .");
  CHECK(print("NAPTR", regexp) == "100 10 \"\" \"\" \"/urn:cid:.+@([^\\\\.]+\\\\.)(.*)$/\\\\2/i\" .");
  CHECK(refused("NAPTR", "100 10 \"\" \"\" \"\"").code == errc::bad_rdata);
  // RFC 2782.
  CHECK(P("SRV", "0 5 5060 sipserver") == H("0000 0005 13c4 09736970736572766572076578616d706c6500"));
  CHECK(refused("SRV", "0 5 65536 sip").code == errc::bad_rdata);
  CHECK(refused("SRV", "0 5 sip").code == errc::bad_rdata);
  // RFC 7043 §3.2 and §4.2.
  CHECK(P("EUI48", "00-00-5e-00-53-2a") == H("00005e00532a"));
  CHECK(P("EUI48", "00-00-5E-00-53-2A") == H("00005e00532a"));
  CHECK(P("EUI64", "00-00-5e-ef-10-00-00-2a") == H("00005eef1000002a"));
  CHECK(print("EUI64", H("00005eef1000002a")) == "00-00-5e-ef-10-00-00-2a");
  for (std::string bad : {"00:00:5e:00:53:2a", "00-00-5e-00-53", "00-00-5e-00-53-2a-01", "0-00-5e-00-53-2a0",
                          "00-00-5e-00-53-2g", "00005e00532a"}) {
    CAPTURE(bad);
    CHECK(refused("EUI48", bad).code == errc::bad_rdata);
  }
  CHECK(refused("EUI64", "00-00-5e-00-53-2a").code == errc::bad_rdata);
  // RFC 7553 §4.5.
  CHECK(P("URI", "10 1 \"ftp://ftp1.example.com/public\"") ==
        H("000a 0001 6674703a2f2f667470312e6578616d706c652e636f6d2f7075626c6963"));
  CHECK(refused("URI", "10 1").code == errc::bad_rdata);
  // RFC 8976 §A.1.
  Bytes zonemd = P("ZONEMD", "2018031900 1 1 ( c68090d90a7aed716bc459f9340e3d7c 1370d4d24b7e2fc3a1ddc0b9a87153b9 "
                             "a9713b3c9ae5cc27777f98b8e730044c )");
  CHECK(zonemd.size() == 4 + 1 + 1 + 48);
  CHECK(hex(ByteView(zonemd).first(6)) == "7848b91c0101");
}

TEST_CASE("rdata: numbers, addresses and names out of range are refused", "[zone][rdata]") {
  CHECK(P("MX", "65535 mx") == H("ffff 026d78076578616d706c6500"));
  for (auto [type, text] : std::vector<std::pair<std::string, std::string>>{
           {"MX", "65536 mx."}, {"MX", "-1 mx."},   {"MX", "+1 mx."},   {"MX", "0x10 mx."},   {"MX", "1e3 mx."},
           {"MX", " mx."},      {"SSHFP", "256 1 00"}, {"SSHFP", "1 -0 00"}, {"DS", "1 256 1 00"}, {"DS", "1 BOGUS 1 00"},
           {"A", "1.2.3"},      {"A", "256.1.1.1"}, {"A", "1.2.3.4.5"}, {"A", "01.2.3.4"},  {"A", "::1"},
           {"A", "1.2.3.4/24"}, {"AAAA", "2001:db8::g"}, {"AAAA", "1.2.3.4"}, {"AAAA", "2001:db8:::1"},
           {"AAAA", "1:2:3:4:5:6:7:8:9"}, {"NS", "a..b."}, {"NS", std::string(64, 'a') + "."},
           {"L32", "10 1.2.3"},
       }) {
    CAPTURE(type, text);
    CHECK_FALSE(try_parse(type, text));
  }
  CHECK(refused("NS", std::string(64, 'a') + ".").code == errc::label_too_long);
  CHECK(refused("NS", "a..b.").code == errc::bad_name);
  // A raw NUL in an address token does not end it early.
  CHECK_FALSE(try_parse("A", std::string("1.2.3.4\0junk", 12)));
}

TEST_CASE("rdata: missing and extra fields are refused with the place", "[zone][rdata]") {
  auto missing = refused("MX", "10");
  CHECK(missing.code == errc::bad_rdata);
  CHECK(missing.where == "rdata:1");
  CHECK(missing.detail.find("field 2") != std::string::npos);
  auto extra = refused("A", "1.2.3.4 5.6.7.8");
  CHECK(extra.code == errc::bad_rdata);
  CHECK(extra.detail.find("5.6.7.8") != std::string::npos);
  CHECK(refused("A", "").code == errc::bad_rdata);
  CHECK(refused("HINFO", "\"cpu\"").code == errc::bad_rdata);
  // The line of the offending token, in a multi-line entry.
  auto later = refused("SOA", "ns hm (\n 1\n 2\n x\n 4 5 )");
  CHECK(later.where == "rdata:4");
}

TEST_CASE("rdata: canonicalize_rdata lowercases the names of RFC 4034 section 6.2 types", "[zone][rdata]") {
  struct Case {
    std::string type, upper, lower;
  };
  for (const auto& c : std::vector<Case>{
           {"NS", "NS1.Example.", "ns1.example."},
           {"CNAME", "WWW.Example.", "www.example."},
           {"DNAME", "Other.Example.", "other.example."},
           {"PTR", "Host.EXAMPLE.", "host.example."},
           {"MX", "10 MAIL.Example.", "10 mail.example."},
           {"SOA", "NS.Example. Host\\.Master.Example. 1 2 3 4 5", "ns.example. host\\.master.example. 1 2 3 4 5"},
           {"SRV", "0 5 5060 SIP.Example.", "0 5 5060 sip.example."},
           {"NAPTR", "1 2 \"S\" \"SIP+D2U\" \"\" _SIP._udp.Example.", "1 2 \"S\" \"SIP+D2U\" \"\" _sip._udp.example."},
           {"RP", "Admin.Example. TXT.Example.", "admin.example. txt.example."},
           {"MINFO", "A.Example. B.Example.", "a.example. b.example."},
           {"AFSDB", "1 AFS.Example.", "1 afs.example."},
           {"RT", "1 Relay.Example.", "1 relay.example."},
           {"KX", "1 KX.Example.", "1 kx.example."},
           {"PX", "1 A.Example. B.Example.", "1 a.example. b.example."},
           {"RRSIG", "A 8 2 3600 0 0 1 EXAMPLE. QUJDRA==", "A 8 2 3600 19700101000000 19700101000000 1 example. QUJDRA=="},
       }) {
    CAPTURE(c.type, c.upper);
    Bytes wire = P(c.type, c.upper);
    canonicalize_rdata(type_code(c.type), wire);
    CHECK(print(c.type, wire) == c.lower);
  }
}

TEST_CASE("rdata: canonicalize_rdata leaves NSEC next names, strings and other types alone", "[zone][rdata]") {
  // RFC 6840 §5.1 removed NSEC from RFC 4034 §6.2's list; data is never folded.
  for (auto [type, text] : std::vector<std::pair<std::string, std::string>>{
           {"NSEC", "Host.Example. A NSEC"},
           {"TXT", "\"ABC Def\""},
           {"HINFO", "\"INTEL-386\" \"UNIX\""},
           {"CAA", "0 ISSUE \"CA.Example\""},
           {"SVCB", "1 Target.Example. alpn=H2"},
           {"LP", "10 L64.Example."},
           {"DNSKEY", "257 3 8 QUJDRA=="},
           {"DS", "1 8 2 ABCDEF"},
           {"URI", "1 1 \"HTTP://X\""},
           {"TYPE65432", "\\# 3 414243"},
       }) {
    CAPTURE(type, text);
    Bytes wire = P(type, text);
    Bytes copy = wire;
    canonicalize_rdata(type_code(type), copy);
    CHECK(copy == wire);
  }
  // Invalid wire is left as it is.
  Bytes bad = H("000a 03 4d58");
  canonicalize_rdata(rrtype::MX, bad);
  CHECK(bad == H("000a 03 4d58"));
}

TEST_CASE("rdata: the table lowercases exactly RFC 4034 section 6.2's types minus NSEC", "[zone][rdata]") {
  const std::set<std::string> rfc4034 = {"NS", "MD", "MF", "CNAME", "SOA", "MB", "MG", "MR", "PTR", "HINFO",
                                         "MINFO", "MX", "RP", "AFSDB", "RT", "SIG", "PX", "NXT", "NAPTR", "KX",
                                         "SRV", "DNAME", "A6", "RRSIG"};
  for (const auto& row : all_types()) {
    CAPTURE(row.mnemonic);
    CHECK(row.canonical_lowercase == (rfc4034.count(std::string(row.mnemonic)) == 1));
  }
  // The table is ordered by code and has no duplicates.
  for (std::size_t i = 1; i < all_types().size(); ++i) CHECK(all_types()[i - 1].code < all_types()[i].code);
  for (const auto& row : all_types()) {
    CHECK(find_type(row.code) == &row);
    CHECK(find_type(base::to_lower(row.mnemonic)) == &row);
  }
}

TEST_CASE("rdata: algorithm fields take mnemonics and print numbers", "[zone][rdata]") {
  CHECK(P("DNSKEY", "257 3 ECDSAP256SHA256 AA==") == H("0101 03 0d 00"));
  CHECK(P("DNSKEY", "257 3 ed25519 AA==") == H("0101 03 0f 00"));
  CHECK(P("DS", "1 RSASHA1-NSEC3-SHA1 2 00") == H("0001 07 02 00"));
  CHECK(P("DS", "1 253 2 00") == H("0001 fd 02 00"));
  CHECK(print("DNSKEY", H("0101 03 0d 00")) == "257 3 13 AA==");
  CHECK(refused("DNSKEY", "257 3 BOGUS AA==").code == errc::bad_rdata);
}

TEST_CASE("rdata: parse_ttl takes seconds and units up to 2^31-1", "[zone][rdata]") {
  struct Case {
    std::string text;
    std::uint32_t seconds;
  };
  for (const auto& c : std::vector<Case>{{"0", 0},
                                         {"3600", 3600},
                                         {"1h30m", 5400},
                                         {"1W", 604800},
                                         {"1w", 604800},
                                         {"2d", 172800},
                                         {"1H1M1S", 3661},
                                         {"1w2d3h4m5s", 788645},
                                         {"90s", 90},
                                         {"2147483647", 2147483647u},
                                         {"24855d3h14m7s", 2147483647u},
                                         {"0000000010", 10}}) {
    CAPTURE(c.text);
    auto ttl = parse_ttl(c.text);
    REQUIRE(ttl);
    CHECK(*ttl == c.seconds);
  }
  for (std::string bad : {"2147483648", "4294967296", "24855d3h14m8s", "1x", "", "h", "1h30", "-1", "+1", "1.5h",
                          "1 h", "99999999999", "3551w", "0x10"}) {
    CAPTURE(bad);
    auto ttl = parse_ttl(bad);
    REQUIRE_FALSE(ttl);
    CHECK(ttl.error().code == errc::bad_ttl);
  }
}
