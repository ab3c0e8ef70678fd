#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "tests/zone/dnssec_test_util.hpp"
#include "zone/canonical.hpp"
#include "zone/errc.hpp"
#include "zone/master_file.hpp"
#include "zone/type_bitmap.hpp"
#include "zone/zone_tree.hpp"

using namespace kskline;
using namespace kskline::zone;
using kskline::test::name;

namespace {

using Types = std::vector<std::uint16_t>;

// Records of zone text (origin example.), canonical and without duplicates.
std::unique_ptr<std::vector<Record>> zone_records(const std::string& text) {
  MasterOptions options;
  options.origin = name("example.");
  auto list = read_master_text(text, "test.zone", options);
  if (!list) FAIL(list.error().message());
  sort_canonical(list->records);
  remove_duplicates(list->records);
  return std::make_unique<std::vector<Record>>(std::move(list->records));
}

const char* const kZone = R"(
$ORIGIN example.
@           3600 SOA  ns1 admin 1 7200 3600 1209600 300
@           3600 NS   ns1
@           3600 NS   ns.sec
ns1         3600 A    192.0.2.1
www         3600 A    192.0.2.2
www         3600 TXT  "hello"
*.wild      3600 A    192.0.2.3
a.b.c       3600 A    192.0.2.4
sec         3600 NS   ns.sec
sec         3600 DS   12345 13 2 0102030405060708091011121314151617181920212223242526272829303132
ns.sec      3600 A    192.0.2.5
deep.ns.sec 3600 TXT  "occluded"
x.y.sec     3600 AAAA 2001:db8::1
insec       3600 NS   ns.other.net.
cut         3600 NS   cut
cut         3600 A    192.0.2.7
a.only      3600 NS   ns.other.net.
b.only      3600 NS   ns.other.net.
s.mixed     3600 NS   ns.other.net.
s.mixed     3600 DS   12345 13 2 0102030405060708091011121314151617181920212223242526272829303132
i.mixed     3600 NS   ns.other.net.
dn          3600 DNAME other.net.
dn          3600 TXT  "at the DNAME"
x.dn        3600 A    192.0.2.6
y.z.dn      3600 TXT  "below a DNAME"
foo.test.   3600 A    192.0.2.9
)";

struct Fixture {
  std::unique_ptr<std::vector<Record>> records = zone_records(kZone);
  ZoneTree tree = [this] {
    auto t = ZoneTree::build(*records, name("example."));
    if (!t) FAIL(t.error().message());
    return std::move(*t);
  }();

  std::size_t at(const std::string& owner) const {
    const auto i = tree.find_name(name(owner));
    INFO(owner);
    REQUIRE(i != ZoneTree::npos);
    return i;
  }
  NameKind kind(const std::string& owner) const { return tree.kind(at(owner)); }
  RRsetRole role(const std::string& owner, std::uint16_t type) const {
    const auto* set = tree.find_rrset(at(owner), type);
    INFO(owner << " " << type);
    REQUIRE(set != nullptr);
    return set->role;
  }
};

}  // namespace

TEST_CASE("zone_tree: names are listed in canonical order with empty non-terminals inserted",
          "[zone][zone_tree]") {
  Fixture f;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < f.tree.name_count(); ++i) names.push_back(f.tree.name(i).to_string());
  const std::vector<std::string> want = {
      "example.", "c.example.", "b.c.example.", "a.b.c.example.", "cut.example.", "dn.example.",
      "x.dn.example.", "z.dn.example.", "y.z.dn.example.", "insec.example.", "mixed.example.",
      "i.mixed.example.", "s.mixed.example.", "ns1.example.", "only.example.", "a.only.example.",
      "b.only.example.", "sec.example.", "ns.sec.example.", "deep.ns.sec.example.", "y.sec.example.",
      "x.y.sec.example.", "wild.example.", "*.wild.example.", "www.example.", "foo.test."};
  CHECK(names == want);
  for (std::size_t i = 1; i + 1 < f.tree.name_count(); ++i) CHECK(f.tree.name(i - 1) < f.tree.name(i));
  CHECK(f.tree.name(f.tree.apex()) == name("example."));
  CHECK(f.tree.find_name(name("nothere.example.")) == ZoneTree::npos);
  CHECK(f.tree.parent(f.at("a.b.c.example.")) == f.at("b.c.example."));
  CHECK(f.tree.parent(f.at("c.example.")) == f.tree.apex());
  CHECK(f.tree.parent(f.tree.apex()) == ZoneTree::npos);
}

TEST_CASE("zone_tree: apex, authoritative names, wildcards and empty non-terminals", "[zone][zone_tree]") {
  Fixture f;
  CHECK(f.kind("example.") == NameKind::apex);
  CHECK(f.kind("www.example.") == NameKind::authoritative);
  CHECK(f.kind("ns1.example.") == NameKind::authoritative);
  CHECK(f.kind("c.example.") == NameKind::empty_non_terminal);
  CHECK(f.kind("b.c.example.") == NameKind::empty_non_terminal);
  CHECK(f.kind("wild.example.") == NameKind::empty_non_terminal);
  CHECK(f.kind("*.wild.example.") == NameKind::authoritative);
  CHECK(f.tree.is_wildcard(f.at("*.wild.example.")));
  CHECK_FALSE(f.tree.is_wildcard(f.at("wild.example.")));
  CHECK(f.tree.rrsets(f.at("c.example.")).empty());
  CHECK(f.role("example.", rrtype::NS) == RRsetRole::authoritative);
  CHECK(f.role("example.", rrtype::SOA) == RRsetRole::authoritative);
  CHECK(f.role("www.example.", rrtype::TXT) == RRsetRole::authoritative);
  CHECK(f.tree.in_nsec_chain(f.at("www.example.")));
  CHECK_FALSE(f.tree.in_nsec_chain(f.at("c.example.")));
  CHECK(f.tree.in_nsec3_chain(f.at("c.example.")));
  CHECK(f.tree.in_nsec3_chain(f.at("c.example."), true));
}

TEST_CASE("zone_tree: delegations, DS at cuts, glue and occluded data below cuts", "[zone][zone_tree]") {
  Fixture f;
  CHECK(f.kind("sec.example.") == NameKind::delegation);
  CHECK(f.tree.has_ds(f.at("sec.example.")));
  CHECK_FALSE(f.tree.is_insecure_delegation(f.at("sec.example.")));
  CHECK(f.role("sec.example.", rrtype::NS) == RRsetRole::delegation_ns);
  CHECK(f.role("sec.example.", rrtype::DS) == RRsetRole::authoritative);
  CHECK(f.kind("ns.sec.example.") == NameKind::occluded);
  CHECK(f.role("ns.sec.example.", rrtype::A) == RRsetRole::glue);
  CHECK(f.kind("deep.ns.sec.example.") == NameKind::occluded);
  CHECK(f.role("deep.ns.sec.example.", rrtype::TXT) == RRsetRole::occluded);
  CHECK(f.kind("y.sec.example.") == NameKind::occluded);  // an empty non-terminal below a cut
  CHECK(f.role("x.y.sec.example.", rrtype::AAAA) == RRsetRole::glue);
  CHECK(f.kind("insec.example.") == NameKind::delegation);
  CHECK(f.tree.is_insecure_delegation(f.at("insec.example.")));
  CHECK(f.role("cut.example.", rrtype::A) == RRsetRole::glue);  // address at the cut itself
  CHECK(f.tree.in_nsec_chain(f.at("sec.example.")));
  CHECK(f.tree.in_nsec_chain(f.at("insec.example.")));
  CHECK_FALSE(f.tree.in_nsec_chain(f.at("ns.sec.example.")));
  CHECK_FALSE(f.tree.in_nsec3_chain(f.at("ns.sec.example.")));
  CHECK_FALSE(f.tree.in_nsec3_chain(f.at("y.sec.example.")));
  // What a signer signs: authoritative RRsets and DS at cuts, nothing else.
  std::size_t signed_sets = 0;
  for (const auto& set : f.tree.all_rrsets()) {
    if (is_signed(set.role)) ++signed_sets;
  }
  // apex SOA+NS, ns1 A, www A+TXT, *.wild A, a.b.c A, sec DS, s.mixed DS, dn DNAME+TXT
  CHECK(signed_sets == 11);
}

TEST_CASE("zone_tree: data below a DNAME is occluded, the DNAME owner is not", "[zone][zone_tree]") {
  Fixture f;
  CHECK(f.kind("dn.example.") == NameKind::authoritative);
  CHECK(f.role("dn.example.", rrtype::DNAME) == RRsetRole::authoritative);
  CHECK(f.role("dn.example.", rrtype::TXT) == RRsetRole::authoritative);
  CHECK(f.kind("x.dn.example.") == NameKind::occluded);
  CHECK(f.role("x.dn.example.", rrtype::A) == RRsetRole::glue);
  CHECK(f.kind("z.dn.example.") == NameKind::occluded);
  CHECK(f.role("y.z.dn.example.", rrtype::TXT) == RRsetRole::occluded);
  CHECK_FALSE(f.tree.in_nsec_chain(f.at("x.dn.example.")));
}

TEST_CASE("zone_tree: out-of-zone records are classified and never signed", "[zone][zone_tree]") {
  Fixture f;
  CHECK(f.kind("foo.test.") == NameKind::out_of_zone);
  CHECK(f.role("foo.test.", rrtype::A) == RRsetRole::occluded);
  CHECK(f.tree.parent(f.at("foo.test.")) == ZoneTree::npos);
  CHECK_FALSE(f.tree.in_nsec_chain(f.at("foo.test.")));
}

TEST_CASE("zone_tree: exact NSEC and NSEC3 type lists", "[zone][zone_tree]") {
  Fixture f;
  using namespace rrtype;
  auto nsec = [&](const char* n) { return f.tree.denial_types(f.at(n), Denial::nsec); };
  auto nsec3 = [&](const char* n) { return f.tree.denial_types(f.at(n), Denial::nsec3); };
  CHECK(nsec("example.") == Types{NS, SOA, RRSIG, NSEC});
  CHECK(nsec3("example.") == Types{NS, SOA, RRSIG});
  CHECK(nsec("www.example.") == Types{A, TXT, RRSIG, NSEC});
  CHECK(nsec("sec.example.") == Types{NS, DS, RRSIG, NSEC});
  CHECK(nsec3("sec.example.") == Types{NS, DS, RRSIG});
  CHECK(nsec("insec.example.") == Types{NS, RRSIG, NSEC});
  CHECK(nsec3("insec.example.") == Types{NS});
  CHECK(nsec("cut.example.") == Types{NS, RRSIG, NSEC});  // the glue A is not listed
  CHECK(nsec3("c.example.").empty());
  CHECK(nsec("dn.example.") == Types{TXT, DNAME, RRSIG, NSEC});
  const std::uint16_t want[] = {NS, SOA, RRSIG, NSEC};
  CHECK(f.tree.denial_bitmap(f.tree.apex(), Denial::nsec) == make_type_bitmap(want));
}

TEST_CASE("zone_tree: Opt-Out leaves out insecure delegations and the empty non-terminals only they need",
          "[zone][zone_tree]") {
  Fixture f;
  CHECK(f.kind("only.example.") == NameKind::empty_non_terminal);
  CHECK(f.tree.is_opt_out_only(f.at("only.example.")));
  CHECK_FALSE(f.tree.is_opt_out_only(f.at("mixed.example.")));
  CHECK_FALSE(f.tree.is_opt_out_only(f.at("c.example.")));
  CHECK(f.tree.in_nsec3_chain(f.at("only.example."), false));
  CHECK_FALSE(f.tree.in_nsec3_chain(f.at("only.example."), true));
  CHECK(f.tree.in_nsec3_chain(f.at("mixed.example."), true));
  CHECK_FALSE(f.tree.in_nsec3_chain(f.at("i.mixed.example."), true));
  CHECK(f.tree.in_nsec3_chain(f.at("i.mixed.example."), false));
  CHECK(f.tree.in_nsec3_chain(f.at("s.mixed.example."), true));
}

TEST_CASE("zone_tree: denial TTL is min(SOA TTL, SOA MINIMUM) and the serial is read", "[zone][zone_tree]") {
  Fixture f;
  CHECK(f.tree.denial_ttl() == 300u);
  CHECK(f.tree.soa_serial() == 1u);
  auto records = zone_records("@ 60 SOA ns1 admin 7 1 1 1 86400\n@ 60 NS ns1\nns1 60 A 192.0.2.1\n");
  auto tree = ZoneTree::build(*records, name("example."));
  REQUIRE(tree);
  CHECK(tree->denial_ttl() == 60u);
  CHECK(tree->soa_serial() == 7u);
}

TEST_CASE("zone_tree: names with only NSEC/NSEC3 records are denial-only, or empty non-terminals with children",
          "[zone][zone_tree]") {
  auto records = zone_records(R"(
@ 60 SOA ns1 admin 7 1 1 1 60
@ 60 NS ns1
ns1 60 A 192.0.2.1
0p9mhaveqvm6t7vbl5lop2u3t2rp3tom 60 NSEC3 1 0 0 - 2t7b4g4vsa5smi47k61mv5bv1a22bojr NS SOA RRSIG
0p9mhaveqvm6t7vbl5lop2u3t2rp3tom 60 RRSIG NSEC3 13 2 60 20300101000000 20200101000000 1 example. AAAA
stray 60 NSEC ns1.example. RRSIG NSEC
p 60 NSEC a.p.example. RRSIG NSEC
a.p 60 A 192.0.2.1
)");
  auto tree = ZoneTree::build(*records, name("example."));
  REQUIRE(tree);
  const auto hashed = tree->find_name(name("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example."));
  CHECK(tree->kind(hashed) == NameKind::denial_only);
  CHECK(tree->find_rrset(hashed, rrtype::NSEC3)->role == RRsetRole::authoritative);
  CHECK(tree->find_rrset(hashed, rrtype::RRSIG)->role == RRsetRole::signatures);
  CHECK_FALSE(tree->in_nsec3_chain(hashed));
  CHECK(tree->kind(tree->find_name(name("stray.example."))) == NameKind::denial_only);
  CHECK(tree->kind(tree->find_name(name("p.example."))) == NameKind::empty_non_terminal);
}

TEST_CASE("zone_tree: a zone without apex records still has an apex, unsorted input is refused",
          "[zone][zone_tree]") {
  auto records = zone_records("www 60 A 192.0.2.1\n");
  auto tree = ZoneTree::build(*records, name("example."));
  REQUIRE(tree);
  CHECK(tree->name_count() == 2);
  CHECK(tree->kind(tree->apex()) == NameKind::apex);
  CHECK(tree->name(0) == name("example."));
  CHECK_FALSE(tree->denial_ttl());

  std::vector<Record> only_outside = {test::record("foo.test.", rrtype::A, 60, "192.0.2.1")};
  auto outside = ZoneTree::build(only_outside, name("example."));
  REQUIRE(outside);
  REQUIRE(outside->name_count() == 2);
  CHECK(outside->name(outside->apex()) == name("example."));
  CHECK(outside->rrsets(outside->find_name(name("foo.test."))).size() == 1);
  CHECK(outside->all_rrsets()[0].name == outside->find_name(name("foo.test.")));

  std::vector<Record> unsorted = {test::record("www.example.", rrtype::A, 60, "192.0.2.1"),
                                  test::record("example.", rrtype::NS, 60, "ns1.example.")};
  auto bad = ZoneTree::build(unsorted, name("example."));
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == errc::zone_invalid);
}
