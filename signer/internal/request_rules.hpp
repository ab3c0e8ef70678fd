// The KSK side's policy as a list of named rules: what a key-signing request
// must keep before it is shown as signable. Three tables, each run in order
// and stopping at the first refusal: the request's rules, among them
// "each_slot", which runs the slot rules on every slot in turn, among them
// "each_zsk", which runs the key rules on every ZSK of the slot in turn.
// Each rule returns its refusal with the signer::errc named in errc.hpp and
// where: "<source>", "slot N" or "slot N, key tag T". Internal to the signer
// library (KskEndpoint::review runs them).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "signer/key_request.hpp"
#include "signer/policy.hpp"
#include "signer/request_ledger.hpp"
#include "zone/key_file.hpp"

namespace kskline::signer {

// What the rules look at: a parsed request and the KSK state at `now`.
struct RuleInput {
  const KeyRequest& request;
  const Policy& policy;
  const std::vector<const zone::KeyPair*>& ksks;  // the KSKs of request.zone
  const RequestLedger& ledger;                    // what was signed before (continuity)
  std::string_view source;                        // where the request came from, the where of request-wide refusals
  std::string_view state_dir;                     // the where of "no KSK for the zone"
  std::int64_t now = 0;
  bool foreign = false;                           // a Knot or BIND request: no proofs of possession to check
  const std::vector<zone::KeyTimes>* ksk_times = nullptr;  // the timing of each of ksks (same order); nullptr: all active
  bool exec = false;  // ksk serve --exec: the command holds the KSK, so the zone needs none in keys/
};

// A rule about the whole request.
struct RequestRule {
  std::string_view name;
  Result<void> (*check)(const RuleInput& in);
};

// A rule about one slot (index into request.slots).
struct SlotRule {
  std::string_view name;
  Result<void> (*check)(const RuleInput& in, std::size_t slot);
};

// A rule about one ZSK of a slot (indexes into request.slots and its zsks).
struct KeyRule {
  std::string_view name;
  Result<void> (*check)(const RuleInput& in, std::size_t slot, std::size_t key);
};

// The request rules in the order they run: zone_served, zone_has_ksk,
// clock_skew, has_slots, slot_count, dnskey_ttl, each_slot, continuity.
std::span<const RequestRule> request_rules();

// The slot rules in the order they run: key_count, each_zsk, window_order,
// validity, next_slot_start, overlap, start_in_past, horizon, ksk_active,
// proof_of_possession (when the policy requires proofs and the request is
// kskline's own), response_size.
std::span<const SlotRule> slot_rules();

// The key rules in the order they run: dnskey_rdata, own_ksk, zsk_flags, algorithm,
// public_key, rsa_size, tag_not_ksk, tag_unique.
std::span<const KeyRule> key_rules();

// Runs request_rules() on `in`: the first refusal, or nothing when the
// request keeps the policy.
Result<void> check_request_rules(const RuleInput& in);

// Whether `ksk sign --batch` may sign a request that keeps the policy:
// auto_approve never: no; always: yes; same_keys: the ledger holds a signed
// slot of the zone with each slot's ZSK set. Ledger errors as they come.
Result<bool> auto_approvable(const RuleInput& in);

// Whether a KSK with timing `times` may sign a slot starting at `t`: its
// Activate (when set) is at or before t and its Inactive and Delete (when
// set) are after t.
bool ksk_active_at(const zone::KeyTimes& times, std::int64_t t);

// Whether a KSK with timing `times` is in the DNSKEY RRset at `t`: its
// Publish (when set) is at or before t and its Delete (when set) after t.
bool ksk_published_at(const zone::KeyTimes& times, std::int64_t t);

// Where a refusal about a slot points: "slot N", N counted from 1.
std::string slot_where(std::size_t slot);

}  // namespace kskline::signer
