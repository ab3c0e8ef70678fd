#include <catch2/catch.hpp>

#include <set>
#include <sstream>

#include "signer/errc.hpp"
#include "signer/foreign_dialect.hpp"
#include "tests/support/files.hpp"
#include "tests/support/knot_conf.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "zone/errc.hpp"
#include "zone/key_tag.hpp"
#include "zone/rr_types.hpp"

using namespace kskline;
using namespace kskline::signer;

namespace {

zone::Name apex() {
  auto n = zone::Name::parse("example.com.");
  REQUIRE(n);
  return *n;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

Error foreign_error(const std::string& text, ForeignKind kind = ForeignKind::request) {
  auto parsed = parse_foreign(text, "in", kind);
  REQUIRE_FALSE(parsed);
  return parsed.error();
}

// The keys of docs/formats.md's test vectors (Ed25519): the ZSK, and the KSK's
// key used here as a second ZSK.
constexpr const char* kZsk1 = "ebVWLo/mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ=";
constexpr const char* kZsk2 = "5/FioQvsVZr+oZXk3OhLaVaNXSywlj60RsBoXisX8vA=";

// A Knot KSR in keymgr 3.2's layout (the same as the real one the keymgr
// tests below read), written by hand so these tests run without keymgr.
std::string knot_ksr_sample() {
  return std::string(";; KeySigningRequest 1.0 1798848000 (2027-01-02T00:00:00Z) =========\n") +
         "example.com.        \t3600 DNSKEY 256 3 15 (\n\t\t\t\t" + kZsk1 + "\n\t\t\t\t) ; ZSK, ED25519 (256b), id = 36559\n" +
         ";; KeySigningRequest 1.0 1799452800 (2027-01-09T00:00:00Z) =========\n" +
         "example.com.        \t3600 DNSKEY 256 3 15 (\n\t\t\t\t" + kZsk1 + "\n\t\t\t\t) ; ZSK\n" +
         "example.com.        \t3600 DNSKEY 256 3 15 (\n\t\t\t\t" + kZsk2 + "\n\t\t\t\t) ; ZSK\n" +
         ";; KeySigningRequest 1.0 generated at 2027-01-01T00:00:00Z by Knot DNS 3.2.6\n";
}

// A BIND 9.20 KSR written by hand following the layout issue 9 measured with
// dnssec-ksr 9.20.27 (14-digit header time, ctime in parentheses, one record
// per line with class IN, footer); the real dnssec-ksr tests come with a
// Debian 13 root.
std::string bind_ksr_sample() {
  return std::string(";; KeySigningRequest 1.0 20270102000000 (Sat Jan  2 01:00:00 2027)\n") +
         "example.com. 3600 IN DNSKEY 256 3 15 " + kZsk1 + "\n" +
         ";; KeySigningRequest 1.0 20270109000000 (Sat Jan  9 01:00:00 2027)\n" +
         "example.com. 3600 IN DNSKEY 256 3 15 " + kZsk1 + "\n" +
         "example.com. 3600 IN DNSKEY 256 3 15 " + kZsk2 + "\n" +
         ";; KeySigningRequest 1.0 generated at Fri Jan  1 01:00:00 2027 by 9.20.27\n";
}

// A BIND 9.20 SKR written by hand in the layout issue 9 measured (bundle:
// DNSKEY with the KSK first, RRSIG DNSKEY, CDNSKEY, RRSIG CDNSKEY, CDS, RRSIG
// CDS; every TTL the DNSKEY TTL; base64 in 56-character chunks). The keys and
// signatures are docs/formats.md's response vector.
std::string bind_skr_sample() {
  const std::string bundle =
      "example.com. 3600 IN DNSKEY 257 3 15 5/FioQvsVZr+oZXk3OhLaVaNXSywlj60RsBoXisX8vA=\n"
      "example.com. 3600 IN DNSKEY 256 3 15 ebVWLo/mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ=\n"
      "example.com. 3600 IN RRSIG DNSKEY 15 2 3600 20270112000000 20270101230000 56621 example.com. "
      "SQFNNRWcVhSpZ3WbocGMT6sQUxxCFs3OPsWmJVUyDhb1UlI27YdoLW6Z pNqFPha2ICWRFalkr3ZfZMs2pszuDw==\n"
      "example.com. 3600 IN CDNSKEY 257 3 15 5/FioQvsVZr+oZXk3OhLaVaNXSywlj60RsBoXisX8vA=\n"
      "example.com. 3600 IN RRSIG CDNSKEY 15 2 3600 20270112000000 20270101230000 56621 example.com. "
      "Rj8hTSWn02ytmMb5i5fjjNUwyUNsj+wiFFWAbLoS8R7WUFJ8BXjfRInD 5L9GwZQCYa0tYvWfXvw9QtD2gu8zBA==\n"
      "example.com. 3600 IN CDS 56621 15 2 F60CDA0F3805426E9AA92604CC608828BF239B2AFEA8709720B711CDC2A832EF\n"
      "example.com. 3600 IN RRSIG CDS 15 2 3600 20270112000000 20270101230000 56621 example.com. "
      "GSgO7n3zrUdg3dlyMKOhmLTNwWnehc+AnuVYphdiFtTqFtDhNIiS39wY Pa2pAePdqzaZztdi8y3S3+idkDfEBw==\n";
  return ";; SignedKeyResponse 1.0 20270102000000 (Sat Jan  2 01:00:00 2027)\n" + bundle +
         ";; SignedKeyResponse 1.0 20270109000000 (Sat Jan  9 01:00:00 2027)\n" + bundle +
         ";; SignedKeyResponse 1.0 generated at Fri Jan  1 01:15:00 2027 by 9.20.27\n";
}

// The same records in the same bundles, at the same times.
void check_same_bundles(const ForeignDocument& a, const ForeignDocument& b) {
  CHECK(a.zone == b.zone);
  REQUIRE(a.bundles.size() == b.bundles.size());
  for (std::size_t i = 0; i < a.bundles.size(); ++i) {
    CHECK(a.bundles[i].time == b.bundles[i].time);
    REQUIRE(a.bundles[i].records.size() == b.bundles[i].records.size());
    std::multiset<std::string> ra, rb;
    for (const auto& r : a.bundles[i].records) ra.insert(zone::to_text(r));
    for (const auto& r : b.bundles[i].records) rb.insert(zone::to_text(r));
    CHECK(ra == rb);
  }
}

// The rules named's SKR reader and dnssec-ksr's KSR reader impose (issue 9).
void check_bind_rules(const std::string& text, std::string_view magic) {
  auto lines = lines_of(text);
  REQUIRE_FALSE(lines.empty());
  CHECK(lines.back().rfind(";; " + std::string(magic) + " 1.0 generated at ", 0) == 0);
  for (const auto& line : lines) {
    INFO(line);
    REQUIRE_FALSE(line.empty());  // no blank lines
    if (line[0] == ';') {
      REQUIRE(line.rfind(";; " + std::string(magic) + " 1.0 ", 0) == 0);  // only headers: a space after ';;'
      std::istringstream in(line);
      std::string semis, m, v, time;
      in >> semis >> m >> v >> time;
      if (time != "generated") {
        CHECK(time.size() == 14);
        CHECK(time.find_first_not_of("0123456789") == std::string::npos);
      }
      continue;
    }
    std::istringstream in(line);
    std::string owner, ttl, rclass;
    in >> owner >> ttl >> rclass;
    CHECK(owner == "example.com.");
    CHECK(ttl.find_first_not_of("0123456789") == std::string::npos);
    CHECK(rclass == "IN");
    CHECK(line.find(';') == std::string::npos);
  }
}

// A Knot KASP setup in a temporary directory: the ZSK side (offline-ksk,
// manual ZSKs) and the KSK side (offline-ksk, an active KSK), as keymgr(8)
// and knot.conf(5) describe.
struct KnotSetup {
  test::TempDir dir{"kskline-knot"};
  std::string zsk_conf = dir.file("zsk.conf");
  std::string ksk_conf = dir.file("ksk.conf");

  KnotSetup() {
    std::filesystem::create_directories(dir.file("zsk"));
    std::filesystem::create_directories(dir.file("ksk"));
    test::spit(zsk_conf, test::knot_offline_conf(dir.file("zsk"), "example.com."));
    test::spit(ksk_conf, test::knot_offline_conf(dir.file("ksk"), "example.com.", test::kKnotKskSide));
  }


  test::CommandResult zsk(const std::string& args) const {
    return test::run("keymgr -c " + test::shell_quote(zsk_conf) + " example.com. " + args);
  }
  test::CommandResult ksk(const std::string& args) const {
    return test::run("keymgr -c " + test::shell_quote(ksk_conf) + " example.com. " + args);
  }
};

// A Knot key as `keymgr list` shows it.
struct KnotKey {
  std::uint16_t tag = 0;
  std::int64_t publish = 0;
};

std::vector<KnotKey> knot_zsks(const test::CommandResult& list) {
  std::vector<KnotKey> out;
  for (const auto& line : lines_of(list.out)) {
    std::istringstream in(line);
    std::string id, tag, role;
    in >> id >> tag >> role;
    if (role != "ZSK") continue;
    KnotKey k;
    k.tag = static_cast<std::uint16_t>(std::stoul(tag));
    for (std::string field; in >> field;) {
      if (field.rfind("publish=", 0) == 0) k.publish = std::stoll(field.substr(8));
    }
    out.push_back(k);
  }
  return out;
}

std::set<std::uint16_t> tags_of(const ForeignBundle& bundle, std::uint16_t type = zone::rrtype::DNSKEY) {
  std::set<std::uint16_t> out;
  for (const auto& r : bundle.records) {
    if (r.type == type) out.insert(zone::key_tag(r.rdata));
  }
  return out;
}

}  // namespace

TEST_CASE("foreign_dialect: detect_dialect tells kskline, Knot and BIND apart by the first header",
          "[signer][foreign_dialect]") {
  CHECK(detect_dialect("kskline-request 1\nid 00\n", "in") == Dialect::kskline);
  CHECK(detect_dialect("\n; a comment\nkskline-response 1\n", "in") == Dialect::kskline);
  CHECK(detect_dialect(knot_ksr_sample(), "in") == Dialect::knot);
  CHECK(detect_dialect(bind_ksr_sample(), "in") == Dialect::bind);
  CHECK(detect_dialect(bind_skr_sample(), "in") == Dialect::bind);
  // Knot's '=' signs decide even with a 14-digit time; a unix time without them is Knot's too.
  CHECK(detect_dialect(";; SignedKeyResponse 1.0 20270102000000 (x) =========\n", "in") == Dialect::knot);
  CHECK(detect_dialect("\r\n;; KeySigningRequest 1.0 1798848000\r\n", "in") == Dialect::knot);
  CHECK(detect_dialect(";;KeySigningRequest 1.0 20270102000000\n", "in") == Dialect::bind);
  CHECK(dialect_name(Dialect::knot) == "knot");

  auto bad = detect_dialect("\n\nexample.com. 3600 DNSKEY 256 3 15 AA==\n", "in");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == make_error_code(errc::syntax));
  CHECK(bad.error().where == "in:3");
  auto empty = detect_dialect("", "in");
  REQUIRE_FALSE(empty);
  CHECK(empty.error().where == "in:1");
}

TEST_CASE("foreign_dialect: a Knot KSR reads into bundles and writes back in keymgr's layout",
          "[signer][foreign_dialect]") {
  auto doc = parse_foreign(knot_ksr_sample(), "ksr", ForeignKind::request);
  REQUIRE(doc);
  CHECK(doc->dialect == Dialect::knot);
  CHECK(doc->zone == apex());
  CHECK(doc->generated == 1798761600);
  CHECK(doc->generator == "Knot DNS 3.2.6");
  REQUIRE(doc->bundles.size() == 2);
  CHECK(doc->bundles[0].time == 1798848000);
  CHECK(doc->bundles[0].records.size() == 1);
  CHECK(doc->bundles[1].records.size() == 2);
  CHECK(doc->bundles[1].records[0].ttl == 3600);
  CHECK(doc->bundles[1].records[0].loc.line == 6);

  doc->generator = "kskline 1.0";
  auto text = format_foreign(*doc);
  auto lines = lines_of(text);
  CHECK(lines.front() == ";; KeySigningRequest 1.0 1798848000 (2027-01-02T00:00:00Z) =========");
  CHECK(lines.back() == ";; KeySigningRequest 1.0 generated at 2027-01-01T00:00:00Z by kskline 1.0");
  CHECK(lines[1] == "example.com.        \t3600 DNSKEY 256 3 15 (");
  CHECK(lines[3] == "\t\t\t\tlmQ=");
  CHECK(lines[4] == "\t\t\t\t) ; ZSK, ED25519 (256b), id = 36559");
  auto back = parse_foreign(text, "out", ForeignKind::request);
  REQUIRE(back);
  check_same_bundles(*doc, *back);
}

TEST_CASE("foreign_dialect: reading accepts 14-digit times, CRLF, blank lines and comments",
          "[signer][foreign_dialect]") {
  std::string text = knot_ksr_sample();
  auto pos = text.find("1799452800 (2027-01-09T00:00:00Z)");
  text.replace(pos, 10, "20270109000000");
  text = "; made by hand\n\n" + text;
  std::string crlf;
  for (char c : text) {
    if (c == '\n') crlf += "\r\n\r\n; note\r";
    crlf += c;
  }
  auto doc = parse_foreign(crlf, "ksr", ForeignKind::request);
  REQUIRE(doc);
  REQUIRE(doc->bundles.size() == 2);
  CHECK(doc->bundles[1].time == 1799452800);
  auto plain = parse_foreign(knot_ksr_sample(), "ksr", ForeignKind::request);
  REQUIRE(plain);
  check_same_bundles(*doc, *plain);

  std::string bind = bind_ksr_sample();
  bind.insert(bind.find("example.com."), "; a note\n\n");
  auto b = parse_foreign(bind, "ksr", ForeignKind::request);
  REQUIRE(b);
  CHECK(b->dialect == Dialect::bind);

  // A record without a TTL: keymgr's scanner defaults to 0, BIND's readers need one.
  const std::string no_ttl = std::string("example.com. IN DNSKEY 256 3 15 ") + kZsk1 + "\n";
  auto knot_no_ttl = parse_foreign(";; KeySigningRequest 1.0 1798848000\n" + no_ttl +
                                       ";; KeySigningRequest 1.0 generated at x by y\n",
                                   "ksr", ForeignKind::request);
  REQUIRE(knot_no_ttl);
  CHECK(knot_no_ttl->bundles[0].records[0].ttl == 0);
  auto bind_no_ttl = foreign_error(";; KeySigningRequest 1.0 20270102000000\n" + no_ttl);
  CHECK(bind_no_ttl.where == "in:2");
}

TEST_CASE("foreign_dialect: Knot needs the footer and BIND does not, as their readers do",
          "[signer][foreign_dialect]") {
  auto knot = knot_ksr_sample();
  knot.erase(knot.find(";; KeySigningRequest 1.0 generated"));
  auto e = foreign_error(knot);
  CHECK(e.code == make_error_code(errc::syntax));
  CHECK(e.where == "in:11");
  CHECK(e.detail.find("no footer") != std::string::npos);

  auto bind = bind_ksr_sample();
  bind.erase(bind.find(";; KeySigningRequest 1.0 generated"));
  auto doc = parse_foreign(bind, "in", ForeignKind::request);
  REQUIRE(doc);
  CHECK(doc->bundles.size() == 2);
  CHECK(doc->generated == 0);
  CHECK(doc->generator.empty());
  CHECK(lines_of(format_foreign(*doc)).back() ==
        ";; KeySigningRequest 1.0 generated at Thu Jan  1 00:00:00 1970 UTC by kskline");
}

TEST_CASE("foreign_dialect: a BIND KSR and SKR read and write back by BIND's rules",
          "[signer][foreign_dialect]") {
  auto ksr = parse_foreign(bind_ksr_sample(), "ksr", ForeignKind::request);
  REQUIRE(ksr);
  CHECK(ksr->generated == 0);  // BIND's footer time is local ctime: not read
  CHECK(ksr->generator == "9.20.27");
  REQUIRE(ksr->bundles.size() == 2);
  CHECK(ksr->bundles[0].time == 1798848000);
  auto ksr_text = format_foreign(*ksr);
  check_bind_rules(ksr_text, "KeySigningRequest");
  CHECK(lines_of(ksr_text).front() == ";; KeySigningRequest 1.0 20270102000000 (Sat Jan  2 00:00:00 2027 UTC)");
  auto ksr_back = parse_foreign(ksr_text, "out", ForeignKind::request);
  REQUIRE(ksr_back);
  check_same_bundles(*ksr, *ksr_back);

  auto skr = parse_foreign(bind_skr_sample(), "skr", ForeignKind::response);
  REQUIRE(skr);
  REQUIRE(skr->bundles.size() == 2);
  CHECK(skr->bundles[0].records.size() == 7);
  skr->generated = 1798762500;
  auto skr_text = format_foreign(*skr);
  check_bind_rules(skr_text, "SignedKeyResponse");
  CHECK(lines_of(skr_text).back() ==
        ";; SignedKeyResponse 1.0 generated at Fri Jan  1 00:15:00 2027 UTC by 9.20.27");
  // The bundle in BIND's order with base64 in 56-character chunks: the sample's own text.
  auto sample_lines = lines_of(bind_skr_sample());
  auto out_lines = lines_of(skr_text);
  for (std::size_t i = 1; i <= 7; ++i) CHECK(out_lines[i] == sample_lines[i]);
  auto skr_back = parse_foreign(skr_text, "out", ForeignKind::response);
  REQUIRE(skr_back);
  CHECK(skr_back->generated == 1798762500);  // kskline's own BIND footer is UTC and reads back
  check_same_bundles(*skr, *skr_back);
}

TEST_CASE("foreign_dialect: writers put each bundle in the peer's order", "[signer][foreign_dialect]") {
  auto skr = parse_foreign(bind_skr_sample(), "skr", ForeignKind::response);
  REQUIRE(skr);
  skr->dialect = Dialect::knot;
  auto text = format_foreign(*skr);
  std::vector<std::string> types;
  for (const auto& line : lines_of(text)) {
    std::istringstream in(line);
    std::string owner, ttl, type, covered;
    in >> owner >> ttl >> type >> covered;
    if (owner != "example.com.") continue;
    types.push_back(type == "RRSIG" ? "RRSIG " + covered : type == "DNSKEY" ? type + " " + covered : type);
    if (types.size() == 7) break;
  }
  CHECK(types == std::vector<std::string>{"DNSKEY 256", "DNSKEY 257", "CDNSKEY", "CDS", "RRSIG DNSKEY",
                                          "RRSIG CDS", "RRSIG CDNSKEY"});
  auto back = parse_foreign(text, "knot", ForeignKind::response);
  REQUIRE(back);
  check_same_bundles(*skr, *back);
}

TEST_CASE("foreign_dialect: malformed documents are named errors at file and line", "[signer][foreign_dialect]") {
  // Truncated inside a record.
  auto knot = knot_ksr_sample();
  auto cut = foreign_error(knot.substr(0, knot.find("\t\t\t\t)")));
  CHECK(cut.where.rfind("in:", 0) == 0);
  INFO(cut.message());
  CHECK(cut.code.category() == zone::category());
  auto bind = bind_ksr_sample();
  auto bind_cut = foreign_error(bind.substr(0, bind.find("15 ", bind.find("DNSKEY")) + 3));
  CHECK(bind_cut.where == "in:2");

  // A record not at the zone, against the given zone and against the first record's owner.
  auto wrong = bind;
  wrong.replace(wrong.rfind("example.com. 3600"), 12, "example.net.");
  auto e = foreign_error(wrong);
  CHECK(e.code == make_error_code(errc::syntax));
  CHECK(e.where == "in:5");
  CHECK(e.detail.find("example.net.") != std::string::npos);
  const auto zone = apex();
  auto other_zone = zone::Name::parse("example.org.");
  REQUIRE(other_zone);
  auto given = parse_foreign(bind, "in", ForeignKind::request, &*other_zone);
  REQUIRE_FALSE(given);
  CHECK(given.error().where == "in:2");
  CHECK(parse_foreign(bind, "in", ForeignKind::request, &zone));

  // An unknown type, and a known type a request may not hold.
  auto unknown = bind;
  unknown.replace(unknown.find("IN DNSKEY"), 9, "IN FOOBAR");
  CHECK(foreign_error(unknown).where == "in:2");
  auto ds = bind;
  ds.replace(ds.find("IN DNSKEY 256 3 15 " + std::string(kZsk1)), 20 + std::string(kZsk1).size(),
             "IN TXT \"hello\"");
  auto txt = foreign_error(ds);
  CHECK(txt.code == make_error_code(errc::syntax));
  CHECK(txt.where == "in:2");
  CHECK(txt.detail.find("TXT") != std::string::npos);

  // Bad headers: a time that is neither form, an impossible date, another version, the other kind.
  auto bad_time = bind;
  bad_time.replace(bad_time.find("20270109000000"), 14, "2027-01-09");
  CHECK(foreign_error(bad_time).where == "in:3");
  auto bad_date = bind;
  bad_date.replace(bad_date.find("20270109000000"), 14, "20271309000000");
  CHECK(foreign_error(bad_date).where == "in:3");
  auto far = bind;
  far.replace(far.find("20270109000000"), 14, "253402300800");
  CHECK(foreign_error(far).where == "in:3");
  auto version = bind;
  version.replace(version.find("1.0 20270109"), 3, "2.0");
  auto v = foreign_error(version);
  CHECK(v.code == make_error_code(errc::unsupported_version));
  CHECK(v.where == "in:3");
  auto kind = foreign_error(bind_skr_sample(), ForeignKind::request);
  CHECK(kind.where == "in:1");
  CHECK(kind.detail.find("SignedKeyResponse") != std::string::npos);

  // Order and placement.
  auto backwards = bind;
  backwards.replace(backwards.find("20270109000000"), 14, "20270101000000");
  CHECK(foreign_error(backwards).where == "in:3");
  CHECK(foreign_error("example.com. 3600 IN DNSKEY 256 3 15 " + std::string(kZsk1) + "\n" + bind).where ==
        "in:1");
  CHECK(foreign_error(bind + "example.com. 3600 IN DNSKEY 256 3 15 " + kZsk1 + "\n").where == "in:7");
  CHECK(foreign_error(bind + ";; KeySigningRequest 1.0 20270110000000\n").where == "in:7");
  CHECK(foreign_error(";; KeySigningRequest 1.0 20270102000000\n;; KeySigningRequest 1.0 generated at x by y\n")
            .where == "in:1");
  CHECK(foreign_error("kskline-request 1\n").where == "in:1");
}

TEST_CASE("foreign_dialect: requests and responses map to and from the KeyRequest and KeyResponse model",
          "[signer][foreign_dialect]") {
  auto ksr = parse_foreign(knot_ksr_sample(), "ksr", ForeignKind::request);
  REQUIRE(ksr);
  auto request = to_key_request(*ksr);
  CHECK(request.id.empty());
  CHECK(request.zone == apex());
  CHECK(request.created == 1798761600);
  CHECK(request.dnskey_ttl == 3600);
  REQUIRE(request.slots.size() == 2);
  CHECK(request.slots[0].start == 1798848000);
  CHECK(request.slots[0].end == 1799452800);
  CHECK(request.slots[1].end == request.slots[1].start);  // the last slot is open
  CHECK(request.slots[0].inception == 0);
  CHECK(request.slots[0].expiration == 0);
  CHECK(request.slots[1].zsks.size() == 2);
  CHECK(request.slots[1].proofs.empty());

  request.slots[1].end = request.slots[1].start + 7 * 86400;
  auto knot = from_key_request(request, Dialect::knot);
  REQUIRE(knot.bundles.size() == 3);  // keymgr's final bundle at the end
  CHECK(knot.bundles[2].time == request.slots[1].end);
  CHECK(knot.bundles[2].records.size() == 2);
  CHECK(knot.generated == request.created);
  auto bind = from_key_request(request, Dialect::bind);
  CHECK(bind.bundles.size() == 2);  // dnssec-ksr has none
  CHECK(bind.dialect == Dialect::bind);

  auto skr = parse_foreign(bind_skr_sample(), "skr", ForeignKind::response);
  REQUIRE(skr);
  auto response = to_key_response(*skr);
  CHECK(response.request_id.empty());
  REQUIRE(response.slots.size() == 2);
  CHECK(response.slots[0].end == 1799452800);
  CHECK(response.slots[1].end == 1799712000);  // its RRSIGs' expiration, 2027-01-12
  CHECK(response.slots[1].records.size() == 7);
  auto again = from_key_response(response, Dialect::bind, "9.20.27");
  check_same_bundles(*skr, again);
}

TEST_CASE("foreign_dialect: a KSR from keymgr 3.2 reads with the slots and ZSKs keymgr lists",
          "[signer][foreign_dialect][knot]") {
  if (!test::have_tool("keymgr")) {
    WARN("keymgr not installed: skipped");
    return;
  }
  KnotSetup knot;
  REQUIRE(knot.zsk("generate zsk=yes algorithm=13").status == 0);
  REQUIRE(knot.zsk("generate zsk=yes algorithm=13 publish=+30d active=+35d").status == 0);
  auto ksr = knot.zsk("generate-ksr +0 +90d");
  REQUIRE(ksr.status == 0);
  REQUIRE(ksr.err.empty());
  auto list = knot.zsk("list");
  REQUIRE(list.status == 0);
  auto keys = knot_zsks(list);
  REQUIRE(keys.size() == 2);

  REQUIRE(detect_dialect(ksr.out, "ksr") == Dialect::knot);
  auto doc = parse_foreign(ksr.out, "ksr", ForeignKind::request);
  INFO(ksr.out);
  REQUIRE(doc);
  CHECK(doc->zone == apex());
  CHECK(doc->generator.rfind("Knot DNS 3.", 0) == 0);
  REQUIRE(doc->bundles.size() >= 3);
  CHECK(doc->bundles.back().time - doc->bundles.front().time == 90 * 86400);
  std::set<std::int64_t> times;
  for (const auto& b : doc->bundles) times.insert(b.time);
  CHECK(times.count(keys[1].publish) == 1);  // a slot where the second ZSK is published
  for (const auto& b : doc->bundles) {
    std::set<std::uint16_t> expected;
    for (const auto& k : keys) {
      if (k.publish <= b.time) expected.insert(k.tag);
    }
    CHECK(tags_of(b) == expected);
    for (const auto& r : b.records) CHECK(r.ttl == 3600);
  }
  CHECK(to_key_request(*doc).dnskey_ttl == 3600);
  CHECK(format_foreign(*doc) == ksr.out);  // kskline's Knot writer prints what keymgr printed

  // keymgr sign-ksr reads kskline's Knot KSR and signs the same slots.
  REQUIRE(knot.ksk("generate ksk=yes algorithm=13 publish=-1d ready=-1d active=-1d").status == 0);
  auto ours = knot.dir.file("ours.ksr");
  test::spit(ours, format_foreign(from_key_request(to_key_request(*doc), Dialect::knot)));
  auto signed_ours = knot.ksk("sign-ksr " + test::shell_quote(ours));
  INFO(test::slurp(ours));
  CHECK(signed_ours.status == 0);
  CHECK(signed_ours.err.empty());
  auto skr = parse_foreign(signed_ours.out, "skr", ForeignKind::response);
  REQUIRE(skr);
  std::set<std::int64_t> skr_times;
  for (const auto& b : skr->bundles) skr_times.insert(b.time);
  for (auto t : times) CHECK(skr_times.count(t) == 1);
}

TEST_CASE("foreign_dialect: a keymgr SKR written back by kskline passes validate-skr and import-skr",
          "[signer][foreign_dialect][knot]") {
  if (!test::have_tool("keymgr")) {
    WARN("keymgr not installed: skipped");
    return;
  }
  KnotSetup knot;
  REQUIRE(knot.zsk("generate zsk=yes algorithm=13").status == 0);
  REQUIRE(knot.zsk("generate zsk=yes algorithm=13 publish=+30d active=+35d").status == 0);
  REQUIRE(knot.ksk("generate ksk=yes algorithm=13 publish=-1d ready=-1d active=-1d").status == 0);
  auto ksr = knot.zsk("generate-ksr +0 +90d");
  REQUIRE(ksr.status == 0);
  test::spit(knot.dir.file("knot.ksr"), ksr.out);
  auto skr = knot.ksk("sign-ksr " + test::shell_quote(knot.dir.file("knot.ksr")));
  REQUIRE(skr.status == 0);
  REQUIRE(skr.err.empty());

  auto doc = parse_foreign(skr.out, "skr", ForeignKind::response);
  INFO(skr.out);
  REQUIRE(doc);
  auto ksr_doc = parse_foreign(ksr.out, "ksr", ForeignKind::request);
  REQUIRE(ksr_doc);
  REQUIRE(doc->bundles.size() >= ksr_doc->bundles.size());
  for (const auto& b : doc->bundles) {
    CHECK(tags_of(b, zone::rrtype::CDNSKEY).size() == 1);
    std::size_t sigs = 0;
    for (const auto& r : b.records) sigs += r.type == zone::rrtype::RRSIG ? 1 : 0;
    CHECK(sigs == 3);
  }

  CHECK(format_foreign(*doc) == skr.out);  // byte for byte what keymgr printed

  // The same SKR in BIND's dialect keeps BIND's rules and every record.
  auto as_bind = *doc;
  as_bind.dialect = Dialect::bind;
  const auto bind_text = format_foreign(as_bind);
  check_bind_rules(bind_text, "SignedKeyResponse");
  auto bind_back = parse_foreign(bind_text, "bind", ForeignKind::response);
  REQUIRE(bind_back);
  CHECK(bind_back->dialect == Dialect::bind);
  check_same_bundles(*doc, *bind_back);

  // Through the model and back out in Knot's dialect.
  auto ours = from_key_response(to_key_response(*doc), Dialect::knot, "kskline test");
  auto text = format_foreign(ours);
  auto path = knot.dir.file("ours.skr");
  test::spit(path, text);
  INFO(text);
  auto validated = knot.zsk("validate-skr " + test::shell_quote(path));
  CHECK(validated.status == 0);
  CHECK(validated.err.empty());  // validate-skr exits 0 on errors too; they go to stderr
  CHECK(validated.out.find("OK") != std::string::npos);
  auto imported = knot.zsk("import-skr " + test::shell_quote(path));
  CHECK(imported.status == 0);
  CHECK(imported.err.empty());
  auto offline = knot.zsk("show-offline");
  REQUIRE(offline.status == 0);
  CHECK(test::offline_bundles(offline.out) == doc->bundles.size());

  // The check is real: a changed signature makes validate-skr complain on stderr.
  auto bad = text;
  auto sig = bad.find("RRSIG DNSKEY");
  sig = bad.find("\t\t\t\t", bad.find('\n', bad.find('\n', sig) + 1)) + 4;
  bad[sig] = bad[sig] == 'A' ? 'B' : 'A';
  test::spit(path, bad);
  auto rejected = knot.zsk("validate-skr " + test::shell_quote(path));
  CHECK_FALSE(rejected.err.empty());
}
