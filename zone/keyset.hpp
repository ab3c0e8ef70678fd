// Keysets: the pre-signed apex DNSKEY, CDS and CDNSKEY RRsets with their
// RRSIGs, as the offline KSK returns them for one time slot. The zone signer
// places them in the zone as they are, after checking them.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "zone/key_file.hpp"
#include "zone/name.hpp"
#include "zone/record.hpp"

namespace kskline::zone {

// Checks the records of a keyset read from a master file and returns them in
// canonical order without duplicates. Refused (errc::zone_invalid, where =
// "file:line" of the record at fault, or the file): a record not at `origin`
// or of a type other than DNSKEY, CDS, CDNSKEY and RRSIG; an RRSIG covering
// another type; no DNSKEY RRset; mixed TTLs in an RRset; a DNSKEY RRset that
// lacks the DNSKEY of one of `zsks`; an RRset without an RRSIG; an RRSIG that
// does not verify with a DNSKEY of the keyset (errc::bad_signature) or is not
// valid at `now` (seconds since 1970). `notes` receives warnings: an
// algorithm of the DNSKEY RRset that signs none of its RRsets, and RRSIGs
// that expire within `warn_within` seconds of `now`.
Result<std::vector<Record>> check_keyset(RecordList keyset, const Name& origin, std::span<const KeyPair* const> zsks,
                                         std::int64_t now, std::uint32_t warn_within,
                                         std::vector<std::string>& notes);

}  // namespace kskline::zone
