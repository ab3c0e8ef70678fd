// Tests of verify_zone on zones signed in the test with the project's own
// primitives (ZoneTree bitmaps, sign_rrset), then mutated. The command-line
// tests (tests/tools/zone_verify_cli_test.cpp) check zones signed by
// ldns-signzone and dnssec-signzone.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "base/digest.hpp"
#include "tests/zone/dnssec_test_util.hpp"
#include "zone/ds.hpp"
#include "zone/canonical.hpp"
#include "zone/key_file.hpp"
#include "zone/master_file.hpp"
#include "zone/nsec3_hash.hpp"
#include "zone/record.hpp"
#include "zone/rrsig.hpp"
#include "zone/type_bitmap.hpp"
#include "zone/zone_tree.hpp"
#include "zone/zone_verifier.hpp"

using namespace kskline;
using namespace kskline::zone;
using kskline::test::name;

namespace {

constexpr std::uint32_t kInception = 1700000000;   // 2023-11-14
constexpr std::uint32_t kExpiration = 1900000000;  // 2030-03-17
constexpr std::int64_t kNow = 1800000000;          // 2027-01-15

const char* const kZone = R"(
$ORIGIN example.
$TTL 3600
@        SOA  ns1 admin 1 7200 3600 1209600 300
@        NS   ns1
ns1      A    192.0.2.1
www      A    192.0.2.2
www      TXT  "hello"
*.wild   A    192.0.2.3
a.b      A    192.0.2.4
sub      NS   ns.sub
sub      DS   12345 13 2 0102030405060708091011121314151617181920212223242526272829303132
ns.sub   A    192.0.2.5
)";

// A KSK and a ZSK of one algorithm.
struct Keys {
  KeyPair ksk, zsk;
};

Keys make_keys(std::uint8_t alg = 13) {
  auto k = PrivateKey::generate(alg);
  auto z = PrivateKey::generate(alg);
  REQUIRE(k);
  REQUIRE(z);
  auto ksk = make_key_pair(name("example."), 257, std::move(*k));
  auto zsk = make_key_pair(name("example."), 256, std::move(*z));
  REQUIRE(ksk);
  REQUIRE(zsk);
  return Keys{std::move(*ksk), std::move(*zsk)};
}

// Signs kZone (plus `extra` text) with NSEC, or NSEC3 with no salt and no
// iterations: DNSKEYs added, denial records from ZoneTree, every signed
// RRset signed by the ZSK, the DNSKEY RRset by the KSK.
RecordList sign_zone(const Keys& keys, bool nsec3 = false, const std::string& extra = "") {
  MasterOptions options;
  options.origin = name("example.");
  auto list = read_master_text(std::string(kZone) + extra, "zone", options);
  REQUIRE(list);
  auto& records = list->records;
  const Name origin = name("example.");
  records.push_back(make_record(origin, rrtype::DNSKEY, 3600, keys.ksk.dnskey_rdata));
  records.push_back(make_record(origin, rrtype::DNSKEY, 3600, keys.zsk.dnskey_rdata));
  Nsec3Params params;
  if (nsec3) records.push_back(make_record(origin, rrtype::NSEC3PARAM, 0, make_nsec3param_rdata(params)));
  sort_canonical(records);
  remove_duplicates(records);
  {
    auto tree = ZoneTree::build(records, origin);
    REQUIRE(tree);
    const std::uint32_t ttl = *tree->denial_ttl();
    std::vector<Record> denial;
    if (!nsec3) {
      std::vector<std::size_t> chain;
      for (std::size_t i = 0; i < tree->name_count(); ++i) {
        if (tree->in_nsec_chain(i)) chain.push_back(i);
      }
      for (std::size_t c = 0; c < chain.size(); ++c) {
        Bytes rdata;
        tree->name(chain[(c + 1) % chain.size()]).append_wire(rdata);
        const auto bitmap = tree->denial_bitmap(chain[c], Denial::nsec);
        rdata.insert(rdata.end(), bitmap.begin(), bitmap.end());
        denial.push_back(make_record(tree->name(chain[c]), rrtype::NSEC, ttl, rdata));
      }
    } else {
      Nsec3Hasher hasher(params);
      std::vector<std::pair<Nsec3Hash, std::size_t>> hashes;
      for (std::size_t i = 0; i < tree->name_count(); ++i) {
        if (tree->in_nsec3_chain(i)) hashes.emplace_back(hasher.hash(tree->name(i)), i);
      }
      std::sort(hashes.begin(), hashes.end());
      for (std::size_t c = 0; c < hashes.size(); ++c) {
        const auto& next = hashes[(c + 1) % hashes.size()].first;
        auto owner = origin.prepend(nsec3_hash_label(hashes[c].first));
        REQUIRE(owner);
        denial.push_back(make_record(*owner, rrtype::NSEC3, ttl,
                              make_nsec3_rdata(params, next, tree->denial_bitmap(hashes[c].second, Denial::nsec3))));
      }
    }
    records.insert(records.end(), denial.begin(), denial.end());
  }
  sort_canonical(records);
  auto tree = ZoneTree::build(records, origin);
  REQUIRE(tree);
  auto ksk = Signer::create(keys.ksk.key);
  auto zsk = Signer::create(keys.zsk.key);
  REQUIRE(ksk);
  REQUIRE(zsk);
  std::vector<Record> sigs;
  for (const auto& set : tree->all_rrsets()) {
    if (!is_signed(set.role)) continue;
    const bool by_ksk = set.type == rrtype::DNSKEY;
    const KeyPair& key = by_ksk ? keys.ksk : keys.zsk;
    SignParams p{origin, key.key_tag, kInception, kExpiration, std::nullopt};
    auto rrsig = sign_rrset(by_ksk ? *ksk : *zsk, p, tree->records_of(set));
    REQUIRE(rrsig);
    sigs.push_back(make_record(records[set.begin].owner, rrtype::RRSIG, records[set.begin].ttl, *rrsig));
  }
  records.insert(records.end(), sigs.begin(), sigs.end());
  sort_canonical(records);
  return std::move(*list);
}

VerifyReport verify(RecordList list, unsigned threads = 1, std::vector<Record> anchors = {}) {
  VerifyOptions options;
  options.now = kNow;
  options.threads = threads;
  options.trust_anchors = std::move(anchors);
  return verify_zone(list, name("example."), options);
}

// The problem lines, formatted.
std::string lines(const VerifyReport& report) {
  std::string out;
  for (const auto& p : report.problems) out += format_problem(p) + "\n";
  return out;
}

bool has_problem(const VerifyReport& report, const std::string& owner, std::uint16_t type,
                 const std::string& reason) {
  return std::any_of(report.problems.begin(), report.problems.end(), [&](const VerifyProblem& p) {
    return p.owner && p.owner->to_string() == owner && p.type == type && p.reason.find(reason) != std::string::npos;
  });
}

// Applies `edit` to the first record of `owner` and `type` (for RRSIG: the
// one covering `covered`).
template <class Edit>
void edit_record(RecordList& list, const std::string& owner, std::uint16_t type, Edit edit,
                 std::uint16_t covered = 0) {
  for (auto& r : list.records) {
    if (r.owner == name(owner) && r.type == type && (covered == 0 || get_u16(r.rdata.data()) == covered)) {
      edit(r);
      return;
    }
  }
  FAIL("no such record: " << owner << " " << type);
}

}  // namespace

TEST_CASE("zone_verifier: a zone signed with ZoneTree's bitmaps verifies, with NSEC and NSEC3, on 1 or 4 threads",
          "[zone][zone_verifier]") {
  const Keys keys = make_keys();
  for (bool nsec3 : {false, true}) {
    const auto list = sign_zone(keys, nsec3);
    for (unsigned threads : {1u, 4u}) {
      const auto report = verify(list, threads);
      INFO((nsec3 ? "NSEC3 " : "NSEC ") << threads << " threads\n" << lines(report));
      CHECK(report.ok());
      CHECK(report.stats.denial == std::string(nsec3 ? "NSEC3" : "NSEC"));
      // Signed: SOA, NS, DNSKEY (+ NSEC3PARAM), ns1 A, www A TXT, *.wild A,
      // a.b A, sub DS, and one NSEC/NSEC3 per chain name.
      CHECK(report.stats.signatures == report.stats.signed_rrsets);
      CHECK(report.stats.denial_records == (nsec3 ? 8u : 6u));  // NSEC3 adds the ENTs b and wild
    }
  }
}

TEST_CASE("zone_verifier: RRSIGs over glue or delegation NS, with a wrong signer or Labels are reported",
          "[zone][zone_verifier]") {
  const Keys keys = make_keys();
  auto list = sign_zone(keys);
  // Sign the glue and the delegation NS too, as a careless signer would.
  {
    auto zsk = Signer::create(keys.zsk.key);
    REQUIRE(zsk);
    SignParams p{name("example."), keys.zsk.key_tag, kInception, kExpiration, std::nullopt};
    for (const char* owner : {"ns.sub.example.", "sub.example."}) {
      const std::uint16_t type = std::string(owner) == "sub.example." ? rrtype::NS : rrtype::A;
      std::vector<Record> rrset;
      for (const auto& r : list.records) {
        if (r.owner == name(owner) && r.type == type) rrset.push_back(r);
      }
      auto sig = sign_rrset(*zsk, p, rrset);
      REQUIRE(sig);
      list.records.push_back(make_record(name(owner), rrtype::RRSIG, 3600, *sig));
    }
  }
  // A wrong Labels field on the wildcard's RRSIG.
  edit_record(list, "*.wild.example.", rrtype::RRSIG, [](Record& r) { r.rdata[3] = 3; }, rrtype::A);
  const auto report = verify(list);
  INFO(lines(report));
  CHECK(has_problem(report, "ns.sub.example.", rrtype::A, "RRSIG over glue, which must not be signed"));
  CHECK(has_problem(report, "sub.example.", rrtype::NS, "RRSIG over the NS RRset of a delegation"));
  CHECK(has_problem(report, "*.wild.example.", rrtype::A, "Labels field is 3, the owner needs 2"));
  CHECK(report.problems.size() == 3);
}

TEST_CASE("zone_verifier: problems are sorted by owner and formatted as file:line: owner TYPE: reason",
          "[zone][zone_verifier]") {
  const Keys keys = make_keys();
  auto list = sign_zone(keys);
  edit_record(list, "www.example.", rrtype::A, [](Record& r) { r.rdata[3] ^= 1; });
  edit_record(list, "a.b.example.", rrtype::A, [](Record& r) { r.rdata[3] ^= 1; });
  edit_record(list, "www.example.", rrtype::TXT, [](Record& r) { r.loc = SourceLoc{0, 42}; });
  list.records.erase(std::remove_if(list.records.begin(), list.records.end(),
                                    [](const Record& r) {
                                      return r.owner == name("www.example.") && r.type == rrtype::RRSIG &&
                                             get_u16(r.rdata.data()) == rrtype::TXT;
                                    }),
                     list.records.end());
  const auto report = verify(list, 2);
  INFO(lines(report));
  REQUIRE(report.problems.size() == 3);
  CHECK(report.problems[0].owner->to_string() == "a.b.example.");
  CHECK(report.problems[1].owner->to_string() == "www.example.");
  CHECK(report.problems[1].type == rrtype::A);
  CHECK(format_problem(report.problems[2]) == "zone:42: www.example. TXT: no RRSIG: the RRset is not signed");
  CHECK(report.problems[0].reason.find("signature does not verify") != std::string::npos);
}

TEST_CASE("zone_verifier: NSEC chain breaks, stray NSEC3 records and ENT NSEC are reported",
          "[zone][zone_verifier]") {
  const Keys keys = make_keys();
  auto list = sign_zone(keys);
  // An NSEC at the empty non-terminal b.example. (the chain skips ENTs).
  list.records.push_back(test::record("b.example.", rrtype::NSEC, 300, "a.b.example. RRSIG NSEC"));
  // ns1's NSEC points past www.
  edit_record(list, "ns1.example.", rrtype::NSEC, [](Record& r) {
    r.rdata = test::rdata(rrtype::NSEC, "*.wild.example. A RRSIG NSEC");
  });
  auto report = verify(list);
  INFO(lines(report));
  CHECK(has_problem(report, "b.example.", rrtype::NSEC, "NSEC at an empty non-terminal"));
  CHECK(has_problem(report, "ns1.example.", rrtype::NSEC, "next name is *.wild.example., expected sub.example."));
  CHECK(has_problem(report, "ns1.example.", rrtype::NSEC, "signature does not verify"));

  // NSEC3: an NSEC record does not belong, and a changed bitmap is named with
  // the name it stands for.
  auto list3 = sign_zone(keys, true);
  list3.records.push_back(test::record("www.example.", rrtype::NSEC, 300, "example. A RRSIG NSEC"));
  Nsec3Hasher hasher(Bytes{}, 0);
  const std::string www = hasher.hash_label(name("www.example.")) + ".example.";
  edit_record(list3, www, rrtype::NSEC3, [](Record& r) {
    auto v = parse_nsec3(r.rdata);
    REQUIRE(v);
    const std::uint16_t types[] = {rrtype::A};
    r.rdata = make_nsec3_rdata(v->params, v->next_hash, make_type_bitmap(types));
  });
  report = verify(list3);
  INFO(lines(report));
  CHECK(has_problem(report, "www.example.", rrtype::NSEC, "NSEC in a zone that uses NSEC3"));
  CHECK(has_problem(report, www, rrtype::NSEC3, "(for www.example.) lists A, expected A TXT RRSIG"));
}

TEST_CASE("zone_verifier: trust anchors as DS (digest 1, 2, 4) or DNSKEY must sign the DNSKEY RRset",
          "[zone][zone_verifier]") {
  const Keys keys = make_keys();
  const auto list = sign_zone(keys);
  const Name origin = name("example.");
  for (std::uint8_t digest : {std::uint8_t{1}, std::uint8_t{2}, std::uint8_t{4}}) {
    Bytes ds;
    if (digest == 1) {
      // make_ds refuses to generate SHA-1 (RFC 8624); build it by hand.
      Bytes data;
      origin.append_wire(data, true);
      data.insert(data.end(), keys.ksk.dnskey_rdata.begin(), keys.ksk.dnskey_rdata.end());
      put_u16(ds, keys.ksk.key_tag);
      ds.push_back(keys.ksk.algorithm());
      ds.push_back(1);
      const Bytes h = base::digest(base::DigestAlgorithm::sha1, data);
      ds.insert(ds.end(), h.begin(), h.end());
    } else {
      auto made = make_ds(origin, keys.ksk.dnskey_rdata, digest);
      REQUIRE(made);
      ds = *made;
    }
    INFO("digest type " << int(digest));
    CHECK(verify(list, 1, {make_record(origin, rrtype::DS, 0, ds)}).ok());
  }
  CHECK(verify(list, 1, {make_record(origin, rrtype::DNSKEY, 0, keys.ksk.dnskey_rdata)}).ok());
  auto report = verify(list, 1, {make_record(origin, rrtype::DNSKEY, 0, keys.zsk.dnskey_rdata)});
  CHECK(has_problem(report, "example.", rrtype::DNSKEY, "no valid RRSIG by a key matching the trust anchor"));
  const Keys other = make_keys();
  report = verify(list, 1, {make_record(origin, rrtype::DNSKEY, 0, other.ksk.dnskey_rdata)});
  CHECK(has_problem(report, "example.", rrtype::DNSKEY, "no DNSKEY of the apex DNSKEY set matches"));
}

TEST_CASE("zone_verifier: signature windows are checked at options.now", "[zone][zone_verifier]") {
  const Keys keys = make_keys();
  const auto list = sign_zone(keys);
  VerifyOptions options;
  options.now = kExpiration + 1;
  auto copy = list;
  auto report = verify_zone(copy, name("example."), options);
  CHECK(has_problem(report, "www.example.", rrtype::A, "expired at 20300317"));
  options.now = kInception - 1;
  copy = list;
  report = verify_zone(copy, name("example."), options);
  CHECK(has_problem(report, "www.example.", rrtype::A, "not yet valid, inception 20231114"));
  options.now = kInception;  // both ends inclusive
  copy = list;
  CHECK(verify_zone(copy, name("example."), options).ok());
}

TEST_CASE("zone_verifier: a zone without DNSKEY or denial records is not valid", "[zone][zone_verifier]") {
  MasterOptions options;
  options.origin = name("example.");
  auto list = read_master_text(kZone, "zone", options);
  REQUIRE(list);
  const auto report = verify(*list);
  CHECK(has_problem(report, "example.", rrtype::DNSKEY, "no DNSKEY RRset at the apex"));
  CHECK(has_problem(report, "example.", 0, "no NSEC or NSEC3 records"));
}
