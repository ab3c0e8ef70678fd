// What the zone signer does before it plans: checks the zone and its
// options, drops what it makes anew, sets the SOA serial and adds the apex
// records it owns (DNSKEYs or the keyset's RRsets, NSEC3PARAM, the ZONEMD
// placeholder). Internal to zone/ (the zone signer).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "zone/errc.hpp"
#include "zone/name.hpp"
#include "zone/record.hpp"
#include "zone/sign_keys.hpp"
#include "zone/zone_signer.hpp"

namespace kskline::zone::signing {

// An Error for SignReport::problems; `where` names the record or option.
Error problem(errc code, std::string detail, std::string where = {});

// The first apex record of `type` in records sorted canonically (the apex's
// records first), or nullptr.
const Record* apex_record(const std::vector<Record>& records, const Name& origin, std::uint16_t type);

// The zone as prepare leaves it: the records the tree is made of and the
// SOA serial to write.
struct Prepared {
  std::vector<Record> records;
  std::uint32_t serial = 0;
};

// Checks the zone (check_zone; no DS at the apex) and builds the records to
// sign: drops RRSIG, NSEC, NSEC3, NSEC3PARAM and the apex ZONEMD (and the
// apex key RRsets when a keyset replaces them), normalises TTLs if asked,
// sets the serial, and adds the apex DNSKEYs (or the checked keyset),
// NSEC3PARAM and the ZONEMD placeholder. Refusals go to report.problems, notes
// to report.notes; errc::zone_invalid (or the keyset's error) on refusal.
Result<void> prepare(SignInput& input, const SignOptions& options, const SigningKeys& keys, Prepared& out,
                     SignReport& report);

// Adds a note when the apex DNSKEY RRset has an algorithm that signs nothing.
void note_unused_algorithms(const std::vector<Record>& records, const Name& origin, const SigningKeys& keys,
                            SignReport& report);

}  // namespace kskline::zone::signing
