// Finishing a zone signed with the ZSK only (dnssec-signzone, ldns-signzone,
// `kskline zone sign`) with the KSK side's answer for one slot: the apex
// DNSKEY, CDS and CDNSKEY RRsets and their RRSIGs come from the slot, the
// apex NSEC or NSEC3 type bitmap follows, re-signed with the ZSK when it
// changes. Nothing else of the zone is touched.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/error.hpp"
#include "signer/key_request.hpp"
#include "zone/key_file.hpp"
#include "zone/name.hpp"
#include "zone/record.hpp"

namespace kskline::signer {

// The first slot of `response` whose period [start, end) holds `now` (the
// slot `zone publish` signs with); nullptr when none does.
const ResponseSlot* slot_at(const KeyResponse& response, std::int64_t now);

// What merge_signed_zone made.
struct MergedZone {
  std::vector<zone::Record> records;  // the finished zone, in canonical order
  bool nsec3 = false;                 // the zone's denial is NSEC3 (else NSEC)
  bool bitmap_changed = false;        // the apex NSEC/NSEC3 record was rewritten and re-signed
  std::vector<std::uint16_t> zsk_tags;  // the slot's ZSKs (= the zone's)
  std::vector<std::uint16_t> ksk_tags;  // the slot's other DNSKEYs
};

// Replaces the apex DNSKEY RRset of a signed zone with the slot's, drops
// every RRSIG over DNSKEY and the zone's CDS/CDNSKEY RRsets with theirs, and
// adds the slot's DNSKEY, CDS and CDNSKEY RRsets and RRSIGs. When the set of
// apex types changes, the apex NSEC (or, for NSEC3, the NSEC3 record at the
// hash of `origin`) gets the new type bitmap and is re-signed by each key of
// `zsks` that signed it before, with the same inception and expiration.
// `records` is the signed zone as read (zone.where names its lines).
// Refusals: errc::wrong_zone (a slot record not at `origin`),
// errc::zone_keys_differ naming the key tags (the zone's ZSKs are not
// exactly the slot's), errc::zsk_key_needed (the bitmap changes and a ZSK
// that signed the record is not in `zsks`; where "--key"), errc::syntax
// (no apex NSEC or NSEC3 record: not a signed zone; two of them), zone errors naming file:line for a malformed record, and
// signing errors.
Result<MergedZone> merge_signed_zone(const zone::RecordList& zone, const zone::Name& origin, const ResponseSlot& slot,
                                     std::span<const zone::KeyPair> zsks);

}  // namespace kskline::signer
