// Zones at the size limits of the zone reader and checks: an RRset of a
// chosen wire size, and a zone of a chosen number of records.
#pragma once

#include <cstddef>
#include <string>

namespace kskline::test {

// The wire size of each TXT record of big_rrset_zone: owner big.example. (13
// octets), type, class, TTL and RDLENGTH (10), RDATA of one 231-character
// string (232). 257 of them make exactly 65,535 octets.
inline constexpr std::size_t kBigRecordWireSize = 255;
// The line of the first TXT record of big_rrset_zone.
inline constexpr int kBigRRsetFirstLine = 4;

// A valid zone example. (SOA and NS on lines 2 and 3) and an RRset
// big.example. TXT of `records` distinct records of kBigRecordWireSize
// octets each, one a line from kBigRRsetFirstLine on.
inline std::string big_rrset_zone(int records) {
  std::string text = "$TTL 300\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\n";
  for (int i = 0; i < records; ++i) {
    std::string counter = std::to_string(i);  // four digits, distinct records
    counter.insert(0, 4 - counter.size(), '0');
    text += "big TXT \"" + counter + std::string(227, 'a') + "\"\n";
  }
  return text;
}

// A valid zone example. of exactly `records` records (at least 3): SOA, NS
// and A records, one a line, record k (from 1) on line k + 1.
inline std::string zone_of_records(int records) {
  std::string text = "$TTL 300\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\n";
  for (int i = 2; i < records; ++i) text += "h" + std::to_string(i) + " A 192.0.2." + std::to_string(i % 250) + "\n";
  return text;
}

}  // namespace kskline::test
