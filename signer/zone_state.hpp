// The zone side's state directory and what the `zone` commands do with it:
//
//   DIR/kskline-zone.toml       the configuration (zone_config.hpp)
//   DIR/trust-anchor.db         the KSK trust anchor, set once
//   DIR/keys/K<zone>+<alg>+<tag>.{key,private}   ZSKs with their timing
//   DIR/requests/<id>.request   every request made, as sent (kskline's dialect)
//   DIR/requests/<id>.dialect   "knot" or "bind": the request went out in that
//                               dialect (zone request --format); absent for kskline
//   DIR/requests/<id>.sent      the digests of the envelopes that carried it
//   DIR/requests/<id>.refused   the KSK side's refusal of it, as received
//   DIR/responses/<start>-<id>.response   every response imported
//   DIR/published-serial        the SOA serial of the last publish (one line)
//   DIR/.lock                   flock'd while a command reads or writes the
//                               state; never across a link's or a person's wait
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "proto/envelope.hpp"
#include "signer/coverage.hpp"
#include "signer/foreign_dialect.hpp"
#include "signer/key_request.hpp"
#include "signer/refusal.hpp"
#include "signer/response_check.hpp"
#include "signer/state_dir.hpp"
#include "signer/zone_config.hpp"
#include "signer/zsk_schedule.hpp"
#include "zone/key_file.hpp"
#include "zone/zone_signer.hpp"

namespace kskline::signer {

// The most ZSKs one pregenerate call makes.
inline constexpr std::int64_t kMaxPregenerated = 1000;

// What `zone init` is given: the configuration (its zone set; other values
// default) and the trust anchor's text.
struct ZoneInit {
  ZoneConfig config;                  // config.zone must be set
  std::string trust_anchor;           // DS or DNSKEY records of the KSK (master-file lines)
  std::string trust_anchor_source;    // names the anchor in errors (a file name)
};

// A ZSK of the state: its files' basename, key pair and timing.
struct StoredZsk {
  std::string basename;  // "K<zone>+<alg>+<tag>" inside DIR/keys
  zone::KeyPair pair;
  ZskWindow window;
};

// A request made and stored: the request, its exact text, and what goes out.
struct RequestMade {
  KeyRequest request;
  std::string text;    // what format_request wrote; a kskline answer must carry its SHA-256
  Dialect dialect = Dialect::kskline;
  std::string output;  // the request in `dialect`: text itself, or a Knot or BIND KSR
};

// What import_response stored.
struct ImportReport {
  std::string request_id;
  Dialect dialect = Dialect::kskline;  // the dialect the response came in
  std::size_t slots = 0;
  std::int64_t from = 0;    // first slot's start
  std::int64_t until = 0;   // last slot's end
  std::string path;         // the stored response file
};

// What a refusal recorded by record_refusal was.
struct RefusalRecord {
  std::string request_id;  // the request refused
  Refusal refusal;         // the KSK side's reason
  std::string path;        // requests/<id>.refused
  bool again = false;      // the same refusal was recorded before (nothing changed)
};

// Where publish writes: the configured signed file (default), another file,
// or nothing.
struct PublishTarget {
  std::string output;    // non-empty: this file instead of the configured signed file
  bool dry_run = false;  // sign and check, write nothing
};

// What publish signed and wrote.
struct PublishReport {
  std::int64_t slot_start = 0;
  std::int64_t slot_end = 0;
  std::string response;                  // the stored response the slot came from
  std::vector<std::uint16_t> zsk_tags;   // the ZSKs that signed the zone
  std::string output;                    // the signed zone written (dry run: that would be written)
  bool live = false;                     // output is the configured signed file (published-serial stored)
  bool written = false;                  // false for a dry run
  zone::SignSummary summary;
  std::vector<std::string> notes;        // the signer's warnings that need a person (none in normal operation)
};

// An open zone state directory. Move-only; the lock (when held) is released
// with the object.
class ZoneState {
 public:
  // Creates the state in `dir` (made when missing): the configuration, the
  // trust anchor, keys/, requests/ and responses/, under DIR/.lock for the
  // call only (the returned object holds no lock: call open() to work on the
  // state). errc::bad_state when DIR already holds a configuration;
  // errc::wrong_zone when the anchor is for another zone; errc::bad_config
  // for a bad configuration or anchor; base::errc::lock_held when another
  // process holds the lock; base::errc::io_error naming the file.
  static Result<ZoneState> init(const std::string& dir, const ZoneInit& init);

  // Opens the state in `dir` and takes DIR/.lock for the object's lifetime,
  // waiting up to `patience` while another process holds it (a command that
  // comes back to the state after a ceremony's wait, or monitoring, should
  // not fail because a publish is running). base::errc::lock_held when
  // another process still holds it; errc::bad_state when DIR holds no
  // configuration or no trust anchor; config errors as read_zone_config.
  static Result<ZoneState> open(const std::string& dir,
                                std::chrono::milliseconds patience = std::chrono::milliseconds(0));

  // Generates the ZSKs (flags 256) that keep the zone signed from `now`
  // until `until` (plan_zsks), written to keys/ with Created/Publish/
  // Activate/Inactive/Delete. Delete is Inactive + max(retire, the zone
  // file's largest TTL + propagation_delay) when the zone file reads. Never
  // regenerates an existing key; returns the basenames made (empty when
  // nothing was needed). errc::bad_config when the period would need
  // kMaxPregenerated keys or more.
  Result<std::vector<std::string>> pregenerate(std::int64_t until, std::int64_t now);

  // Builds a request for [from, until): slots as plan_slots cuts them (from
  // the ZSKs in keys/), inception start - backdate, expiration end + margin
  // where margin = max(refresh_margin, the zone file's largest TTL +
  // propagation_delay), proofs of possession by each ZSK per slot. Stores its
  // text as requests/<id>.request; the request id comes from `random`.
  // `dialect` knot or bind also writes the request as that peer's KSR
  // (from_key_request: no id, no proofs; for BIND a bundle only where the
  // ZSK set changes, as dnssec-ksr writes) into RequestMade::output and
  // records the dialect in requests/<id>.dialect.
  // errc::coverage_gap when the ZSKs in keys/ do not keep the period signed
  // (run pregenerate), zone::errc for a zone file that does not read.
  Result<RequestMade> make_request(std::int64_t from, std::int64_t until, std::int64_t now, proto::Random& random,
                                   Dialect dialect = Dialect::kskline);

  // Records that request `request_id` (stored in requests/) left in an
  // envelope whose trailing SHA-256 is `envelope_digest`, by appending its
  // hex to requests/<id>.sent (atomically rewritten): the KSK side's error
  // answer names only that digest (its in_reply_to). errc::not_our_request
  // when no such request is stored; base::errc::io_error naming the file.
  Result<void> note_sent(std::string_view request_id, const proto::Sha256& envelope_digest);

  // Records the KSK side's refusal carried by an error envelope that answers
  // the envelope `in_reply_to` (note_sent) with the refusal text `text`
  // (signer/refusal.hpp): written as requests/<id>.refused (atomically; a
  // later, different refusal of the same request replaces it). A refused
  // request is no longer what `zone submit` sends by default. errc::syntax
  // when `text` is not a refusal; errc::not_our_request when no request of
  // this state went out in that envelope; `source` names the answer.
  Result<RefusalRecord> record_refusal(const proto::Sha256& in_reply_to, std::string_view text,
                                       std::string_view source);

  // Checks and stores a response: `text` is the response in kskline's
  // dialect or a proto envelope holding one (payload type kskline_response);
  // `source` names it in errors. Checks, in order: it parses (errc::syntax);
  // it is for our zone (errc::wrong_zone); it answers a stored request by id
  // and SHA-256 (errc::not_our_request); then check_response with the
  // configured refresh margin; a request already answered by a different
  // response (errc::not_our_request; the same response again:
  // errc::replayed). Stored as
  // responses/<first start>-<id>.response only when every check passes: a
  // refused response changes nothing.
  // A Knot or BIND SKR (detect_dialect) has no request id or digest: it
  // answers the newest stored request (by creation time) for each of whose
  // slots a bundle starts at or before the slot's start and every bundle the
  // zone would publish within the slot holds exactly the slot's ZSKs
  // (errc::not_our_request when none does). That request's slots are cut at
  // the SKR's bundle times, each part taking the bundle in force, and
  // checked as above; stored in kskline's dialect, so that publish and
  // status read it as any other.
  // parse_foreign's errors for a malformed or truncated SKR.
  Result<ImportReport> import_response(std::string_view text, std::string_view source, std::int64_t now);

  // Signs the configured zone file for `now`: the slot covering now from the
  // stored responses (where they overlap, the answer to the request created
  // last wins, ties by request id: never the order of import) as the keyset,
  // the ZSKs active now as keys, zsk_signature_validity, written atomically
  // to the configured signed file; the SOA serial policy counts
  // from the greater of the zone file's serial and the one last published, so
  // that every publish (but under `keep`) reaches the secondaries. The serial
  // written is stored in DIR/published-serial (atomically, before the signed
  // file is replaced); a state without that file counts once from the serial
  // in the signed file, as versions before it did. errc::no_slot_for_now when
  // no stored slot covers now; errc::bad_state when no ZSK is active now or
  // DIR/published-serial holds no serial; the signer's first problem when the
  // zone does not sign. A refusal writes nothing. `target` writes elsewhere
  // (published-serial untouched: that file is not what the secondaries see)
  // or nothing (a dry run). The keyset's RRSIGs expiring before the zone's
  // are normal (status watches the coverage) and give no note.
  Result<PublishReport> publish(std::int64_t now, const PublishTarget& target = {});

  // The coverage, next ZSK event, KSK deadline and level at `now`. Never
  // fails: unreadable state shows as CRITICAL with the reason in problems.
  Status status(std::int64_t now) const;

  // The configuration.
  const ZoneConfig& config() const { return config_; }
  // The trust anchor.
  const TrustAnchor& trust_anchor() const { return anchor_; }
  // The state directory.
  const std::string& dir() const { return dir_; }
  // A configured path: as is when absolute, else inside the state directory.
  std::string resolve(const std::string& path) const;

  // The ZSKs in keys/, ordered by activation time. errc::bad_state naming a
  // key file that is not a ZSK of the zone or whose timing is incomplete or
  // out of order; key file errors as zone::errc.
  Result<std::vector<StoredZsk>> zsks() const;

  // The path of the newest stored request (by modification time) that no
  // stored response answers and the KSK side has not refused: what `zone
  // submit` sends by default.
  // errc::bad_state when there is none ("make one with zone request").
  Result<std::string> newest_unanswered_request() const;

 private:
  ZoneState(std::string dir, ZoneConfig config, TrustAnchor anchor, std::optional<StateLock> lock)
      : dir_(std::move(dir)), config_(std::move(config)), anchor_(std::move(anchor)), lock_(std::move(lock)) {}

  std::string dir_;
  ZoneConfig config_;
  TrustAnchor anchor_;
  std::optional<StateLock> lock_;
};

}  // namespace kskline::signer
