// The request ledger: stored requests and answers, never replaced, and the
// slots signed so far.
#include <catch2/catch.hpp>

#include "signer/errc.hpp"
#include "signer/request_ledger.hpp"
#include "tests/signer/ksk_test_util.hpp"

using namespace kskline;
using namespace kskline::test::ksk;

TEST_CASE("request_ledger: records and finds a request and its response", "[signer][request_ledger]") {
  test::TempDir dir;
  auto ledger = signer::RequestLedger::open(dir.file("ledger"));
  REQUIRE(ledger);
  CHECK(test::file_mode(dir.file("ledger")) == 0700);
  auto zsk = make_zsk();
  auto q = make_request({&zsk});
  std::string text = signer::format_request(q);
  auto none = ledger->find(q.id);
  REQUIRE(none);
  CHECK_FALSE(*none);
  REQUIRE(ledger->record(q.id, text, "the response\n"));
  auto found = ledger->find(q.id);
  REQUIRE(found);
  REQUIRE(*found);
  CHECK((*found)->request_text == text);
  CHECK((*found)->response_text == "the response\n");
}

TEST_CASE("request_ledger: an id is never recorded twice", "[signer][request_ledger]") {
  test::TempDir dir;
  auto ledger = signer::RequestLedger::open(dir.file("ledger"));
  REQUIRE(ledger);
  std::string id(32, 'c');
  REQUIRE(ledger->record(id, "request one", "response one"));
  auto again = ledger->record(id, "request one", "response two");
  REQUIRE_FALSE(again);
  CHECK(again.error().code == signer::make_error_code(signer::errc::request_id_reused));
  auto other = ledger->record(id, "request two", "response two");
  REQUIRE_FALSE(other);
  CHECK(other.error().code == signer::make_error_code(signer::errc::request_id_reused));
  CHECK(test::slurp(dir.file("ledger/" + id + ".response")) == "response one");
}

TEST_CASE("request_ledger: a request stored without its response (a crash) may still be answered",
          "[signer][request_ledger]") {
  test::TempDir dir;
  auto ledger = signer::RequestLedger::open(dir.file("ledger"));
  REQUIRE(ledger);
  std::string id(32, 'd');
  test::spit(dir.file("ledger/" + id + ".request"), "request");
  auto none = ledger->find(id);
  REQUIRE(none);
  CHECK_FALSE(*none);
  REQUIRE(ledger->record(id, "request", "response"));
}

TEST_CASE("request_ledger: ids that are not 32 lowercase hex digits are refused", "[signer][request_ledger]") {
  test::TempDir dir;
  auto ledger = signer::RequestLedger::open(dir.file("ledger"));
  REQUIRE(ledger);
  for (std::string id : {std::string("../../etc/passwd"), std::string(32, 'A'), std::string(31, 'a'), std::string()}) {
    INFO(id);
    auto f = ledger->find(id);
    REQUIRE_FALSE(f);
    CHECK(f.error().code == signer::make_error_code(signer::errc::syntax));
    CHECK_FALSE(ledger->record(id, "a", "b"));
  }
}

TEST_CASE("request_ledger: the signed slots come from the stored requests", "[signer][request_ledger]") {
  test::TempDir dir;
  auto ledger = signer::RequestLedger::open(dir.file("ledger"));
  REQUIRE(ledger);
  auto zsk1 = make_zsk(), zsk2 = make_zsk();
  auto q = make_request({&zsk1, &zsk2}, kT0, kT0, 3);
  REQUIRE(ledger->record(q.id, signer::format_request(q), "response"));
  // An unanswered request does not count.
  auto u = make_request({&zsk1}, kT0, kT0 + 100 * kDay, 1);
  test::spit(dir.file("ledger/" + u.id + ".request"), signer::format_request(u));
  auto slots = ledger->signed_slots();
  REQUIRE(slots);
  REQUIRE(slots->size() == 3);
  std::vector<Bytes> set{zsk1.dnskey_rdata, zsk2.dnskey_rdata};
  std::sort(set.begin(), set.end());
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK((*slots)[i].request_id == q.id);
    CHECK((*slots)[i].zone == q.zone);
    CHECK((*slots)[i].start == q.slots[i].start);
    CHECK((*slots)[i].end == q.slots[i].end);
    CHECK((*slots)[i].zsks == set);
  }
}

TEST_CASE("request_ledger: a stored request that does not parse is bad state", "[signer][request_ledger]") {
  test::TempDir dir;
  auto ledger = signer::RequestLedger::open(dir.file("ledger"));
  REQUIRE(ledger);
  REQUIRE(ledger->record(std::string(32, 'e'), "not a request", "response"));
  auto slots = ledger->signed_slots();
  REQUIRE_FALSE(slots);
  CHECK(slots.error().code == signer::make_error_code(signer::errc::bad_state));
}
