#include <catch2/catch.hpp>

#include "base/encoding.hpp"
#include "signer/errc.hpp"
#include "signer/key_request.hpp"
#include "tests/proto/test_support.hpp"
#include "tests/signer/ksk_test_util.hpp"
#include "zone/rrsig.hpp"

using namespace kskline;
using namespace kskline::signer;

namespace {

using namespace kskline::test::ksk;

constexpr std::int64_t kStart = 1'800'000'000;  // 2027-01-15 08:00:00 UTC

zone::Name apex() { return zone_name("example.com."); }

// A request with two slots and one real ZSK whose proofs are real signatures.
KeyRequest sample_request() {
  auto zsk = make_zsk();
  return make_request({&zsk}, kStart - kDay, kStart, 2);
}

Error request_error(const std::string& text) {
  auto parsed = parse_request(text, "req");
  REQUIRE_FALSE(parsed);
  return parsed.error();
}

}  // namespace

TEST_CASE("key_request: a request reads back as written, records and proofs in their slots",
          "[signer][key_request]") {
  auto request = sample_request();
  auto text = format_request(request);
  auto back = parse_request(text, "req");
  REQUIRE(back);
  CHECK(back->id == request.id);
  CHECK(back->zone == request.zone);
  CHECK(back->created == request.created);
  CHECK(back->dnskey_ttl == 3600);
  REQUIRE(back->slots.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(back->slots[i].start == request.slots[i].start);
    CHECK(back->slots[i].end == request.slots[i].end);
    CHECK(back->slots[i].inception == request.slots[i].inception);
    CHECK(back->slots[i].expiration == request.slots[i].expiration);
    REQUIRE(back->slots[i].zsks.size() == 1);
    REQUIRE(back->slots[i].proofs.size() == 1);
    CHECK(back->slots[i].zsks[0].rdata == request.slots[i].zsks[0].rdata);
    CHECK(back->slots[i].proofs[0].rdata == request.slots[i].proofs[0].rdata);
    auto v = zone::verify_rrsig(back->slots[i].proofs[0].rdata, back->slots[i].zsks, apex(),
                                back->slots[i].zsks[0].rdata);
    CHECK(v.status == zone::VerifyStatus::valid);
  }
  CHECK(format_request(*back) == text);
}

TEST_CASE("key_request: a response reads back as written and carries the request's digest",
          "[signer][key_request]") {
  auto request = sample_request();
  auto request_text = format_request(request);
  KeyResponse response;
  response.request_id = request.id;
  response.request_sha256 = text_sha256(request_text);
  response.zone = request.zone;
  response.created = kStart;
  for (const auto& slot : request.slots) response.slots.push_back({slot.start, slot.end, slot.zsks});
  auto text = format_response(response);
  auto back = parse_response(text, "resp");
  REQUIRE(back);
  CHECK(back->request_id == request.id);
  CHECK(back->request_sha256 == text_sha256(request_text));
  REQUIRE(back->slots.size() == 2);
  CHECK(back->slots[1].start == request.slots[1].start);
  CHECK(format_response(*back) == text);
}

TEST_CASE("key_request: times are UTC YYYYMMDDHHmmSS and impossible dates are refused", "[signer][key_request]") {
  CHECK(format_time(0) == "19700101000000");
  CHECK(format_time(kStart) == "20270115080000");
  CHECK(parse_time("20270115080000", "t") == kStart);
  for (const char* bad : {"2027011508000", "20270231000000", "20271301000000", "1969123123595", "2027011508000x",
                          "19691231235959"}) {
    auto t = parse_time(bad, "t");
    REQUIRE_FALSE(t);
    CHECK(t.error().code == errc::syntax);
  }
}

TEST_CASE("key_request: a request with an impossible time is refused at its line", "[signer][key_request]") {
  const auto text = format_request(sample_request());
  struct Case {
    std::string line_start;  // the line whose first time is replaced
    std::string time;
    std::string what;
  };
  for (const auto& c : {Case{"slot ", "20270230080000", "slot start"},  // 30 February
                        Case{"created ", "20270114235960", "created"}}) {  // a leap second
    CAPTURE(c.time);
    const auto at = text.find("\n" + c.line_start) + 1;
    std::size_t line = 1;
    for (std::size_t i = 0; i < at; ++i) {
      if (text[i] == '\n') ++line;
    }
    const auto from = at + c.line_start.size();
    auto e = request_error(text.substr(0, from) + c.time + text.substr(from + 14));
    CHECK(e.code == errc::syntax);
    CHECK(e.where == "req:" + std::to_string(line));
    CHECK(e.detail.find(c.what + ": time '" + c.time + "' is not a valid date") != std::string::npos);
  }
}

TEST_CASE("key_request: malformed requests are refused with the line at fault", "[signer][key_request]") {
  auto text = format_request(sample_request());

  SECTION("truncated: no end line") {
    auto cut = text.substr(0, text.rfind("end\n"));
    auto e = request_error(cut);
    CHECK(e.code == errc::syntax);
    CHECK(e.detail.find("truncated") != std::string::npos);
  }
  SECTION("cut in the middle of a record") {
    auto e = request_error(text.substr(0, text.size() / 2));
    CHECK(e.code == errc::syntax);
  }
  SECTION("another version") {
    auto v2 = "kskline-request 2" + text.substr(text.find('\n'));
    auto e = request_error(v2);
    CHECK(e.code == errc::unsupported_version);
    CHECK(e.where == "req:1");
  }
  SECTION("a response is not a request") {
    auto e = request_error("kskline-response 1\nend\n");
    CHECK(e.code == errc::syntax);
    CHECK(e.where == "req:1");
  }
  SECTION("a repeated header field") {
    auto dup = text;
    dup.insert(dup.find("zone "), "zone example.net.\n");  // line 3; the request's own zone line is now 4
    auto e = request_error(dup);
    CHECK(e.code == errc::syntax);
    CHECK(e.where == "req:4");
  }
  SECTION("a record of another owner") {
    auto other = text;
    auto at = other.find("example.com.\t");
    other.replace(at, 12, "www.example.com.");
    auto e = request_error(other);
    CHECK(e.code == errc::syntax);
    CHECK(e.where == "req:7");
  }
  SECTION("a record of a type a request may not hold") {
    auto other = text;
    other.insert(other.find("end\n"), "example.com.\t3600\tIN\tA\t192.0.2.1\n");
    auto e = request_error(other);
    CHECK(e.code == errc::syntax);
    CHECK(e.where == "req:" + std::to_string(std::count(text.begin(), text.end(), '\n')));
  }
  SECTION("an id that is not 32 hex digits") {
    auto other = text;
    other.replace(other.find("id ") + 3, 32, std::string(32, 'Z'));
    CHECK(request_error(other).where == "req:2");
  }
  SECTION("text after end") {
    CHECK(request_error(text + "slot\n").code == errc::syntax);
  }
}

TEST_CASE("key_request: a request id is 16 octets of the random source given, in hex", "[signer][key_request]") {
  proto::testing::SeededRandom random(5);
  auto first = new_request_id(random);
  auto second = new_request_id(random);
  Bytes expected = proto::testing::random_bytes(32, 5);
  CHECK(first == base::to_hex(ByteView(expected.data(), 16)));
  CHECK(second == base::to_hex(ByteView(expected.data() + 16, 16)));
  CHECK(first.size() == 32);
}
