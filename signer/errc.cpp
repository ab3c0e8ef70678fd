#include "signer/errc.hpp"

#include <iterator>

namespace kskline::signer {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "kskline.signer"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::syntax: return "a request, response, policy or config file is malformed";
      case errc::unsupported_version: return "a dialect version this build does not read";
      case errc::bad_config: return "a configuration value is missing or out of range";
      case errc::bad_state: return "the state directory is missing, foreign or inconsistent";
      case errc::zone_not_allowed: return "the request is for a zone the KSK does not serve";
      case errc::algorithm_not_allowed: return "a ZSK algorithm the policy does not allow";
      case errc::key_size_not_allowed: return "an RSA ZSK outside the policy's sizes";
      case errc::bad_zsk_flags: return "a ZSK whose flags are not exactly 256";
      case errc::key_tag_collision: return "two keys of a slot share a key tag";
      case errc::proof_of_possession: return "a ZSK's self-signature is missing or does not verify";
      case errc::too_many_keys: return "more ZSKs in a slot than the policy allows";
      case errc::too_many_slots: return "more slots in a request than the policy allows";
      case errc::slots_not_continuous: return "a gap, an overlap out of bounds, or slots out of order";
      case errc::validity_out_of_bounds: return "a signature window shorter or longer than the policy allows";
      case errc::beyond_horizon: return "a signature would expire too far ahead";
      case errc::starts_in_past: return "a slot starts too far in the past";
      case errc::dnskey_ttl_out_of_bounds: return "the DNSKEY TTL is outside the policy's bounds";
      case errc::response_too_large: return "the DNSKEY response would not fit 1232 octets";
      case errc::request_id_reused: return "a different request with an id already signed";
      case errc::continuity_broken: return "the first slot's ZSKs differ from what was signed for that time";
      case errc::clock_skew: return "the laptop's clock and the request's creation time disagree";
      case errc::operator_declined: return "the operator did not type yes";
      case errc::not_auto_approvable: return "--batch and the policy asks for an operator";
      case errc::wrong_zone: return "a response or request for another zone";
      case errc::not_our_request: return "a response that answers no request we sent";
      case errc::replayed: return "a response imported before, offered again";
      case errc::untrusted_key: return "a signature not by the pinned KSK trust anchor";
      case errc::bad_signature: return "an RRSIG that does not verify";
      case errc::coverage_gap: return "slots that do not cover the period without gaps";
      case errc::margin_too_short: return "a signature that expires too soon after the next slot starts";
      case errc::no_slot_for_now: return "no stored slot covers the current time";
      case errc::zone_keys_differ: return "the signed zone's ZSKs are not the response slot's";
      case errc::zsk_key_needed: return "a record signed by the ZSK changes and its private key was not given";
      case errc::audit_chain_broken: return "an audit entry does not chain to the one before";
      case errc::foreign_not_accepted: return "the policy does not accept this Knot or BIND request";
      case errc::own_ksk_in_request: return "a key of the request is one of the KSK side's own KSKs";
      case errc::ksk_not_active: return "no KSK of the zone is active at a slot's start";
      case errc::exec_failed: return "the signing command failed or did not answer the request";
      case errc::refused: return "the KSK side refused for a reason this build has no name for";
    }
    return "unknown signer error";
  }
};

// The names of the codes, in the order of their values (1, 2, ...): the one
// table errc_name and errc_from_name read.
constexpr std::string_view kNames[] = {
    "syntax", "unsupported_version", "bad_config", "bad_state", "zone_not_allowed", "algorithm_not_allowed",
    "key_size_not_allowed", "bad_zsk_flags", "key_tag_collision", "proof_of_possession", "too_many_keys",
    "too_many_slots", "slots_not_continuous", "validity_out_of_bounds", "beyond_horizon", "starts_in_past",
    "dnskey_ttl_out_of_bounds", "response_too_large", "request_id_reused", "continuity_broken", "clock_skew",
    "operator_declined", "not_auto_approvable", "wrong_zone", "not_our_request", "replayed", "untrusted_key",
    "bad_signature", "coverage_gap", "margin_too_short", "no_slot_for_now", "zone_keys_differ",
    "zsk_key_needed", "audit_chain_broken", "foreign_not_accepted", "own_ksk_in_request", "ksk_not_active",
    "exec_failed", "refused",
};
static_assert(std::size(kNames) == static_cast<std::size_t>(errc::refused), "a name for every code");

}  // namespace

const std::error_category& category() noexcept {
  static const Category instance;
  return instance;
}

const char* errc_name(errc e) noexcept {
  auto i = static_cast<std::size_t>(e);
  return i >= 1 && i <= std::size(kNames) ? kNames[i - 1].data() : "unknown";
}

std::optional<errc> errc_from_name(std::string_view name) noexcept {
  for (std::size_t i = 0; i < std::size(kNames); ++i) {
    if (kNames[i] == name) return static_cast<errc>(i + 1);
  }
  return std::nullopt;
}

}  // namespace kskline::signer
