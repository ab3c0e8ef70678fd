// Oracle tests of the master-file writer (zone::append_text): a zone with
// every type of the type table is read, written one record a line, and read
// back by ldns-read-zone, named-checkzone and kzonecheck; what ldns and BIND
// print is parsed again by our reader and must hold the very same records.
//
// Where a tool does not take a type, the test says which and why, and uses the
// RFC 3597 generic form for that tool instead, or, when even that is refused,
// checks that the tool still refuses it (so the exclusion is revisited when
// the tool changes).
#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>

#include "base/encoding.hpp"
#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "zone/canonical.hpp"
#include "zone/master_file.hpp"
#include "zone/rdata.hpp"
#include "zone/record.hpp"
#include "zone/rr_types.hpp"

namespace {

using namespace kskline;

const std::string kTestZone = std::string(KSKLINE_SOURCE_DIR) + "/tests/data/zones/all_types.zone";

using test::have_tool;
using test::slurp;
using test::spit;
using test::TempDir;
using test::run;
using test::shell_quote;

void require_tool(const std::string& tool, const std::string& package) {
  if (!have_tool(tool)) FAIL(tool + " is not installed (Debian package " + package + "; ./run setup installs it)");
}

zone::Name origin() {
  auto n = zone::Name::parse("example.com.");
  REQUIRE(n);
  return *n;
}

// Parses master-file text (a tool's output) with our reader.
std::vector<zone::Record> read_text(const std::string& text, const std::string& source) {
  zone::MasterOptions options;
  options.origin = origin();
  auto list = zone::read_master_text(text, source, options);
  if (!list) FAIL("our reader rejects " + source + ": " + list.error().message());
  return std::move(list->records);
}

std::vector<zone::Record> read_test_zone() { return read_text(slurp(kTestZone), kTestZone); }

// A record as compared: owner (wire), type, TTL, RDATA (wire).
using Key = std::tuple<std::string, std::uint16_t, std::uint32_t, Bytes>;

// The records as a set; `canonical` lowercases owners and the RDATA names
// RFC 4034 §6.2 (with RFC 6840 §5.1) lowercases.
std::set<Key> key_set(const std::vector<zone::Record>& records, bool canonical) {
  std::set<Key> keys;
  for (const auto& r : records) {
    Bytes rdata = r.rdata;
    if (canonical) zone::canonicalize_rdata(r.type, rdata);
    keys.emplace(canonical ? r.owner.lowercased().wire_string() : r.owner.wire_string(), r.type, r.ttl,
                 std::move(rdata));
  }
  return keys;
}

std::string key_text(const Key& key) {
  zone::Record r;
  auto owner = zone::Name::from_wire(as_bytes(std::get<0>(key)));
  if (owner) r.owner = *owner;
  r.type = std::get<1>(key);
  r.ttl = std::get<2>(key);
  r.rdata = std::get<3>(key);
  return zone::to_text(r);
}

// Lines naming the records only one side has; empty when the sets are equal.
std::string differences(const std::set<Key>& ours, const std::set<Key>& theirs, const std::string& tool) {
  std::string out;
  for (const auto& k : ours) {
    if (!theirs.count(k)) out += "  only in ours:          " + key_text(k) + "\n";
  }
  for (const auto& k : theirs) {
    if (!ours.count(k)) out += "  only in " + tool + "'s output: " + key_text(k) + "\n";
  }
  return out;
}

// The RFC 3597 generic form of a record, on one line.
void append_generic(const zone::Record& r, std::string& out) {
  out += r.owner.to_string() + "\t" + std::to_string(r.ttl) + "\tIN\tTYPE" + std::to_string(r.type) + "\t\\# " +
         std::to_string(r.rdata.size());
  if (!r.rdata.empty()) out += " " + base::to_hex(r.rdata);
  out += "\n";
}

// How a tool is given the zone: types written in generic form, types left out.
struct TypePolicy {
  std::set<std::uint16_t> generic;
  std::set<std::uint16_t> excluded;
  bool all_generic = false;
};

// Writes the records with zone::append_text, one a line, but for the policy's
// exceptions; returns the records written.
std::vector<zone::Record> write_zone(const std::vector<zone::Record>& records, const TypePolicy& policy,
                                     const std::string& path) {
  std::string text;
  std::vector<zone::Record> written;
  for (const auto& r : records) {
    if (policy.excluded.count(r.type)) continue;
    if (policy.all_generic || policy.generic.count(r.type)) {
      append_generic(r, text);
    } else {
      std::size_t before = text.size();
      zone::append_text(r, text);
      // One record a line: exactly one newline, at the end.
      REQUIRE(text.find('\n', before) == text.size() - 1);
    }
    written.push_back(r);
  }
  spit(path, text);
  return written;
}

// Knot 3.2's zone scanner has no MD, MF, MB, MG, MR or PX ("unsupported record
// type"): kzonecheck gets them in generic form.
const std::set<std::uint16_t> kKnotUnknown = {3, 4, 7, 8, 9, 26};
// BIND 9.18 refuses MD and MF outright ("type 'MD': obsolete"), even in
// generic form: they are left out of what named-checkzone gets.
const std::set<std::uint16_t> kBindRefused = {3, 4};

}  // namespace

TEST_CASE("writer oracle: the test zone covers every type of the type table", "[tools][writer_oracle]") {
  auto records = read_test_zone();
  std::set<std::uint16_t> seen;
  for (const auto& r : records) seen.insert(r.type);
  for (const auto& row : zone::all_types()) {
    INFO("type " << row.mnemonic << " (" << row.code << ") is missing from " << kTestZone);
    CHECK(seen.count(row.code) == 1);
  }
  // And types without a row, which only have the generic form.
  CHECK(seen.count(65280) == 1);
  CHECK(seen.count(65281) == 1);
}

TEST_CASE("writer oracle: ldns-read-zone reads back exactly what we write", "[tools][writer_oracle]") {
  require_tool("ldns-read-zone", "ldnsutils");
  TempDir dir;
  auto records = read_test_zone();
  // ldns 1.8.3 knows every type of the table, SVCB/HTTPS and ZONEMD included.
  auto written = write_zone(records, {}, dir.file("written.zone"));
  REQUIRE(written.size() == records.size());

  SECTION("as printed: same records, case preserved") {
    auto out = run("ldns-read-zone " + shell_quote(dir.file("written.zone")));
    INFO(out.err);
    REQUIRE(out.status == 0);
    auto back = read_text(out.out, "ldns-read-zone output");
    auto diff = differences(key_set(written, false), key_set(back, false), "ldns");
    INFO(diff);
    CHECK(diff.empty());
  }
  SECTION("-z (sorted, canonical): same records in canonical form, in our canonical order") {
    auto out = run("ldns-read-zone -z " + shell_quote(dir.file("written.zone")));
    INFO(out.err);
    REQUIRE(out.status == 0);
    auto back = read_text(out.out, "ldns-read-zone -z output");
    auto diff = differences(key_set(written, true), key_set(back, true), "ldns -z");
    INFO(diff);
    CHECK(diff.empty());
    // ldns -z lowercases owners and the RDATA names of RFC 4034 §6.2's types
    // but NSEC's (RFC 6840 §5.1), as canonicalize_rdata does: exact equality.
    std::vector<zone::Record> ours = written;
    for (auto& r : ours) {
      r.owner = r.owner.lowercased();
      zone::canonicalize_rdata(r.type, r.rdata);
    }
    CHECK(key_set(ours, false) == key_set(back, false));
    // ldns prints the SOA first, then the other records sorted by owner, type
    // and RDATA (RFC 4034 §6.3): the order sort_canonical must give them.
    zone::sort_canonical(ours);
    std::stable_partition(ours.begin(), ours.end(), [](const zone::Record& r) { return r.type == zone::rrtype::SOA; });
    REQUIRE(ours.size() == back.size());
    for (std::size_t i = 0; i < ours.size(); ++i) {
      INFO("record " << i << ": ours " << zone::to_text(ours[i]) << "\n  ldns " << zone::to_text(back[i]));
      CHECK(ours[i].owner.wire_string() == back[i].owner.wire_string());
      CHECK(ours[i].type == back[i].type);
      CHECK(ours[i].rdata == back[i].rdata);
    }
  }
}

TEST_CASE("writer oracle: named-checkzone reads back exactly what we write", "[tools][writer_oracle]") {
  require_tool("named-checkzone", "bind9-utils");
  TempDir dir;
  auto records = read_test_zone();
  auto written = write_zone(records, {{}, kBindRefused}, dir.file("written.zone"));
  REQUIRE(written.size() + 2 == records.size());  // MD and MF left out

  // -i local: with full integrity checks named-checkzone looks names up in the
  // DNS and hangs on a machine without a network.
  auto out = run("named-checkzone -i local -D -o - example.com. " + shell_quote(dir.file("written.zone")));
  INFO(out.err);
  REQUIRE(out.status == 0);
  // BIND keeps the case of owners and RDATA names: exact comparison.
  auto back = read_text(out.out, "named-checkzone -D output");
  auto diff = differences(key_set(written, false), key_set(back, false), "named-checkzone");
  INFO(diff);
  CHECK(diff.empty());
}

TEST_CASE("writer oracle: named-checkzone still refuses MD and MF", "[tools][writer_oracle]") {
  require_tool("named-checkzone", "bind9-utils");
  TempDir dir;
  // If BIND starts taking them, include them in the comparison above.
  for (const char* type : {"MD\tmail.example.com.", "TYPE3\t\\# 6 046D61696C00", "MF\tmail.example.com."}) {
    spit(dir.file("md.zone"), std::string("example.com. 3600 IN SOA ns1.example.com. h.example.com. 1 2 3 4 5\n"
                                          "example.com. 3600 IN NS ns1.example.com.\n"
                                          "ns1.example.com. 3600 IN A 192.0.2.1\n"
                                          "md.example.com. 3600 IN ") +
                                  type + "\n");
    auto out = run("named-checkzone -i local example.com. " + shell_quote(dir.file("md.zone")));
    INFO(type << ": " << out.out << out.err);
    CHECK(out.status == 1);
    CHECK((out.out + out.err).find("obsolete") != std::string::npos);
  }
}

TEST_CASE("writer oracle: kzonecheck accepts what we write", "[tools][writer_oracle]") {
  require_tool("kzonecheck", "knot-dnssecutils");
  TempDir dir;
  auto records = read_test_zone();
  auto written = write_zone(records, {kKnotUnknown, {}}, dir.file("written.zone"));
  REQUIRE(written.size() == records.size());
  auto out = run("kzonecheck -o example.com. " + shell_quote(dir.file("written.zone")));
  INFO(out.out << out.err);
  CHECK(out.status == 0);

  SECTION("and Knot 3.2 still has no MD, MF, MB, MG, MR or PX in text form") {
    // If this fails, Knot learnt them: drop them from kKnotUnknown.
    for (auto type : kKnotUnknown) {
      std::vector<zone::Record> one;
      for (const auto& r : records) {
        if (r.type == type || r.type == zone::rrtype::SOA || r.owner == origin() || r.owner.first_label() == "ns1") {
          one.push_back(r);
        }
      }
      write_zone(one, {}, dir.file("one.zone"));
      auto refused = run("kzonecheck -v -o example.com. " + shell_quote(dir.file("one.zone")));
      INFO(zone::type_to_string(type) << ": " << refused.out << refused.err);
      CHECK(refused.status != 0);
      CHECK((refused.out + refused.err).find("unsupported record type") != std::string::npos);
    }
  }
}

TEST_CASE("writer oracle: every record in RFC 3597 generic form reads back the same", "[tools][writer_oracle]") {
  TempDir dir;
  auto records = read_test_zone();

  SECTION("our reader") {
    auto written = write_zone(records, {{}, {}, true}, dir.file("generic.zone"));
    auto back = read_text(slurp(dir.file("generic.zone")), "generic.zone");
    CHECK(differences(key_set(written, false), key_set(back, false), "our reader").empty());
  }
  SECTION("ldns-read-zone") {
    require_tool("ldns-read-zone", "ldnsutils");
    auto written = write_zone(records, {{}, {}, true}, dir.file("generic.zone"));
    auto out = run("ldns-read-zone " + shell_quote(dir.file("generic.zone")));
    INFO(out.err);
    REQUIRE(out.status == 0);
    auto back = read_text(out.out, "ldns-read-zone output");
    auto diff = differences(key_set(written, false), key_set(back, false), "ldns");
    INFO(diff);
    CHECK(diff.empty());
  }
  SECTION("named-checkzone") {
    require_tool("named-checkzone", "bind9-utils");
    auto written = write_zone(records, {{}, kBindRefused, true}, dir.file("generic.zone"));
    auto out = run("named-checkzone -i local -D -o - example.com. " + shell_quote(dir.file("generic.zone")));
    INFO(out.err);
    REQUIRE(out.status == 0);
    auto back = read_text(out.out, "named-checkzone -D output");
    auto diff = differences(key_set(written, false), key_set(back, false), "named-checkzone");
    INFO(diff);
    CHECK(diff.empty());
  }
  SECTION("kzonecheck") {
    require_tool("kzonecheck", "knot-dnssecutils");
    write_zone(records, {{}, {}, true}, dir.file("generic.zone"));
    auto out = run("kzonecheck -o example.com. " + shell_quote(dir.file("generic.zone")));
    INFO(out.out << out.err);
    CHECK(out.status == 0);
  }
}

// RFC 4398 §2.2 lets the CERT type be a mnemonic, and ldns-read-zone and
// named-checkzone both print types 1-8, 253 and 254 that way ("CERT PGP 0 0").
TEST_CASE("writer oracle: CERT types read as the mnemonics ldns and BIND print", "[tools][writer_oracle]") {
  const std::string b64 = "KvipEEs/ZO1kDYx+KY0tSA8Do2EMvCszR0Mh7FkCSkgdPL+O04TX16DejyO7SuRy8Mh1Ceuv97CRJGMmDRoUYg==";
  const std::pair<const char*, std::uint16_t> kMnemonics[] = {{"PKIX", 1},  {"SPKI", 2},    {"PGP", 3},
                                                              {"IPKIX", 4}, {"ISPKI", 5},   {"IPGP", 6},
                                                              {"ACPKIX", 7}, {"IACPKIX", 8}, {"URI", 253},
                                                              {"OID", 254}};
  for (const auto& [mnemonic, code] : kMnemonics) {
    zone::MasterOptions options;
    options.origin = origin();
    auto list = zone::read_master_text(std::string("cert 3600 IN CERT ") + mnemonic + " 0 0 " + b64 + "\n",
                                       "cert.zone", options);
    INFO(mnemonic << ": " << (list ? std::string("read") : list.error().message()));
    REQUIRE(list);
    REQUIRE(list->records.size() == 1);
    const Bytes& rdata = list->records[0].rdata;
    REQUIRE(rdata.size() > 2);
    CHECK(get_u16(rdata.data()) == code);
  }
}
