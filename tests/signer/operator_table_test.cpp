// The operator table: what the KSK operator reads before typing "yes".
#include <catch2/catch.hpp>

#include <algorithm>

#include "signer/fingerprint.hpp"
#include "signer/operator_table.hpp"
#include "tests/signer/ksk_test_util.hpp"

using namespace kskline;
using namespace kskline::test::ksk;

TEST_CASE("operator_table: times are written as date and time of day", "[signer][operator_table]") {
  CHECK(signer::table_time(kT0) == "2026-12-01 00:00:00");
  CHECK(signer::table_time(kT0 + 12 * kHour + 61) == "2026-12-01 12:01:01");
}

TEST_CASE("operator_table: zone, times, KSKs, one line per slot, digest and words", "[signer][operator_table]") {
  auto ksk = make_zsk("example.com.", 13, 0, 257);
  auto zsk1 = make_zsk(), zsk2 = make_zsk();
  auto q = make_request({&zsk1, &zsk2}, kT0 + 90, kT0, 2);
  const signer::Sha256 digest = signer::text_sha256(signer::format_request(q));
  const std::string words = signer::word_fingerprint(digest);
  const std::string t = signer::operator_table(q, {&ksk}, kT0, digest, words);
  CHECK(t.rfind("zone        example.com.\nrequest     " + q.id + "\n", 0) == 0);
  CHECK(t.find("created     2026-12-01 00:01:30 UTC (zone side's clock)\n") != std::string::npos);
  CHECK(t.find("laptop now  2026-12-01 00:00:00 UTC (skew -1m30s)\n") != std::string::npos);
  CHECK(t.find("dnskey-ttl  3600\n") != std::string::npos);
  CHECK(t.find("KSKs        " + std::to_string(ksk.key_tag) + "/13/257 (tag/algorithm/flags)\n") != std::string::npos);
  const std::string zsks = " " + std::to_string(zsk1.key_tag) + "/13/256 " + std::to_string(zsk2.key_tag) + "/13/256\n";
  CHECK(t.find("1     2026-12-01 00:00:00  2026-12-15 00:00:00  2026-11-30 23:00:00  2026-12-22 00:00:00  21d1h    " +
               zsks) != std::string::npos);
  CHECK(t.find("2     2026-12-15 00:00:00  2026-12-29 00:00:00") != std::string::npos);
  CHECK(t.find("sha256      " + signer::hex_groups(digest) + "\n") != std::string::npos);
  CHECK(t.size() >= words.size() + 13);
  CHECK(t.substr(t.size() - words.size() - 13) == "words       " + words + "\n");
  CHECK(std::count(t.begin(), t.end(), '\n') == 11);
}

TEST_CASE("operator_table: a ZSK whose RDATA does not read shows as ?", "[signer][operator_table]") {
  auto zsk = make_zsk();
  auto q = make_request({&zsk}, kT0, kT0, 1);
  q.slots[0].zsks[0].rdata.resize(2);
  const std::string t = signer::operator_table(q, {}, kT0, signer::Sha256{}, "w");
  CHECK(t.find("KSKs        (tag/algorithm/flags)\n") != std::string::npos);
  CHECK(t.find("21d1h     ?\n") != std::string::npos);
}
