#include <catch2/catch.hpp>

#include "tests/zone/dnssec_test_util.hpp"
#include "zone/key_tag.hpp"

using namespace kskline;
using namespace kskline::zone;
using kskline::test::rdata;

TEST_CASE("key_tag: equals the tag of every RFC example key", "[zone][key_tag]") {
  for (const auto& ex : test::rfc_examples()) {
    INFO(ex.label);
    CHECK(key_tag(rdata(rrtype::DNSKEY, ex.dnskey)) == ex.key_tag);
  }
  // RFC 4034 §5.4: the DNSKEY of dskey.example.com. has key id 60485.
  CHECK(key_tag(rdata(rrtype::DNSKEY,
                      "256 3 5 AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WY"
                      "wYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/"
                      "rljwvFw==")) == 60485);
}

TEST_CASE("key_tag: folds the carry of the 32-bit sum back in", "[zone][key_tag]") {
  // FF FF FF FF: 0xFF00 + 0xFF + 0xFF00 + 0xFF = 0x1FFFE, plus the carry 1 = 0xFFFF.
  const Bytes all_ones{0xff, 0xff, 0xff, 0xff};
  CHECK(key_tag(all_ones) == 0xffff);
  // 01 00 03 08 | 03 01 00 01: 0x0100 + 0x0308 + 0x0301 + 0x0001 = 0x070A.
  const Bytes small{0x01, 0x00, 0x03, 0x08, 0x03, 0x01, 0x00, 0x01};
  CHECK(key_tag(small) == 0x070a);
  // An odd length adds the last octet as a high byte: + 0x4200.
  Bytes odd = small;
  odd.push_back(0x42);
  CHECK(key_tag(odd) == 0x490a);
}

TEST_CASE("key_tag: algorithm 1 takes the modulus octets (Appendix B.1)", "[zone][key_tag]") {
  // flags 256, protocol 3, algorithm 1, exponent 1 octet (3), modulus ... AB CD EF.
  const Bytes rsamd5{0x01, 0x00, 0x03, 0x01, 0x01, 0x03, 0x11, 0x22, 0xab, 0xcd, 0xef};
  CHECK(key_tag(rsamd5) == 0xabcd);
  // The same bytes with algorithm 5 use the general sum, which differs.
  Bytes rsasha1 = rsamd5;
  rsasha1[3] = 5;
  CHECK(key_tag(rsasha1) != 0xabcd);
  // Too short for the rule: total, gives 0.
  CHECK(key_tag(Bytes{0x01, 0x00, 0x03, 0x01, 0xaa}) == 0);
}

TEST_CASE("key_tag: changes with the flags (the REVOKE bit)", "[zone][key_tag]") {
  Bytes key = rdata(rrtype::DNSKEY, "257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=");
  Bytes revoked = key;
  revoked[1] |= 0x80;
  // RFC 5011 §7: setting REVOKE (bit 8) adds 128 to the tag.
  CHECK(key_tag(revoked) == static_cast<std::uint16_t>(key_tag(key) + 128));
}
