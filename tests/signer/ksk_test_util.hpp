// Helpers of the KSK side's tests: a KSK state in a temporary directory,
// policy edits, and valid key-signing requests with real ZSKs and proofs of
// possession (the zone side's request builder is not used, so these tests
// depend on the KSK side only).
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "base/atomic_file.hpp"
#include "signer/key_request.hpp"
#include "signer/ksk_endpoint.hpp"
#include "tests/proto/test_support.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"
#include "zone/dnssec_key.hpp"
#include "zone/key_file.hpp"
#include "zone/rr_types.hpp"
#include "zone/rrsig.hpp"

namespace kskline::test::ksk {

// 2026-12-01 00:00:00 UTC, the tests' "now".
inline constexpr std::int64_t kT0 = 1796083200;
inline constexpr std::int64_t kHour = 3600;
inline constexpr std::int64_t kDay = 86400;

// A name that must parse (absolute).
inline zone::Name zone_name(const std::string& text) {
  auto n = zone::Name::parse(text);
  REQUIRE(n);
  return *n;
}

// A fresh ZSK of `zone` (flags 256 unless given).
inline zone::KeyPair make_zsk(const std::string& zone = "example.com.", std::uint8_t algorithm = 13,
                              unsigned bits = 0, std::uint16_t flags = 256) {
  auto key = zone::PrivateKey::generate(algorithm, bits);
  REQUIRE(key);
  auto pair = zone::make_key_pair(zone_name(zone), flags, std::move(*key));
  REQUIRE(pair);
  return std::move(*pair);
}

// The DNSKEY record of a key pair.
inline zone::Record dnskey_record(const zone::KeyPair& k, std::uint32_t ttl) {
  zone::Record r;
  r.owner = k.owner;
  r.type = zone::rrtype::DNSKEY;
  r.ttl = ttl;
  r.rdata = k.dnskey_rdata;
  return r;
}

// Signs the proofs of a slot again: an RRSIG by each key over the slot's ZSK
// records, inception = start, expiration = end.
inline void sign_proofs(signer::RequestSlot& slot, const zone::Name& zone,
                        const std::vector<const zone::KeyPair*>& keys) {
  slot.proofs.clear();
  for (const auto* k : keys) {
    auto signer = zone::Signer::create(k->key);
    REQUIRE(signer);
    zone::SignParams params;
    params.signer = zone;
    params.key_tag = k->key_tag;
    params.inception = static_cast<std::uint32_t>(slot.start);
    params.expiration = static_cast<std::uint32_t>(slot.end);
    auto sig = zone::sign_rrset(*signer, params, slot.zsks);
    REQUIRE(sig);
    zone::Record r;
    r.owner = zone;
    r.type = zone::rrtype::RRSIG;
    r.ttl = slot.zsks.front().ttl;
    r.rdata = std::move(*sig);
    slot.proofs.push_back(std::move(r));
  }
}

// A slot from start to end whose signatures start an hour early and stay
// valid `overlap` past its end, with the given ZSKs and their proofs.
inline signer::RequestSlot make_slot(const zone::Name& zone, std::int64_t start, std::int64_t end,
                                     const std::vector<const zone::KeyPair*>& zsks, std::uint32_t ttl = 3600,
                                     std::int64_t overlap = 7 * kDay) {
  signer::RequestSlot s;
  s.start = start;
  s.end = end;
  s.inception = start - kHour;
  s.expiration = end + overlap;
  for (const auto* k : zsks) s.zsks.push_back(dnskey_record(*k, ttl));
  sign_proofs(s, zone, zsks);
  return s;
}

// The source of request ids: seeded, so runs repeat, and one per process, so
// the requests of a test differ.
inline proto::testing::SeededRandom& request_ids() {
  static proto::testing::SeededRandom random(2026);
  return random;
}

// A request for `zone` made at `created` with `n` consecutive slots of 14
// days from `start`, all with the same ZSKs.
inline signer::KeyRequest make_request(const std::vector<const zone::KeyPair*>& zsks, std::int64_t created = kT0,
                                       std::int64_t start = kT0, std::size_t n = 2,
                                       const std::string& zone = "example.com.", std::uint32_t ttl = 3600) {
  signer::KeyRequest q;
  q.id = signer::new_request_id(request_ids());
  q.zone = zone_name(zone);
  q.created = created;
  q.dnskey_ttl = ttl;
  for (std::size_t i = 0; i < n; ++i) {
    q.slots.push_back(make_slot(q.zone, start + static_cast<std::int64_t>(i) * 14 * kDay,
                                start + static_cast<std::int64_t>(i + 1) * 14 * kDay, zsks, ttl));
  }
  return q;
}

// Replaces the commented default line "# <key> = ..." of ksk.toml in `dir`
// with "<key> = <value>".
inline void set_policy(const std::string& dir, const std::string& key, const std::string& value) {
  std::string path = dir + "/ksk.toml";
  std::string text = slurp(path);
  std::string marker = "# " + key + " = ";
  auto at = text.find(marker);
  REQUIRE(at != std::string::npos);
  auto eol = text.find('\n', at);
  text.replace(at, eol - at, key + " = " + value);
  spit(path, text);
}

// A KSK state for example.com. (and any other zones) in a temporary directory.
struct KskState {
  TempDir tmp{"kskline-ksk"};
  std::string dir = tmp.path() + "/ksk";
  signer::KskInitResult init;

  explicit KskState(std::vector<std::string> zones = {"example.com."}) {
    signer::KskInitOptions o;
    for (const auto& z : zones) o.zones.push_back(zone_name(z));
    auto r = signer::init_ksk_state(dir, o, kT0 - kDay);
    INFO((r ? std::string() : r.error().message()));
    REQUIRE(r);
    init = std::move(*r);
  }

  // Opens the endpoint (the lock is held until it goes).
  signer::KskEndpoint open() const {
    auto e = signer::KskEndpoint::open(dir);
    INFO((e ? std::string() : e.error().message()));
    REQUIRE(e);
    return std::move(*e);
  }
};

}  // namespace kskline::test::ksk
