#include <catch2/catch.hpp>

#include <ctime>
#include <random>

#include "tests/zone/dnssec_test_util.hpp"
#include "zone/algorithm.hpp"
#include "zone/errc.hpp"
#include "zone/key_file.hpp"
#include "zone/key_tag.hpp"
#include "zone/rrsig.hpp"

using namespace kskline;
using namespace kskline::zone;
using kskline::test::name;
using kskline::test::rdata;
using kskline::test::record;

namespace {

// The RFC example's private key, read through the BIND key-file parser.
PrivateKey example_key(const test::RfcExample& ex) {
  auto key = parse_private_key_text(ex.private_text, ex.label);
  if (!key) FAIL(key.error().message());
  return std::move(*key);
}

// A signing setup: key, DNSKEY RDATA, tag, owner.
struct TestKey {
  PrivateKey key;
  Bytes dnskey;
  std::uint16_t tag;
  Name zone;
};

TestKey make_test_key(std::uint8_t alg, unsigned bits = 0, std::uint16_t flags = 257,
                      const std::string& zone = "example.com.") {
  auto key = PrivateKey::generate(alg, bits);
  REQUIRE(key);
  auto pair = make_key_pair(name(zone), flags, std::move(*key));
  REQUIRE(pair);
  return TestKey{std::move(pair->key), pair->dnskey_rdata, pair->key_tag, pair->owner};
}

Bytes sign(TestKey& k, std::span<const Record> rrset, std::uint32_t inception = 1700000000,
           std::uint32_t expiration = 1800000000) {
  auto signer = Signer::create(k.key);
  REQUIRE(signer);
  SignParams p{k.zone, k.tag, inception, expiration, std::nullopt};
  auto r = sign_rrset(*signer, p, rrset);
  if (!r) FAIL(r.error().message());
  return *r;
}

VerifyStatus check(const TestKey& k, ByteView rrsig, std::span<const Record> rrset) {
  return verify_rrsig(rrsig, rrset, k.zone, k.dnskey).status;
}

}  // namespace

TEST_CASE("rrsig: reproduces the deterministic RFC 5702 and RFC 8080 signatures exactly", "[zone][rrsig]") {
  int exact = 0;
  for (const auto& ex : test::rfc_examples()) {
    INFO(ex.label);
    PrivateKey key = example_key(ex);
    Bytes dnskey = rdata(rrtype::DNSKEY, ex.dnskey);
    REQUIRE(*key.public_key_field() == Bytes(dnskey.begin() + 4, dnskey.end()));
    std::vector<Record> rrset{record(ex.owner, ex.type, 3600, ex.rr)};
    Bytes expected = rdata(rrtype::RRSIG, ex.rrsig);
    auto rfc = parse_rrsig(expected);
    REQUIRE(rfc);

    // The RFC's own signature verifies.
    auto v = verify_rrsig(expected, rrset, name(ex.zone), dnskey);
    INFO(v.reason);
    CHECK(v.status == VerifyStatus::valid);

    // Ours, made with the same fields.
    auto signer = Signer::create(key);
    REQUIRE(signer);
    SignParams p{name(ex.zone), key_tag(dnskey), rfc->inception, rfc->expiration, rfc->original_ttl};
    auto ours = sign_rrset(*signer, p, rrset);
    REQUIRE(ours);
    if (ex.deterministic) {
      CHECK(base::to_base64(*ours) == base::to_base64(expected));
      ++exact;
    } else {
      // ECDSA signatures are randomised: everything but the signature agrees,
      // and ours verifies.
      auto mine = parse_rrsig(*ours);
      REQUIRE(mine);
      CHECK(mine->signature.size() == rfc->signature.size());
      mine->signature = rfc->signature;
      Bytes same;
      append_rrsig_rdata(*mine, same);
      CHECK(same == expected);
      CHECK(verify_rrsig(*ours, rrset, name(ex.zone), dnskey).status == VerifyStatus::valid);
    }
  }
  CHECK(exact == 6);
}

TEST_CASE("rrsig: signed data has the RFC 4034 3.1.8.1 layout", "[zone][rrsig]") {
  // RFC 8080 6.1: RRSIG MX 15 2 3600 1440021600 1438207200 3613 example.com.
  // over example.com. 3600 IN MX 10 mail.example.com., written out by hand.
  const char* expected_hex =
      "000f" "0f" "02" "00000e10" "55d4fc60" "55b94ce0" "0e1d" "076578616d706c6503636f6d00"  // RRSIG fields
      "076578616d706c6503636f6d00" "000f" "0001" "00000e10" "0014"                          // owner type class TTL len
      "000a" "046d61696c076578616d706c6503636f6d00";                                        // MX RDATA
  auto rrsig = parse_rrsig(rdata(rrtype::RRSIG, test::rfc_examples()[4].rrsig));
  REQUIRE(rrsig);
  rrsig->signature.clear();
  std::vector<Record> rrset{record("example.com.", rrtype::MX, 3600, "10 mail.example.com.")};
  Bytes data;
  REQUIRE(append_signed_data(*rrsig, rrset, data));
  CHECK(base::to_hex(data) == expected_hex);
}

TEST_CASE("rrsig: counts labels without the root and a leading wildcard", "[zone][rrsig]") {
  CHECK(rrsig_label_count(name(".")) == 0);
  CHECK(rrsig_label_count(name("com.")) == 1);
  CHECK(rrsig_label_count(name("www.example.com.")) == 3);
  CHECK(rrsig_label_count(name("*.example.com.")) == 2);
  CHECK(rrsig_label_count(name("*.")) == 0);
  CHECK(rrsig_label_count(name("a.*.example.com.")) == 4);
}

TEST_CASE("rrsig: canonical form lowercases owner and RDATA names but not text", "[zone][rrsig]") {
  TestKey k = make_test_key(alg::ED25519);  // deterministic signatures
  std::vector<Record> upper{record("WWW.Example.COM.", rrtype::MX, 3600, "10 MAIL.Example.COM.")};
  std::vector<Record> lower{record("www.example.com.", rrtype::MX, 3600, "10 mail.example.com.")};
  CHECK(sign(k, upper) == sign(k, lower));
  CHECK(check(k, sign(k, upper), lower) == VerifyStatus::valid);

  std::vector<Record> txt_upper{record("www.example.com.", rrtype::TXT, 3600, "\"Hello\"")};
  std::vector<Record> txt_lower{record("www.example.com.", rrtype::TXT, 3600, "\"hello\"")};
  CHECK(sign(k, txt_upper) != sign(k, txt_lower));
  CHECK(check(k, sign(k, txt_upper), txt_lower) == VerifyStatus::invalid);
}

TEST_CASE("rrsig: record order and duplicates do not change what is signed", "[zone][rrsig]") {
  TestKey k = make_test_key(alg::ED25519);
  auto a1 = record("www.example.com.", rrtype::A, 3600, "192.0.2.1");
  auto a2 = record("www.example.com.", rrtype::A, 3600, "192.0.2.2");
  std::vector<Record> forward{a1, a2}, backward{a2, a1}, duplicated{a2, a1, a2};
  Bytes sig = sign(k, forward);
  CHECK(sign(k, backward) == sig);
  CHECK(sign(k, duplicated) == sig);
  CHECK(check(k, sig, duplicated) == VerifyStatus::valid);
  std::vector<Record> only_one{a1};
  CHECK(check(k, sig, only_one) == VerifyStatus::invalid);
}

TEST_CASE("rrsig: RDATA sorts as octet strings, a prefix first", "[zone][rrsig]") {
  // TXT "a" "b" (01 61 01 62) and TXT "a" (01 61): the shorter sorts first.
  std::vector<Record> rrset{record("t.example.com.", rrtype::TXT, 60, "\"a\" \"b\""),
                            record("t.example.com.", rrtype::TXT, 60, "\"a\"")};
  Rrsig header;
  header.type_covered = rrtype::TXT;
  header.algorithm = alg::ED25519;
  header.labels = 3;
  header.original_ttl = 60;
  header.signer = name("example.com.");
  Bytes data;
  REQUIRE(append_signed_data(header, rrset, data));
  std::size_t first = 18 + 13;                  // RRSIG fields and signer name
  std::size_t rdlen_at = first + 15 + 2 + 2 + 4;  // owner t.example.com., type, class, TTL
  REQUIRE(data.size() > rdlen_at + 2);
  CHECK(get_u16(data.data() + rdlen_at) == 2);
  std::size_t second_rdlen_at = rdlen_at + 2 + 2 + 15 + 2 + 2 + 4;
  REQUIRE(data.size() == second_rdlen_at + 2 + 4);
  CHECK(get_u16(data.data() + second_rdlen_at) == 4);
}

TEST_CASE("rrsig: the original TTL is signed, not the records' TTL", "[zone][rrsig]") {
  TestKey k = make_test_key(alg::ECDSAP256SHA256);
  std::vector<Record> rrset{record("www.example.com.", rrtype::A, 3600, "192.0.2.1")};
  Bytes sig = sign(k, rrset);
  std::vector<Record> decayed = rrset;
  decayed[0].ttl = 17;  // as a cache would serve it
  CHECK(check(k, sig, decayed) == VerifyStatus::valid);
  // Changing the Original TTL field in the RRSIG breaks it.
  Bytes changed = sig;
  changed[7] ^= 0x01;
  CHECK(check(k, changed, rrset) == VerifyStatus::invalid);
}

TEST_CASE("rrsig: a wildcard RRSIG verifies over its expansions", "[zone][rrsig]") {
  TestKey k = make_test_key(alg::ECDSAP256SHA256);
  std::vector<Record> wild{record("*.example.com.", rrtype::A, 3600, "192.0.2.7")};
  Bytes sig = sign(k, wild);
  auto parsed = parse_rrsig(sig);
  REQUIRE(parsed);
  CHECK(parsed->labels == 2);
  CHECK(check(k, sig, wild) == VerifyStatus::valid);
  std::vector<Record> expanded{record("a.b.Example.com.", rrtype::A, 3600, "192.0.2.7")};
  CHECK(check(k, sig, expanded) == VerifyStatus::valid);
  std::vector<Record> sibling{record("x.example.com.", rrtype::A, 3600, "192.0.2.7")};
  CHECK(check(k, sig, sibling) == VerifyStatus::valid);
  // Not an expansion of this wildcard: more labels but another parent.
  std::vector<Record> elsewhere{record("a.example.org.", rrtype::A, 3600, "192.0.2.7")};
  CHECK(check(k, sig, elsewhere) != VerifyStatus::valid);
}

TEST_CASE("rrsig: flipping any bit of the RRSIG or the data never verifies", "[zone][rrsig]") {
  struct Case {
    std::uint8_t alg;
    unsigned bits;
  };
  for (Case c : {Case{alg::ED25519, 0}, Case{alg::ECDSAP256SHA256, 0}, Case{alg::ECDSAP384SHA384, 0},
                 Case{alg::RSASHA256, 1024}, Case{alg::ED448, 0}}) {
    INFO("algorithm " << int(c.alg));
    TestKey k = make_test_key(c.alg, c.bits);
    std::vector<Record> rrset{record("www.example.com.", rrtype::A, 3600, "192.0.2.1"),
                              record("www.example.com.", rrtype::A, 3600, "192.0.2.3")};
    Bytes sig = sign(k, rrset);
    auto rrsig = parse_rrsig(sig);
    REQUIRE(rrsig);
    auto verifier = RrsigVerifier::create(k.zone, k.dnskey);
    REQUIRE(verifier);
    REQUIRE(verifier->verify(sig, rrset).status == VerifyStatus::valid);

    std::size_t signer_begin = 18, signer_end = 18 + rrsig->signer.wire().size();
    int valid_after_flip = 0;
    for (std::size_t i = 0; i < sig.size(); ++i) {
      for (int b = 0; b < 8; ++b) {
        Bytes bad = sig;
        bad[i] ^= static_cast<std::uint8_t>(1 << b);
        // The signer name is compared and signed in lowercase: flipping the
        // case bit of a letter changes nothing that matters.
        bool letter = (sig[i] | 0x20) >= 'a' && (sig[i] | 0x20) <= 'z';
        if (i >= signer_begin && i < signer_end && b == 5 && letter) continue;
        if (verifier->verify(bad, rrset).status == VerifyStatus::valid) ++valid_after_flip;
      }
    }
    CHECK(valid_after_flip == 0);

    int data_flips_valid = 0;
    for (std::size_t r = 0; r < rrset.size(); ++r) {
      for (std::size_t i = 0; i < rrset[r].rdata.size(); ++i) {
        for (int b = 0; b < 8; ++b) {
          auto bad = rrset;
          bad[r].rdata[i] ^= static_cast<std::uint8_t>(1 << b);
          auto v = verifier->verify(sig, bad);
          if (v.status == VerifyStatus::valid) ++data_flips_valid;
          CHECK(v.status == VerifyStatus::invalid);
        }
      }
    }
    CHECK(data_flips_valid == 0);
  }
}

TEST_CASE("rrsig: verification has three outcomes", "[zone][rrsig]") {
  TestKey k = make_test_key(alg::ECDSAP256SHA256);
  std::vector<Record> rrset{record("www.example.com.", rrtype::A, 3600, "192.0.2.1")};
  Bytes sig = sign(k, rrset);
  auto status = [&](ByteView rrsig, std::span<const Record> rs, const Name& owner, ByteView key) {
    auto v = verify_rrsig(rrsig, rs, owner, key);
    if (v.status != VerifyStatus::valid) CHECK_FALSE(v.reason.empty());
    return v.status;
  };
  CHECK(status(sig, rrset, k.zone, k.dnskey) == VerifyStatus::valid);

  Bytes bad_sig = sig;
  bad_sig.back() ^= 0x80;
  CHECK(status(bad_sig, rrset, k.zone, k.dnskey) == VerifyStatus::invalid);

  Bytes other_tag = sig;
  other_tag[17] ^= 0x01;
  CHECK(status(other_tag, rrset, k.zone, k.dnskey) == VerifyStatus::indeterminate);
  Bytes other_alg = sig;
  other_alg[2] = alg::ECDSAP384SHA384;
  CHECK(status(other_alg, rrset, k.zone, k.dnskey) == VerifyStatus::indeterminate);
  CHECK(status(sig, rrset, name("example.org."), k.dnskey) == VerifyStatus::indeterminate);
  std::vector<Record> aaaa{record("www.example.com.", rrtype::AAAA, 3600, "2001:db8::1")};
  CHECK(status(sig, aaaa, k.zone, k.dnskey) == VerifyStatus::indeterminate);
  CHECK(status(Bytes(sig.begin(), sig.begin() + 10), rrset, k.zone, k.dnskey) == VerifyStatus::indeterminate);
  CHECK(status(sig, {}, k.zone, k.dnskey) == VerifyStatus::indeterminate);
  Bytes too_many_labels = sig;
  too_many_labels[3] = 4;
  CHECK(status(too_many_labels, rrset, k.zone, k.dnskey) == VerifyStatus::indeterminate);

  // Keys we cannot use: unsupported algorithm, malformed, not a zone key.
  Bytes rsasha1 = k.dnskey;
  rsasha1[3] = 5;
  CHECK(status(sig, rrset, k.zone, rsasha1) == VerifyStatus::indeterminate);
  Bytes broken(k.dnskey.begin(), k.dnskey.end() - 1);
  CHECK(status(sig, rrset, k.zone, broken) == VerifyStatus::indeterminate);
  Bytes not_zone = k.dnskey;
  not_zone[0] = 0;
  auto v = RrsigVerifier::create(k.zone, not_zone);
  REQUIRE_FALSE(v);
  CHECK(v.error().code == errc::bad_key);
  auto unsupported = RrsigVerifier::create(k.zone, rsasha1);
  REQUIRE_FALSE(unsupported);
  CHECK(unsupported.error().code == errc::unsupported_algorithm);
}

TEST_CASE("rrsig: the validity window uses serial arithmetic", "[zone][rrsig]") {
  CHECK(rrsig_time_status(1000, 2000, 999) == TimeStatus::not_yet_valid);
  CHECK(rrsig_time_status(1000, 2000, 1000) == TimeStatus::valid);
  CHECK(rrsig_time_status(1000, 2000, 2000) == TimeStatus::valid);
  CHECK(rrsig_time_status(1000, 2000, 2001) == TimeStatus::expired);
  // A window across 2106, when the 32-bit field wraps.
  const std::int64_t wrap = std::int64_t{1} << 32;
  CHECK(rrsig_time_status(0xffffff00u, 0x00000100u, wrap + 0x10) == TimeStatus::valid);
  CHECK(rrsig_time_status(0xffffff00u, 0x00000100u, wrap - 0x10) == TimeStatus::valid);
  CHECK(rrsig_time_status(0xffffff00u, 0x00000100u, wrap - 0x1000) == TimeStatus::not_yet_valid);
  CHECK(rrsig_time_status(0xffffff00u, 0x00000100u, wrap + 0x1000) == TimeStatus::expired);
  // The RFC 8080 window, checked on 2015-08-10.
  CHECK(rrsig_time_status(1438207200, 1440021600, 1439164800) == TimeStatus::valid);
  CHECK(rrsig_time_status(1438207200, 1440021600, 1700000000) == TimeStatus::expired);
}

TEST_CASE("rrsig: parsing refuses malformed RDATA and round-trips good RDATA", "[zone][rrsig]") {
  Bytes good = rdata(rrtype::RRSIG, test::rfc_examples()[4].rrsig);
  auto r = parse_rrsig(good);
  REQUIRE(r);
  Bytes again;
  append_rrsig_rdata(*r, again);
  CHECK(again == good);
  CHECK(r->type_covered == rrtype::MX);
  CHECK(r->key_tag == 3613);
  CHECK(r->signer == name("example.com."));

  auto expect_bad = [](const Bytes& bad) {
    auto p = parse_rrsig(bad);
    REQUIRE_FALSE(p);
    CHECK(p.error().code == errc::bad_rdata);
  };
  expect_bad(Bytes(good.begin(), good.begin() + 18));
  expect_bad(Bytes(good.begin(), good.begin() + 18 + 13));  // no signature
  Bytes pointer(good.begin(), good.begin() + 18);
  pointer.insert(pointer.end(), {0xc0, 0x0c, 1, 2, 3});
  expect_bad(pointer);
  expect_bad(Bytes(good.begin(), good.begin() + 25));  // name cut short
}

TEST_CASE("rrsig: signing refuses what is not one RRset of the zone", "[zone][rrsig]") {
  TestKey k = make_test_key(alg::ED25519);
  auto signer = Signer::create(k.key);
  REQUIRE(signer);
  SignParams p{k.zone, k.tag, 1, 2, std::nullopt};
  auto expect_bad = [&](std::vector<Record> rrset) {
    auto r = sign_rrset(*signer, p, rrset);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::bad_rdata);
  };
  expect_bad({});
  expect_bad({record("a.example.com.", rrtype::A, 1, "192.0.2.1"), record("b.example.com.", rrtype::A, 1, "192.0.2.1")});
  expect_bad({record("a.example.com.", rrtype::A, 1, "192.0.2.1"), record("a.example.com.", rrtype::TXT, 1, "x")});
  expect_bad({record("a.example.org.", rrtype::A, 1, "192.0.2.1")});
  // Owner names differing only in case are one RRset.
  auto ok = sign_rrset(*signer, p,
                       std::vector<Record>{record("a.example.com.", rrtype::A, 1, "192.0.2.1"),
                                           record("A.EXAMPLE.COM.", rrtype::A, 1, "192.0.2.2")});
  CHECK(ok);
}

TEST_CASE("rrsig: zones we sign pass dnssec-verify, ldns-verify-zone and kzonecheck", "[zone][rrsig][oracle]") {
  const bool bind = test::have_tool("dnssec-verify"), ldns = test::have_tool("ldns-verify-zone"),
             knot = test::have_tool("kzonecheck");
  if (!bind && !ldns && !knot) {
    WARN("no oracle tools installed; skipped");
    return;
  }
  auto now = static_cast<std::uint32_t>(std::time(nullptr));
  for (std::uint8_t a : {alg::RSASHA256, alg::RSASHA512, alg::ECDSAP256SHA256, alg::ECDSAP384SHA384, alg::ED25519,
                         alg::ED448}) {
    INFO("algorithm " << int(a));
    unsigned bits = (a == alg::RSASHA256 || a == alg::RSASHA512) ? 1024 : 0;
    TestKey ksk = make_test_key(a, bits, 257), zsk = make_test_key(a, bits, 256);
    // The apex, a wildcard and one name, with the NSEC chain written out.
    std::vector<std::vector<Record>> rrsets{
        {record("example.com.", rrtype::SOA, 3600, "ns.example.net. hostmaster.example.com. 1 7200 3600 1209600 3600")},
        {record("example.com.", rrtype::NS, 3600, "ns.example.net.")},
        {Record{name("example.com."), rrtype::DNSKEY, kClassIN, 3600, ksk.dnskey, {}},
         Record{name("example.com."), rrtype::DNSKEY, kClassIN, 3600, zsk.dnskey, {}}},
        {record("example.com.", rrtype::NSEC, 3600, "*.example.com. NS SOA RRSIG NSEC DNSKEY")},
        {record("*.example.com.", rrtype::TXT, 3600, "\"wild\"")},
        {record("*.example.com.", rrtype::NSEC, 3600, "www.example.com. TXT RRSIG NSEC")},
        {record("www.example.com.", rrtype::A, 3600, "192.0.2.1"), record("www.example.com.", rrtype::A, 3600, "192.0.2.2")},
        {record("www.example.com.", rrtype::NSEC, 3600, "example.com. A RRSIG NSEC")},
    };
    std::string text;
    for (const auto& rrset : rrsets) {
      TestKey& k = rrset[0].type == rrtype::DNSKEY ? ksk : zsk;
      Bytes sig = sign(k, rrset, now - 3600, now + 30 * 86400);
      for (const auto& r : rrset) append_text(r, text);
      append_text(Record{rrset[0].owner, rrtype::RRSIG, kClassIN, 3600, sig, {}}, text);
    }
    test::TempDir dir;
    std::string zone = dir.file("example.com.zone");
    test::spit(zone, text);
    INFO(text);
    if (bind) {
      auto r = test::run("dnssec-verify -q -o example.com. " + test::shell_quote(zone) + " 2>&1");
      INFO(r.out);
      CHECK(r.status == 0);
    }
    if (ldns) {
      auto r = test::run("ldns-verify-zone " + test::shell_quote(zone) + " 2>&1");
      INFO(r.out);
      CHECK(r.status == 0);
    }
    if (knot) {
      auto r = test::run("kzonecheck -o example.com. -d on " + test::shell_quote(zone) + " 2>&1");
      INFO(r.out);
      CHECK(r.status == 0);
    }
    // A signature broken on purpose is caught by the oracle (the check can fail).
    if (bind && a == alg::ECDSAP256SHA256) {
      std::string broken = text;
      auto at = broken.find("192.0.2.2");
      REQUIRE(at != std::string::npos);
      broken.replace(at, 9, "192.0.2.9");
      test::spit(zone, broken);
      auto r = test::run("dnssec-verify -q -o example.com. " + test::shell_quote(zone) + " 2>&1");
      CHECK(r.status != 0);
    }
  }
}

TEST_CASE("rrsig: arbitrary RRSIG RDATA never verifies and never crashes", "[zone][rrsig]") {
  std::mt19937 rng(4034);
  TestKey k = make_test_key(alg::ED25519);
  std::vector<Record> rrset{record("www.example.com.", rrtype::A, 3600, "192.0.2.1")};
  Bytes good = sign(k, rrset);
  auto verifier = RrsigVerifier::create(k.zone, k.dnskey);
  REQUIRE(verifier);
  int valid = 0;
  for (int i = 0; i < 3000; ++i) {
    Bytes bad;
    if (i % 3 == 0) {
      bad.resize(rng() % 120);
      for (auto& b : bad) b = static_cast<std::uint8_t>(rng());
    } else {
      bad = good;
      // Several random octets replaced, or the RDATA cut short.
      for (int j = 0; j < 1 + i % 4; ++j) bad[rng() % bad.size()] = static_cast<std::uint8_t>(rng());
      if (i % 3 == 2) bad.resize(rng() % bad.size());
    }
    if (bad == good) continue;
    auto v = verifier->verify(bad, rrset);
    if (v.status == VerifyStatus::valid) {
      // Only a change of letter case in the signer name may stay valid.
      auto p = parse_rrsig(bad);
      REQUIRE(p);
      CHECK(p->signature == parse_rrsig(good)->signature);
      CHECK(p->signer == k.zone);
      ++valid;
    }
  }
  CHECK(valid < 10);
}
