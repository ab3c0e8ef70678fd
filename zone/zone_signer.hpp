// The zone signer: signs a whole zone with its ZSKs (and KSKs, or a keyset
// of pre-signed key RRsets), adds NSEC or NSEC3 records, and writes the
// signed zone in canonical order while it signs, on every core.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "zone/key_file.hpp"
#include "zone/name.hpp"
#include "zone/record.hpp"
#include "zone/sign_times.hpp"
#include "zone/soa_serial.hpp"

namespace kskline::zone {

// The most NSEC3 iterations the signer makes (BIND 9.20 refuses more;
// validators treat more than 150 as insecure, RFC 9276 §3.2 asks for 0).
inline constexpr std::uint16_t kMaxNsec3Iterations = 50;

// NSEC3 parameters (RFC 5155) with RFC 9276's defaults.
struct Nsec3Settings {
  std::uint16_t iterations = 0;
  Bytes salt;            // at most 255 octets
  bool opt_out = false;  // leave insecure delegations out of the chain
};

// How a zone is signed.
struct SignOptions {
  Name origin;
  SignatureTiming timing;
  SerialPolicy serial = SerialPolicy::keep;
  std::optional<Nsec3Settings> nsec3;  // NSEC when empty
  bool zonemd = false;                 // add a ZONEMD (RFC 8976, SIMPLE, SHA-384)
  bool normalize_ttl = false;          // RRsets with mixed TTLs take their lowest
  unsigned threads = 0;                // worker threads; 0: one per core
};

// The master-file text of a previous signed zone and its name for errors.
struct PreviousText {
  std::string text;
  std::string source;
};

// What a zone is signed from; consumed by sign_zone.
struct SignInput {
  RecordList zone;                        // the zone as read (any order)
  std::vector<KeyPair> keys;              // roles from the SEP flag
  std::optional<RecordList> keyset;       // pre-signed DNSKEY/CDS/CDNSKEY RRsets
  std::optional<PreviousText> previous;   // a previous signed zone (--reuse)
};

// Counts describing a signing run.
struct SignSummary {
  std::size_t names = 0;           // owner names written (NSEC3 owners included)
  std::size_t records = 0;         // records written
  std::size_t signatures = 0;      // RRSIGs made
  std::size_t reused = 0;          // RRSIGs kept from the previous zone
  std::size_t denial = 0;          // NSEC or NSEC3 records
  std::uint32_t serial = 0;        // the SOA serial written
  unsigned threads = 0;            // worker threads used
  std::size_t nonces_ahead = 0;    // ECDSA nonces computed while the zone was checked
  // Wall-clock seconds of each phase, in order ("check", "tree", ...).
  std::vector<std::pair<std::string, double>> phases;
};

// The outcome of a signing run: counts, refusals (each with where =
// "file:line" when a record is at fault) and notes worth telling the operator.
struct SignReport {
  SignSummary summary;
  std::vector<Error> problems;      // empty when the zone was signed and written
  std::vector<std::string> notes;   // warnings; the zone was still signed
};

// Where the signed zone's text goes, piece by piece, in order, from one
// thread at a time; an error stops the signing.
struct SignedZoneSink {
  // Appends text.
  std::function<Result<void>(std::string_view text)> write;
  // Replaces the first text.size() octets written with text, of the same
  // length (the apex, once its ZONEMD is known). Empty when the output cannot
  // be rewritten (a pipe): with --zonemd the zone is then held until the end.
  std::function<Result<void>(std::string_view text)> overwrite_start;
};

// Signs a zone. The zone is checked first (check_zone: SOA and NS at the
// apex, one TTL per RRset unless normalize_ttl, CNAME alone, nothing out of
// zone; DS not at the apex); its RRSIG, NSEC, NSEC3, NSEC3PARAM and apex
// ZONEMD records are dropped and made anew. DNSKEYs of the keys are added
// when missing; with a keyset its RRsets replace the input's DNSKEY, CDS and
// CDNSKEY RRsets after check_keyset. Every authoritative RRset is signed with
// the keys SigningKeys assigns; delegation NS, glue and occluded data are
// written unsigned. NSEC/NSEC3 TTL = min(SOA TTL, SOA MINIMUM) (RFC 9077).
// Output: canonical order (owner, type, RDATA; RRSIGs are the type RRSIG),
// one record a line. Same input, keys and timing give the same output but for
// ECDSA signature values. With a previous zone, RRSIGs are reused as
// PreviousZone allows. With zonemd the digest is taken as the zone is written
// and the apex (ZONEMD and its RRSIGs, of unchanged length) is written again
// at the end through overwrite_start, or the zone is held until then.
SignReport sign_zone(SignInput input, const SignOptions& options, const SignedZoneSink& sink);

}  // namespace kskline::zone
