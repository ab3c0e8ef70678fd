// The ZONEMD SIMPLE digest (RFC 8976 §3.3) fed record by record, for a signer
// that writes the zone while it signs and cannot hold it all. zonemd.hpp's
// zonemd_digest takes the whole zone at once; this gives the same digest.
#pragma once

#include <cstdint>

#include "base/bytes.hpp"
#include "base/digest.hpp"
#include "zone/name.hpp"

namespace kskline::zone {

// Appends what the digest takes of one record at or below the origin (RFC
// 8976 §3.3.1: owner lowercased, type, class IN, TTL, RDLENGTH, canonical
// RDATA), or nothing when the record is excluded: the apex ZONEMD RRset and
// apex RRSIGs covering ZONEMD (`at_apex`: the owner is the origin). Records
// must come in canonical order without duplicates, as the signer writes them.
void append_zonemd_input(const Name& owner, bool at_apex, std::uint16_t type, std::uint32_t ttl, ByteView rdata,
                         Bytes& out);

}  // namespace kskline::zone
