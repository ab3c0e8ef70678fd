// The size of the DNSKEY response to a DO query.
#include <catch2/catch.hpp>

#include <unistd.h>

#include "signer/dnskey_response_size.hpp"
#include "signer/key_request.hpp"
#include "tests/signer/ksk_test_util.hpp"
#include "tests/support/process.hpp"
#include "zone/rrsig.hpp"
#include "zone/rr_types.hpp"

using namespace kskline;

namespace {

zone::Record record(const zone::Name& owner, std::uint16_t type, std::size_t rdlength) {
  zone::Record r;
  r.owner = owner;
  r.type = type;
  r.ttl = 3600;
  r.rdata = Bytes(rdlength);
  return r;
}

}  // namespace

TEST_CASE("dnskey_response_size: header, question, compressed answers and OPT", "[signer][dnskey_response_size]") {
  auto apex = zone::Name::parse("example.com.");
  REQUIRE(apex);
  // Empty answer: 12 + (13 + 4) + 11.
  CHECK(signer::dnskey_response_size(*apex, {}) == 40);
  // A P-256 KSK and ZSK (68 octets of RDATA each) and one RRSIG by the KSK.
  std::size_t rrsig = signer::rrsig_rdata_size(*apex, signer::signature_size(13, 256));
  CHECK(rrsig == 18 + 13 + 64);
  std::vector<zone::Record> answers{record(*apex, zone::rrtype::DNSKEY, 68), record(*apex, zone::rrtype::DNSKEY, 68),
                                    record(*apex, zone::rrtype::RRSIG, rrsig)};
  CHECK(signer::dnskey_response_size(*apex, answers) == 40 + 2 * (12 + 68) + 12 + 95);
}

TEST_CASE("dnskey_response_size: signature sizes per algorithm", "[signer][dnskey_response_size]") {
  CHECK(signer::signature_size(8, 2048) == 256);
  CHECK(signer::signature_size(10, 4096) == 512);
  CHECK(signer::signature_size(8, 1025) == 129);
  CHECK(signer::signature_size(13, 0) == 64);
  CHECK(signer::signature_size(14, 0) == 96);
  CHECK(signer::signature_size(15, 0) == 64);
  CHECK(signer::signature_size(16, 0) == 114);
  CHECK(signer::signature_size(99, 0) == 0);
}

TEST_CASE("dnskey_response_size: equals the size of knotd's answer to dig +dnssec DNSKEY",
          "[signer][dnskey_response_size]") {
  if (!test::have_tool("knotd") || !test::have_tool("knotc") || !test::have_tool("dig")) {
    WARN("knotd, knotc or dig missing: oracle skipped");
    return;
  }
  using namespace kskline::test::ksk;
  KskState state;
  auto e = state.open();
  std::vector<zone::KeyPair> zsks;
  for (int i = 0; i < 3; ++i) zsks.push_back(make_zsk("example.com.", 8, 2048));
  auto response = signer::parse_response(
      [&] {
        auto r = e.review(signer::format_request(make_request({&zsks[0], &zsks[1], &zsks[2]}, kT0, kT0, 1)), "r", kT0);
        REQUIRE(r);
        auto s = e.sign(*r, kT0);
        REQUIRE(s);
        return *s;
      }(),
      "response");
  REQUIRE(response);
  std::vector<zone::Record> answer;
  std::string zone_text =
      "example.com. 3600 IN SOA ns1.example.com. h.example.com. 1 7200 3600 1209600 300\n"
      "example.com. 3600 IN NS ns1.example.com.\nns1.example.com. 3600 IN A 192.0.2.1\n";
  for (const auto& r : response->slots[0].records) {
    std::string line = zone::to_text(r);
    zone_text += line + "\n";
    bool covers_dnskey = r.type == zone::rrtype::RRSIG && zone::parse_rrsig(r.rdata)->type_covered == zone::rrtype::DNSKEY;
    if (r.type == zone::rrtype::DNSKEY || covers_dnskey) answer.push_back(r);
    // An RRSIG at the SOA makes knotd treat the zone as signed and add RRSIGs to answers.
    if (covers_dnskey && zone_text.find("RRSIG\tSOA") == std::string::npos) {
      zone_text += line.replace(line.find("RRSIG\tDNSKEY"), 12, "RRSIG\tSOA") + "\n";
    }
  }
  std::size_t expected = signer::dnskey_response_size(*zone::Name::parse("example.com."), answer);
  CHECK(expected > 1000);
  test::TempDir dir;
  test::spit(dir.file("example.com.zone"), zone_text);
  std::string port = std::to_string(20000 + ::getpid() % 30000);
  test::spit(dir.file("knot.conf"), "server:\n    listen: 127.0.0.1@" + port + "\n    rundir: " + dir.path() +
                                        "\ndatabase:\n    storage: " + dir.path() + "\ntemplate:\n  - id: default\n" +
                                        "    storage: " + dir.path() + "\nzone:\n  - domain: example.com.\n" +
                                        "    file: example.com.zone\n");
  std::string conf = test::shell_quote(dir.file("knot.conf"));
  REQUIRE(test::run("knotd -d -c " + conf + " >/dev/null 2>&1").status == 0);
  std::string got;
  for (int i = 0; i < 50 && got.empty(); ++i) {
    auto r = test::run("dig @127.0.0.1 -p " + port +
                       " +dnssec +bufsize=4096 +nocookie +norec +tries=1 +time=1 example.com DNSKEY 2>/dev/null");
    auto at = r.out.find("MSG SIZE  rcvd: ");
    if (at != std::string::npos && r.out.find("ANSWER: " + std::to_string(answer.size()) + ",") != std::string::npos) {
      got = r.out.substr(at + 16, r.out.find('\n', at) - at - 16);
    } else {
      test::run("sleep 0.1");
    }
  }
  test::run("knotc -c " + conf + " stop >/dev/null 2>&1");
  REQUIRE(!got.empty());
  CHECK(std::stoul(got) == expected);
}
