// A test-only KSK signer for the zone side's tests: answers a KeyRequest as
// the KSK endpoint does (per slot the DNSKEY RRset of KSKs and ZSKs, CDS
// SHA-256 and CDNSKEY of the KSKs, an RRSIG by each KSK over each), with real
// keys, and a small zone file to sign. The KSK endpoint itself (ksk_endpoint)
// is not used, so these tests depend only on the zone side.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "signer/key_request.hpp"
#include "zone/dnssec_key.hpp"
#include "zone/ds.hpp"
#include "zone/key_file.hpp"
#include "zone/record.hpp"
#include "zone/rr_types.hpp"
#include "zone/rrsig.hpp"

namespace kskline::test {

// 2026-12-01 00:00:00 UTC, the tests' "now".
inline constexpr std::int64_t kT0 = 1796083200;
inline constexpr std::int64_t kDay = 86400;

// A small zone for example.org. with a largest TTL of 7200.
inline std::string small_zone() {
  return "$ORIGIN example.org.\n"
         "$TTL 3600\n"
         "@ IN SOA ns1 hostmaster 2026120101 7200 3600 1209600 300\n"
         "  IN NS ns1\n"
         "  IN MX 10 mail\n"
         "ns1 IN A 192.0.2.1\n"
         "mail 7200 IN A 192.0.2.2\n"
         "www IN AAAA 2001:db8::3\n"
         "sub IN NS ns.sub\n"
         "ns.sub IN A 192.0.2.6\n";
}

// A fresh KSK (flags 257) of `zone`.
inline zone::KeyPair make_ksk(const std::string& zone_name = "example.org.", std::uint8_t algorithm = 13) {
  const zone::Name root;
  auto owner = zone::Name::parse(zone_name, &root);
  REQUIRE(owner);
  auto key = zone::PrivateKey::generate(algorithm);
  REQUIRE(key);
  auto pair = zone::make_key_pair(*owner, 257, std::move(*key));
  REQUIRE(pair);
  return std::move(*pair);
}

// The DS (SHA-256) line of a KSK, as `ksk init` prints it.
inline std::string ds_line(const zone::KeyPair& ksk) {
  auto ds = zone::make_ds(ksk.owner, ksk.dnskey_rdata, zone::ds_digest::SHA256);
  REQUIRE(ds);
  return ksk.owner.to_string() + " 3600 IN DS " + zone::ds_rdata_text(*ds) + "\n";
}

// Ways to spoil an answer, for refusal tests.
struct AnswerTweaks {
  std::int64_t expiration_delta = 0;        // added to every RRSIG expiration
  std::vector<const zone::KeyPair*> extra;  // more keys in the DNSKEY RRset (not signing)
};

// Answers `request` (whose text is `request_text`) with the KSKs in `ksks`.
inline signer::KeyResponse answer(const signer::KeyRequest& request, const std::string& request_text,
                                  const std::vector<const zone::KeyPair*>& ksks, const AnswerTweaks& tweaks = {}) {
  signer::KeyResponse response;
  response.request_id = request.id;
  response.request_sha256 = signer::text_sha256(request_text);
  response.zone = request.zone;
  response.created = request.created + 60;
  const std::uint32_t ttl = request.dnskey_ttl;
  for (const auto& slot : request.slots) {
    signer::ResponseSlot out;
    out.start = slot.start;
    out.end = slot.end;
    std::vector<zone::Record> dnskey, cds, cdnskey;
    for (const auto* k : ksks) {
      dnskey.push_back(zone::make_record(request.zone, zone::rrtype::DNSKEY, ttl, k->dnskey_rdata));
      auto ds = zone::make_ds(request.zone, k->dnskey_rdata, zone::ds_digest::SHA256);
      REQUIRE(ds);
      cds.push_back(zone::make_record(request.zone, zone::rrtype::CDS, ttl, *ds));
      cdnskey.push_back(zone::make_record(request.zone, zone::rrtype::CDNSKEY, ttl, k->dnskey_rdata));
    }
    for (const auto* k : tweaks.extra) {
      dnskey.push_back(zone::make_record(request.zone, zone::rrtype::DNSKEY, ttl, k->dnskey_rdata));
    }
    for (const auto& z : slot.zsks) dnskey.push_back(zone::make_record(request.zone, zone::rrtype::DNSKEY, ttl, z.rdata));
    for (const auto* set : {&dnskey, &cds, &cdnskey}) {
      for (const auto& r : *set) out.records.push_back(r);
      for (const auto* k : ksks) {
        auto signer = zone::Signer::create(k->key);
        REQUIRE(signer);
        zone::SignParams params;
        params.signer = request.zone;
        params.key_tag = k->key_tag;
        params.inception = static_cast<std::uint32_t>(slot.inception);
        params.expiration = static_cast<std::uint32_t>(slot.expiration + tweaks.expiration_delta);
        params.original_ttl = ttl;
        auto sig = zone::sign_rrset(*signer, params, *set);
        REQUIRE(sig);
        out.records.push_back(zone::make_record(request.zone, zone::rrtype::RRSIG, ttl, std::move(*sig)));
      }
    }
    response.slots.push_back(std::move(out));
  }
  return response;
}

}  // namespace kskline::test
