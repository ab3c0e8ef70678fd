// Key-signing requests and signed key responses, and their text in
// kskline's own dialect (docs/formats.md). The zone side asks, per time
// slot, for its ZSK DNSKEYs to be signed into the DNSKEY RRset; the KSK side
// answers each slot with the DNSKEY, CDS and CDNSKEY RRsets and their RRSIGs.
//
//   kskline-request 1                      kskline-response 1
//   id <32 hex>                            request-id <32 hex>
//   zone example.com.                      request-sha256 <64 hex>
//   created 20261130120000                 zone example.com.
//   dnskey-ttl 3600                        created 20261130121500
//   slot <start> <end> <inception> <expiration>
//   <ZSK DNSKEY records>                   slot <start> <end>
//   <RRSIG DNSKEY by each ZSK>             <DNSKEY, CDS, CDNSKEY and RRSIGs>
//   ...                                    ...
//   end                                    end
//
// Times are YYYYMMDDHHmmSS (UTC); records are master-file lines with
// absolute owners; ';' starts a comment; blank lines are ignored.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "proto/random.hpp"
#include "zone/name.hpp"
#include "zone/record.hpp"

namespace kskline::signer {

// The dialect version this build writes and reads.
inline constexpr unsigned kDialectVersion = 1;

// A SHA-256 digest (of a request's text).
using Sha256 = std::array<std::uint8_t, 32>;

// One slot of a request: a period in which the zone publishes one DNSKEY
// RRset, and the signature window asked for it.
struct RequestSlot {
  std::int64_t start = 0;       // the zone publishes this slot's RRset from here (seconds since 1970)
  std::int64_t end = 0;         // ...until here (the next slot's start)
  std::int64_t inception = 0;   // the RRSIG inception asked for (<= start)
  std::int64_t expiration = 0;  // the RRSIG expiration asked for (> end: the margin)
  std::vector<zone::Record> zsks;    // the ZSK DNSKEY records published in the slot
  std::vector<zone::Record> proofs;  // RRSIG(DNSKEY) over `zsks` by each ZSK, inception start, expiration end
};

// A key-signing request.
struct KeyRequest {
  std::string id;              // 32 lowercase hex digits, random, names the request in ledgers
  zone::Name zone;
  std::int64_t created = 0;    // when the zone side made it (its clock)
  std::uint32_t dnskey_ttl = 0;
  std::vector<RequestSlot> slots;
};

// One slot of a response: the records the zone publishes at its apex.
struct ResponseSlot {
  std::int64_t start = 0;
  std::int64_t end = 0;
  std::vector<zone::Record> records;  // DNSKEY, CDS, CDNSKEY RRsets and their RRSIGs
};

// A signed key response.
struct KeyResponse {
  std::string request_id;
  Sha256 request_sha256{};  // of the request's text as received
  zone::Name zone;
  std::int64_t created = 0;  // when the KSK side signed it (its clock)
  std::vector<ResponseSlot> slots;
};

// The SHA-256 of a request's (or any) text.
Sha256 text_sha256(std::string_view text);

// Writes a request in the dialect; parse_request reads it back identically.
std::string format_request(const KeyRequest& request);
// Writes a response in the dialect; parse_response reads it back identically.
std::string format_response(const KeyResponse& response);

// Reads a request. Errors (where = "<source>:<line>"): errc::syntax for a
// malformed line, a missing or repeated header field, records before the
// first slot or after `end`, a record not at the zone's apex or of another
// type than DNSKEY (ZSKs) and RRSIG covering DNSKEY (proofs), a slot without
// ZSKs, a missing `end`; errc::unsupported_version for another dialect
// version; master-file errors of record lines as zone::errc.
Result<KeyRequest> parse_request(std::string_view text, std::string_view source);

// Reads a response; as parse_request, records may be DNSKEY, CDS, CDNSKEY
// and RRSIG covering one of them.
Result<KeyResponse> parse_response(std::string_view text, std::string_view source);

// A request's id: 16 octets from `random` as 32 lowercase hex digits
// (production passes transport::SodiumRandom, tests a seeded source).
std::string new_request_id(proto::Random& random);

// Seconds since 1970 as YYYYMMDDHHmmSS (UTC), and back (errc::syntax
// naming `what` when malformed): zone's format_utc_time and parse_utc_time,
// with the request format's error code.
std::string format_time(std::int64_t seconds);
Result<std::int64_t> parse_time(std::string_view text, std::string_view what);

}  // namespace kskline::signer
