// Error codes of the signer module: the key-signing request and response,
// the KSK side's policy refusals (one code each), and the zone side's checks
// of answers and coverage.
#pragma once

#include <optional>
#include <string_view>
#include <system_error>

#include "base/error.hpp"

namespace kskline::signer {

// Errors of the signer module; Error::where carries "file:line", "slot N" or
// "key tag N", Error::detail what exactly was wrong and, where there is one,
// the fix.
enum class errc {
  // Reading requests, responses, configuration and state.
  syntax = 1,             // a request, response, policy or config file is malformed
  unsupported_version,    // a dialect version this build does not read
  bad_config,             // a configuration value is missing or out of range
  bad_state,              // the state directory is missing, foreign or inconsistent
  // Policy refusals of the KSK side (each check its own code).
  zone_not_allowed,       // the request is for a zone the KSK does not serve
  algorithm_not_allowed,  // a ZSK algorithm the policy does not allow
  key_size_not_allowed,   // an RSA ZSK outside the policy's sizes
  bad_zsk_flags,          // a ZSK whose flags are not exactly 256
  key_tag_collision,      // two keys of a slot share a key tag
  proof_of_possession,    // a ZSK's self-signature is missing or does not verify
  too_many_keys,          // more ZSKs in a slot than the policy allows
  too_many_slots,         // more slots in a request than the policy allows
  slots_not_continuous,   // a gap, an overlap out of bounds, or slots out of order
  validity_out_of_bounds, // a signature window shorter or longer than the policy allows
  beyond_horizon,         // a signature would expire too far ahead
  starts_in_past,         // a slot starts too far in the past
  dnskey_ttl_out_of_bounds,  // the DNSKEY TTL is outside the policy's bounds
  response_too_large,     // the DNSKEY response would not fit 1232 octets
  request_id_reused,      // a different request with an id already signed
  continuity_broken,      // the first slot's ZSKs differ from what was signed for that time
  clock_skew,             // the laptop's clock and the request's creation time disagree
  operator_declined,      // the operator did not type "yes"
  not_auto_approvable,    // --batch and the policy asks for an operator
  // The zone side's checks of a response and of its stored state.
  wrong_zone,             // a response or request for another zone
  not_our_request,        // a response that answers no request we sent
  replayed,               // a response imported before, offered again
  untrusted_key,          // a signature not by the pinned KSK trust anchor
  bad_signature,          // an RRSIG that does not verify
  coverage_gap,           // slots that do not cover the period without gaps
  margin_too_short,       // a signature that expires too soon after the next slot starts
  no_slot_for_now,        // no stored slot covers the current time
  // Finishing a zone signed elsewhere (zone merge).
  zone_keys_differ,       // the signed zone's ZSKs are not the response slot's
  zsk_key_needed,         // a record signed by the ZSK changes and its private key was not given
  // The audit log.
  audit_chain_broken,     // an audit entry does not chain to the one before
  // Knot and BIND requests.
  foreign_not_accepted,   // the policy does not accept this Knot or BIND request (dialect, link, --batch)
  own_ksk_in_request,     // a key of the request is one of the KSK side's own KSKs
  // The KSK's own timing.
  ksk_not_active,         // no KSK of the zone is active at a slot's start (Activate later, or Inactive/Delete passed)
  // ksk serve --exec: the command that holds the KSK.
  exec_failed,            // the command failed, timed out, or wrote no answer to the request
  // A refusal answer (signer/refusal.hpp) naming no code of this build.
  refused,                // the KSK side refused for a reason this build has no name for
};

// The category of signer::errc.
const std::error_category& category() noexcept;

// Makes an error_code from a signer::errc (found by ADL).
inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), category()};
}

// The short name of a code as refusals print it ("zone_not_allowed").
const char* errc_name(errc e) noexcept;

// The code a short name names (errc_name's inverse), or nullopt.
std::optional<errc> errc_from_name(std::string_view name) noexcept;

}  // namespace kskline::signer

template <>
struct std::is_error_code_enum<kskline::signer::errc> : std::true_type {};
