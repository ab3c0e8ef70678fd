// The KSK side of the ceremony as a library: a locked state directory with
// the KSKs, the policy, the request ledger and the audit log; reviewing a
// key-signing request against the policy, signing it, or recording why not.
// `ksk sign`, `ksk serve`, `zone submit --link loopback` and `demo` use it.
//
//   DIR/.lock        flock while a command runs (holds who took it)
//   DIR/ksk.toml     zones, policy, link settings (signer/policy.hpp)
//   DIR/keys/        the KSKs as BIND key files (.private mode 0600)
//   DIR/link.id      the link identity (+ link.id.pub), written by the tools
//   DIR/ledger/      the request ledger (signer/request_ledger.hpp)
//   DIR/audit.log    the audit log (signer/audit_log.hpp)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "signer/key_request.hpp"
#include "signer/operator_table.hpp"
#include "signer/policy.hpp"
#include "signer/request_ledger.hpp"
#include "signer/state_dir.hpp"
#include "zone/algorithm.hpp"
#include "zone/key_file.hpp"
#include "zone/name.hpp"

namespace kskline::signer {

// File names inside a KSK state directory.
namespace ksk_files {
inline constexpr std::string_view lock = kStateLockFile, config = "ksk.toml", keys = "keys", ledger = "ledger",
                                  audit = "audit.log", identity = "link.id";
}  // namespace ksk_files

// What `ksk init` is asked to do.
struct KskInitOptions {
  std::vector<zone::Name> zones;          // at least one
  std::uint8_t algorithm = zone::alg::ECDSAP256SHA256;  // of generated KSKs
  unsigned bits = 0;                      // RSA modulus of generated KSKs (0: 2048)
  std::vector<std::string> imports;       // BIND key files of existing KSKs (flags with SEP)
  std::vector<std::uint8_t> ds_digests{2};  // DS digest types to print (and store in ksk.toml)
};

// What `ksk init` made.
struct KskInitResult {
  std::vector<std::string> key_files;  // basenames in DIR/keys
  std::string ds_records;              // DS lines ("zone. IN DS tag alg type HEX"), one per key and digest
  std::string dnskey_records;          // the KSKs' DNSKEY lines (the zone side's trust anchor)
};

// Creates a KSK state in `dir` (made 0700 if missing): keys/ with one new
// KSK (flags 257) per zone that no imported key serves, imported keys
// copied in, ledger/, and ksk.toml with the default policy. The link
// identity is not made here (the tools write DIR/link.id). errc::bad_state
// when `dir` already holds ksk.toml, keys/ or ledger/ (never overwritten);
// errc::bad_config for an imported key of no listed zone or without the SEP
// flag, or no zone; zone:: errors of key files; base::errc::lock_held when
// another command holds the directory.
Result<KskInitResult> init_ksk_state(const std::string& dir, const KskInitOptions& options, std::int64_t now);

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
};

// The KSK side's state directory, open and locked. Move-only.
class KskEndpoint {
 public:
  // Opens and locks `dir` (DIR/.lock; base::errc::lock_held naming who holds
  // it), initialises OpenSSL's secure heap once per process (before any
  // private key is read), reads ksk.toml and every KSK in keys/. `command`
  // is written into the lock file so that others can say who holds it.
  // errc::bad_state when DIR is not a KSK state or a zone has no KSK;
  // policy and key file errors as they come.
  static Result<KskEndpoint> open(const std::string& dir, std::string_view command = "kskline ksk");

  // Parses a request and runs every policy check at time `now` (the rules of
  // signer/internal/request_rules.hpp, in their order). A request
  // whose id was signed before with the same text gives a Review with
  // stored_response set and no checks (the answer was lost: send it again).
  // A refusal is returned with its signer::errc (where: "slot N",
  // "key tag N", "<source>:<line>") after a "refused" audit entry.
  Result<Review> review(std::string_view request_text, std::string_view source, std::int64_t now);

  // Signs a reviewed request: per slot the DNSKEY RRset (the zone's KSKs,
  // then the slot's ZSKs, TTL dnskey_ttl), CDS (SHA-256) and CDNSKEY of the
  // KSKs, each RRset with an RRSIG by every KSK over the slot's
  // inception..expiration. Records the request and response in the ledger
  // and a "signed" audit entry before returning the response text. For a
  // Review with stored_response: a "resent" audit entry and that text.
  Result<std::string> sign(const Review& review, std::int64_t now);

  // Records that a reviewed request was not signed (operator said no, or
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
  KskEndpoint(std::string dir, StateLock lock, KskConfig config, std::vector<zone::KeyPair> keys,
              RequestLedger ledger, bool secure_heap)
      : dir_(std::move(dir)), lock_(std::move(lock)), config_(std::move(config)), keys_(std::move(keys)),
        ledger_(std::move(ledger)), secure_heap_(secure_heap) {}
  Result<Review> check(std::string_view request_text, std::string_view source, std::int64_t now);
  std::string dir_;
  StateLock lock_;
  KskConfig config_;
  std::vector<zone::KeyPair> keys_;
  RequestLedger ledger_;
  bool secure_heap_ = false;
};

}  // namespace kskline::signer
