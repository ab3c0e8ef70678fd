// The KSK side of the ceremony as a library: a locked state directory with
// the KSKs, the policy, the request ledger and the audit log; reviewing a
// key-signing request against the policy, signing it, or recording why not.
// `ksk sign`, `ksk serve`, `zone submit --link loopback` and `demo` use it.
//
//   DIR/.lock        flock while a command reads or writes the state (names who took it);
//                    never held while waiting for a link or for the operator
//   DIR/ksk.toml     zones, policy, link settings (signer/policy.hpp)
//   DIR/keys/        the KSKs as BIND key files (.private mode 0600); a KSK in a
//                    PKCS#11 token as its .key file and a .pkcs11 file holding
//                    its RFC 7512 URI (module, token, key label and id), no .private
//   DIR/link.id      the link identity (+ link.id.pub), written by the tools
//   DIR/ledger/      the request ledger (signer/request_ledger.hpp)
//   DIR/audit.log    the audit log (signer/audit_log.hpp)
//   DIR/audit.head   the log's entry count and last hash, replaced after each append
//   DIR/tmp/         the request file handed to an --exec command (0600, removed after)
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "signer/audit_log.hpp"
#include "signer/foreign_dialect.hpp"
#include "signer/key_request.hpp"
#include "signer/operator_table.hpp"
#include "signer/policy.hpp"
#include "signer/request_ledger.hpp"
#include "signer/state_dir.hpp"
#include "zone/algorithm.hpp"
#include "zone/key_file.hpp"
#include "zone/name.hpp"
#include "zone/pkcs11_key.hpp"

namespace kskline::signer {

// File names inside a KSK state directory.
namespace ksk_files {
inline constexpr std::string_view lock = kStateLockFile, config = "ksk.toml", keys = "keys", ledger = "ledger",
                                  audit = "audit.log", audit_head = "audit.head", identity = "link.id";
}  // namespace ksk_files

// The KSK of `ksk init` in a PKCS#11 token instead of a file.
struct KskTokenKey {
  std::string module;         // the PKCS#11 module (.so)
  std::string token;          // the token's label
  std::string key_label;      // the key's label (CKA_LABEL)
  Bytes key_id;               // the key's id (from a URI); empty: any
  bool use_existing = false;  // use the key of that label, not a new one
  std::uint8_t algorithm = 0;  // with use_existing: the key must be of this algorithm (0: the token's; RSA as 8)
  zone::PinSource pin;        // the token's PIN
};

// What `ksk init` is asked to do.
struct KskInitOptions {
  std::vector<zone::Name> zones;          // at least one
  std::uint8_t algorithm = zone::alg::ECDSAP256SHA256;  // of generated KSKs
  unsigned bits = 0;                      // RSA modulus of generated KSKs (0: 2048)
  std::vector<std::string> imports;       // BIND key files of existing KSKs (flags with SEP)
  std::vector<std::uint8_t> ds_digests{2};  // DS digest types to print (and store in ksk.toml)
  bool exec_only = false;  // no KSK at all: the zones' KSKs are with an --exec command ([exec] only = true)
  std::optional<KskTokenKey> token;       // the zone's KSK in a token (one zone, no imports)
};

// What `ksk init` made.
struct KskInitResult {
  std::vector<std::string> key_files;  // basenames in DIR/keys
  std::string ds_records;              // DS lines ("zone. IN DS tag alg type HEX"), one per key and digest
  std::string dnskey_records;          // the KSKs' DNSKEY lines (the zone side's trust anchor)
};

// Creates a KSK state in `dir` (made 0700 if missing) at time `now` (the
// keys' Created, Publish and Activate times): keys/ with one new
// KSK (flags 257) per zone that no imported key serves, imported keys
// copied in, ledger/, and ksk.toml with the default policy. The link
// identity is not made here (the tools write DIR/link.id). With
// exec_only, keys/ stays empty and ksk.toml says [exec] only = true
// (errc::bad_config with imports). errc::bad_state
// when `dir` already holds ksk.toml, keys/ or ledger/ (never overwritten);
// errc::bad_config for an imported key of no listed zone or without the SEP
// flag, or no zone; zone:: errors of key files; base::errc::lock_held when
// another command holds the directory. With `token`, the one zone's KSK is
// generated in the token (or, use_existing, found there) and keys/ gets its
// .key and .pkcs11 files, no private key: errc::bad_config for several zones
// or imports beside it, errc::bad_state when the token already holds a key of
// that label and use_existing is not set; zone:: PKCS#11 errors as they come.
Result<KskInitResult> init_ksk_state(const std::string& dir, const KskInitOptions& options, std::int64_t now);

// Takes DIR/.lock for `command`, waiting up to 30 s while another command
// holds it for a moment (KSK commands hold it only while they read or write
// the state). base::errc::lock_held naming the holder after that.
Result<StateLock> lock_ksk_state(const std::string& dir, std::string_view command);

// What check_audit_state found in a sound audit log.
struct AuditCheck {
  std::vector<AuditEntry> entries;  // the log's entries
  std::optional<AuditHead> head;    // nullopt: a state from before audit.head (make it from the log)
  std::size_t ledger_signed = 0;    // signed requests in the ledger
};

// Checks the audit log of the KSK state in `dir` against its head file and
// the ledger; the caller holds the lock. errc::audit_chain_broken, with where
// naming the file and line, when the chain is broken (verify_audit_log), when
// the log is missing or shorter than the head says (lines removed), longer
// (lines added by hand), ends in another hash (rewritten), when the head file
// is missing from a log kept with one, or when the ledger holds more signed
// requests than the log records; each message ends with the command that
// records an understood break (kskline ksk audit accept --dir DIR).
Result<AuditCheck> check_audit_state(const std::string& dir);

// What accept_audit_break did.
struct AuditAccept {
  std::string problem;   // what check_audit_state found (empty: nothing to accept)
  std::string archived;  // where the broken log was moved (empty: it was kept and appended to)
  AuditEntry entry;      // the "head" entry recording the break (unset when nothing was accepted)
};

// Records a break of the audit log the operator has understood (`ksk audit
// accept`); the caller holds the lock. A log whose chain no longer verifies
// is moved aside to audit.log.broken-<YYYYMMDDHHmmSS> and a new log begins;
// a log whose chain verifies is appended to. The new entry (decision "head")
// says what was expected (the head file's count and hash, the ledger) and
// what was found, plus the operator's `note`; the head file is rewritten.
// An empty problem and no entry when nothing is wrong; base::errc::io_error
// when a file cannot be read, moved or written.
Result<AuditAccept> accept_audit_break(const std::string& dir, std::int64_t now, std::string_view note);

// Runs the laptop's own signing tool on a request file (its path the
// argument) and returns what it wrote on stdout: the SKR. Any error is a
// refusal of the request (errc::exec_failed; its detail says how the command
// failed: exit status, signal, timeout, first line of stderr).
using ExternalSigner = std::function<Result<std::string>(const std::string& request_path)>;

// How a request reached the KSK side, as far as the policy cares.
struct ReviewContext {
  bool authenticated = false;  // it came in an envelope whose signature verified against the pinned zone-side key
};

// A request as the operator is shown it, checked against the policy.
struct Review {
  KeyRequest request;
  std::string text;                  // the request's text as received
  std::string source;                // where it came from (file name, "link")
  Sha256 digest{};                   // text_sha256(text)
  std::string table;                 // the operator table (zone, slots, times, keys, validity)
  std::string words;                 // word fingerprint of digest
  std::int64_t skew = 0;             // now - request.created
  bool auto_approvable = false;      // the policy lets --batch sign it
  std::optional<std::string> stored_response;  // the request was signed before: its answer
  ReviewContext context;             // how it arrived
  Dialect dialect = Dialect::kskline;  // the request's dialect; for knot/bind, `request` is its expansion into slots
  Dialect answer = Dialect::kskline;   // the dialect sign answers in (the request's; the caller may change it)
};

// A Knot or BIND KSR expanded into a KeyRequest by the policy's signature
// timing: id the first 16 octets of `digest` in hex, created the footer's
// time (`now` when it has none, as BIND's); one slot per bundle from its time
// to the next bundle's, plus extra slots so that no slot lasts longer than
// foreign_validity - foreign_refresh; the last slot ends that long after its
// start. Each slot's inception is its start minus the dialect's inception
// offset, its expiration its start plus foreign_validity; DNSKEY TTL the
// request's.
KeyRequest expand_foreign_request(const ForeignDocument& request, const Policy& policy, const Sha256& digest,
                                  std::int64_t now);

// The KSK side's state directory, open. The lock (DIR/.lock) is taken only
// inside open, review, sign and decline, each time for as long as the state
// is read or written (lock_ksk_state), so another command may use the state
// between them, for instance while the operator is asked. Move-only.
class KskEndpoint {
 public:
  // Opens `dir` under its lock (lock_ksk_state; `command` is written into the
  // lock file so that others can say who holds it), initialises OpenSSL's
  // secure heap once per process (before any private key is read), reads
  // ksk.toml and every KSK in keys/, and checks the audit log
  // (check_audit_state; a state from before audit.head gets it made from the
  // verified log, recorded by a "head" entry). KSKs in a token (.pkcs11
  // files) are reached through one logged-in session per token for the
  // endpoint's life, the PIN from `pin` (empty: zone::environment_pin_source).
  // errc::bad_state when DIR is not a KSK state or a zone has no KSK (unless
  // ksk.toml has [exec] only = true); errc::audit_chain_broken; policy, key
  // file and zone:: PKCS#11 errors (token_missing, wrong_pin, ...) as they come.
  static Result<KskEndpoint> open(const std::string& dir, std::string_view command = "kskline ksk",
                                  zone::PinSource pin = {});

  // Under the lock, checks the audit log (as open) and then parses a request
  // and runs every policy check at time `now` (the rules of
  // signer/internal/request_rules.hpp, in their order). A request
  // whose id was signed before with the same text gives a Review with
  // stored_response set and no checks (the answer was lost: send it again).
  // A refusal is returned with its signer::errc (where: "slot N",
  // "key tag N", "<source>:<line>") after a "refused" audit entry.
  //
  // A Knot or BIND KSR (detect_dialect) is first checked against the
  // policy's knot_requests/bind_requests with `context` (errc::
  // foreign_not_accepted for "never", and for "authenticated" when not
  // authenticated), then parsed (parse_foreign) and expanded into a
  // KeyRequest (expand_foreign_request) whose id is the first 16 octets of
  // the text's SHA-256; the rules then run as for kskline's requests except
  // proof_of_possession. Under "confirmed" an unauthenticated foreign
  // request is never auto_approvable (--batch refuses it).
  Result<Review> review(std::string_view request_text, std::string_view source, std::int64_t now,
                        const ReviewContext& context = {});

  // Under the lock, checks the audit log and reviews the request again (with
  // the Review's context) on
  // the state as it is now (another command may have signed meanwhile): a
  // refusal now is audited and returned; a request signed meanwhile with the
  // same text is answered with the stored answer (as below). Otherwise signs
  // it: per slot the DNSKEY RRset (the zone's KSKs published or active at
  // the slot's start by their key files' Publish/Activate/Inactive/Delete
  // times, then the slot's ZSKs, TTL dnskey_ttl), CDS (SHA-256) and CDNSKEY
  // of those KSKs, each RRset with an RRSIG by every KSK active at the slot's
  // start (rule ksk_active: errc::ksk_not_active when none is) over the
  // slot's inception..expiration. Records the request and response in the ledger
  // and a "signed" audit entry before returning the response text. For a
  // Review with stored_response: a "resent" audit entry and that text.
  // `resent`, when given, is set to whether the answer is a stored one sent
  // again (the Review said so, or another command signed it meanwhile).
  Result<std::string> sign(const Review& review, std::int64_t now, bool* resent = nullptr);

  // Under the lock, as sign, but the answer comes from `run` (ksk serve
  // --exec), `command_line` naming it in the audit log: the request is
  // reviewed again, a request signed before is answered from the ledger
  // ("resent"); otherwise its text is written to a new 0600 file in DIR/tmp/
  // (removed afterwards) and handed to `run`. Only Knot and BIND KSRs can be
  // handed on, answered in their own dialect. The output must parse as an
  // SKR of the request's dialect for its zone (parse_foreign) and answer the
  // request (check_foreign_response, the anchor being the DS/DNSKEY file
  // of [exec] anchor when set, else the SKR's own SEP DNSKEYs: a bundle at
  // every KSR bundle time holding that bundle's ZSKs, every RRset signed by
  // an anchored KSK, every RRSIG verifying and valid over its bundle) with each bundle's DNSKEY response within 1232 octets.
  // Then an "exec_answered" audit entry and the ledger record, and the
  // output is returned as it came. Any failure is errc::exec_failed (where
  // "--exec") after an "exec_refused" entry whose reason holds the error and
  // the command line; nothing else changes.
  // `resent` as for sign.
  Result<std::string> sign_external(const Review& review, std::int64_t now, std::string_view command_line,
                                    const ExternalSigner& run, bool* resent = nullptr);

  // Under the lock, records that a reviewed request was not signed (operator said no, or
  // --batch and not auto-approvable): a "declined" audit entry with the
  // reason `why`. Nothing else changes.
  Result<void> decline(const Review& review, std::int64_t now, const Error& why);

  // The configuration (policy and link settings).
  const KskConfig& config() const noexcept { return config_; }
  // The link settings of ksk.toml.
  const LinkSettings& link_settings() const noexcept { return config_.link; }
  // The state directory.
  const std::string& dir() const noexcept { return dir_; }
  // The path of the link identity file (LinkSettings::identity, relative
  // paths taken from the state directory).
  std::string identity_path() const;
  // The path of the zone side's public key (LinkSettings::peer resolved as
  // identity_path; empty when none; base64 keys are returned as they are).
  std::string peer_path() const;
  // The path of the audit log.
  std::string audit_path() const;
  // The KSKs of a zone (none for a zone this state does not serve).
  std::vector<const zone::KeyPair*> ksks(const zone::Name& zone) const;
  // Whether OpenSSL's secure heap is in use for private keys.
  bool secure_heap() const noexcept { return secure_heap_; }

 private:
  KskEndpoint(std::string dir, std::string command, KskConfig config, std::vector<zone::KeyPair> keys,
              std::vector<zone::KeyTimes> times, RequestLedger ledger, bool secure_heap)
      : dir_(std::move(dir)), command_(std::move(command)), config_(std::move(config)), keys_(std::move(keys)),
        times_(std::move(times)), ledger_(std::move(ledger)), secure_heap_(secure_heap) {}
  std::vector<zone::KeyTimes> ksk_times(const zone::Name& zone) const;
  Result<Review> check(std::string_view request_text, std::string_view source, std::int64_t now,
                       const ReviewContext& context);
  Result<void> ready_audit(std::int64_t now);
  Result<AuditEntry> audit(std::int64_t now, std::string_view request_hex, std::string_view decision,
                           std::string_view reason, std::string_view response_hex);
  tl::unexpected<Error> refused(Error error, std::string_view request_text, std::int64_t now);
  // A review made again under the KSK state's lock, which it holds.
  struct Locked {
    StateLock lock;
    Review review;
  };
  // The start of sign and sign_external: the state locked, the audit log
  // checked, the request reviewed again; for a request answered before, a
  // "resent" audit entry, its stored answer in stored_response and `resent`
  // (when given) set.
  Result<Locked> review_again(const Review& reviewed, std::int64_t now, bool* resent);
  Result<std::string> external_answer(const Review& review, const ExternalSigner& run);
  std::string dir_;
  std::string command_;
  KskConfig config_;
  std::vector<zone::KeyPair> keys_;
  std::vector<zone::KeyTimes> times_;  // the timing lines of each of keys_ (same order)
  RequestLedger ledger_;
  bool secure_heap_ = false;
};

}  // namespace kskline::signer
