// RRSIG records (RFC 4034 §3, RFC 4035 §5.3): the signed data, signing an
// RRset, verifying an RRSIG with three outcomes, and the validity window.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "zone/dnssec_key.hpp"
#include "zone/name.hpp"
#include "zone/record.hpp"

namespace kskline::zone {

// The fields of RRSIG RDATA (RFC 4034 §3.1). Wire layout: type covered u16,
// algorithm u8, labels u8, original TTL u32, expiration u32, inception u32,
// key tag u16, signer name (uncompressed), signature.
struct Rrsig {
  std::uint16_t type_covered = 0;
  std::uint8_t algorithm = 0;
  std::uint8_t labels = 0;
  std::uint32_t original_ttl = 0;
  std::uint32_t expiration = 0;
  std::uint32_t inception = 0;
  std::uint16_t key_tag = 0;
  Name signer;
  Bytes signature;
};

// Parses RRSIG RDATA. errc::bad_rdata when truncated, when the signer name is
// malformed, or when the signature is empty.
Result<Rrsig> parse_rrsig(ByteView rdata);

// Appends the RRSIG RDATA of `rrsig` (signer name as stored) to out.
void append_rrsig_rdata(const Rrsig& rrsig, Bytes& out);

// The RRSIG Labels value of an owner name (RFC 4034 §3.1.3): its label count
// without the root and without a leading "*" label.
std::uint8_t rrsig_label_count(const Name& owner);

// Appends the data an RRSIG signs (RFC 4034 §3.1.8.1, §6): the RRSIG RDATA
// without signature with the signer name lowercased, then each RR of the
// RRset as owner | type | class | original TTL | RDLENGTH | RDATA, in
// canonical form (owner lowercased and, when it has more labels than
// `rrsig.labels`, replaced by "*." and its rightmost `labels` labels; RDATA
// canonicalised), sorted by RDATA, duplicates dropped. All records must share
// owner, type (= type covered) and class: errc::bad_rdata if not, or if the
// RRset is empty or the Labels field exceeds the owner's label count.
Result<void> append_signed_data(const Rrsig& rrsig, std::span<const Record> rrset, Bytes& out);

// What an RRSIG signs besides the RRset: the key's identity and the window.
struct SignParams {
  Name signer;                                // the zone (owner of the DNSKEY)
  std::uint16_t key_tag = 0;                  // tag of the signing DNSKEY
  std::uint32_t inception = 0;                // RFC 4034 §3.1.5 timestamps
  std::uint32_t expiration = 0;
  std::optional<std::uint32_t> original_ttl;  // default: TTL of the first record
};

// Signs an RRset and returns the full RRSIG RDATA (algorithm from the signer,
// Labels computed from the owner). The owner must be at or below the signer
// name: errc::bad_rdata otherwise; see append_signed_data for the RRset rules;
// errc::crypto_failed when signing fails.
Result<Bytes> sign_rrset(Signer& signer, const SignParams& params, std::span<const Record> rrset);

// The outcome of checking one RRSIG.
enum class VerifyStatus {
  valid,          // the signature verifies
  invalid,        // the RRSIG applies to this key and RRset, and does not verify
  indeterminate,  // could not check: unsupported algorithm, malformed key or
                  // RRSIG, key tag / algorithm / signer / type mismatch
};

// The outcome and, when not valid, why.
struct Verification {
  VerifyStatus status = VerifyStatus::indeterminate;
  std::string reason;
};

// A DNSKEY prepared to check many RRSIGs: parsed once, with its key tag and a
// reusable verifier. Not thread-safe: make one per thread.
class RrsigVerifier {
 public:
  // Prepares the DNSKEY RDATA `dnskey` owned by `owner`.
  // errc::unsupported_algorithm, errc::bad_key (malformed, protocol not 3,
  // Zone Key flag clear).
  static Result<RrsigVerifier> create(const Name& owner, ByteView dnskey);

  // The key's tag.
  std::uint16_t key_tag() const { return key_tag_; }
  // The key's algorithm.
  std::uint8_t algorithm() const { return algorithm_; }
  // The key's owner.
  const Name& owner() const { return owner_; }

  // Checks RRSIG RDATA over an RRset. The time window is NOT checked (see
  // rrsig_time_status).
  Verification verify(ByteView rrsig_rdata, std::span<const Record> rrset);
  // Checks a parsed RRSIG over an RRset; see the other overload.
  Verification verify(const Rrsig& rrsig, std::span<const Record> rrset);

 private:
  RrsigVerifier(Name owner, std::uint16_t tag, std::uint8_t algorithm, Verifier verifier)
      : owner_(std::move(owner)), key_tag_(tag), algorithm_(algorithm), verifier_(std::move(verifier)) {}
  Name owner_;
  std::uint16_t key_tag_;
  std::uint8_t algorithm_;
  Verifier verifier_;
  Bytes scratch_;
};

// Checks one RRSIG over an RRset with one DNSKEY; a DNSKEY we cannot use
// (unsupported algorithm, malformed) gives VerifyStatus::indeterminate.
// The time window is NOT checked.
Verification verify_rrsig(ByteView rrsig_rdata, std::span<const Record> rrset, const Name& key_owner,
                          ByteView dnskey);

// Where a time lies relative to an RRSIG's validity window.
enum class TimeStatus { valid, not_yet_valid, expired };

// Whether `now` (seconds since 1970) lies within inception..expiration, both
// inclusive, compared with RFC 1982 serial arithmetic on 32 bits
// (RFC 4034 §3.1.5, RFC 4035 §5.3.1).
TimeStatus rrsig_time_status(std::uint32_t inception, std::uint32_t expiration, std::int64_t now);

}  // namespace kskline::zone
