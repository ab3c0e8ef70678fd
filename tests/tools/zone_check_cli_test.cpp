// Tests of `kskline zone check FILE --origin Z` through the built binary:
// exit codes, the summary line, "file:line: ..." errors, and the verdicts of
// kzonecheck on the same broken zones.
#include <string>

#include <catch2/catch.hpp>

#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using kskline::test::shell_quote;
using kskline::test::spit;
using Run = kskline::test::CommandResult;
using TempDir = kskline::test::TempDir;

const std::string kData = std::string(KSKLINE_SOURCE_DIR) + "/tests/data/zones/check/";

// `kskline zone check FILE --origin example.com.`
Run zone_check(const std::string& file) {
  return kskline::test::kskline("zone check " + shell_quote(file) + " --origin example.com.");
}

// `kzonecheck -v -o example.com. FILE`; -v prints the loader's "line N" errors.
Run kzonecheck(const std::string& file) { return kskline::test::run("kzonecheck -v -o example.com. " + shell_quote(file)); }

bool have_kzonecheck() { return kskline::test::have_tool("kzonecheck"); }

// The lines a zone starts with: SOA, apex NS and its address (lines 1-5).
const std::string kHead =
    "$ORIGIN example.com.\n"
    "$TTL 3600\n"
    "@    SOA  ns1 hostmaster 1 7200 3600 1209600 300\n"
    "     NS   ns1\n"
    "ns1  A    192.0.2.53\n";

}  // namespace

TEST_CASE("zone check: a good zone exits 0 with the summary line and its counts", "[tools][zone_check]") {
  const std::string file = kData + "good.zone";
  auto r = zone_check(file);
  INFO(r.err);
  CHECK(r.status == 0);
  // Counted by hand, and 17 records is what ldns-read-zone prints too.
  CHECK(r.out == file + ": example.com.: 9 names, 14 RRsets, 17 records, OK\n");
  CHECK(r.err.empty());
}

TEST_CASE("zone check: duplicate records count once and are named in the summary", "[tools][zone_check]") {
  const std::string file = kData + "duplicates.zone";
  auto r = zone_check(file);
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.out == file + ": example.com.: 3 names, 4 RRsets, 4 records (1 duplicate removed), OK\n");
}

TEST_CASE("zone check: a syntax error exits 1 naming file:line, the line kzonecheck names", "[tools][zone_check]") {
  struct Case {
    const char* what;
    std::string tail;  // after kHead's five lines
    int line;
  };
  const Case cases[] = {
      {"bad IPv4 address", "www  A  192.0.2.300\n", 6},
      {"unknown type", "www  FOO  1\n", 6},
      {"bad TTL", "\nwww  12x  A  192.0.2.3\n", 7},
      {"label over 63 octets", std::string(70, 'a') + "  A  192.0.2.3\n", 6},
      {"bad base64", "k  DNSKEY  257 3 13 !!!!\n", 6},
      {"missing RDATA field", "; a comment\nmx  MX  10\n", 7},
      {"quote not closed", "www  TXT  \"abc\nmail  A  192.0.2.9\n", 6},
      {"error after a multi-line record", "www  TXT  ( \"a\"\n  \"b\" )\nmail  A  192.0.2.999\n", 8},
  };
  TempDir dir;
  for (const auto& c : cases) {
    const std::string file = dir.file("broken.zone");
    spit(file, kHead + c.tail);
    auto r = zone_check(file);
    INFO(c.what << ": " << r.out << r.err);
    CHECK(r.status == 1);
    CHECK(r.out.empty());
    CHECK(r.err.rfind("kskline: " + file + ":" + std::to_string(c.line) + ": ", 0) == 0);
    if (have_kzonecheck()) {
      auto k = kzonecheck(file);
      INFO("kzonecheck: " << k.out << k.err);
      CHECK(k.status != 0);
      CHECK((k.out + k.err).find("line " + std::to_string(c.line) + " (") != std::string::npos);
    }
  }
}

TEST_CASE("zone check: an unclosed parenthesis names the line that opened it", "[tools][zone_check]") {
  TempDir dir;
  const std::string file = dir.file("paren.zone");
  spit(file, kHead + "www  TXT  ( \"a\"\n\nmail  A  192.0.2.9\n");
  auto r = zone_check(file);
  CHECK(r.status == 1);
  CHECK(r.err.rfind("kskline: " + file + ":6: ", 0) == 0);
  // kzonecheck rejects it too, naming the end of the file (line 9) instead.
  if (have_kzonecheck()) CHECK(kzonecheck(file).status != 0);
}

TEST_CASE("zone check: an error in an $INCLUDEd file names that file and its line", "[tools][zone_check]") {
  auto r = zone_check(kData + "include.zone");
  INFO(r.err);
  CHECK(r.status == 1);
  CHECK(r.err.rfind("kskline: " + kData + "include_broken.inc:3: ", 0) == 0);
  if (have_kzonecheck()) CHECK(kzonecheck(kData + "include.zone").status != 0);
}

TEST_CASE("zone check: a missing file is a clear error and exit 1", "[tools][zone_check]") {
  TempDir dir;
  const std::string file = dir.file("no-such.zone");
  auto r = zone_check(file);
  CHECK(r.status == 1);
  CHECK(r.out.empty());
  CHECK(r.err.find(file) != std::string::npos);
  CHECK(r.err.find("No such file or directory") != std::string::npos);
}

TEST_CASE("zone check: out-of-zone data is reported with file:line", "[tools][zone_check]") {
  TempDir dir;
  const std::string file = dir.file("out.zone");
  spit(file, kHead + "www  A  192.0.2.80\nwww.example.org.  A  192.0.2.81\n");
  auto r = zone_check(file);
  CHECK(r.status == 1);
  CHECK(r.err.find("kskline: " + file + ":7: www.example.org. A is outside the zone example.com.") !=
        std::string::npos);
  CHECK(r.err.find("1 problem found") != std::string::npos);
  // The summary still says what was read, without ", OK".
  CHECK(r.out == file + ": example.com.: 4 names, 5 RRsets, 5 records\n");
  // The verdicts differ here on purpose: kzonecheck (Knot 3.2) and
  // named-checkzone (BIND 9.18) both warn "ignoring out-of-zone data" and exit
  // 0; kskline refuses, since data it would drop is an error in the file.
  if (have_kzonecheck()) {
    auto k = kzonecheck(file);
    CHECK(k.status == 0);
    CHECK((k.out + k.err).find("out-of-zone") != std::string::npos);
  }
}

TEST_CASE("zone check: CNAME beside other data is reported with file:line", "[tools][zone_check]") {
  TempDir dir;
  const std::string file = dir.file("cname.zone");
  spit(file, kHead + "www  CNAME  ns1\nmail  A  192.0.2.25\nwww  A  192.0.2.80\n");
  auto r = zone_check(file);
  CHECK(r.status == 1);
  CHECK(r.err.find("kskline: " + file + ":6: CNAME at www.example.com. beside other data (A at " + file + ":8)") !=
        std::string::npos);
  if (have_kzonecheck()) {
    auto k = kzonecheck(file);
    CHECK(k.status != 0);
    CHECK((k.out + k.err).find("another record exists beside CNAME") != std::string::npos);
  }
}

TEST_CASE("zone check: kzonecheck also rejects the zones it finds semantically broken", "[tools][zone_check]") {
  struct Case {
    const char* what;
    std::string text;
    std::string ours;    // in our error
    std::string theirs;  // in kzonecheck's report
  };
  const Case cases[] = {
      {"two CNAMEs", kHead + "www  CNAME  a.example.net.\nwww  CNAME  b.example.net.\n", ":7: more than one CNAME",
       "multiple CNAME records"},
      {"two DNAMEs", kHead + "d  DNAME  a.example.net.\nd  DNAME  b.example.net.\n", ":7: more than one DNAME",
       "multiple DNAME records"},
      {"no SOA", "$ORIGIN example.com.\n$TTL 3600\n@  NS  ns1\nns1  A  192.0.2.53\n", "no SOA record at the apex",
       "missing SOA at the zone apex"},
      {"no apex NS", "$ORIGIN example.com.\n$TTL 3600\n@  SOA  ns1 h 1 2 3 4 5\nns1  A  192.0.2.53\n",
       "no NS records at the apex", "missing NS at the zone apex"},
  };
  TempDir dir;
  for (const auto& c : cases) {
    const std::string file = dir.file("broken.zone");
    spit(file, c.text);
    auto r = zone_check(file);
    INFO(c.what << ": " << r.err);
    CHECK(r.status == 1);
    CHECK(r.err.find(c.ours) != std::string::npos);
    if (have_kzonecheck()) {
      auto k = kzonecheck(file);
      INFO("kzonecheck: " << k.out << k.err);
      CHECK(k.status != 0);
      CHECK((k.out + k.err).find(c.theirs) != std::string::npos);
    }
  }
}

TEST_CASE("zone check: a zone over --max-records and an RRset over 65,535 octets exit 1 naming file:line",
          "[tools][zone_check]") {
  TempDir dir;
  const std::string file = dir.file("z");
  spit(file, kHead + "www A 192.0.2.1\nwww A 192.0.2.2\n");
  auto fits = kskline::test::kskline("zone check " + shell_quote(file) + " --origin example.com. --max-records 5");
  CHECK(fits.status == 0);
  auto over = kskline::test::kskline("zone check " + shell_quote(file) + " --origin example.com. --max-records 4");
  CHECK(over.status == 1);
  CHECK(over.err == "kskline: " + file + ":7: more than 4 records, the limit of one zone (--max-records raises it)\n");
  CHECK(kskline::test::kskline("zone check " + shell_quote(file) + " --origin example.com. --max-records 0").status == 2);
  // 300 TXT records of 17 + 10 + 232 octets: the 254th takes the RRset over 65,535.
  std::string big = kHead;
  for (int i = 0; i < 300; ++i) big += "big TXT \"" + std::to_string(1000 + i) + std::string(227, 'a') + "\"\n";
  spit(file, big);
  auto rrset = zone_check(file);
  CHECK(rrset.status == 1);
  CHECK(rrset.err.find("kskline: " + file + ":259: the RRset big.example.com. TXT (300 records) goes over 65535") !=
        std::string::npos);
}

TEST_CASE("zone check: a wrong command line prints usage and exits 2", "[tools][zone_check]") {
  const std::string good = shell_quote(kData + "good.zone");
  for (const std::string& args : {std::string(), std::string("zone"), std::string("zone check"),
                                 "zone check " + good, "zone check " + good + " --origin example.com. --bogus",
                                 "zone check " + good + " " + good + " --origin example.com."}) {
    auto r = kskline::test::kskline(args);
    INFO("kskline " << args << ": " << r.out << r.err);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(!r.err.empty());
  }
  auto help = kskline::test::kskline("zone check --help");
  CHECK(help.status == 0);
  CHECK(help.out.find("--origin") != std::string::npos);
}
