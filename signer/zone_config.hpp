// The zone side's configuration file, kskline-zone.toml in the state
// directory: the zone and its files, the ZSK algorithm and rollover timing
// (RFC 7583 §3.2 pre-publication), the slots and signature margins asked of
// the KSK, the link, the KSK trust anchor and the status thresholds.
// docs/zone-side.md is the reference of every key.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "zone/algorithm.hpp"
#include "zone/master_file.hpp"
#include "zone/name.hpp"

namespace kskline::signer {

// The configuration file's name inside a zone state directory.
inline constexpr const char* kZoneConfigFile = "kskline-zone.toml";

// The zone side's configuration. Durations are seconds; relative paths are
// relative to the state directory.
struct ZoneConfig {
  zone::Name zone;                         // the zone's name
  std::string zone_file = "zone.db";       // the unsigned zone file
  std::string signed_file = "zone.signed"; // where `zone publish` writes the signed zone
  std::string serial = "unixtime";         // SOA serial policy of the signed zone (zone::parse_serial_policy),
                                           // counted from the greater of the zone file's and the last published
  std::uint64_t max_records = zone::kDefaultMaxRecords;  // the most records the zone file may hold

  std::uint8_t algorithm = zone::alg::ECDSAP256SHA256;  // ZSK algorithm (DNSSEC number)
  unsigned rsa_bits = 2048;                // modulus size of RSA ZSKs
  std::uint32_t dnskey_ttl = 3600;         // TTL of the DNSKEY, CDS and CDNSKEY RRsets asked for
  std::int64_t zsk_lifetime = 30 * 86400;  // how long each ZSK is active (Activate..Inactive)
  std::int64_t prepublish = 2 * 86400;     // a ZSK is published this long before it becomes active
  std::int64_t retire = 2 * 86400;         // a ZSK stays published this long after it goes inactive
                                           // (Delete = Inactive + retire >= max zone TTL + propagation)

  std::int64_t slot_interval = 7 * 86400;      // at least one request slot per interval
  std::int64_t backdate = 3600;                // RRSIG inceptions lie this far before the slot (clock skew)
  std::int64_t refresh_margin = 3 * 86400;     // KSK signatures stay valid this long past their slot's end
  std::int64_t propagation_delay = 3600;       // from publishing on the primary to every secondary
  std::int64_t zsk_signature_validity = 14 * 86400;  // validity of the RRSIGs `zone publish` makes

  bool nsec3 = false;                // NSEC3 (RFC 5155, RFC 9276 defaults) instead of NSEC
  std::uint16_t nsec3_iterations = 0;  // additional NSEC3 iterations (at most zone::kMaxNsec3Iterations)
  std::string nsec3_salt;            // NSEC3 salt in hex ("" for none, as RFC 9276 asks)
  bool nsec3_optout = false;         // NSEC3 Opt-Out
  bool zonemd = false;               // add a ZONEMD record (RFC 8976, SIMPLE, SHA-384)

  std::string link;                  // link spec for `zone submit` ("" when not set)
  std::string link_identity = "link.id";  // this side's link identity file
  std::string peer_public_key;       // the KSK side's link public key file ("" when not set)
  std::string link_auth = "required";  // envelope authentication: required, optional or off

  std::string trust_anchor = "trust-anchor.db";  // the KSK trust anchor (DS or DNSKEY records)

  std::int64_t warning = 14 * 86400;  // status WARNING when coverage ends within this; also the KSK deadline lead
  std::int64_t critical = 3 * 86400;  // status CRITICAL when coverage ends within this
};

// Checks a configuration's values and their relations (lifetime > 0,
// dnskey_ttl + propagation_delay <= prepublish < lifetime, slot interval > 0,
// critical <= warning, algorithm supported, serial policy known, link_auth
// one of required/optional/off).
// errc::bad_config naming the key at fault.
Result<void> check_zone_config(const ZoneConfig& config);

// Reads the configuration's TOML text; keys left out take the defaults above.
// Durations are integers (seconds) or strings with units ("30d", "1h30m").
// errc::syntax ("<source>:<line>") for TOML that does not parse,
// errc::bad_config naming the key for a missing zone, an unknown key, a
// value of the wrong type or one check_zone_config refuses.
Result<ZoneConfig> parse_zone_config(std::string_view text, std::string_view source);

// Writes a configuration as commented TOML that parse_zone_config reads back
// identically.
std::string format_zone_config(const ZoneConfig& config);

// Reads DIR/kskline-zone.toml. errc::bad_state when the directory holds no
// configuration ("run `kskline zone init`"), otherwise as parse_zone_config.
Result<ZoneConfig> read_zone_config(const std::string& dir);


}  // namespace kskline::signer
