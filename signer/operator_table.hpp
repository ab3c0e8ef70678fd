// What the KSK operator is shown before typing "yes": a request as a table
// (zone, times, KSKs, one line per slot with its ZSKs, the SHA-256 and its
// words), and the time as that table writes it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "signer/key_request.hpp"
#include "zone/key_file.hpp"

namespace kskline::signer {

// The time as the operator table shows it: "2026-11-30 12:00:00".
std::string table_time(std::int64_t seconds);

// The operator table of `request` at `now` (the laptop's clock): zone,
// request id, creation time, the laptop's time and the skew, DNSKEY TTL,
// the zone's KSKs as tag/algorithm/flags, one line per slot (start, end,
// inception, expiration, validity, ZSKs as tag/algorithm/flags; "?" for a
// ZSK whose RDATA does not read), then `digest` in groups and `words`.
// Every line ends in '\n'.
std::string operator_table(const KeyRequest& request, const std::vector<const zone::KeyPair*>& ksks,
                           std::int64_t now, const Sha256& digest, std::string_view words);

}  // namespace kskline::signer
