// The apex of a zone signed with a ZONEMD: once the digest of the whole zone
// is known, the ZONEMD record takes it and is signed, and the apex is
// formatted again. Internal to zone/ (the zone signer).
#pragma once

#include <cstddef>
#include <string>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "zone/internal/sign_plan.hpp"
#include "zone/internal/sign_worker.hpp"

namespace kskline::zone::signing {

// Puts `digest` (SHA-384, SIMPLE) into the ZONEMD line of `apex` (the first
// chunk, whose apex_lines hold the apex), replaces the placeholder's RRSIGs
// with ones over the final ZONEMD RRset, and returns the apex's text; adds
// the RRSIGs made to `signatures`. errc::zone_invalid when the placeholder
// has another length than the final RDATA, signing errors as they come.
Result<std::string> finish_zonemd(const Plan& plan, ChunkResult& apex, ByteView digest, std::size_t& signatures);

}  // namespace kskline::zone::signing
