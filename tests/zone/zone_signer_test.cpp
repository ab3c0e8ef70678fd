#include <catch2/catch.hpp>

#include <set>

#include "tests/zone/sign_test_util.hpp"
#include "zone/errc.hpp"
#include "zone/nsec3_hash.hpp"
#include "zone/rr_types.hpp"
#include "zone/soa_serial.hpp"
#include "zone/type_bitmap.hpp"
#include "zone/zone_signer.hpp"
#include "zone/zonemd.hpp"

using namespace kskline;
using namespace kskline::zone;
using kskline::test::key_pair;
using kskline::test::name;
using kskline::test::read_zone_text;
using kskline::test::records_of;
using kskline::test::rrsigs_over;
using kskline::test::sign_options;
using kskline::test::sign_to_text;

namespace {

SignInput input_of(const std::string& text, std::vector<KeyPair> keys) {
  SignInput in;
  in.zone = read_zone_text(text);
  in.keys = std::move(keys);
  return in;
}

std::vector<KeyPair> zsk_ksk(std::uint8_t alg, std::vector<KeyPair>* copy = nullptr) {
  std::vector<KeyPair> keys;
  keys.push_back(key_pair(alg, 256));
  keys.push_back(key_pair(alg, 257));
  if (copy != nullptr) {
    for (const auto& k : keys) copy->push_back(test::copy_key(k));
  }
  return keys;
}

// Signs the rich zone and returns the parsed output; requires success.
struct SignedZone {
  test::Signed out;
  RecordList list;
};

SignedZone sign_rich(const SignOptions& options, std::vector<KeyPair> keys, const std::string& text = test::rich_zone()) {
  SignedZone z;
  z.out = sign_to_text(input_of(text, std::move(keys)), options);
  INFO(test::first_problem(z.out.report));
  REQUIRE(z.out.report.problems.empty());
  z.list = read_zone_text(z.out.text, options.origin.to_string(), "signed");
  return z;
}

std::vector<std::uint16_t> nsec_types(const RecordList& list, const std::string& owner) {
  auto nsec = records_of(list, owner, rrtype::NSEC);
  REQUIRE(nsec.size() == 1);
  std::size_t used = 0;
  REQUIRE(Name::from_wire(nsec[0].rdata, &used));
  auto types = read_type_bitmap(ByteView(nsec[0].rdata).subspan(used));
  REQUIRE(types);
  return *types;
}

}  // namespace

TEST_CASE("zone_signer: every RRSIG verifies and every authoritative RRset is signed", "[zone][zone_signer]") {
  for (std::uint8_t alg : {8, 13, 14, 15}) {
    CAPTURE(alg);
    auto keys = zsk_ksk(alg);
    const std::uint16_t zsk_tag = keys[0].key_tag, ksk_tag = keys[1].key_tag;
    auto z = sign_rich(sign_options(), std::move(keys));
    CHECK(test::bad_signatures(z.list, name("example.org.")).empty());
    // Authoritative data, DS at a cut: signed by the ZSK only.
    for (auto [owner, type] : std::vector<std::pair<std::string, std::uint16_t>>{
             {"example.org.", rrtype::SOA}, {"example.org.", rrtype::NS}, {"example.org.", rrtype::MX},
             {"www.example.org.", rrtype::A}, {"www.example.org.", rrtype::AAAA}, {"*.wild.example.org.", rrtype::TXT},
             {"secure.example.org.", rrtype::DS}, {"redirect.example.org.", rrtype::DNAME},
             {"long.example.org.", rrtype::TXT}, {"mixed.case.example.org.", rrtype::TXT},
             {"alias.example.org.", rrtype::CNAME}, {"a.b.c.ent.example.org.", rrtype::A}}) {
      CAPTURE(owner, type);
      auto sigs = rrsigs_over(z.list, owner, type);
      REQUIRE(sigs.size() == 1);
      CHECK(sigs[0].key_tag == zsk_tag);
      CHECK(sigs[0].algorithm == alg);
    }
    // The DNSKEY RRset: by the KSK only.
    auto dnskey_sigs = rrsigs_over(z.list, "example.org.", rrtype::DNSKEY);
    REQUIRE(dnskey_sigs.size() == 1);
    CHECK(dnskey_sigs[0].key_tag == ksk_tag);
    // Wildcard: the Labels field leaves out the "*".
    CHECK(rrsigs_over(z.list, "*.wild.example.org.", rrtype::A).at(0).labels == 3);
    // Delegation NS, glue and occluded data: unsigned.
    for (auto [owner, type] : std::vector<std::pair<std::string, std::uint16_t>>{
             {"secure.example.org.", rrtype::NS}, {"insecure.example.org.", rrtype::NS},
             {"ns.secure.example.org.", rrtype::A}, {"ns.insecure.example.org.", rrtype::AAAA},
             {"deep.below.insecure.example.org.", rrtype::TXT}}) {
      CAPTURE(owner, type);
      CHECK(rrsigs_over(z.list, owner, type).empty());
      CHECK(records_of(z.list, owner, type).size() >= 1);  // still written
    }
  }
}

TEST_CASE("zone_signer: the NSEC chain, bitmaps and TTLs", "[zone][zone_signer]") {
  auto z = sign_rich(sign_options(), zsk_ksk(13));
  CHECK(nsec_types(z.list, "example.org.") ==
        std::vector<std::uint16_t>{rrtype::NS, rrtype::SOA, rrtype::MX, rrtype::RRSIG, rrtype::NSEC, rrtype::DNSKEY,
                                   rrtype::CAA});
  CHECK(nsec_types(z.list, "secure.example.org.") ==
        std::vector<std::uint16_t>{rrtype::NS, rrtype::DS, rrtype::RRSIG, rrtype::NSEC});
  CHECK(nsec_types(z.list, "insecure.example.org.") ==
        std::vector<std::uint16_t>{rrtype::NS, rrtype::RRSIG, rrtype::NSEC});
  // No NSEC at glue, occluded names or empty non-terminals.
  for (const char* owner : {"ns.secure.example.org.", "ns.insecure.example.org.", "deep.below.insecure.example.org.",
                            "ent.example.org.", "c.ent.example.org."}) {
    CHECK(records_of(z.list, owner, rrtype::NSEC).empty());
  }
  // One closed chain in canonical order; TTL = min(SOA TTL 3600, MINIMUM 300).
  std::vector<Record> nsecs;
  for (const auto& r : z.list.records) {
    if (r.type == rrtype::NSEC) nsecs.push_back(r);
  }
  REQUIRE(nsecs.size() == z.out.report.summary.denial);
  for (std::size_t i = 0; i < nsecs.size(); ++i) {
    CHECK(nsecs[i].ttl == 300);
    auto next = Name::from_wire(nsecs[i].rdata);
    REQUIRE(next);
    CHECK(*next == nsecs[(i + 1) % nsecs.size()].owner);
    if (i > 0) CHECK(nsecs[i - 1].owner < nsecs[i].owner);
  }
  // RRSIG TTL = the RRset's TTL.
  for (const auto& r : z.list.records) {
    if (r.type != rrtype::RRSIG) continue;
    auto s = parse_rrsig(r.rdata);
    REQUIRE(s);
    CHECK(r.ttl == s->original_ttl);
  }
}

TEST_CASE("zone_signer: NSEC3 chain with empty non-terminals, Opt-Out and NSEC3PARAM", "[zone][zone_signer]") {
  for (bool opt_out : {false, true}) {
    CAPTURE(opt_out);
    auto options = sign_options();
    options.nsec3 = Nsec3Settings{};
    options.nsec3->opt_out = opt_out;
    options.nsec3->iterations = 3;
    options.nsec3->salt = Bytes{0xab, 0xcd};
    auto z = sign_rich(options, zsk_ksk(13));
    CHECK(test::bad_signatures(z.list, name("example.org.")).empty());
    auto param = records_of(z.list, "example.org.", rrtype::NSEC3PARAM);
    REQUIRE(param.size() == 1);
    auto p = parse_nsec3param(param[0].rdata);
    REQUIRE(p);
    CHECK(p->flags == 0);
    CHECK(p->iterations == 3);
    CHECK(p->salt == Bytes{0xab, 0xcd});

    Nsec3Hasher hasher(Bytes{0xab, 0xcd}, 3);
    std::set<std::string> owners;
    for (const auto& r : z.list.records) {
      if (r.type != rrtype::NSEC3) continue;
      owners.insert(r.owner.to_string());
      auto v = parse_nsec3(r.rdata);
      REQUIRE(v);
      CHECK(v->params.flags == (opt_out ? 1 : 0));
      CHECK(r.ttl == 300);
      CHECK(rrsigs_over(z.list, r.owner.to_string(), rrtype::NSEC3).size() == 1);
    }
    CHECK(records_of(z.list, "example.org.", rrtype::NSEC).empty());
    auto has = [&](const std::string& n) { return owners.count(hasher.hashed_owner(name(n), name("example.org."))->to_string()) > 0; };
    CHECK(has("example.org."));
    CHECK(has("ent.example.org."));      // empty non-terminals
    CHECK(has("b.c.ent.example.org."));
    CHECK(has("secure.example.org."));   // secure delegation
    CHECK(has("insecure.example.org.") == !opt_out);
    CHECK_FALSE(has("ns.insecure.example.org."));  // glue
    CHECK(owners.size() == z.out.report.summary.denial);
  }
}

TEST_CASE("zone_signer: output is in canonical order, one record a line", "[zone][zone_signer]") {
  auto z = sign_rich(sign_options(), zsk_ksk(15));
  std::size_t lines = 0;
  for (char c : z.out.text) lines += c == '\n';
  CHECK(lines == z.list.records.size());
  CHECK(lines == z.out.report.summary.records);
  auto sorted = z.list.records;
  sort_canonical(sorted);
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    CHECK(to_text(sorted[i]) == to_text(z.list.records[i]));
  }
}

TEST_CASE("zone_signer: same input, keys and times give identical output (Ed25519)", "[zone][zone_signer]") {
  std::vector<KeyPair> copy;
  auto keys = zsk_ksk(15, &copy);
  auto options = sign_options();
  auto a = sign_to_text(input_of(test::rich_zone(), std::move(keys)), options);
  options.threads = 5;  // thread count does not matter either
  auto b = sign_to_text(input_of(test::rich_zone(), std::move(copy)), options);
  REQUIRE(a.report.problems.empty());
  REQUIRE(b.report.problems.empty());
  CHECK(a.text == b.text);
  CHECK(a.text.size() > 1000);
}

TEST_CASE("zone_signer: refusals name file:line", "[zone][zone_signer]") {
  const std::string head =
      "$ORIGIN example.org.\n$TTL 3600\n@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n  NS ns1\nns1 A 192.0.2.1\n";
  struct Case {
    std::string body;
    std::string where;
    std::string says;
  };
  std::vector<Case> cases{
      {"www CNAME ns1\nwww A 192.0.2.2\n", "test.zone:6", "CNAME"},
      {"www 60 A 192.0.2.2\nwww 120 A 192.0.2.3\n", "test.zone:7", "TTL"},
      {"www.example.net. A 192.0.2.2\n", "test.zone:6", "outside"},
      {"@ DS 1 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n", "test.zone:6", "DS"},
      // A 3-octet P-256 key, and an RSA key whose exponent is empty.
      {"@ DNSKEY 256 3 13 AQID\n", "test.zone:6", "not a usable key"},
      {"\n@ DNSKEY 257 3 8 AAAAAQID\n", "test.zone:7", "not a usable key"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.body);
    auto out = sign_to_text(input_of(head + c.body, test::one_key(13, 256)), sign_options());
    REQUIRE_FALSE(out.report.problems.empty());
    CHECK(out.report.problems[0].where == c.where);
    CHECK(out.report.problems[0].detail.find(c.says) != std::string::npos);
    CHECK(out.text.empty());
  }
  auto no_soa = sign_to_text(input_of("$ORIGIN example.org.\n$TTL 60\n@ NS ns1\n", test::one_key(13, 256)), sign_options());
  REQUIRE_FALSE(no_soa.report.problems.empty());
  CHECK(no_soa.report.problems[0].detail.find("SOA") != std::string::npos);
  auto no_ns = sign_to_text(input_of("$ORIGIN example.org.\n$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n", test::one_key(13, 256)),
                            sign_options());
  REQUIRE_FALSE(no_ns.report.problems.empty());
  CHECK(no_ns.report.problems[0].detail.find("NS") != std::string::npos);
}

TEST_CASE("zone_signer: a DNSKEY of an algorithm kskline does not implement is kept, as validators ignore it",
          "[zone][zone_signer]") {
  auto out = sign_to_text(input_of("$ORIGIN example.org.\n$TTL 3600\n@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
                                   "  NS ns1\nns1 A 192.0.2.1\n@ DNSKEY 256 3 200 AQID\n",
                                   test::one_key(13, 256)),
                          sign_options());
  CHECK(out.report.problems.empty());
  CHECK(out.text.find("DNSKEY\t256 3 200 AQID") != std::string::npos);
}

TEST_CASE("zone_signer: --normalize-ttl gives mixed RRsets their lowest TTL", "[zone][zone_signer]") {
  auto options = sign_options();
  options.normalize_ttl = true;
  auto z = sign_rich(options, test::one_key(13, 256), test::rich_zone() + "mixed 60 A 192.0.2.10\nmixed 120 A 192.0.2.11\n");
  for (const auto& r : records_of(z.list, "mixed.example.org.", rrtype::A)) CHECK(r.ttl == 60);
  CHECK(z.out.report.notes.size() >= 1);
}

TEST_CASE("zone_signer: more than 50 NSEC3 iterations or a long salt are refused", "[zone][zone_signer]") {
  auto options = sign_options();
  options.nsec3 = Nsec3Settings{};
  options.nsec3->iterations = 51;
  auto out = sign_to_text(input_of(test::rich_zone(), test::one_key(13, 256)), options);
  REQUIRE(out.report.problems.size() == 1);
  CHECK(out.report.problems[0].where == "--nsec3-iterations");
  CHECK(out.report.problems[0].detail.find("at most 50") != std::string::npos);
  options.nsec3->iterations = 50;
  CHECK(sign_to_text(input_of(test::rich_zone(), test::one_key(13, 256)), options).report.problems.empty());
  options.nsec3->salt = Bytes(256, 1);
  CHECK(sign_to_text(input_of(test::rich_zone(), test::one_key(13, 256)), options).report.problems.at(0).where ==
        "--nsec3-salt");
}

TEST_CASE("zone_signer: input RRSIG/NSEC/NSEC3PARAM are made anew, DNSKEYs kept and added", "[zone][zone_signer]") {
  auto zsk = key_pair(13, 256);
  auto extra = key_pair(13, 256);  // a pre-published key: in the zone, not signing
  std::string text = test::rich_zone();
  text += "@ 600 DNSKEY " + rdata_to_text(rrtype::DNSKEY, extra.dnskey_rdata) + "\n";
  text += "@ 300 NSEC3PARAM 1 0 10 abcd\n";
  text += "www RRSIG A 13 3 3600 20300101000000 20200101000000 1 example.org. AAAA\n";
  text += "www NSEC mail.example.org. A AAAA RRSIG NSEC\n";
  std::vector<KeyPair> keys;
  keys.push_back(std::move(zsk));
  auto z = sign_rich(sign_options(), std::move(keys), text);
  CHECK(records_of(z.list, "example.org.", rrtype::NSEC3PARAM).empty());
  auto dnskeys = records_of(z.list, "example.org.", rrtype::DNSKEY);
  REQUIRE(dnskeys.size() == 2);
  for (const auto& k : dnskeys) CHECK(k.ttl == 600);  // the RRset's TTL
  CHECK(rrsigs_over(z.list, "www.example.org.", rrtype::A).size() == 1);
  CHECK(test::bad_signatures(z.list, name("example.org.")).empty());
  CHECK(z.out.report.notes.size() >= 1);
}

TEST_CASE("zone_signer: SOA serial policies", "[zone][zone_signer]") {
  auto options = sign_options();
  options.serial = SerialPolicy::increment;
  auto inc = sign_rich(options, test::one_key(13, 256));
  CHECK(*soa_serial(records_of(inc.list, "example.org.", rrtype::SOA).at(0).rdata) == 2024010102u);
  CHECK(inc.out.report.summary.serial == 2024010102u);
  options.serial = SerialPolicy::dateserial;
  auto date = sign_rich(options, test::one_key(13, 256));
  CHECK(*soa_serial(records_of(date.list, "example.org.", rrtype::SOA).at(0).rdata) == 2024060100u);
  options.serial = SerialPolicy::unixtime;
  auto unix = sign_rich(options, test::one_key(13, 256));
  // 2024010101 is later than the clock (RFC 1982), so it is incremented.
  CHECK(*soa_serial(records_of(unix.list, "example.org.", rrtype::SOA).at(0).rdata) == 2024010102u);
}

TEST_CASE("zone_signer: ZONEMD digests the signed zone and is signed", "[zone][zone_signer]") {
  for (bool nsec3 : {false, true}) {
    for (bool rewritable : {true, false}) {
      CAPTURE(nsec3, rewritable);
      auto options = sign_options();
      options.zonemd = true;
      options.serial = SerialPolicy::increment;
      if (nsec3) options.nsec3 = Nsec3Settings{};
      SignedZone z;
      z.out = sign_to_text(input_of(test::rich_zone(), zsk_ksk(13)), options, rewritable);
      INFO(test::first_problem(z.out.report));
      REQUIRE(z.out.report.problems.empty());
      z.list = read_zone_text(z.out.text, "example.org.", "signed");
      auto zonemd = records_of(z.list, "example.org.", rrtype::ZONEMD);
      REQUIRE(zonemd.size() == 1);
      auto v = parse_zonemd(zonemd[0].rdata);
      REQUIRE(v);
      CHECK(v->serial == 2024010102u);
      // The digest as zonemd.hpp computes it over the whole output.
      auto sorted = z.list.records;
      sort_canonical(sorted);
      auto digest = zonemd_digest(sorted, name("example.org."));
      REQUIRE(digest);
      CHECK(Bytes(v->digest.begin(), v->digest.end()) == *digest);
      CHECK(rrsigs_over(z.list, "example.org.", rrtype::ZONEMD).size() == 1);
      CHECK(test::bad_signatures(z.list, name("example.org.")).empty());
      if (!nsec3) {
        auto types = nsec_types(z.list, "example.org.");
        CHECK(std::count(types.begin(), types.end(), rrtype::ZONEMD) == 1);
      }
    }
  }
}

TEST_CASE("zone_signer: ZONEMD output is the same written once or held", "[zone][zone_signer]") {
  std::vector<KeyPair> copy;
  auto keys = zsk_ksk(15, &copy);
  auto options = sign_options();
  options.zonemd = true;
  auto rewritten = sign_to_text(input_of(test::rich_zone(), std::move(keys)), options, true);
  auto held = sign_to_text(input_of(test::rich_zone(), std::move(copy)), options, false);
  REQUIRE(rewritten.report.problems.empty());
  REQUIRE(held.report.problems.empty());
  CHECK(rewritten.text == held.text);
  CHECK(rewritten.report.summary.signatures == held.report.summary.signatures);
}

TEST_CASE("zone_signer: a keyset's RRsets are placed as they are", "[zone][zone_signer]") {
  auto zsk = key_pair(13, 256), ksk = key_pair(13, 257);
  // The KSK side: the DNSKEY RRset signed by the KSK.
  std::vector<Record> dnskeys;
  for (const auto* k : {&zsk, &ksk}) {
    Record r;
    r.owner = name("example.org.");
    r.type = rrtype::DNSKEY;
    r.ttl = 3600;
    r.rdata = k->dnskey_rdata;
    dnskeys.push_back(r);
  }
  auto signer = Signer::create(ksk.key);
  REQUIRE(signer);
  auto sig = sign_rrset(*signer, {name("example.org."), ksk.key_tag, test::kNow - 3600, test::kNow + 30 * 86400, {}}, dnskeys);
  REQUIRE(sig);
  std::string keyset;
  for (const auto& r : dnskeys) append_text(r, keyset);
  Record sig_record = dnskeys[0];
  sig_record.type = rrtype::RRSIG;
  sig_record.rdata = *sig;
  append_text(sig_record, keyset);

  SignInput in = input_of(test::rich_zone(), {});
  in.keys.push_back(std::move(zsk));
  in.keyset = read_zone_text(keyset, "example.org.", "keyset");
  auto out = sign_to_text(std::move(in), sign_options());
  INFO(test::first_problem(out.report));
  REQUIRE(out.report.problems.empty());
  auto list = read_zone_text(out.text);
  auto kept = records_of(list, "example.org.", rrtype::RRSIG);
  bool found = std::any_of(kept.begin(), kept.end(), [&](const Record& r) { return r.rdata == *sig; });
  CHECK(found);
  CHECK(rrsigs_over(list, "example.org.", rrtype::DNSKEY).size() == 1);
  CHECK(test::bad_signatures(list, name("example.org.")).empty());
}

TEST_CASE("zone_signer: data below a DNAME is written unsigned and outside the chain", "[zone][zone_signer]") {
  for (bool nsec3 : {false, true}) {
    auto options = sign_options();
    if (nsec3) options.nsec3 = Nsec3Settings{};
    auto z = sign_rich(options, zsk_ksk(13), test::rich_zone() + "x.redirect A 192.0.2.8\n");
    CHECK(records_of(z.list, "x.redirect.example.org.", rrtype::A).size() == 1);
    CHECK(rrsigs_over(z.list, "x.redirect.example.org.", rrtype::A).empty());
    CHECK(records_of(z.list, "x.redirect.example.org.", rrtype::NSEC).empty());
    CHECK(rrsigs_over(z.list, "redirect.example.org.", rrtype::DNAME).size() == 1);
    CHECK(test::bad_signatures(z.list, name("example.org.")).empty());
    if (nsec3) {
      Nsec3Hasher hasher(Bytes{}, 0);
      auto hashed = hasher.hashed_owner(name("x.redirect.example.org."), name("example.org."));
      CHECK(records_of(z.list, hashed->to_string(), rrtype::NSEC3).empty());
    }
  }
}

TEST_CASE("zone_signer: CDS and CDNSKEY at the apex are signed by the KSK", "[zone][zone_signer]") {
  auto keys = zsk_ksk(13);
  const std::uint16_t ksk_tag = keys[1].key_tag;
  std::string text = test::rich_zone();
  text += "@ CDNSKEY " + rdata_to_text(rrtype::DNSKEY, keys[1].dnskey_rdata) + "\n";
  text += "@ CDS 1 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n";
  text += "www CDS 1 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n";  // not at the apex: data
  auto z = sign_rich(sign_options(), std::move(keys), text);
  for (auto type : {rrtype::CDS, rrtype::CDNSKEY}) {
    auto sigs = rrsigs_over(z.list, "example.org.", type);
    REQUIRE(sigs.size() == 1);
    CHECK(sigs[0].key_tag == ksk_tag);
  }
  auto below = rrsigs_over(z.list, "www.example.org.", rrtype::CDS);
  REQUIRE(below.size() == 1);
  CHECK(below[0].key_tag != ksk_tag);
  CHECK(test::bad_signatures(z.list, name("example.org.")).empty());
}

TEST_CASE("zone_signer: with keys of two algorithms every RRset is signed by both", "[zone][zone_signer]") {
  std::vector<KeyPair> keys;
  keys.push_back(key_pair(13, 256));
  keys.push_back(key_pair(15, 257));
  auto z = sign_rich(sign_options(), std::move(keys));
  CHECK(test::bad_signatures(z.list, name("example.org.")).empty());
  for (auto [owner, type] : std::vector<std::pair<std::string, std::uint16_t>>{
           {"example.org.", rrtype::SOA}, {"example.org.", rrtype::DNSKEY}, {"example.org.", rrtype::NSEC},
           {"www.example.org.", rrtype::A}, {"secure.example.org.", rrtype::DS}}) {
    CAPTURE(owner, type);
    std::set<int> algorithms;
    for (const auto& s : rrsigs_over(z.list, owner, type)) algorithms.insert(s.algorithm);
    CHECK(algorithms == std::set<int>{13, 15});
  }
}

TEST_CASE("zone_signer: a ZSK held elsewhere signs the zone through its sessions", "[zone][zone_signer]") {
  auto [zsk_key, holder] = test::held_elsewhere(13);
  auto zsk = make_key_pair(name("example.org."), 256, std::move(zsk_key));
  REQUIRE(zsk);
  const std::uint16_t zsk_tag = zsk->key_tag;
  std::vector<KeyPair> keys;
  keys.push_back(std::move(*zsk));
  keys.push_back(key_pair(13, 257));
  auto options = sign_options();
  options.zonemd = true;
  auto z = sign_rich(options, std::move(keys));
  CHECK(test::bad_signatures(z.list, name("example.org.")).empty());
  auto sigs = rrsigs_over(z.list, "www.example.org.", rrtype::A);
  REQUIRE(sigs.size() == 1);
  CHECK(sigs[0].key_tag == zsk_tag);
  // One session per worker thread and one for the final ZONEMD signature.
  CHECK(holder->sessions == static_cast<int>(options.threads) + 1);
  CHECK(z.out.report.summary.nonces_ahead == 0);
}
