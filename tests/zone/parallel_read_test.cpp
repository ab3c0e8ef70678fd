#include <catch2/catch.hpp>

#include <string>

#include "tests/zone/dnssec_test_util.hpp"
#include "zone/errc.hpp"
#include "zone/parallel_read.hpp"

using namespace kskline;
using namespace kskline::zone;
using kskline::test::name;

namespace {

MasterOptions options() {
  MasterOptions o;
  o.origin = name("example.org.");
  return o;
}

// A big splittable zone: one record a line, owner, TTL and class on each.
std::string big_zone() {
  std::string text = "; a signed zone as kskline writes it\n";
  text += "example.org.\t3600\tIN\tSOA\tns1.example.org. h.example.org. 1 7200 3600 1209600 300\n";
  for (int i = 0; i < 40000; ++i) {
    std::string n = "host" + std::to_string(i) + ".example.org.";
    text += n + "\t3600\tIN\tA\t192.0.2." + std::to_string(i % 250) + "\n";
    text += n + "\t300\tIN\tTXT\t\"a (quoted) ; text \\\" " + std::to_string(i) + "\"\n";
    if (i % 1000 == 0) text += "\n   ; an indented comment\n";
  }
  return text;
}

void check_same(const RecordList& a, const RecordList& b) {
  REQUIRE(a.records.size() == b.records.size());
  for (std::size_t i = 0; i < a.records.size(); ++i) {
    REQUIRE(to_text(a.records[i]) == to_text(b.records[i]));
    REQUIRE(a.records[i].loc.line == b.records[i].loc.line);
    REQUIRE(a.where(a.records[i].loc) == b.where(b.records[i].loc));
  }
}

}  // namespace

TEST_CASE("parallel_read: which texts may be split at any line", "[zone][parallel_read]") {
  CHECK(splittable(""));
  CHECK(splittable("www.example.org. 3600 IN A 192.0.2.1\n; comment\n\n  ; indented comment\n"));
  CHECK(splittable("www 60 in TXT \"(not a paren)\" ; (nor this)\n"));
  CHECK_FALSE(splittable("$TTL 3600\nwww 60 IN A 192.0.2.1\n"));
  CHECK_FALSE(splittable("www 60 IN A 192.0.2.1\n  60 IN A 192.0.2.2\n"));  // blank owner
  CHECK_FALSE(splittable("www IN A 192.0.2.1\n"));                          // no TTL
  CHECK_FALSE(splittable("www 1h IN A 192.0.2.1\n"));                       // TTL with units
  CHECK_FALSE(splittable("www 60 A 192.0.2.1\n"));                          // no class
  CHECK_FALSE(splittable("www 60 IN TXT ( \"a\"\n \"b\" )\n"));             // multi-line
  CHECK_FALSE(splittable("www 60 IN TXT \"a\nb\"\n"));                      // quote over lines
}

TEST_CASE("parallel_read: a splittable file reads the same on several threads", "[zone][parallel_read]") {
  test::TempDir dir;
  const std::string file = dir.file("z");
  test::spit(file, big_zone());
  auto serial = read_master_file(file, options());
  REQUIRE(serial);
  for (unsigned threads : {1u, 2u, 3u, 7u}) {
    CAPTURE(threads);
    auto parallel = read_master_file_parallel(file, options(), threads);
    REQUIRE(parallel);
    check_same(*serial, *parallel);
  }
}

TEST_CASE("parallel_read: other files and errors read as the serial reader reads them", "[zone][parallel_read]") {
  test::TempDir dir;
  const std::string file = dir.file("z");
  // Not splittable ($TTL at the top): read serially, same result.
  test::spit(file, "$TTL 60\n" + big_zone());
  auto serial = read_master_file(file, options());
  auto parallel = read_master_file_parallel(file, options(), 4);
  REQUIRE(serial);
  REQUIRE(parallel);
  check_same(*serial, *parallel);
  // An error late in a splittable file: the same file:line message.
  std::string text = big_zone();
  text += "bad.example.org.\t60\tIN\tA\t192.0.2.300\n";
  test::spit(file, text);
  auto e1 = read_master_file(file, options());
  auto e2 = read_master_file_parallel(file, options(), 4);
  REQUIRE_FALSE(e1);
  REQUIRE_FALSE(e2);
  CHECK(e1.error().message() == e2.error().message());
  CHECK_FALSE(read_master_file_parallel(dir.file("missing"), options(), 4));
}

TEST_CASE("parallel_read: the record limit stops a read on several threads where it stops one on one",
          "[zone][parallel_read]") {
  test::TempDir dir;
  const std::string file = dir.file("z");
  const std::string text = big_zone();  // 80,001 records
  test::spit(file, text);
  MasterOptions o = options();
  o.max_records = 80001;
  auto all = read_master_file_parallel(file, o, 4);
  REQUIRE(all);
  CHECK(all->records.size() == 80001);
  o.max_records = 50000;
  auto serial = read_master_file(file, o);
  auto parallel = read_master_file_parallel(file, o, 4);
  REQUIRE_FALSE(serial);
  REQUIRE_FALSE(parallel);
  CHECK(parallel.error().code == errc::zone_too_large);
  CHECK(parallel.error().message() == serial.error().message());
  auto in_memory = read_master_text_parallel(text, file, o, 4);
  REQUIRE_FALSE(in_memory);
  CHECK(in_memory.error().message() == serial.error().message());
}
