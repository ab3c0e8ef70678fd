// The Knot DNS and BIND 9.20 offline-KSK text formats (KSR: KeySigningRequest,
// SKR: SignedKeyResponse) beside kskline's own dialect (key_request.hpp),
// read into one small model of time-stamped bundles and written so that each
// peer's reader accepts them (docs/formats.md, "Knot and BIND dialects").
//
//   Knot (keymgr 3.2)                           BIND 9.20 (dnssec-ksr, named)
//   ;; KeySigningRequest 1.0 1796372599 (...) ==  ;; KeySigningRequest 1.0 20261204082319 (...)
//   example.com. 3600 DNSKEY 256 3 13 ( ... )    example.com. 3600 IN DNSKEY 256 3 13 ...
//   ...                                          ...
//   ;; KeySigningRequest 1.0 generated at ...    ;; KeySigningRequest 1.0 generated at ...
//
// A bundle starts at its header's time and lasts until the next bundle's.
// Neither format has a request id, a proof of possession or a signature
// window per slot; the mapping to KeyRequest/KeyResponse below says what is
// filled in instead.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "signer/key_request.hpp"
#include "zone/name.hpp"
#include "zone/record.hpp"

namespace kskline::signer {

// The text dialects of key-signing requests and responses.
enum class Dialect { kskline, knot, bind };

// The dialect's name as options and messages spell it ("kskline", "knot", "bind").
std::string_view dialect_name(Dialect dialect) noexcept;

// Which of the two messages a foreign document is.
enum class ForeignKind { request, response };

// Finds the dialect from the first line that is neither blank nor a plain
// comment: `kskline-request`/`kskline-response` is kskline's; a `;;
// KeySigningRequest` or `;; SignedKeyResponse` header ending in `=` signs or
// with a time that is not 14 digits is Knot's, one with a 14-digit time is
// BIND's. errc::syntax naming "<source>:<line>" otherwise.
Result<Dialect> detect_dialect(std::string_view text, std::string_view source);

// One bundle of a KSR or SKR: what the zone publishes at its apex from `time`
// until the next bundle's time.
struct ForeignBundle {
  std::int64_t time = 0;               // the header's time, seconds since 1970
  std::vector<zone::Record> records;   // KSR: ZSK DNSKEYs; SKR: DNSKEY, CDS, CDNSKEY and their RRSIGs
};

// A Knot or BIND KSR or SKR.
struct ForeignDocument {
  Dialect dialect = Dialect::knot;     // knot or bind
  ForeignKind kind = ForeignKind::request;
  zone::Name zone;                     // the owner of every record
  std::int64_t generated = 0;          // the footer's time (Knot's ISO form, kskline's "... UTC"); 0 when unknown (BIND's local ctime)
  std::string generator = "kskline";   // the footer's "by ..." text (empty when read without one; written as "kskline")
  std::vector<ForeignBundle> bundles;  // in increasing time
};

// Reads a Knot or BIND document of `kind` (dialect detected as
// detect_dialect does). Headers may give unix seconds or 14 digits; blank
// lines, comments and CRLF are accepted; the footer is required for Knot
// (keymgr needs it to end the last slot) and optional for BIND (named and
// dnssec-ksr read to the end of file). Records are master-file text, relative
// names completed with the root, TTL required for BIND (Knot's default is 0).
// Every record must be at `zone` (when given; otherwise at the first record's
// owner), of class IN, and a DNSKEY (request) or a DNSKEY, CDS, CDNSKEY or
// RRSIG covering one of those (response). Errors name "<source>:<line>":
// errc::syntax (bad header, the other kind, a record before the first header
// or after the footer, wrong owner or type, times not increasing, an empty
// bundle, no bundle, no footer for Knot), errc::unsupported_version (a
// version other than 1.0), zone::errc for a malformed or truncated record.
Result<ForeignDocument> parse_foreign(std::string_view text, std::string_view source, ForeignKind kind,
                                      const zone::Name* zone = nullptr);

// Writes a document in its dialect. Knot: headers `;; <magic> 1.0 <unix
// seconds> (<ISO UTC>) =========`, records in keymgr's multi-line layout
// without class, footer `;; <magic> 1.0 generated at <ISO> by <generator>`.
// BIND: headers with a 14-digit time and the UTC time spelled out, one
// record per line with TTL and class IN, base64 in 56-character chunks, the
// footer always. Both: absolute owners, a space after `;;`, no other
// comment lines, records within a bundle in the peer's own order.
std::string format_foreign(const ForeignDocument& document);

// A KSR as a KeyRequest: no id (empty), created = generated, dnskey_ttl the
// smallest DNSKEY TTL; one slot a bundle, start its time, end the next
// bundle's time, the last slot open (end == start); inception and expiration
// 0 (the KSK side chooses them by policy); no proofs.
KeyRequest to_key_request(const ForeignDocument& request);

// A KeyRequest as a KSR in `dialect` (knot or bind): one bundle a slot with
// its ZSKs (proofs dropped); Knot adds a final bundle at the last slot's end
// with the same ZSKs, as keymgr does; generated = created.
ForeignDocument from_key_request(const KeyRequest& request, Dialect dialect, std::string generator = "kskline");

// An SKR as a KeyResponse: no request id or digest (empty, zeros), created =
// generated; one slot a bundle with its records, start its time, end the
// next bundle's time, the last slot's end its earliest RRSIG expiration.
KeyResponse to_key_response(const ForeignDocument& response);

// A KeyResponse as an SKR in `dialect` (knot or bind): one bundle a slot at
// its start with its records; generated = created.
ForeignDocument from_key_response(const KeyResponse& response, Dialect dialect,
                                  std::string generator = "kskline");

}  // namespace kskline::signer
