#include "signer/errc.hpp"

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
      case errc::audit_chain_broken: return "an audit entry does not chain to the one before";
    }
    return "unknown signer error";
  }
};

}  // namespace

const std::error_category& category() noexcept {
  static const Category instance;
  return instance;
}

const char* errc_name(errc e) noexcept {
  switch (e) {
      case errc::syntax: return "syntax";
      case errc::unsupported_version: return "unsupported_version";
      case errc::bad_config: return "bad_config";
      case errc::bad_state: return "bad_state";
      case errc::zone_not_allowed: return "zone_not_allowed";
      case errc::algorithm_not_allowed: return "algorithm_not_allowed";
      case errc::key_size_not_allowed: return "key_size_not_allowed";
      case errc::bad_zsk_flags: return "bad_zsk_flags";
      case errc::key_tag_collision: return "key_tag_collision";
      case errc::proof_of_possession: return "proof_of_possession";
      case errc::too_many_keys: return "too_many_keys";
      case errc::too_many_slots: return "too_many_slots";
      case errc::slots_not_continuous: return "slots_not_continuous";
      case errc::validity_out_of_bounds: return "validity_out_of_bounds";
      case errc::beyond_horizon: return "beyond_horizon";
      case errc::starts_in_past: return "starts_in_past";
      case errc::dnskey_ttl_out_of_bounds: return "dnskey_ttl_out_of_bounds";
      case errc::response_too_large: return "response_too_large";
      case errc::request_id_reused: return "request_id_reused";
      case errc::continuity_broken: return "continuity_broken";
      case errc::clock_skew: return "clock_skew";
      case errc::operator_declined: return "operator_declined";
      case errc::not_auto_approvable: return "not_auto_approvable";
      case errc::wrong_zone: return "wrong_zone";
      case errc::not_our_request: return "not_our_request";
      case errc::replayed: return "replayed";
      case errc::untrusted_key: return "untrusted_key";
      case errc::bad_signature: return "bad_signature";
      case errc::coverage_gap: return "coverage_gap";
      case errc::margin_too_short: return "margin_too_short";
      case errc::no_slot_for_now: return "no_slot_for_now";
      case errc::audit_chain_broken: return "audit_chain_broken";
  }
  return "unknown";
}

}  // namespace kskline::signer
