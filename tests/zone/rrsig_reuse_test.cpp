#include <catch2/catch.hpp>

#include <set>

#include "tests/zone/sign_test_util.hpp"
#include "zone/internal/rrsig_reuse.hpp"
#include "zone/rr_types.hpp"
#include "zone/zone_signer.hpp"

using namespace kskline;
using namespace kskline::zone;
using kskline::test::key_pair;
using kskline::test::name;
using kskline::test::read_zone_text;
using kskline::test::sign_options;
using kskline::test::sign_to_text;

namespace {

constexpr std::int64_t kDay = 86400;

struct Run {
  test::Signed out;
  RecordList list;
};

// Signs `text` at `now` with copies of `keys`, reusing `previous` if given.
Run sign_at(const std::string& text, const std::vector<KeyPair>& keys, std::int64_t now,
            const std::string* previous = nullptr, SerialPolicy serial = SerialPolicy::keep) {
  SignInput in;
  in.zone = read_zone_text(text);
  for (const auto& k : keys) in.keys.push_back(test::copy_key(k));
  if (previous != nullptr) in.previous = PreviousText{*previous, "previous"};
  auto options = sign_options();
  options.timing.now = now;
  options.timing.validity = 14 * kDay;
  options.timing.jitter = 4 * kDay;
  options.timing.refresh = 2 * kDay;
  options.serial = serial;
  Run r;
  r.out = sign_to_text(std::move(in), options);
  INFO(test::first_problem(r.out.report));
  REQUIRE(r.out.report.problems.empty());
  r.list = read_zone_text(r.out.text, "example.org.", "signed");
  return r;
}

// The RRSIG RDATA of a signed zone, keyed by owner and type covered.
std::multiset<std::string> rrsig_lines(const RecordList& list) {
  std::multiset<std::string> out;
  for (const auto& r : list.records) {
    if (r.type == rrtype::RRSIG) out.insert(to_text(r));
  }
  return out;
}

std::size_t common(const std::multiset<std::string>& a, const std::multiset<std::string>& b) {
  std::size_t n = 0;
  for (const auto& s : a) n += b.count(s) > 0;
  return n;
}

const std::vector<KeyPair>& keys();

// The roles of copies of keys().
const SigningKeys& roles() {
  static const SigningKeys r = [] {
    std::vector<KeyPair> ks;
    for (const auto& k : keys()) ks.push_back(test::copy_key(k));
    auto assigned = SigningKeys::assign(std::move(ks), name("example.org."), false);
    if (!assigned) throw std::runtime_error("roles");
    return std::move(*assigned);
  }();
  return r;
}

const std::vector<KeyPair>& keys() {
  static const std::vector<KeyPair> k = [] {
    std::vector<KeyPair> v;
    v.push_back(key_pair(13, 256));
    v.push_back(key_pair(13, 257));
    return v;
  }();
  return k;
}

}  // namespace

TEST_CASE("rrsig_reuse: an unchanged zone keeps every RRSIG and the same text", "[zone][rrsig_reuse]") {
  auto first = sign_at(test::rich_zone(), keys(), test::kNow);
  auto again = sign_at(test::rich_zone(), keys(), test::kNow + kDay, &first.out.text);
  CHECK(again.out.report.summary.signatures == 0);
  CHECK(again.out.report.summary.reused == first.out.report.summary.signatures);
  CHECK(again.out.text == first.out.text);
}

TEST_CASE("rrsig_reuse: a changed RRset, and the NSEC records around a new name, are signed anew", "[zone][rrsig_reuse]") {
  auto first = sign_at(test::rich_zone(), keys(), test::kNow);
  std::string changed = test::rich_zone();
  changed.replace(changed.find("192.0.2.2\n"), 10, "192.0.2.22\n");  // mail A
  auto second = sign_at(changed, keys(), test::kNow + kDay, &first.out.text);
  CHECK(second.out.report.summary.signatures == 1);
  auto a = test::rrsigs_over(first.list, "mail.example.org.", rrtype::A);
  auto b = test::rrsigs_over(second.list, "mail.example.org.", rrtype::A);
  REQUIRE(a.size() == 1);
  REQUIRE(b.size() == 1);
  CHECK(a[0].signature != b[0].signature);
  CHECK(test::bad_signatures(second.list, name("example.org.")).empty());

  // A new name: its A and NSEC, and its predecessor's NSEC.
  auto third = sign_at(test::rich_zone() + "mailer A 192.0.2.30\n", keys(), test::kNow + kDay, &first.out.text);
  CHECK(third.out.report.summary.signatures == 3);
  auto before = test::rrsigs_over(first.list, "mail.example.org.", rrtype::NSEC);
  auto after = test::rrsigs_over(third.list, "mail.example.org.", rrtype::NSEC);
  CHECK(before.at(0).signature != after.at(0).signature);
  CHECK(test::bad_signatures(third.list, name("example.org.")).empty());

  // A new serial: the SOA's RRSIG only.
  auto fourth = sign_at(test::rich_zone(), keys(), test::kNow + kDay, &first.out.text, SerialPolicy::increment);
  CHECK(fourth.out.report.summary.signatures == 1);
  CHECK(test::rrsigs_over(fourth.list, "example.org.", rrtype::SOA).at(0).signature !=
        test::rrsigs_over(first.list, "example.org.", rrtype::SOA).at(0).signature);
}

TEST_CASE("rrsig_reuse: exactly the RRSIGs expiring after now + refresh are kept", "[zone][rrsig_reuse]") {
  auto first = sign_at(test::rich_zone(), keys(), test::kNow);
  // Expirations lie in [now + 10 d, now + 14 d]; 9 days later the refresh
  // margin (2 d) reaches now + 11 d.
  const std::int64_t later = test::kNow + 9 * kDay;
  auto second = sign_at(test::rich_zone(), keys(), later, &first.out.text);
  const auto threshold = static_cast<std::uint32_t>(later + 2 * kDay);
  std::size_t should_keep = 0;
  std::multiset<std::string> expected_kept;
  for (const auto& r : first.list.records) {
    if (r.type != rrtype::RRSIG) continue;
    auto s = parse_rrsig(r.rdata);
    if (s->expiration > threshold) {
      ++should_keep;
      expected_kept.insert(to_text(r));
    }
  }
  auto now_lines = rrsig_lines(second.list);
  CHECK(should_keep > 0);
  CHECK(should_keep < first.out.report.summary.signatures);
  CHECK(second.out.report.summary.reused == should_keep);
  CHECK(common(expected_kept, now_lines) == should_keep);
  CHECK(common(rrsig_lines(first.list), now_lines) == should_keep);
  CHECK(test::bad_signatures(second.list, name("example.org.")).empty());
}

TEST_CASE("rrsig_reuse: RRSIGs of a key no longer used, or of another key with its tag, are not kept", "[zone][rrsig_reuse]") {
  auto first = sign_at(test::rich_zone(), keys(), test::kNow);
  std::vector<KeyPair> new_zsk;
  new_zsk.push_back(key_pair(13, 256));
  new_zsk.push_back(test::copy_key(keys()[1]));
  auto second = sign_at(test::rich_zone(), new_zsk, test::kNow + kDay, &first.out.text);
  // Only the KSK's DNSKEY RRSIG could stay, but the DNSKEY RRset changed.
  CHECK(second.out.report.summary.reused == 0);
  CHECK(test::rrsigs_over(second.list, "www.example.org.", rrtype::A).size() == 1);

  // A previous zone whose DNSKEY of the ZSK's tag is another key: nothing of it is reused.
  std::string forged = first.out.text;
  const auto& zsk = keys()[0];
  std::string mine = rdata_to_text(rrtype::DNSKEY, zsk.dnskey_rdata);
  auto other = key_pair(13, 256);
  forged.replace(forged.find(mine), mine.size(), rdata_to_text(rrtype::DNSKEY, other.dnskey_rdata));
  auto index = PreviousZone::build(forged, "forged", name("example.org."), roles());
  REQUIRE(index);
  CHECK_FALSE(index->key_reusable(0));
  CHECK(index->key_reusable(1));  // the KSK is unchanged (the DNSKEY RRset it signed is not)
}

TEST_CASE("rrsig_reuse: the signer's own text is indexed as it is, lines looked up by owner", "[zone][rrsig_reuse]") {
  auto first = sign_at(test::rich_zone(), keys(), test::kNow);
  auto index = PreviousZone::build(first.out.text, "previous", name("example.org."), roles());
  REQUIRE(index);
  CHECK(index->own_form());
  CHECK(index->record_count() == first.list.records.size());
  std::size_t hint = 0;
  CHECK(index->find_owner(name("example.org."), hint) == 0);
  std::size_t www = index->find_owner(name("WWW.example.org."), hint);
  CHECK(www != PreviousZone::npos);
  CHECK(index->find_owner(name("nothere.example.org."), hint) == PreviousZone::npos);
  std::size_t again = 0;
  CHECK(index->find_owner(name("www.example.org."), again) == www);
  // The A RRset's line as the signer writes it.
  std::string a_line;
  for (const auto& r : test::records_of(first.list, "www.example.org.", rrtype::A)) append_text(r, a_line);
  CHECK(index->same_lines(www, rrtype::A, a_line));
  CHECK_FALSE(index->same_lines(www, rrtype::AAAA, a_line));
  std::string changed = a_line;
  changed.replace(changed.find("\t3600\t"), 6, "\t3601\t");
  CHECK_FALSE(index->same_lines(www, rrtype::A, changed));
  // Its RRSIG, kept while it is valid beyond the margin.
  PreviousZone::Wanted w{rrtype::A, 13, keys()[0].key_tag, 3, 3600, static_cast<std::uint32_t>(test::kNow),
                         static_cast<std::uint32_t>(test::kNow + kDay)};
  auto kept = index->reusable_rrsig(www, w);
  REQUIRE_FALSE(kept.line.empty());
  auto sig = test::rrsigs_over(first.list, "www.example.org.", rrtype::A).at(0);
  Bytes rdata;
  append_rrsig_rdata(sig, rdata);
  CHECK(std::equal(kept.fixed.begin(), kept.fixed.end(), rdata.begin()));
  for (auto wrong : {PreviousZone::Wanted{w.type, 14, w.key_tag, w.labels, w.original_ttl, w.now, w.keep_after},
                     PreviousZone::Wanted{w.type, w.algorithm, static_cast<std::uint16_t>(w.key_tag + 1), w.labels,
                                          w.original_ttl, w.now, w.keep_after},
                     PreviousZone::Wanted{w.type, w.algorithm, w.key_tag, 2, w.original_ttl, w.now, w.keep_after},
                     PreviousZone::Wanted{w.type, w.algorithm, w.key_tag, w.labels, 60, w.now, w.keep_after},
                     PreviousZone::Wanted{w.type, w.algorithm, w.key_tag, w.labels, w.original_ttl,
                                          static_cast<std::uint32_t>(test::kNow - 7200), w.keep_after},
                     PreviousZone::Wanted{w.type, w.algorithm, w.key_tag, w.labels, w.original_ttl, w.now,
                                          static_cast<std::uint32_t>(test::kNow + 15 * kDay)},
                     PreviousZone::Wanted{rrtype::AAAA, w.algorithm, w.key_tag, w.labels, w.original_ttl, w.now,
                                          w.keep_after}}) {
    auto none = index->reusable_rrsig(www, wrong);
    CHECK(none.line.empty() == (wrong.type == rrtype::A));  // the AAAA RRSIG exists and matches
  }
}

TEST_CASE("rrsig_reuse: a previous zone in another form is read, ordered and still reused", "[zone][rrsig_reuse]") {
  auto first = sign_at(test::rich_zone(), keys(), test::kNow);
  // Lines reversed, spaces instead of tabs, a comment: not the signer's form.
  std::vector<std::string> lines;
  std::string line;
  for (char c : first.out.text) {
    if (c == '\n') {
      for (auto& ch : line) ch = ch == '\t' ? ' ' : ch;
      lines.push_back(line);
      line.clear();
    } else {
      line.push_back(c);
    }
  }
  std::string other = "; another signer's output\nWWW.EXAMPLE.ORG. 3600 IN TXT \"case\"\n";
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) other += *it + "\n";
  auto index = PreviousZone::build(other, "other", name("example.org."), roles());
  REQUIRE(index);
  CHECK_FALSE(index->own_form());
  CHECK(index->record_count() == first.list.records.size() + 1);
  auto again = sign_at(test::rich_zone(), keys(), test::kNow + kDay, &other);
  CHECK(again.out.report.summary.signatures == 0);
  CHECK(again.out.text == first.out.text);

  auto broken = PreviousZone::build("www.example.org. 3600 IN A 192.0.2.300\n", "broken", name("example.org."), roles());
  REQUIRE_FALSE(broken);
  CHECK(broken.error().where == "broken:1");
}
