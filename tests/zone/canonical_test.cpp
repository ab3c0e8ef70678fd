#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "zone/canonical.hpp"
#include "zone/master_file.hpp"
#include "zone/rdata.hpp"

using namespace kskline;
using namespace kskline::zone;

namespace {

std::vector<Record> read(std::string_view text) {
  MasterOptions options;
  options.origin = *Name::parse("example.");
  options.default_ttl = 300;
  auto r = read_master_text(text, "zone.db", options);
  if (!r) INFO(r.error().message());
  REQUIRE(r);
  return r->records;
}

std::vector<std::string> lines_of(const std::vector<Record>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(to_text(r));
  return out;
}

std::vector<std::uint32_t> source_lines(const std::vector<Record>& records) {
  std::vector<std::uint32_t> out;
  for (const auto& r : records) out.push_back(r.loc.line);
  return out;
}

int sign(int v) { return (v > 0) - (v < 0); }

}  // namespace

TEST_CASE("canonical: sort orders by canonical owner, then type, then canonical RDATA", "[zone][canonical]") {
  auto records = read(
      "z.example. A 192.0.2.1\n"             // 1
      "\\200.z.example. A 192.0.2.1\n"       // 2
      "*.z.example. A 192.0.2.1\n"           // 3
      "a.example. TXT b\n"                   // 4
      "a.example. MX 10 b.example.\n"        // 5
      "a.example. A 192.0.2.10\n"            // 6
      "A.EXAMPLE. A 192.0.2.9\n"             // 7: same owner, shorter address bytes first
      "example. NS ns\n"                     // 8
      "a.example. MX 9 z.example.\n"         // 9: preference decides first
      "yljkjljk.a.example. A 192.0.2.1\n"    // 10
      "\\001.z.example. A 192.0.2.1\n"       // 11
      "a.example. TYPE65432 \\# 0\n"         // 12
      "Z.a.example. A 192.0.2.1\n");         // 13
  sort_canonical(records);
  CHECK(source_lines(records) == std::vector<std::uint32_t>{8, 7, 6, 9, 5, 4, 12, 10, 13, 1, 11, 3, 2});
}

TEST_CASE("canonical: RDATA order lowercases names only where RFC 4034 says so", "[zone][canonical]") {
  // MX exchange names compare lowercased: "a" before "B" although 'B' < 'a' in ASCII.
  auto mx = read("x MX 10 B.example.\nx MX 10 a.example.\n");
  sort_canonical(mx);
  CHECK(source_lines(mx) == std::vector<std::uint32_t>{2, 1});
  CHECK(compare_canonical_rdata(rrtype::MX, mx[0].rdata, mx[1].rdata) < 0);
  // TXT data is compared as it is: "B" (0x42) before "a" (0x61).
  auto txt = read("x TXT a\nx TXT B\n");
  sort_canonical(txt);
  CHECK(source_lines(txt) == std::vector<std::uint32_t>{2, 1});
  // NSEC next names are not lowercased (RFC 6840 §5.1).
  auto nsec = read("x NSEC b.example. A\nx NSEC C.example. A\n");
  sort_canonical(nsec);
  CHECK(source_lines(nsec) == std::vector<std::uint32_t>{2, 1});
  // A shorter RDATA that is a prefix of a longer one comes first.
  auto txt2 = read("x TXT \"ab\"\nx TXT \"a\"\nx TXT \"a\" \"\"\n");
  sort_canonical(txt2);
  CHECK(source_lines(txt2) == std::vector<std::uint32_t>{2, 3, 1});
  CHECK(compare_canonical_rdata(rrtype::TXT, txt2[0].rdata, txt2[0].rdata) == 0);
}

TEST_CASE("canonical: sort is stable for records equal in canonical form", "[zone][canonical]") {
  auto records = read("b A 192.0.2.1\na 60 A 192.0.2.1\nA 30 A 192.0.2.1\nb A 192.0.2.1\na 10 A 192.0.2.1\n");
  sort_canonical(records);
  CHECK(source_lines(records) == std::vector<std::uint32_t>{2, 3, 5, 1, 4});
}

TEST_CASE("canonical: remove_duplicates compares canonical RDATA", "[zone][canonical]") {
  auto records = read(
      "x MX 10 MAIL.example.\n"
      "X MX 10 mail.EXAMPLE.\n"  // duplicate: names in MX fold case, and so does the owner
      "x TXT ABC\n"
      "x TXT abc\n"              // not a duplicate: TXT data is case-sensitive
      "x 60 TXT abc\n"           // duplicate although its TTL differs
      "x NSEC Next.example. A\n"
      "x NSEC next.example. A\n" // not a duplicate (RFC 6840 §5.1)
      "y MX 10 mail.example.\n"
      "x A 192.0.2.1\n"
      "x A 192.0.2.1\n");
  sort_canonical(records);
  std::size_t removed = remove_duplicates(records);
  CHECK(removed == 3);
  CHECK(records.size() == 7);
  // The first of a set of duplicates is kept.
  auto mx = std::find_if(records.begin(), records.end(), [](const Record& r) { return r.type == rrtype::MX; });
  REQUIRE(mx != records.end());
  CHECK(mx->loc.line == 1);
  CHECK(rdata_to_text(mx->type, mx->rdata) == "10 MAIL.example.");
  // Nothing left to remove.
  CHECK(remove_duplicates(records) == 0);
  std::vector<Record> none;
  CHECK(remove_duplicates(none) == 0);
}

TEST_CASE("canonical: group_rrsets splits a sorted list by owner and type", "[zone][canonical]") {
  auto records = read(
      "a A 192.0.2.1\n"
      "b A 192.0.2.1\n"
      "A A 192.0.2.2\n"
      "a TXT x\n"
      "a RRSIG A 8 2 300 0 0 1 example. AA==\n"
      "a RRSIG TXT 8 2 300 0 0 1 example. AA==\n");
  sort_canonical(records);
  auto sets = group_rrsets(records);
  REQUIRE(sets.size() == 4);
  CHECK(sets[0].begin == 0);
  CHECK(sets[0].end == 2);  // a A (two records, owner case ignored)
  CHECK(records[sets[1].begin].type == rrtype::TXT);
  CHECK(records[sets[2].begin].type == rrtype::RRSIG);
  CHECK(sets[2].end - sets[2].begin == 2);  // RRSIGs of one owner form one set
  CHECK(sets[3].begin == 5);
  CHECK(sets[3].end == 6);
  CHECK(group_rrsets({}).empty());
}

TEST_CASE("canonical: sort agrees with name order and RDATA compare on random records", "[zone][canonical]") {
  std::mt19937 rng(4034);
  const std::vector<std::string> owners = {"a", "A", "b", "a.b", "B.a", "\\000", "\\001.a", "*", "z.z", "@"};
  const std::vector<std::string> rdatas = {"MX 10 a", "MX 10 A", "MX 9 b", "TXT a", "TXT A", "A 192.0.2.1",
                                           "A 192.0.2.10", "NS x", "NS X.example.", "NSEC a A", "NSEC A A"};
  std::string text;
  for (int i = 0; i < 400; ++i) text += owners[rng() % owners.size()] + " " + rdatas[rng() % rdatas.size()] + "\n";
  auto records = read(text);
  sort_canonical(records);
  for (std::size_t i = 0; i + 1 < records.size(); ++i) {
    const auto& a = records[i];
    const auto& b = records[i + 1];
    auto by_owner = a.owner <=> b.owner;
    bool ordered = by_owner < 0 ||
                   (by_owner == 0 && (a.type < b.type ||
                                      (a.type == b.type && compare_canonical_rdata(a.type, a.rdata, b.rdata) <= 0)));
    if (!ordered) FAIL_CHECK(to_text(a) << " is sorted before " << to_text(b));
    if (by_owner == 0 && a.type == b.type && compare_canonical_rdata(a.type, a.rdata, b.rdata) == 0) {
      CHECK(a.loc.line < b.loc.line);  // stable
    }
  }
  // compare_canonical_rdata is antisymmetric.
  for (std::size_t i = 0; i + 1 < records.size(); ++i) {
    const auto& a = records[i];
    const auto& b = records[i + 1];
    if (a.type != b.type) continue;
    CHECK(sign(compare_canonical_rdata(a.type, a.rdata, b.rdata)) ==
          -sign(compare_canonical_rdata(a.type, b.rdata, a.rdata)));
  }
  CHECK(lines_of(records).size() == 400);
}
