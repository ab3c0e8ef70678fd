// The size of the DNSKEY response to a DO query.
#include <catch2/catch.hpp>

#include "signer/dnskey_response_size.hpp"
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
