// The KSK side's configuration file (ksk.toml): the signing policy every
// request is checked against, and the link settings of `ksk serve`.
// docs/ksk.md is the reference of every key; each has a default.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "zone/algorithm.hpp"
#include "zone/name.hpp"

namespace kskline::signer {

// When `ksk sign --batch` / `ksk serve --batch` may sign without an operator.
enum class AutoApprove : std::uint8_t {
  never,      // always ask (batch mode refuses everything)
  same_keys,  // every slot's ZSK set is one the ledger already signed
  always,     // sign whatever passes the policy
};

// Whether the KSK side signs Knot or BIND requests (which carry no proof of
// possession and no request id).
enum class ForeignAcceptance : std::uint8_t {
  never,          // refused
  authenticated,  // only over a link whose envelope signature verified against the pinned zone-side key
  confirmed,      // authenticated, or else after the operator confirms the digest (never with --batch)
};

// The limits a key-signing request must keep. Durations are seconds.
struct Policy {
  std::vector<zone::Name> zones;                              // zones this KSK signs for
  std::vector<std::uint8_t> algorithms{zone::alg::RSASHA256,       zone::alg::RSASHA512,
                                       zone::alg::ECDSAP256SHA256, zone::alg::ECDSAP384SHA384,
                                       zone::alg::ED25519,         zone::alg::ED448};  // ZSK algorithms allowed
  unsigned rsa_min_bits = 2048;
  unsigned rsa_max_bits = 4096;
  std::size_t max_keys_per_slot = 4;     // ZSKs in one slot
  std::size_t max_slots = 64;            // slots in one request
  std::int64_t min_overlap = 3600;       // expiration - next slot's start, at least
  std::int64_t max_overlap = 14 * 86400; // ... and at most
  std::int64_t min_validity = 86400;     // expiration - inception, at least
  std::int64_t max_validity = 90 * 86400;// ... and at most
  std::int64_t horizon = 400 * 86400;    // expiration - now, at most
  std::int64_t max_start_in_past = 86400;// now - a slot's start, at most
  std::uint32_t dnskey_ttl_min = 300;
  std::uint32_t dnskey_ttl_max = 86400;
  std::int64_t max_clock_skew = 3600;    // |now - request created|, at most
  bool require_proof = true;             // proof of possession by every ZSK
  AutoApprove auto_approve = AutoApprove::same_keys;
  std::vector<std::uint8_t> ds_digests{2};  // DS digest types printed for the parent
  ForeignAcceptance knot_requests = ForeignAcceptance::confirmed;  // Knot DNS KSRs
  ForeignAcceptance bind_requests = ForeignAcceptance::confirmed;  // BIND 9.20 KSRs
  std::int64_t foreign_validity = 14 * 86400;   // RRSIG lifetime of a foreign answer (bundle time to expiration)
  std::int64_t foreign_refresh = 7 * 86400;     // a new bundle this long before the previous one's RRSIGs expire
  std::int64_t knot_inception_offset = 5400;    // inception = bundle time - this, Knot answers (keymgr: 90 min)
  std::int64_t bind_inception_offset = 3600;    // ... BIND answers (dnssec-ksr: 1 h)
};

// The link `ksk serve` uses by default.
struct LinkSettings {
  std::string link;      // link spec ("serial:/dev/ttyUSB0", "spool:/media/stick"); empty: give --link
  std::string identity = "link.id";  // this side's identity file, relative to the state directory
  std::string peer;      // the zone side's public key (file or base64); empty: none pinned
  std::string auth = "auto";  // off, optional, required, or auto (required when peer is set, else off)
};

// The [exec] table: a state whose KSKs are held by the laptop's own signing
// tool (keymgr, dnssec-ksr), which `ksk serve --exec` and `ksk sign --exec` run.
struct ExecSettings {
  bool only = false;  // keys/ holds no KSK: every request must go to --exec (ksk init --exec-only)
  std::string anchor;  // DS/DNSKEY lines of the command's KSKs (relative to the state directory); empty: not pinned
};

// The whole configuration file.
struct KskConfig {
  std::uint8_t algorithm = zone::alg::ECDSAP256SHA256;  // the KSK algorithm chosen at init (information)
  Policy policy;
  LinkSettings link;
  ExecSettings exec;
};

// Parses ksk.toml. errc::bad_config with where = "<source>:<line>" naming
// the key for a wrong type, a value out of range, min > max, an unknown key
// or table (a typo must not silently fall back to a default); errc::syntax
// when the text is not TOML.
Result<KskConfig> parse_config(std::string_view text, std::string_view source);

// The text `ksk init` writes: the zones, and every other key commented out
// at its default with one line saying what it does; with `exec_only`, an
// [exec] table with only = true (ksk init --exec-only).
std::string default_config_text(const std::vector<zone::Name>& zones, std::uint8_t algorithm,
                                const std::vector<std::uint8_t>& ds_digests, bool exec_only = false);

// The configuration text with `peer` (the zone side's link public key, a
// file or base64) set in [link]: the line there that sets `peer`, or holds
// it commented out, is replaced; otherwise the line goes right after
// "[link]" (a [link] table is added at the end when there is none).
// Everything else, comments included, stays as it was. parse_config's
// errors, naming `source`, when the result does not read.
Result<std::string> with_link_peer(std::string_view text, std::string_view source, std::string_view peer);

// The name of an auto-approve rule as the file spells it ("same-keys").
std::string_view to_string(AutoApprove rule) noexcept;

// The name of a foreign-acceptance rule as the file spells it ("confirmed").
std::string_view to_string(ForeignAcceptance rule) noexcept;


}  // namespace kskline::signer
