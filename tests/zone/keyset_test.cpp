#include <catch2/catch.hpp>

#include <algorithm>

#include "tests/zone/sign_test_util.hpp"
#include "zone/ds.hpp"
#include "zone/errc.hpp"
#include "zone/keyset.hpp"
#include "zone/rr_types.hpp"

using namespace kskline;
using namespace kskline::zone;
using kskline::test::key_pair;
using kskline::test::name;

namespace {

constexpr std::int64_t kNow = test::kNow;

// A keyset as the KSK side makes it: DNSKEY (ZSK + KSK), CDS, CDNSKEY, each
// signed by the KSK, as master-file text.
std::string make_keyset(const KeyPair& zsk, const KeyPair& ksk, std::uint32_t inception = kNow - 3600,
                        std::uint32_t expiration = kNow + 30 * 86400) {
  auto rec = [](std::uint16_t type, Bytes rdata) {
    Record r;
    r.owner = name("example.org.");
    r.type = type;
    r.ttl = 3600;
    r.rdata = std::move(rdata);
    return r;
  };
  std::vector<Record> dnskeys{rec(rrtype::DNSKEY, zsk.dnskey_rdata), rec(rrtype::DNSKEY, ksk.dnskey_rdata)};
  auto ds = make_ds(ksk.owner, ksk.dnskey_rdata, ds_digest::SHA256);
  REQUIRE(ds);
  std::vector<Record> cds{rec(rrtype::CDS, *ds)};
  std::vector<Record> cdnskey{rec(rrtype::CDNSKEY, ksk.dnskey_rdata)};
  auto signer = Signer::create(ksk.key);
  REQUIRE(signer);
  std::string text;
  for (const auto* set : {&dnskeys, &cds, &cdnskey}) {
    SignParams p{ksk.owner, ksk.key_tag, inception, expiration, std::nullopt};
    auto sig = sign_rrset(*signer, p, *set);
    REQUIRE(sig);
    for (const auto& r : *set) append_text(r, text);
    append_text(rec(rrtype::RRSIG, *sig), text);
  }
  return text;
}

Result<std::vector<Record>> check(const std::string& text, const KeyPair& zsk, std::vector<std::string>& notes) {
  const KeyPair* zsks[] = {&zsk};
  return check_keyset(test::read_zone_text(text, "example.org.", "keyset.txt"), name("example.org."), zsks, kNow,
                      14 * 86400, notes);
}

}  // namespace

TEST_CASE("keyset: a keyset signed by the KSK that holds the ZSK is accepted", "[zone][keyset]") {
  auto zsk = key_pair(13, 256), ksk = key_pair(13, 257);
  std::vector<std::string> notes;
  auto records = check(make_keyset(zsk, ksk), zsk, notes);
  REQUIRE(records);
  CHECK(records->size() == 7);  // 2 DNSKEY, CDS, CDNSKEY, 3 RRSIG
  CHECK(notes.empty());
}

TEST_CASE("keyset: a keyset without the ZSK is refused", "[zone][keyset]") {
  auto zsk = key_pair(13, 256), other = key_pair(13, 256), ksk = key_pair(13, 257);
  std::vector<std::string> notes;
  auto r = check(make_keyset(other, ksk), zsk, notes);
  REQUIRE_FALSE(r);
  CHECK(r.error().detail.find("lacks the ZSK " + std::to_string(zsk.key_tag)) != std::string::npos);
  CHECK(r.error().where == "keyset.txt");
}

TEST_CASE("keyset: an RRSIG that does not verify is refused with its file:line", "[zone][keyset]") {
  auto zsk = key_pair(13, 256), ksk = key_pair(13, 257);
  std::string text = make_keyset(zsk, ksk);
  // Flip one character of the first RRSIG's base64 signature (line 3).
  std::size_t line3 = text.find('\n', text.find('\n') + 1) + 1;
  std::size_t eol = text.find('\n', line3);
  std::size_t pos = eol - 10;
  text[pos] = text[pos] == 'A' ? 'B' : 'A';
  std::vector<std::string> notes;
  auto r = check(text, zsk, notes);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::bad_signature);
  CHECK(r.error().where == "keyset.txt:3");
  CHECK(r.error().detail.find("does not verify") != std::string::npos);
}

TEST_CASE("keyset: a DNSKEY that cannot be a key is refused with its key tag and file:line", "[zone][keyset]") {
  auto zsk = key_pair(13, 256), ksk = key_pair(13, 257);
  std::string text = make_keyset(zsk, ksk) + "example.org. 3600 IN DNSKEY 256 3 13 AQID\n";
  const auto lines = std::count(text.begin(), text.end(), '\n');
  std::vector<std::string> notes;
  auto r = check(text, zsk, notes);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::bad_key);
  CHECK(r.error().where == "keyset.txt:" + std::to_string(lines));
  CHECK(r.error().detail.find("not a usable key") != std::string::npos);
}

TEST_CASE("keyset: expired or future RRSIGs are refused, near expiry gives a note", "[zone][keyset]") {
  auto zsk = key_pair(15, 256), ksk = key_pair(15, 257);
  std::vector<std::string> notes;
  auto expired = check(make_keyset(zsk, ksk, kNow - 20 * 86400, kNow - 86400), zsk, notes);
  REQUIRE_FALSE(expired);
  CHECK(expired.error().detail.find("expired") != std::string::npos);
  auto future = check(make_keyset(zsk, ksk, kNow + 86400, kNow + 20 * 86400), zsk, notes);
  REQUIRE_FALSE(future);
  CHECK(future.error().detail.find("not valid before") != std::string::npos);
  auto soon = check(make_keyset(zsk, ksk, kNow - 3600, kNow + 2 * 86400), zsk, notes);
  REQUIRE(soon);
  CHECK(notes.size() == 3);
}

TEST_CASE("keyset: other owners, other types and unsigned RRsets are refused", "[zone][keyset]") {
  auto zsk = key_pair(13, 256), ksk = key_pair(13, 257);
  std::string good = make_keyset(zsk, ksk);
  std::vector<std::string> notes;

  auto other_owner = check(good + "www.example.org. 3600 IN A 192.0.2.1\n", zsk, notes);
  REQUIRE_FALSE(other_owner);
  CHECK(other_owner.error().where == "keyset.txt:8");  // after the 7 lines of the keyset
  CHECK(other_owner.error().detail.find("not at the apex") != std::string::npos);

  auto other_type = check(good + "example.org. 3600 IN TXT \"x\"\n", zsk, notes);
  REQUIRE_FALSE(other_type);
  CHECK(other_type.error().detail.find("does not belong") != std::string::npos);

  // The DNSKEY RRset alone, without its RRSIG.
  std::string unsigned_set = good.substr(0, good.find('\n', good.find('\n') + 1) + 1);
  auto r = check(unsigned_set, zsk, notes);
  REQUIRE_FALSE(r);
  CHECK(r.error().detail.find("has no RRSIG") != std::string::npos);

  auto empty = check("", zsk, notes);
  REQUIRE_FALSE(empty);
  CHECK(empty.error().detail.find("no DNSKEY") != std::string::npos);
}
