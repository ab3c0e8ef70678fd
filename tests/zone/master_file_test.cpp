#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "base/encoding.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/zone/limits_test_util.hpp"
#include "zone/errc.hpp"
#include "zone/master_file.hpp"
#include "zone/rdata.hpp"
#include "zone/record.hpp"

using namespace kskline;
using namespace kskline::zone;

namespace {

Name N(std::string_view text) {
  auto name = Name::parse(text);
  REQUIRE(name);
  return *name;
}

MasterOptions options_for(std::string_view origin) {
  MasterOptions options;
  options.origin = N(origin);
  return options;
}

RecordList read_ok(std::string_view text, std::string_view origin = "example.") {
  auto r = read_master_text(text, "zone.db", options_for(origin));
  INFO(text);
  if (!r) INFO("error: " << r.error().where << ": " << r.error().message());
  REQUIRE(r);
  return *r;
}

Error read_error(std::string_view text, std::string_view origin = "example.") {
  auto r = read_master_text(text, "zone.db", options_for(origin));
  INFO(text);
  if (r) INFO("read " << r->records.size() << " records");
  REQUIRE_FALSE(r);
  return r.error();
}

std::string rdata_text(const Record& r) { return rdata_to_text(r.type, r.rdata); }

// The shared temporary directory, its path as a std::filesystem::path, with a
// writer of files (and their parent directories) inside it.
class TempDir : public test::TempDir {
 public:
  TempDir() : test::TempDir("kskline-master-test") {}

  std::filesystem::path path() const { return test::TempDir::path(); }
  std::string write(const std::string& name, const std::string& text) const {
    auto file = path() / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file.string();
  }
};

const char* const kHead = "$TTL 300\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\n";  // three lines

}  // namespace

TEST_CASE("master_file: records come in file order with owner, TTL, type and source line", "[zone][master_file]") {
  auto list = read_ok(std::string(kHead) + "ns A 192.0.2.1\n\nwww 60 IN AAAA 2001:db8::1\n");
  REQUIRE(list.records.size() == 4);
  REQUIRE(list.files == std::vector<std::string>{"zone.db"});
  const auto& soa = list.records[0];
  CHECK(soa.owner == N("example."));
  CHECK(soa.type == rrtype::SOA);
  CHECK(soa.rclass == kClassIN);
  CHECK(soa.ttl == 300);
  CHECK(list.where(soa.loc) == "zone.db:2");
  CHECK(rdata_text(soa) == "ns.example. hm.example. 1 2 3 4 5");
  CHECK(list.records[2].owner == N("ns.example."));
  CHECK(list.where(list.records[3].loc) == "zone.db:6");
  CHECK(list.records[3].ttl == 60);
  CHECK(rdata_text(list.records[3]) == "2001:db8::1");
}

TEST_CASE("master_file: $ORIGIN changes the origin, relative to the current one", "[zone][master_file]") {
  auto list = read_ok(
      "$TTL 300\n"
      "a A 192.0.2.1\n"
      "$ORIGIN sub\n"  // relative: sub.example.
      "b A 192.0.2.2\n"
      "@ MX 10 mx\n"
      "$ORIGIN other.org.\n"
      "c CNAME d\n");
  REQUIRE(list.records.size() == 4);
  CHECK(list.records[0].owner == N("a.example."));
  CHECK(list.records[1].owner == N("b.sub.example."));
  CHECK(list.records[2].owner == N("sub.example."));
  CHECK(rdata_text(list.records[2]) == "10 mx.sub.example.");
  CHECK(list.records[3].owner == N("c.other.org."));
  CHECK(rdata_text(list.records[3]) == "d.other.org.");
}

TEST_CASE("master_file: $TTL gives the TTL of records without one", "[zone][master_file]") {
  auto list = read_ok(
      "$TTL 1h\n"
      "a A 192.0.2.1\n"
      "b 60 A 192.0.2.2\n"
      "c A 192.0.2.3\n"  // $TTL again, not b's TTL
      "$TTL 2D\n"
      "d A 192.0.2.4\n");
  REQUIRE(list.records.size() == 4);
  CHECK(list.records[0].ttl == 3600);
  CHECK(list.records[1].ttl == 60);
  CHECK(list.records[2].ttl == 3600);
  CHECK(list.records[3].ttl == 172800);
  MasterOptions options = options_for("example.");
  options.default_ttl = 42;
  auto preset = read_master_text("a A 192.0.2.1\n", "zone.db", options);
  REQUIRE(preset);
  CHECK(preset->records[0].ttl == 42);
}

TEST_CASE("master_file: owner, TTL and class are inherited, '@' is the origin", "[zone][master_file]") {
  auto list = read_ok(
      "$TTL 300\n"
      "@ SOA ns hm 1 2 3 4 5\n"
      "  NS ns\n"           // owner of the previous entry
      "\tNS ns2 ; comment\n"
      "www 60 A 192.0.2.1\n"
      "    A 192.0.2.2\n"   // owner www, $TTL (not 60)
      "    120 IN TXT x\n");
  REQUIRE(list.records.size() == 6);
  CHECK(list.records[1].owner == N("example."));
  CHECK(list.records[2].owner == N("example."));
  CHECK(rdata_text(list.records[2]) == "ns2.example.");
  CHECK(list.records[4].owner == N("www.example."));
  CHECK(list.records[4].ttl == 300);
  CHECK(list.records[5].owner == N("www.example."));
  CHECK(list.records[5].ttl == 120);

  // Without $TTL, a record without a TTL takes the previous record's (RFC 1035).
  auto old = read_ok(
      "@ 100 SOA ns hm 1 2 3 4 5\n"
      "@ NS ns\n"
      "www 60 A 192.0.2.1\n"
      "mail A 192.0.2.2\n");
  CHECK(old.records[1].ttl == 100);
  CHECK(old.records[3].ttl == 60);
}

TEST_CASE("master_file: CRLF line ends and a missing final newline are fine", "[zone][master_file]") {
  auto list = read_ok("$TTL 300\r\n@ SOA ns hm ( 1 2\r\n 3 4 5 )\r\n\r\n  NS ns\r\nwww TXT \"a b\"\r\nlast A 192.0.2.1");
  REQUIRE(list.records.size() == 4);
  CHECK(list.records[1].owner == N("example."));
  CHECK(rdata_text(list.records[2]) == "\"a b\"");
  CHECK(list.where(list.records[3].loc) == "zone.db:7");
  auto e = read_error("$TTL 300\r\n\r\nwww A 192.0.2\r\n");
  CHECK(e.where == "zone.db:3");
}

TEST_CASE("master_file: TTL and class come in either order", "[zone][master_file]") {
  for (std::string line : {"www 300 IN A 192.0.2.1", "www IN 300 A 192.0.2.1", "www 5m in A 192.0.2.1",
                           "www 300 A 192.0.2.1", "www IN 5M A 192.0.2.1", "www CLASS1 300 A 192.0.2.1",
                           "www 300 class1 A 192.0.2.1", "www 300 IN a 192.0.2.1", "www 300 IN TYPE1 192.0.2.1",
                           "www 300 IN A \\# 4 c0000201"}) {
    CAPTURE(line);
    auto list = read_ok("$TTL 1\n" + line + "\n");
    REQUIRE(list.records.size() == 1);
    const auto& r = list.records[0];
    CHECK(r.owner == N("www.example."));
    CHECK(r.ttl == 300);
    CHECK(r.rclass == kClassIN);
    CHECK(r.type == rrtype::A);
    CHECK(rdata_text(r) == "192.0.2.1");
  }
  // The implicit TTL with an explicit class.
  auto list = read_ok("$TTL 77\nwww IN A 192.0.2.1\n");
  CHECK(list.records[0].ttl == 77);
}

TEST_CASE("master_file: without $TTL or a TTL the SOA takes its MINIMUM", "[zone][master_file]") {
  auto list = read_ok(
      "@ SOA ns hm 1 2 3 4 3600\n"
      "@ NS ns\n"                 // the previous record's TTL: 3600
      "www 60 A 192.0.2.1\n"
      "mail A 192.0.2.2\n");     // the previous record's TTL: 60 (as ldns; BIND would use 3600)
  REQUIRE(list.records.size() == 4);
  CHECK(list.records[0].ttl == 3600);
  CHECK(list.records[1].ttl == 3600);
  CHECK(list.records[2].ttl == 60);
  CHECK(list.records[3].ttl == 60);
  // A SOA with its own TTL keeps it.
  CHECK(read_ok("@ 99 SOA ns hm 1 2 3 4 3600\n").records[0].ttl == 99);
  // No TTL at all before the first record is an error at its line.
  auto e = read_error("\n; nothing yet\nwww A 192.0.2.1\n");
  CHECK(e.code == errc::bad_ttl);
  CHECK(e.where == "zone.db:3");
}

TEST_CASE("master_file: class IN or CLASS1 only", "[zone][master_file]") {
  CHECK(read_ok("$TTL 1\nwww CLASS1 A 192.0.2.1\n").records.size() == 1);
  for (std::string cls : {"CH", "HS", "CLASS3", "CLASS255", "ch"}) {
    CAPTURE(cls);
    auto e = read_error("$TTL 1\nwww " + cls + " TXT x\n");
    CHECK(e.code == errc::unknown_class);
    CHECK(e.where == "zone.db:2");
  }
  // After the TTL too.
  CHECK(read_error("$TTL 1\nwww 300 CH TXT x\n").code == errc::unknown_class);
}

TEST_CASE("master_file: unknown and meta types are refused", "[zone][master_file]") {
  for (std::string type : {"FOO", "TYPE65536", "ANY", "AXFR", "TYPE255", "TYPE128", "OPT", "TYPE41", "TYPE0", "TYPEx"}) {
    CAPTURE(type);
    auto e = read_error(std::string(kHead) + "www " + type + " \\# 0\n");
    CHECK(e.code == errc::unknown_type);
    CHECK(e.where == "zone.db:4");
  }
  // Types without a row are fine in generic form.
  auto list = read_ok(std::string(kHead) + "www TYPE65432 \\# 2 abcd\n");
  CHECK(list.records[2].type == 65432);
}

TEST_CASE("master_file: $GENERATE and unknown directives are refused clearly", "[zone][master_file]") {
  auto e = read_error(std::string(kHead) + "$GENERATE 1-10 host$ A 192.0.2.$\n");
  CHECK(e.code == errc::syntax);
  CHECK(e.where == "zone.db:4");
  CHECK(e.detail.find("$GENERATE") != std::string::npos);
  auto unknown = read_error("$FOO bar\n");
  CHECK(unknown.code == errc::syntax);
  CHECK(unknown.where == "zone.db:1");
  CHECK(unknown.detail.find("$FOO") != std::string::npos);
}

TEST_CASE("master_file: $INCLUDE reads a file relative to the including file", "[zone][master_file]") {
  TempDir dir;
  dir.write("sub/hosts.db", "www A 192.0.2.1\n  AAAA 2001:db8::1\n$ORIGIN inner\n$INCLUDE more.db\n");
  dir.write("sub/more.db", "x TXT in\n");  // relative to sub/, where hosts.db is
  dir.write("sub/second.db", "mail A 192.0.2.2\n");
  auto top = dir.write("zone.db",
                       "$TTL 300\n"
                       "$ORIGIN example.\n"
                       "@ SOA ns hm 1 2 3 4 5\n"
                       "$INCLUDE sub/hosts.db\n"
                       "after A 192.0.2.9\n"          // $ORIGIN in the include does not leak out
                       "$INCLUDE sub/second.db other.org.\n"
                       "last A 192.0.2.10\n");
  auto r = read_master_file(top, options_for("."));
  if (!r) INFO(r.error().message());
  REQUIRE(r);
  const auto& recs = r->records;
  REQUIRE(recs.size() == 7);
  CHECK(recs[1].owner == N("www.example."));
  CHECK(recs[2].owner == N("www.example."));
  CHECK(recs[2].type == rrtype::AAAA);
  CHECK(recs[3].owner == N("x.inner.example."));  // the including file's $ORIGIN
  CHECK(r->where(recs[3].loc) == (dir.path() / "sub/more.db").string() + ":1");
  CHECK(recs[4].owner == N("after.example."));
  CHECK(recs[5].owner == N("mail.other.org."));  // the origin argument
  CHECK(recs[6].owner == N("last.example."));
  CHECK(recs[1].ttl == 300);  // $TTL carries into the include
  CHECK(r->where(recs[1].loc) == (dir.path() / "sub/hosts.db").string() + ":1");
  CHECK(r->where(recs[5].loc) == (dir.path() / "sub/second.db").string() + ":1");
  CHECK(r->where(recs[6].loc) == top + ":7");
  // An included file's error names that file and line.
  dir.write("sub/bad.db", "ok A 192.0.2.1\nbad A 192.0.2\n");
  auto bad_top = dir.write("bad_top.db", "$TTL 1\n$INCLUDE sub/bad.db\n");
  auto bad = read_master_file(bad_top, options_for("example."));
  REQUIRE_FALSE(bad);
  CHECK(bad.error().where == (dir.path() / "sub/bad.db").string() + ":2");
  // A missing include is reported at the $INCLUDE line.
  auto missing_top = dir.write("missing_top.db", "$TTL 1\n\n$INCLUDE nowhere.db\n");
  auto missing = read_master_file(missing_top, options_for("example."));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == errc::include_failed);
  CHECK(missing.error().where == missing_top + ":3");
  // An absolute path is used as it is.
  auto abs_top = dir.write("abs_top.db", "$TTL 1\n$INCLUDE " + (dir.path() / "sub/second.db").string() + "\n");
  auto abs = read_master_file(abs_top, options_for("example."));
  REQUIRE(abs);
  CHECK(abs->records.at(0).owner == N("mail.example."));
  auto from_text = read_master_text("$TTL 1\n$INCLUDE " + (dir.path() / "sub/second.db").string() + "\n", "zone.db",
                                    options_for("example."));
  REQUIRE(from_text);
  CHECK(from_text->files.size() == 2);
  CHECK(from_text->records.at(0).owner == N("mail.example."));
}

TEST_CASE("master_file: $INCLUDE has a depth limit that stops cycles, and can be disabled", "[zone][master_file]") {
  TempDir dir;
  // a.db -> b.db -> a.db -> ...
  auto a = dir.write("a.db", "$TTL 1\na TXT a\n$INCLUDE b.db\n");
  dir.write("b.db", "b TXT b\n$INCLUDE a.db\n");
  auto cycle = read_master_file(a, options_for("example."));
  REQUIRE_FALSE(cycle);
  CHECK(cycle.error().code == errc::include_failed);
  CHECK(cycle.error().detail.find("deeper") != std::string::npos);

  // A chain exactly as deep as the limit is fine, one more level is not.
  MasterOptions options = options_for("example.");
  options.max_include_depth = 3;
  dir.write("d3.db", "d3 TXT x\n");
  dir.write("d2.db", "$INCLUDE d3.db\n");
  dir.write("d1.db", "$INCLUDE d2.db\n");
  auto top3 = dir.write("top3.db", "$TTL 1\n$INCLUDE d1.db\n");
  auto ok = read_master_file(top3, options);
  REQUIRE(ok);
  CHECK(ok->records.size() == 1);
  dir.write("d0.db", "$INCLUDE d1.db\n");
  auto top4 = dir.write("top4.db", "$TTL 1\n$INCLUDE d0.db\n");
  auto deep = read_master_file(top4, options);
  REQUIRE_FALSE(deep);
  CHECK(deep.error().code == errc::include_failed);
  CHECK(deep.error().where == (dir.path() / "d2.db").string() + ":1");

  MasterOptions off = options_for("example.");
  off.allow_include = false;
  auto disabled = read_master_file(top3, off);
  REQUIRE_FALSE(disabled);
  CHECK(disabled.error().code == errc::include_failed);
  CHECK(disabled.error().where == top3 + ":2");
  auto text = read_master_text("$TTL 1\n$INCLUDE /etc/passwd\n", "zone.db", off);
  REQUIRE_FALSE(text);
  CHECK(text.error().where == "zone.db:2");
}

TEST_CASE("master_file: more records than max_records is zone_too_large at the record over it", "[zone][master_file]") {
  MasterOptions options = options_for("example.");
  options.max_records = 10;
  auto ok = read_master_text(test::zone_of_records(10), "zone.db", options);
  REQUIRE(ok);
  CHECK(ok->records.size() == 10);
  auto over = read_master_text(test::zone_of_records(11), "zone.db", options);
  REQUIRE_FALSE(over);
  CHECK(over.error().code == errc::zone_too_large);
  CHECK(over.error().where == "zone.db:12");  // the eleventh record
  CHECK(over.error().detail.find("more than 10 records") != std::string::npos);
  // Records of $INCLUDEd files count with the including file's.
  TempDir dir;
  dir.write("six.db", test::zone_of_records(6));
  auto top = dir.write("top.db", "$TTL 300\n$INCLUDE six.db\nx A 192.0.2.1\ny A 192.0.2.1\nz A 192.0.2.1\n");
  options.max_records = 8;
  auto included = read_master_file(top, options);
  REQUIRE_FALSE(included);
  CHECK(included.error().code == errc::zone_too_large);
  CHECK(included.error().where == top + ":5");  // z, the ninth
  // The default is far above any test zone.
  CHECK(options_for("example.").max_records == kDefaultMaxRecords);
}

TEST_CASE("master_file: a missing top-level file is an error naming it", "[zone][master_file]") {
  TempDir dir;
  auto r = read_master_file((dir.path() / "absent.db").string(), options_for("example."));
  REQUIRE_FALSE(r);
  CHECK(r.error().where.find("absent.db") != std::string::npos);
}

TEST_CASE("master_file: every kind of malformed input names its file and line", "[zone][master_file]") {
  struct Case {
    std::string text;  // after kHead's three lines
    int line;          // the offending line, counting kHead
    errc code;
  };
  const std::vector<Case> cases = {
      {"a..b A 192.0.2.1\n", 4, errc::bad_name},
      {"\\256 A 192.0.2.1\n", 4, errc::bad_name},
      {"\"www\" A 192.0.2.1\n", 4, errc::bad_name},
      {std::string(64, 'x') + " A 192.0.2.1\n", 4, errc::label_too_long},
      {"www 1x A 192.0.2.1\n", 4, errc::bad_ttl},
      {"www 2147483648 A 192.0.2.1\n", 4, errc::bad_ttl},
      {"www 300\n", 4, errc::syntax},
      {"www 300 IN\n", 4, errc::syntax},
      {"www A\n", 4, errc::bad_rdata},
      {"www MX 10\n", 4, errc::bad_rdata},
      {"www A 192.0.2.1 extra\n", 4, errc::bad_rdata},
      {"www A 192.0.2\n", 4, errc::bad_rdata},
      {"www AAAA 2001:db8::zz\n", 4, errc::bad_rdata},
      {"@ DNSKEY 257 3 8 AwEA*cMn\n", 4, errc::bad_rdata},
      {"@ DS 1 8 2 abc\n", 4, errc::bad_rdata},
      {"www TXT \"abc\n", 4, errc::syntax},
      {"www TXT \"" + std::string(256, 'x') + "\"\n", 4, errc::bad_rdata},
      {"www A 192.0.2.1 )\n", 4, errc::syntax},
      {"www FOO 1\n", 4, errc::unknown_type},
      {"www CLASS3 A 192.0.2.1\n", 4, errc::unknown_class},
      {"www RRSIG A 8 2 300 20231301000000 20230101000000 1 example. AA==\n", 4, errc::bad_rdata},
      {"www MX 65536 mx\n", 4, errc::bad_rdata},
      {"www TYPE65432 \\# 3 abcd\n", 4, errc::bad_rdata},
      {"www A \\# 3 abcdef\n", 4, errc::bad_rdata},
      {"www SVCB 1 . alpn=\n", 4, errc::bad_rdata},
      {"www CAA 0 bad-tag x\n", 4, errc::bad_rdata},
      {"$TTL 1x\n", 4, errc::bad_ttl},
      {"$TTL\n", 4, errc::syntax},
      {"$TTL 1 2\n", 4, errc::syntax},
      {"$ORIGIN a..b.\n", 4, errc::bad_name},
      {"$ORIGIN\n", 4, errc::syntax},
      {"$INCLUDE\n", 4, errc::syntax},
      {"$BOGUS\n", 4, errc::syntax},
      {"www A 192.0.2.1\nwww A\n", 5, errc::bad_rdata},
      {"\n\n; comment\nwww A 192.0.2.1 ; ok\nbad A x\n", 8, errc::bad_rdata},
      {"www SOA ns hm (\n 1\n 2x\n 3 4 5 )\n", 6, errc::bad_rdata},
      {"www TXT ( \"a\"\n \"b\" \"c\n", 5, errc::syntax},
      {"www TXT ( a\n b\n", 4, errc::syntax},            // '(' never closed: its line
      {"www TXT a\n\n ) b\n", 6, errc::syntax},
      {"www A 192.0.2.1\n  A \\# 4 c00002\n", 5, errc::bad_rdata},
      {"www NSEC next.example. A BOGUS\n", 4, errc::bad_rdata},
      {"www NSEC3 1 0 0 xyz 2vptu5timamqttgl4luu9kg21e0aor3s\n", 4, errc::bad_rdata},
      {"www EUI48 00-00-5e-00-53\n", 4, errc::bad_rdata},
      {"www A 192.0.2.1\\\n", 4, errc::syntax},
      {std::string("www A 192.0.2.1\0\n", 17), 4, errc::bad_rdata},
  };
  for (const auto& c : cases) {
    std::string text = std::string(kHead) + c.text + "ok A 192.0.2.200\n";
    CAPTURE(c.text);
    auto e = read_error(text);
    CHECK(e.where == "zone.db:" + std::to_string(c.line));
    CHECK(e.code == c.code);
    CHECK_FALSE(e.detail.empty());
  }
  // A record with no owner to inherit.
  auto no_owner = read_error("$TTL 1\n  A 192.0.2.1\n");
  CHECK(no_owner.where == "zone.db:2");
}

TEST_CASE("master_file: random mutations of a zone parse or fail with a place, never crash", "[zone][master_file]") {
  const std::string zone =
      "$ORIGIN example.\n"
      "$TTL 3600\n"
      "@ IN SOA ns1 hostmaster ( 2024010101 ; serial\n"
      "        7200 3600 1209600 3600 )\n"
      "  NS ns1\n"
      "  NS ns2.example.net.\n"
      "  MX 10 mail\n"
      "  TXT \"v=spf1 -all\" \"a \\\"quoted\\\" string\"\n"
      "  DNSKEY 257 3 13 ( mdsswUyr3DPW132mOi8V9xESWE8jTo0d\n"
      "          xCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ== )\n"
      "  CAA 0 issue \"letsencrypt.org\"\n"
      "  HTTPS 1 . alpn=\"h2,h3\" ipv4hint=192.0.2.1 port=443\n"
      "ns1 300 A 192.0.2.1\n"
      "    AAAA 2001:db8::1\n"
      "mail IN 300 A 192.0.2.2\n"
      "www CNAME @\n"
      "_sip._udp SRV 0 5 5060 sip\n"
      "sub DS 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118\n"
      "sub NS ns.sub\n"
      "ns.sub A 192.0.2.3\n"
      "@ NSEC www A NS SOA MX TXT RRSIG NSEC DNSKEY\n"
      "@ RRSIG SOA 13 1 3600 20240101000000 1700000000 12345 example. dGVzdA==\n"
      "hash NSEC3 1 0 0 - 2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG\n"
      "x TYPE65432 \\# 3 010203\n"
      "h HINFO \"PC\" Linux\n"
      "n NAPTR 100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:x@example.com!\" .\n"
      "e EUI48 00-00-5e-00-53-2a\n"
      "$ORIGIN sub2\n"
      "a A 192.0.2.4\n";
  auto base = read_master_text(zone, "fuzz.zone", options_for("."));
  if (!base) INFO(base.error().message());
  REQUIRE(base);
  REQUIRE(base->records.size() == 24);

  MasterOptions options = options_for(".");
  options.allow_include = false;
  std::mt19937 rng(1035);
  static const char kInteresting[] = "()\";\\.@$ \t\n\r0123456789aZ#=,-+/\x00\x7f\xff";
  const std::string interesting(kInteresting, sizeof kInteresting - 1);
  std::size_t accepted = 0, refused = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text = zone;
    int edits = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < edits && !text.empty(); ++k) {
      std::size_t at = rng() % text.size();
      switch (rng() % 5) {
        case 0: text[at] = interesting[rng() % interesting.size()]; break;
        case 1: text[at] = static_cast<char>(rng() & 0xff); break;
        case 2: text.erase(at, 1); break;
        case 3: text.insert(at, 1, interesting[rng() % interesting.size()]); break;
        case 4: text.resize(at); break;
      }
    }
    auto r = read_master_text(text, "fuzz.zone", options);
    if (!r) {
      ++refused;
      const auto& where = r.error().where;
      if (where.rfind("fuzz.zone:", 0) != 0) FAIL_CHECK("round " << round << ": where is '" << where << "'");
      continue;
    }
    ++accepted;
    // What is accepted is valid, and prints to text that reads back the same.
    for (const auto& rec : r->records) {
      if (!validate_rdata(rec.type, rec.rdata)) FAIL_CHECK("round " << round << ": invalid RDATA kept");
      auto again = read_master_text(to_text(rec) + "\n", "again", options);
      if (!again || again->records.size() != 1 || !(again->records[0].owner == rec.owner) ||
          again->records[0].owner.wire_string() != rec.owner.wire_string() || again->records[0].type != rec.type ||
          again->records[0].ttl != rec.ttl || again->records[0].rdata != rec.rdata) {
        FAIL_CHECK("round " << round << ": " << to_text(rec) << " does not read back");
      }
    }
  }
  CHECK(accepted > 1000);
  CHECK(refused > 1000);
}
