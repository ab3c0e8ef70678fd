#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "zone/master_file.hpp"
#include "zone/rdata.hpp"
#include "zone/record.hpp"

using namespace kskline;
using namespace kskline::zone;

namespace {

RecordList read(std::string_view text, std::string_view origin = "example.") {
  MasterOptions options;
  options.origin = *Name::parse(origin);
  options.default_ttl = 3600;
  auto r = read_master_text(text, "zone.db", options);
  if (!r) INFO(r.error().message());
  REQUIRE(r);
  return *r;
}

}  // namespace

TEST_CASE("record: to_text is owner, TTL, class, type and RDATA separated by tabs", "[zone][record]") {
  auto list = read("www 300 MX 10 mail\n");
  REQUIRE(list.records.size() == 1);
  CHECK(to_text(list.records[0]) == "www.example.\t300\tIN\tMX\t10 mail.example.");
  std::string out = "x";
  append_text(list.records[0], out);
  CHECK(out == "xwww.example.\t300\tIN\tMX\t10 mail.example.\n");

  Record r;
  r.owner = *Name::parse("a\\ b.example.");
  r.type = 65432;
  r.ttl = 0;
  r.rdata = {0x0a, 0x00, 0x00, 0x01};
  CHECK(to_text(r) == "a\\032b.example.\t0\tIN\tTYPE65432\t\\# 4 0A000001");
  r.rclass = 3;
  CHECK(to_text(r) == "a\\032b.example.\t0\tCH\tTYPE65432\t\\# 4 0A000001");
}

TEST_CASE("record: to_text reads back as the identical record", "[zone][record]") {
  auto list = read(
      "@ SOA ns hm 2024010101 1h 30m 1w 1d\n"
      "@ NS ns\n"
      "@ 2147483647 TXT \"a \\\"b\\\" \\\\ ; ( ) \\000\\255\" x\n"
      "\\@\\$\\(\\)\\;\\\"\\\\\\032\\000. A 192.0.2.1\n"  // owner with every special
      "Mixed.Case 60 CNAME Target.Example.\n"
      "* MX 0 .\n"
      "@ DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==\n"
      "@ RRSIG DNSKEY 13 1 3600 21060207062815 19700101000000 12345 example. dGVzdA==\n"
      "@ NSEC a.example. A NS SOA TXT RRSIG NSEC DNSKEY TYPE65535\n"
      "h NSEC3 1 1 0 - 2vptu5timamqttgl4luu9kg21e0aor3s\n"
      "s HTTPS 1 . alpn=\"h2,h\\\\\\\\3\\\\,x\" ipv6hint=::1 key9=\"a b\"\n"
      "c CAA 128 issue \";\"\n"
      "e TYPE65432 \\# 0\n"
      "f DS \\# 4 ec450501\n"
      "u URI 1 1 \"\"\n",
      "example.");
  REQUIRE(list.records.size() == 15);
  for (const auto& rec : list.records) {
    std::string text = to_text(rec);
    CAPTURE(text);
    // Exactly five tab-separated fields.
    CHECK(std::count(text.begin(), text.end(), '\t') == 4);
    CHECK(text.find('\n') == std::string::npos);
    MasterOptions options;
    options.origin = Name();  // the owner is absolute
    auto again = read_master_text(text + "\n", "again", options);
    if (!again) INFO(again.error().message());
    REQUIRE(again);
    REQUIRE(again->records.size() == 1);
    const auto& back = again->records[0];
    CHECK(back.owner.wire_string() == rec.owner.wire_string());  // case kept
    CHECK(back.type == rec.type);
    CHECK(back.rclass == rec.rclass);
    CHECK(back.ttl == rec.ttl);
    CHECK(back.rdata == rec.rdata);
    CHECK(to_text(back) == text);
  }
}

TEST_CASE("record: RecordList::where names file and line", "[zone][record]") {
  RecordList list;
  list.files = {"a.db", "b.db"};
  CHECK(list.where(SourceLoc{0, 12}) == "a.db:12");
  CHECK(list.where(SourceLoc{1, 1}) == "b.db:1");
  CHECK(list.where(SourceLoc{1, 0}) == "b.db");
  CHECK(list.where(SourceLoc{7, 3}) == "<generated>:3");
}

TEST_CASE("record: make_record builds a class IN record made by the program", "[zone][record]") {
  const Name owner = *Name::parse("www.example.");
  const Bytes rdata = {192, 0, 2, 1};
  Record r = make_record(owner, rrtype::A, 300, rdata);
  CHECK(r.owner == owner);
  CHECK(r.type == rrtype::A);
  CHECK(r.rclass == kClassIN);
  CHECK(r.ttl == 300);
  CHECK(r.rdata == rdata);
  CHECK(r.loc.file == 0);
  CHECK(r.loc.line == 0);
  CHECK(to_text(r) == "www.example.\t300\tIN\tA\t192.0.2.1");
}
