#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/zone/limits_test_util.hpp"
#include "zone/errc.hpp"
#include "zone/master_file.hpp"
#include "zone/zone_check.hpp"

using namespace kskline;
using namespace kskline::zone;

namespace {

const Name& apex() {
  static const Name name = *Name::parse("example.");
  return name;
}

ZoneReport check(std::string_view text, std::size_t max_problems = 1000) {
  MasterOptions options;
  options.origin = apex();
  auto list = read_master_text(text, "zone.db", options);
  if (!list) INFO(list.error().message());
  REQUIRE(list);
  return check_zone(*list, apex(), max_problems);
}

std::vector<std::string> wheres(const ZoneReport& report) {
  std::vector<std::string> out;
  for (const auto& p : report.problems) out.push_back(p.where);
  return out;
}

// A valid zone: 3 lines.
const std::string kGood =
    "$TTL 300\n"
    "@ SOA ns hm 1 2 3 4 5\n"
    "@ NS ns\n";

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("zone_check: a good zone has no problems and the right counts", "[zone][zone_check]") {
  auto report = check(kGood +
                      "@ NS ns2.example.net.\n"
                      "@ MX 10 mail\n"
                      "ns A 192.0.2.1\n"
                      "ns AAAA 2001:db8::1\n"
                      "mail A 192.0.2.2\n"
                      "MAIL A 192.0.2.2\n"  // a duplicate, owner case aside
                      "www CNAME ns\n"
                      "sub NS ns.sub\n"
                      "ns.sub A 192.0.2.3\n");
  for (const auto& p : report.problems) INFO(p.message());
  CHECK(report.problems.empty());
  CHECK(report.summary.names == 6);       // @ ns mail www sub ns.sub
  CHECK(report.summary.rrsets == 9);      // SOA NS MX, ns A AAAA, mail A, www CNAME, sub NS, ns.sub A
  CHECK(report.summary.records == 10);
  CHECK(report.summary.duplicates == 1);
}

TEST_CASE("zone_check: records outside the zone are reported at their line", "[zone][zone_check]") {
  auto report = check(kGood + "ok A 192.0.2.1\nwww.example.org. A 192.0.2.1\nexample. TXT x\n. TXT root\n");
  REQUIRE(report.problems.size() == 2);
  CHECK(wheres(report) == Strings{"zone.db:5", "zone.db:7"});
  for (const auto& p : report.problems) CHECK(p.code == errc::out_of_zone);
}

TEST_CASE("zone_check: a zone without a SOA, or without NS at the apex, is reported", "[zone][zone_check]") {
  auto no_soa = check("$TTL 300\n@ NS ns\n");
  REQUIRE(no_soa.problems.size() == 1);
  CHECK(no_soa.problems[0].code == errc::zone_invalid);
  CHECK(no_soa.problems[0].where == "zone.db");
  CHECK(no_soa.problems[0].detail.find("SOA") != std::string::npos);

  auto no_ns = check("$TTL 300\n@ SOA ns hm 1 2 3 4 5\nsub NS ns\n");
  REQUIRE(no_ns.problems.size() == 1);
  CHECK(no_ns.problems[0].where == "zone.db");
  CHECK(no_ns.problems[0].detail.find("NS") != std::string::npos);

  auto empty = check("");
  CHECK(empty.problems.size() == 2);
  CHECK(empty.summary.records == 0);
}

TEST_CASE("zone_check: two SOAs are reported at the second one", "[zone][zone_check]") {
  // The second in the file, although its RDATA sorts first.
  auto report = check(kGood + "x A 192.0.2.1\n@ SOA a hm 1 2 3 4 5\n");
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems[0].code == errc::zone_invalid);
  CHECK(report.problems[0].where == "zone.db:5");
  CHECK(report.problems[0].detail.find("zone.db:2") != std::string::npos);
  // The same SOA twice is one record (RFC 2181 §5), not two.
  auto dup = check(kGood + "@ SOA ns hm 1 2 3 4 5\n");
  CHECK(dup.problems.empty());
  CHECK(dup.summary.duplicates == 1);
}

TEST_CASE("zone_check: a SOA below the apex is reported at its line", "[zone][zone_check]") {
  auto report = check(kGood + "sub SOA ns hm 1 2 3 4 5\n");
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems[0].code == errc::zone_invalid);
  CHECK(report.problems[0].where == "zone.db:4");
}

TEST_CASE("zone_check: different TTLs in one RRset are reported at the differing record", "[zone][zone_check]") {
  auto report = check(kGood + "www 300 A 192.0.2.2\nwww 600 A 192.0.2.1\nwww 300 A 192.0.2.3\n");
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems[0].code == errc::zone_invalid);
  CHECK(report.problems[0].where == "zone.db:5");
  CHECK(report.problems[0].detail.find("zone.db:4") != std::string::npos);
  // A duplicate with another TTL is a mismatch too (BIND and Knot say so).
  auto dup = check(kGood + "www 300 A 192.0.2.1\nwww 600 A 192.0.2.1\n");
  REQUIRE(dup.problems.size() == 1);
  CHECK(dup.problems[0].where == "zone.db:5");
  // RRSIGs of one owner may differ: each follows the RRset it covers.
  auto sigs = check(kGood +
                    "www 300 A 192.0.2.1\n"
                    "www 300 RRSIG A 8 2 300 0 0 1 example. AA==\n"
                    "www 60 TXT x\n"
                    "www 60 RRSIG TXT 8 2 60 0 0 1 example. AA==\n");
  CHECK(sigs.problems.empty());
}

TEST_CASE("zone_check: an RRset over 65,535 octets in wire form is reported at the record that takes it over",
          "[zone][zone_check]") {
  // 257 records of 255 octets: exactly 65,535, the most a DNS message holds.
  CHECK(check(test::big_rrset_zone(257)).problems.empty());
  auto over = check(test::big_rrset_zone(258));
  REQUIRE(over.problems.size() == 1);
  CHECK(over.problems[0].code == errc::rrset_too_large);
  CHECK(over.problems[0].where == "zone.db:" + std::to_string(test::kBigRRsetFirstLine + 257));
  CHECK(over.problems[0].detail.find("big.example. TXT") != std::string::npos);
  CHECK(over.problems[0].detail.find("65535") != std::string::npos);
  // A duplicate is one record (RFC 2181 §5) and does not count twice.
  auto text = test::big_rrset_zone(257);
  const auto last = text.rfind("big TXT");
  CHECK(check(text + text.substr(last)).problems.empty());
  // RRSIGs at a name are answered per covered type: their sum is not an RRset.
  std::string sigs = kGood;
  for (int i = 0; i < 300; ++i) {
    sigs += "www RRSIG TYPE" + std::to_string(1000 + i) + " 8 2 300 0 0 1 example. " + std::string(320, 'A') + "\n";
  }
  CHECK(check(sigs).problems.empty());
}

TEST_CASE("zone_check: a CNAME beside other data is reported at the CNAME", "[zone][zone_check]") {
  auto report = check(kGood + "www A 192.0.2.1\nwww CNAME ns\n");
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems[0].code == errc::zone_invalid);
  CHECK(report.problems[0].where == "zone.db:5");
  CHECK(report.problems[0].detail.find("zone.db:4") != std::string::npos);
  // At the apex, beside the SOA and NS.
  auto at_apex = check(kGood + "@ CNAME other.example.net.\n");
  REQUIRE(at_apex.problems.size() == 1);
  CHECK(at_apex.problems[0].where == "zone.db:4");
  // Beside a DNAME too.
  auto dname = check(kGood + "www DNAME other.example.net.\nwww CNAME ns\n");
  REQUIRE(dname.problems.size() == 1);
  CHECK(dname.problems[0].where == "zone.db:5");
}

TEST_CASE("zone_check: a CNAME may have RRSIG and NSEC beside it", "[zone][zone_check]") {
  auto report = check(kGood +
                      "www CNAME ns\n"
                      "www RRSIG CNAME 8 2 300 0 0 1 example. AA==\n"
                      "www NSEC x.example. CNAME RRSIG NSEC\n"
                      "www RRSIG NSEC 8 2 300 0 0 1 example. AA==\n");
  for (const auto& p : report.problems) INFO(p.message());
  CHECK(report.problems.empty());
}

TEST_CASE("zone_check: two CNAMEs or two DNAMEs at a name are reported at the second", "[zone][zone_check]") {
  auto cnames = check(kGood + "www CNAME z.example.\nwww CNAME a.example.\n");
  REQUIRE(cnames.problems.size() == 1);
  CHECK(cnames.problems[0].code == errc::zone_invalid);
  CHECK(cnames.problems[0].where == "zone.db:5");
  auto dnames = check(kGood + "d DNAME a.example.net.\nd DNAME b.example.net.\n");
  REQUIRE(dnames.problems.size() == 1);
  CHECK(dnames.problems[0].where == "zone.db:5");
  CHECK(dnames.problems[0].detail.find("DNAME") != std::string::npos);
}

TEST_CASE("zone_check: problems are capped at max_problems", "[zone][zone_check]") {
  std::string text = "$TTL 1\n";
  for (int i = 0; i < 50; ++i) text += "x" + std::to_string(i) + ".example.org. A 192.0.2.1\n";
  auto capped = check(text, 10);
  CHECK(capped.problems.size() == 10);
  auto all = check(text);
  CHECK(all.problems.size() == 52);  // 50 out of zone, no SOA, no NS
  CHECK(all.summary.records == 50);
}
