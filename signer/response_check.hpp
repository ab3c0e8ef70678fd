// The zone side's checks of a signed key response against the request it
// answers and the pinned KSK trust anchor, before anything is stored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "signer/foreign_dialect.hpp"
#include "signer/key_request.hpp"
#include "zone/name.hpp"
#include "zone/record.hpp"

namespace kskline::signer {

// The trust anchor file's name inside a zone state directory.
inline constexpr const char* kTrustAnchorFile = "trust-anchor.db";

// The KSK trust anchor: DS and DNSKEY records of the zone's KSKs, set once
// out of band. Responses are verified only with DNSKEYs it matches.
struct TrustAnchor {
  zone::Name zone;
  std::vector<zone::Record> records;  // DS and DNSKEY records owned by `zone`

  // Whether DNSKEY RDATA `dnskey` is a KSK of the anchor: equal to one of its
  // DNSKEYs or matching one of its DS records.
  bool matches(const Bytes& dnskey) const;
};

// Reads a trust anchor from master-file lines (what `ksk init` prints: DS
// records, or DNSKEY records; a missing TTL is taken as 3600; relative names
// are relative to `zone`). errc::wrong_zone for a record owned by another
// name, errc::bad_config for records of other types, DNSKEYs that are not
// zone keys, DS of an unknown digest type, or no record at all; master-file
// errors as zone::errc.
Result<TrustAnchor> parse_trust_anchor(std::string_view text, std::string_view source, const zone::Name& zone);

// The anchor as master-file lines, one record a line, that parse_trust_anchor
// reads back.
std::string format_trust_anchor(const TrustAnchor& anchor);

// Checks a response against the request it answers (the caller has matched
// request-id and request-sha256) and the anchor. Refusals, where = "slot N"
// (1-based) or "slot N, key tag T":
// - errc::wrong_zone: the response is for another zone than the request;
// - errc::coverage_gap: slots that differ from the request's (count, start,
//   end), or an RRSIG not yet valid at its slot's start;
// - errc::not_our_request: a DNSKEY RRset without one of the slot's ZSKs;
// - errc::untrusted_key: a DNSKEY that is neither one of the slot's ZSKs nor
//   anchored, no anchored KSK, an RRSIG by a key the anchor does not know, or
//   an RRset that no anchored KSK signs;
// - errc::bad_signature: an RRSIG by an anchored KSK that does not verify;
// - errc::margin_too_short: an RRSIG that expires before its slot's end plus
//   `refresh_margin`;
// - errc::syntax: a slot without a DNSKEY, CDS or CDNSKEY RRset, or an RRSIG
//   covering another type.
Result<void> check_response(const KeyRequest& request, const KeyResponse& response, const TrustAnchor& anchor,
                            std::int64_t refresh_margin);

// The ZSK DNSKEY RDATAs (SEP bit clear) among `records`, sorted.
std::vector<Bytes> zsk_rdatas(const std::vector<zone::Record>& records);

// A request, and the response a Knot or BIND SKR gives to it.
struct ForeignAnswer {
  KeyRequest request;   // the request with its slots cut at the SKR's bundle times
  KeyResponse response; // one slot a part: the records of the bundle in force
};

// What `skr` answers of `request` (whose text is `request_text`, for the
// response's request-sha256): nullopt unless a bundle starts at or before
// each slot's start and every bundle the zone would publish inside a slot
// (the one at its start and those after it) holds exactly the slot's ZSKs.
// A bundle that starts inside one slot and runs on into the next answers
// both; check_response then checks the parts.
std::optional<ForeignAnswer> foreign_answer(const KeyRequest& request, const std::string& request_text,
                                            const ForeignDocument& skr);

// Checks a Knot or BIND SKR against the KSR it answers, as check_response
// checks kskline's own: the SKR must have a bundle at every time the KSR
// has one (errc::coverage_gap naming the time otherwise) and may have more
// (the KSK side's refresh bundles), no bundle before the KSR's first;
// each bundle must hold the ZSKs of the KSR bundle in force at its time
// (foreign_answer; errc::not_our_request otherwise) and is checked as a slot
// lasting until the next bundle (the last until its earliest RRSIG
// expiration), every RRSIG valid over the whole bundle (no margin: the next
// bundle replaces it). errc::wrong_zone for another zone; check_response's
// refusals otherwise, "slot N" counting the SKR's bundles.
Result<void> check_foreign_response(const ForeignDocument& ksr, const ForeignDocument& skr, const TrustAnchor& anchor);

// The records of one response slot as the zone publishes them: each RRset's
// TTL set to the Original TTL of its RRSIGs (the RRSIGs keep theirs).
std::vector<zone::Record> publishable_records(const ResponseSlot& slot);

}  // namespace kskline::signer
