#include "signer/internal/request_rules.hpp"

#include <algorithm>
#include <span>

#include "signer/config_text.hpp"
#include "signer/dnskey_response_size.hpp"
#include "signer/errc.hpp"
#include "signer/internal/proof_of_possession.hpp"
#include "signer/operator_table.hpp"
#include "zone/algorithm.hpp"
#include "zone/dnssec_key.hpp"
#include "zone/key_tag.hpp"
#include "zone/rr_types.hpp"

namespace kskline::signer {
namespace {

// Where a refusal about a ZSK points: "slot N, key tag T".
std::string key_where(std::size_t slot, std::uint16_t tag) {
  return slot_where(slot) + ", key tag " + std::to_string(tag);
}

std::vector<Bytes> sorted_rdata(const std::vector<zone::Record>& records) {
  std::vector<Bytes> out;
  for (const auto& r : records) out.push_back(r.rdata);
  std::sort(out.begin(), out.end());
  return out;
}

std::string tags_text(const std::vector<Bytes>& rdatas) {
  std::string out;
  for (const auto& r : rdatas) out += (out.empty() ? "" : " ") + std::to_string(zone::key_tag(r));
  return out;
}

// An answer record of the DNSKEY response (owner the apex; only its RDATA
// length counts for the size).
zone::Record answer(const zone::Name& apex, std::uint16_t type, Bytes rdata) {
  zone::Record r;
  r.owner = apex;
  r.type = type;
  r.rdata = std::move(rdata);
  return r;
}

// --- The key rules: one ZSK of a slot. ---

Result<void> dnskey_rdata(const RuleInput& in, std::size_t i, std::size_t k) {
  const auto& z = in.request.slots[i].zsks[k];
  auto v = zone::parse_dnskey(z.rdata);
  if (!v) return fail(errc::syntax, v.error().message(), key_where(i, zone::key_tag(z.rdata)));
  return {};
}

Result<void> zsk_flags(const RuleInput& in, std::size_t i, std::size_t k) {
  const auto& z = in.request.slots[i].zsks[k];
  auto v = zone::parse_dnskey(z.rdata);
  if (v && v->flags != zone::dnskey_flag::ZONE) {
    return fail(errc::bad_zsk_flags,
                "flags " + std::to_string(v->flags) + "; a ZSK has exactly 256 (no SEP, no REVOKE)", key_where(i, zone::key_tag(z.rdata)));
  }
  return {};
}

Result<void> algorithm(const RuleInput& in, std::size_t i, std::size_t k) {
  const auto& z = in.request.slots[i].zsks[k];
  const auto& allowed = in.policy.algorithms;
  auto v = zone::parse_dnskey(z.rdata);
  if (v && (std::find(allowed.begin(), allowed.end(), v->algorithm) == allowed.end() ||
            !zone::algorithm_supported(v->algorithm))) {
    return fail(errc::algorithm_not_allowed,
                "algorithm " + zone::algorithm_to_string(v->algorithm) + " is not allowed by the policy",
                key_where(i, zone::key_tag(z.rdata)));
  }
  return {};
}

Result<void> public_key(const RuleInput& in, std::size_t i, std::size_t k) {
  const auto& z = in.request.slots[i].zsks[k];
  auto pub = zone::PublicKey::from_dnskey_rdata(z.rdata);
  if (!pub) return fail(errc::syntax, pub.error().message(), key_where(i, zone::key_tag(z.rdata)));
  return {};
}

Result<void> rsa_size(const RuleInput& in, std::size_t i, std::size_t k) {
  const auto& z = in.request.slots[i].zsks[k];
  const Policy& p = in.policy;
  auto v = zone::parse_dnskey(z.rdata);
  if (!v || (v->algorithm != zone::alg::RSASHA256 && v->algorithm != zone::alg::RSASHA512)) return {};
  auto pub = zone::PublicKey::from_dnskey_rdata(z.rdata);
  if (!pub) return {};
  unsigned bits = pub->bits();
  if (bits < p.rsa_min_bits || bits > p.rsa_max_bits) {
    return fail(errc::key_size_not_allowed,
                "an RSA key of " + std::to_string(bits) + " bits; the policy allows " + std::to_string(p.rsa_min_bits) +
                    ".." + std::to_string(p.rsa_max_bits),
                key_where(i, zone::key_tag(z.rdata)));
  }
  return {};
}

// None of the request's keys is one of the KSK side's own KSKs, whatever its
// flags (the algorithm and public key are compared).
Result<void> own_ksk(const RuleInput& in, std::size_t i, std::size_t k) {
  const Bytes& z = in.request.slots[i].zsks[k].rdata;
  auto key_part = [](const Bytes& rdata) { return std::span<const std::uint8_t>(rdata).subspan(3); };
  for (const auto* ksk : in.ksks) {
    auto a = key_part(z), b = key_part(ksk->dnskey_rdata);
    if (std::equal(a.begin(), a.end(), b.begin(), b.end())) {
      return fail(errc::own_ksk_in_request,
                  "the request holds the KSK side's own KSK (key tag " + std::to_string(ksk->key_tag) +
                      "); a zone side never sends it",
                  key_where(i, zone::key_tag(z)));
    }
  }
  return {};
}

Result<void> tag_not_ksk(const RuleInput& in, std::size_t i, std::size_t k) {
  std::uint16_t tag = zone::key_tag(in.request.slots[i].zsks[k].rdata);
  if (std::any_of(in.ksks.begin(), in.ksks.end(), [&](const zone::KeyPair* ksk) { return ksk->key_tag == tag; })) {
    return fail(errc::key_tag_collision, "the key tag of a KSK of the zone", key_where(i, tag));
  }
  return {};
}

Result<void> tag_unique(const RuleInput& in, std::size_t i, std::size_t k) {
  const auto& zsks = in.request.slots[i].zsks;
  std::uint16_t tag = zone::key_tag(zsks[k].rdata);
  for (std::size_t j = 0; j < k; ++j) {
    if (zone::key_tag(zsks[j].rdata) == tag) {
      return fail(errc::key_tag_collision, "two ZSKs of the slot share this key tag", key_where(i, tag));
    }
  }
  return {};
}

constexpr KeyRule kKeyRules[] = {
    {"dnskey_rdata", dnskey_rdata}, {"own_ksk", own_ksk},         {"zsk_flags", zsk_flags},     {"algorithm", algorithm},
    {"public_key", public_key},     {"rsa_size", rsa_size},       {"tag_not_ksk", tag_not_ksk},
    {"tag_unique", tag_unique},
};

// --- The slot rules: one slot of the request. ---

Result<void> key_count(const RuleInput& in, std::size_t i) {
  const auto& s = in.request.slots[i];
  if (s.zsks.size() > in.policy.max_keys_per_slot) {
    return fail(errc::too_many_keys,
                std::to_string(s.zsks.size()) + " ZSKs; the policy allows " +
                    std::to_string(in.policy.max_keys_per_slot),
                slot_where(i));
  }
  return {};
}

Result<void> each_zsk(const RuleInput& in, std::size_t i) {
  for (std::size_t k = 0; k < in.request.slots[i].zsks.size(); ++k) {
    for (const auto& rule : kKeyRules) {
      if (auto r = rule.check(in, i, k); !r) return r;
    }
  }
  return {};
}

Result<void> window_order(const RuleInput& in, std::size_t i) {
  const auto& s = in.request.slots[i];
  if (s.inception > s.start || s.expiration <= s.end || s.end <= s.start) {
    return fail(errc::validity_out_of_bounds, "a slot needs start < end, inception <= start and expiration > end",
                slot_where(i));
  }
  return {};
}

Result<void> validity(const RuleInput& in, std::size_t i) {
  const auto& s = in.request.slots[i];
  const Policy& p = in.policy;
  std::int64_t v = s.expiration - s.inception;
  if (v < p.min_validity || v > p.max_validity) {
    return fail(errc::validity_out_of_bounds,
                "signatures valid for " + format_signed_duration(v) + "; the policy allows " +
                    format_signed_duration(p.min_validity) + ".." + format_signed_duration(p.max_validity),
                slot_where(i));
  }
  return {};
}

Result<void> next_slot_start(const RuleInput& in, std::size_t i) {
  const auto& slots = in.request.slots;
  if (i + 1 < slots.size() && slots[i + 1].start != slots[i].end) {
    return fail(errc::slots_not_continuous,
                "ends at " + table_time(slots[i].end) + " but slot " + std::to_string(i + 2) + " starts at " +
                    table_time(slots[i + 1].start),
                slot_where(i));
  }
  return {};
}

Result<void> overlap(const RuleInput& in, std::size_t i) {
  const auto& s = in.request.slots[i];
  const Policy& p = in.policy;
  std::int64_t o = s.expiration - s.end;
  if (o < p.min_overlap || o > p.max_overlap) {
    return fail(errc::slots_not_continuous,
                "signatures stay valid " + format_signed_duration(o) +
                    " past the next slot's start; the policy allows " + format_signed_duration(p.min_overlap) + ".." +
                    format_signed_duration(p.max_overlap),
                slot_where(i));
  }
  return {};
}

Result<void> start_in_past(const RuleInput& in, std::size_t i) {
  const auto& s = in.request.slots[i];
  if (in.now - s.start > in.policy.max_start_in_past) {
    return fail(errc::starts_in_past,
                "starts at " + table_time(s.start) + ", " + format_signed_duration(in.now - s.start) +
                    " ago; the policy allows " + format_signed_duration(in.policy.max_start_in_past),
                slot_where(i));
  }
  return {};
}

Result<void> horizon(const RuleInput& in, std::size_t i) {
  const auto& s = in.request.slots[i];
  if (s.expiration - in.now > in.policy.horizon) {
    return fail(errc::beyond_horizon,
                "signatures would expire at " + table_time(s.expiration) + ", " +
                    format_signed_duration(s.expiration - in.now) + " from now; the policy's horizon is " +
                    format_signed_duration(in.policy.horizon),
                slot_where(i));
  }
  return {};
}

// At least one KSK of the zone must be active at the slot's start: no
// unsigned bundle, and a KSK not yet active (or no longer) never signs.
Result<void> ksk_active(const RuleInput& in, std::size_t i) {
  if (in.ksk_times == nullptr || in.ksks.empty()) return {};
  const std::int64_t t = in.request.slots[i].start;
  std::string why;
  for (std::size_t k = 0; k < in.ksks.size() && k < in.ksk_times->size(); ++k) {
    const zone::KeyTimes& times = (*in.ksk_times)[k];
    if (ksk_active_at(times, t)) return {};
    why += why.empty() ? "" : "; ";
    why += "key tag " + std::to_string(in.ksks[k]->key_tag);
    if (times.activate && *times.activate > t) {
      why += " activates at " + table_time(*times.activate);
    } else if (times.inactive && *times.inactive <= t) {
      why += " went inactive at " + table_time(*times.inactive);
    } else {
      why += " was deleted at " + table_time(times.remove.value_or(t));
    }
  }
  return fail(errc::ksk_not_active,
              "no KSK of " + in.request.zone.to_string() + " is active at the slot's start " + table_time(t) +
                  ": " + why + " (see the key's Activate/Inactive/Delete lines in keys/)",
              slot_where(i));
}

Result<void> proof_of_possession(const RuleInput& in, std::size_t i) {
  if (!in.policy.require_proof || in.foreign) return {};
  return check_proofs_of_possession(in.request.zone, in.request.slots[i], slot_where(i));
}

// The DNSKEY response with this slot's RRset and the KSKs' RRSIGs must fit.
Result<void> response_size(const RuleInput& in, std::size_t i) {
  const KeyRequest& q = in.request;
  std::vector<zone::Record> answers;
  for (const auto* k : in.ksks) answers.push_back(answer(q.zone, zone::rrtype::DNSKEY, k->dnskey_rdata));
  for (const auto& z : q.slots[i].zsks) answers.push_back(answer(q.zone, zone::rrtype::DNSKEY, z.rdata));
  for (const auto* k : in.ksks) {
    std::size_t len = rrsig_rdata_size(q.zone, signature_size(k->algorithm(), k->key.bits()));
    answers.push_back(answer(q.zone, zone::rrtype::RRSIG, Bytes(len)));
  }
  std::size_t size = dnskey_response_size(q.zone, answers);
  if (size > kMaxDnskeyResponse) {
    return fail(errc::response_too_large,
                "the DNSKEY response would be " + std::to_string(size) + " octets; at most " +
                    std::to_string(kMaxDnskeyResponse) + " fit (fewer or smaller ZSKs)",
                slot_where(i));
  }
  return {};
}

constexpr SlotRule kSlotRules[] = {
    {"key_count", key_count},
    {"each_zsk", each_zsk},
    {"window_order", window_order},
    {"validity", validity},
    {"next_slot_start", next_slot_start},
    {"overlap", overlap},
    {"start_in_past", start_in_past},
    {"horizon", horizon},
    {"ksk_active", ksk_active},
    {"proof_of_possession", proof_of_possession},
    {"response_size", response_size},
};

// --- The request rules: the request as a whole. ---

Result<void> zone_served(const RuleInput& in) {
  const auto& zones = in.policy.zones;
  if (std::find(zones.begin(), zones.end(), in.request.zone) == zones.end()) {
    return fail(errc::zone_not_allowed, "this KSK does not sign for " + in.request.zone.to_string(),
                std::string(in.source));
  }
  return {};
}

Result<void> zone_has_ksk(const RuleInput& in) {
  if (in.ksks.empty() && !in.exec) {
    return fail(errc::bad_state, "no KSK for zone " + in.request.zone.to_string(), std::string(in.state_dir));
  }
  return {};
}

Result<void> clock_skew(const RuleInput& in) {
  const KeyRequest& q = in.request;
  const std::int64_t skew = in.now - q.created;
  const std::int64_t allowed = in.policy.max_clock_skew;
  if (skew > allowed || -skew > allowed) {
    return fail(errc::clock_skew,
                "this laptop's clock reads " + table_time(in.now) + " UTC but the request was created at " +
                    table_time(q.created) + " UTC (" + format_signed_duration(skew) + " apart; the policy allows " +
                    format_signed_duration(allowed) +
                    "). If the laptop is wrong, set it to the true UTC time from a trusted clock, as root: "
                    "date -u -s '" + table_time(q.created) + "' (with the real time); "
                    "if the request is old, have the zone side make a new one",
                std::string(in.source));
  }
  return {};
}

Result<void> has_slots(const RuleInput& in) {
  if (in.request.slots.empty()) return fail(errc::syntax, "a request without slots", std::string(in.source));
  return {};
}

Result<void> slot_count(const RuleInput& in) {
  if (in.request.slots.size() > in.policy.max_slots) {
    return fail(errc::too_many_slots,
                std::to_string(in.request.slots.size()) + " slots; the policy allows " +
                    std::to_string(in.policy.max_slots),
                std::string(in.source));
  }
  return {};
}

Result<void> dnskey_ttl(const RuleInput& in) {
  const Policy& p = in.policy;
  const std::uint32_t ttl = in.request.dnskey_ttl;
  if (ttl < p.dnskey_ttl_min || ttl > p.dnskey_ttl_max) {
    return fail(errc::dnskey_ttl_out_of_bounds,
                "DNSKEY TTL " + std::to_string(ttl) + "; the policy allows " + std::to_string(p.dnskey_ttl_min) +
                    ".." + std::to_string(p.dnskey_ttl_max),
                std::string(in.source));
  }
  return {};
}

Result<void> each_slot(const RuleInput& in) {
  for (std::size_t i = 0; i < in.request.slots.size(); ++i) {
    for (const auto& rule : kSlotRules) {
      if (auto r = rule.check(in, i); !r) return r;
    }
  }
  return {};
}

// The first slot's ZSKs must be one of the sets signed, by the newest
// request that covered its start, for that time.
Result<void> continuity(const RuleInput& in) {
  const KeyRequest& q = in.request;
  auto signed_slots = in.ledger.signed_slots();
  if (!signed_slots) return tl::unexpected(signed_slots.error());
  const auto& first = q.slots.front();
  auto covers_start = [&](const SignedSlot& s) {
    return s.zone == q.zone && s.start <= first.start && first.start < s.end;
  };
  std::int64_t newest = 0;
  for (const auto& s : *signed_slots) {
    if (covers_start(s)) newest = std::max(newest, s.request_created);
  }
  std::vector<const SignedSlot*> covering;
  for (const auto& s : *signed_slots) {
    if (covers_start(s) && s.request_created == newest) covering.push_back(&s);
  }
  auto first_set = sorted_rdata(first.zsks);
  if (!covering.empty() &&
      std::none_of(covering.begin(), covering.end(), [&](const SignedSlot* s) { return s->zsks == first_set; })) {
    const SignedSlot& s = *covering.front();
    return fail(errc::continuity_broken,
                "request " + s.request_id + " signed " + table_time(s.start) + ".." + table_time(s.end) +
                    " with ZSK tags " + tags_text(s.zsks) + "; this request starts at " + table_time(first.start) +
                    " with " + tags_text(first_set),
                slot_where(0));
  }
  return {};
}

constexpr RequestRule kRequestRules[] = {
    {"zone_served", zone_served}, {"zone_has_ksk", zone_has_ksk}, {"clock_skew", clock_skew},
    {"has_slots", has_slots},     {"slot_count", slot_count},     {"dnskey_ttl", dnskey_ttl},
    {"each_slot", each_slot},     {"continuity", continuity},
};

}  // namespace

bool ksk_active_at(const zone::KeyTimes& times, std::int64_t t) {
  return (!times.activate || *times.activate <= t) && (!times.inactive || *times.inactive > t) &&
         (!times.remove || *times.remove > t);
}

bool ksk_published_at(const zone::KeyTimes& times, std::int64_t t) {
  return (!times.publish || *times.publish <= t) && (!times.remove || *times.remove > t);
}

std::string slot_where(std::size_t slot) { return "slot " + std::to_string(slot + 1); }

std::span<const RequestRule> request_rules() { return kRequestRules; }
std::span<const SlotRule> slot_rules() { return kSlotRules; }
std::span<const KeyRule> key_rules() { return kKeyRules; }

Result<void> check_request_rules(const RuleInput& in) {
  for (const auto& rule : kRequestRules) {
    if (auto r = rule.check(in); !r) return r;
  }
  return {};
}

Result<bool> auto_approvable(const RuleInput& in) {
  switch (in.policy.auto_approve) {
    case AutoApprove::never: return false;
    case AutoApprove::always: return true;
    case AutoApprove::same_keys: break;
  }
  auto signed_slots = in.ledger.signed_slots();
  if (!signed_slots) return tl::unexpected(signed_slots.error());
  bool all = !signed_slots->empty();
  for (const auto& s : in.request.slots) {
    auto set = sorted_rdata(s.zsks);
    all = all && std::any_of(signed_slots->begin(), signed_slots->end(),
                             [&](const SignedSlot& x) { return x.zone == in.request.zone && x.zsks == set; });
  }
  return all;
}

}  // namespace kskline::signer
