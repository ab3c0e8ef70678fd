#include "signer/response_check.hpp"

#include <algorithm>
#include <map>

#include "signer/errc.hpp"
#include "zone/dnssec_key.hpp"
#include "zone/dnssec_time.hpp"
#include "zone/ds.hpp"
#include "zone/key_tag.hpp"
#include "zone/master_file.hpp"
#include "zone/rr_types.hpp"
#include "zone/rrsig.hpp"

namespace kskline::signer {
namespace {

std::string slot_where(std::size_t i) { return "slot " + std::to_string(i + 1); }

std::string type_name(std::uint16_t type) {
  switch (type) {
    case zone::rrtype::DNSKEY: return "DNSKEY";
    case zone::rrtype::CDS: return "CDS";
    case zone::rrtype::CDNSKEY: return "CDNSKEY";
    default: return "TYPE" + std::to_string(type);
  }
}

}  // namespace

bool TrustAnchor::matches(const Bytes& dnskey) const {
  for (const auto& r : records) {
    if (r.type == zone::rrtype::DNSKEY && r.rdata == dnskey) return true;
    if (r.type == zone::rrtype::DS) {
      auto m = zone::ds_matches(zone, dnskey, r.rdata);
      if (m && *m) return true;
    }
  }
  return false;
}

Result<TrustAnchor> parse_trust_anchor(std::string_view text, std::string_view source, const zone::Name& zone) {
  zone::MasterOptions options;
  options.origin = zone;
  options.default_ttl = 3600;
  options.allow_include = false;
  auto list = zone::read_master_text(text, source, options);
  if (!list) return tl::unexpected(list.error());
  TrustAnchor anchor{zone, {}};
  for (auto& r : list->records) {
    std::string where = list->where(r.loc);
    if (!(r.owner == zone)) {
      return fail(errc::wrong_zone,
                  "the trust anchor is for " + r.owner.to_string() + ", not for " + zone.to_string(), where);
    }
    if (r.type == zone::rrtype::DS) {
      auto ds = zone::parse_ds(r.rdata);
      if (!ds) return fail(errc::bad_config, "malformed DS record", where);
      if (ds->digest_type != zone::ds_digest::SHA256 && ds->digest_type != zone::ds_digest::SHA384 &&
          ds->digest_type != zone::ds_digest::SHA1) {
        return fail(errc::bad_config, "DS digest type " + std::to_string(ds->digest_type) + " is not supported",
                    where);
      }
    } else if (r.type == zone::rrtype::DNSKEY) {
      auto key = zone::parse_dnskey(r.rdata);
      if (!key || !(key->flags & zone::dnskey_flag::ZONE)) {
        return fail(errc::bad_config, "a trust anchor DNSKEY must be a zone key (flags 256 or 257)", where);
      }
    } else {
      return fail(errc::bad_config, "a trust anchor holds only DS or DNSKEY records", where);
    }
    r.loc = {};
    anchor.records.push_back(std::move(r));
  }
  if (anchor.records.empty()) {
    return fail(errc::bad_config, "no DS or DNSKEY record: give the KSK's DS records (what `ksk init` prints)",
                std::string(source));
  }
  return anchor;
}

std::string format_trust_anchor(const TrustAnchor& anchor) {
  std::string out = "; KSK trust anchor of " + anchor.zone.to_string() + " (set by `kskline zone init`)\n";
  for (const auto& r : anchor.records) zone::append_text(r, out);
  return out;
}

Result<void> check_response(const KeyRequest& request, const KeyResponse& response, const TrustAnchor& anchor,
                            std::int64_t refresh_margin) {
  if (!(response.zone == request.zone)) {
    return fail(errc::wrong_zone,
                "the response is for " + response.zone.to_string() + ", the request for " + request.zone.to_string());
  }
  if (response.slots.size() != request.slots.size()) {
    return fail(errc::coverage_gap, "the response has " + std::to_string(response.slots.size()) +
                                        " slots, the request " + std::to_string(request.slots.size()));
  }
  for (std::size_t i = 0; i < response.slots.size(); ++i) {
    const auto& rs = response.slots[i];
    const auto& qs = request.slots[i];
    const std::string where = slot_where(i);
    if (rs.start != qs.start || rs.end != qs.end) {
      return fail(errc::coverage_gap,
                  "covers " + format_time(rs.start) + ".." + format_time(rs.end) + ", the request asked for " +
                      format_time(qs.start) + ".." + format_time(qs.end),
                  where);
    }
    std::map<std::uint16_t, std::vector<zone::Record>> rrsets;
    std::vector<const zone::Record*> rrsigs;
    for (const auto& r : rs.records) {
      if (r.type == zone::rrtype::RRSIG) {
        rrsigs.push_back(&r);
      } else {
        rrsets[r.type].push_back(r);
      }
    }
    for (std::uint16_t t : {zone::rrtype::DNSKEY, zone::rrtype::CDS, zone::rrtype::CDNSKEY}) {
      if (rrsets[t].empty()) return fail(errc::syntax, "no " + type_name(t) + " RRset", where);
    }
    for (const auto& [t, set] : rrsets) {
      if (t != zone::rrtype::DNSKEY && t != zone::rrtype::CDS && t != zone::rrtype::CDNSKEY) {
        return fail(errc::syntax, "a " + type_name(t) + " record in a response", where);
      }
    }

    // The DNSKEY RRset: exactly the slot's ZSKs plus anchored KSKs.
    std::vector<zone::RrsigVerifier> ksks;
    for (const auto& key : rrsets[zone::rrtype::DNSKEY]) {
      bool is_zsk = std::any_of(qs.zsks.begin(), qs.zsks.end(), [&](const zone::Record& z) { return z.rdata == key.rdata; });
      if (is_zsk) continue;
      std::uint16_t tag = zone::key_tag(key.rdata);
      if (!anchor.matches(key.rdata)) {
        return fail(errc::untrusted_key,
                    "DNSKEY " + std::to_string(tag) +
                        " is neither a ZSK of the request nor a KSK of the trust anchor",
                    where + ", key tag " + std::to_string(tag));
      }
      auto v = zone::RrsigVerifier::create(request.zone, key.rdata);
      if (!v) return fail(errc::untrusted_key, v.error().message(), where + ", key tag " + std::to_string(tag));
      ksks.push_back(std::move(*v));
    }
    for (const auto& z : qs.zsks) {
      const auto& keys = rrsets[zone::rrtype::DNSKEY];
      if (std::none_of(keys.begin(), keys.end(), [&](const zone::Record& k) { return k.rdata == z.rdata; })) {
        std::uint16_t tag = zone::key_tag(z.rdata);
        return fail(errc::not_our_request, "the DNSKEY RRset lacks ZSK " + std::to_string(tag) + " of the request",
                    where + ", key tag " + std::to_string(tag));
      }
    }
    if (ksks.empty()) {
      return fail(errc::untrusted_key, "the DNSKEY RRset holds no KSK of the trust anchor", where);
    }

    // Every RRSIG by an anchored KSK, valid, over the slot and the margin.
    std::map<std::uint16_t, bool> signed_types;
    for (const auto* sig_record : rrsigs) {
      auto sig = zone::parse_rrsig(sig_record->rdata);
      if (!sig) return fail(errc::bad_signature, sig.error().message(), where);
      const std::string sig_where = where + ", key tag " + std::to_string(sig->key_tag);
      auto set = rrsets.find(sig->type_covered);
      if (set == rrsets.end()) {
        return fail(errc::syntax, "an RRSIG covering " + type_name(sig->type_covered) + ", which the slot lacks",
                    sig_where);
      }
      auto ksk = std::find_if(ksks.begin(), ksks.end(), [&](const zone::RrsigVerifier& k) {
        return k.key_tag() == sig->key_tag && k.algorithm() == sig->algorithm;
      });
      if (ksk == ksks.end()) {
        return fail(errc::untrusted_key,
                    "the RRSIG over " + type_name(sig->type_covered) + " is by key " + std::to_string(sig->key_tag) +
                        ", not by a KSK of the trust anchor",
                    sig_where);
      }
      auto verification = ksk->verify(*sig, set->second);
      if (verification.status != zone::VerifyStatus::valid) {
        return fail(errc::bad_signature,
                    "the RRSIG over " + type_name(sig->type_covered) + " does not verify: " + verification.reason,
                    sig_where);
      }
      std::int64_t inception = zone::widen_time(sig->inception, rs.start);
      std::int64_t expiration = zone::widen_time(sig->expiration, rs.start);
      if (inception > rs.start) {
        return fail(errc::coverage_gap,
                    "the RRSIG over " + type_name(sig->type_covered) + " is valid only from " +
                        format_time(inception) + ", after the slot starts",
                    sig_where);
      }
      if (expiration < rs.end + refresh_margin) {
        return fail(errc::margin_too_short,
                    "the RRSIG over " + type_name(sig->type_covered) + " expires " + format_time(expiration) +
                        ", less than the refresh margin after the slot ends at " + format_time(rs.end),
                    sig_where);
      }
      signed_types[sig->type_covered] = true;
    }
    for (const auto& [t, set] : rrsets) {
      if (!signed_types[t]) {
        return fail(errc::untrusted_key, "the " + type_name(t) + " RRset is not signed by a KSK of the trust anchor",
                    where);
      }
    }
  }
  return {};
}

std::vector<Bytes> zsk_rdatas(const std::vector<zone::Record>& records) {
  std::vector<Bytes> out;
  for (const auto& r : records) {
    if (r.type == zone::rrtype::DNSKEY && r.rdata.size() >= 2 && (r.rdata[1] & 0x01) == 0) out.push_back(r.rdata);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<ForeignAnswer> foreign_answer(const KeyRequest& request, const std::string& request_text,
                                            const ForeignDocument& skr) {
  if (request.slots.empty()) return std::nullopt;
  ForeignAnswer answer;
  answer.request = request;
  answer.request.slots.clear();
  answer.response.request_id = request.id;
  answer.response.request_sha256 = text_sha256(request_text);
  answer.response.zone = skr.zone;
  answer.response.created = skr.generated;
  for (const auto& slot : request.slots) {
    // The bundle the zone publishes at the slot's start: the last one from at or before it.
    std::size_t b = 0;
    while (b + 1 < skr.bundles.size() && skr.bundles[b + 1].time <= slot.start) ++b;
    if (skr.bundles[b].time > slot.start) return std::nullopt;
    const auto zsks = zsk_rdatas(slot.zsks);
    for (; b < skr.bundles.size() && skr.bundles[b].time < slot.end; ++b) {
      const auto& bundle = skr.bundles[b];
      if (zsk_rdatas(bundle.records) != zsks) return std::nullopt;
      RequestSlot part = slot;
      part.start = std::max(bundle.time, slot.start);
      part.end = b + 1 < skr.bundles.size() ? std::min(skr.bundles[b + 1].time, slot.end) : slot.end;
      answer.response.slots.push_back({part.start, part.end, bundle.records});
      answer.request.slots.push_back(std::move(part));
    }
  }
  return answer;
}

Result<void> check_foreign_response(const ForeignDocument& ksr, const ForeignDocument& skr, const TrustAnchor& anchor) {
  if (!(skr.zone == ksr.zone)) {
    return fail(errc::wrong_zone, "the SKR is for " + skr.zone.to_string() + ", the KSR for " + ksr.zone.to_string());
  }
  if (ksr.bundles.empty() || skr.bundles.empty()) return fail(errc::coverage_gap, "no bundle");
  for (const auto& wanted : ksr.bundles) {
    const bool found = std::any_of(skr.bundles.begin(), skr.bundles.end(),
                                   [&](const ForeignBundle& b) { return b.time == wanted.time; });
    if (!found) {
      return fail(errc::coverage_gap, "the SKR has no bundle at " + format_time(wanted.time) + ", where the KSR has one");
    }
  }
  if (skr.bundles.front().time < ksr.bundles.front().time) {
    return fail(errc::coverage_gap, "the SKR has a bundle at " + format_time(skr.bundles.front().time) +
                                        ", before the KSR's first at " + format_time(ksr.bundles.front().time));
  }
  // The KSR's last bundle lasts as long as the SKR's last is valid.
  KeyRequest request = to_key_request(ksr);
  request.slots.back().end = to_key_response(skr).slots.back().end;
  auto answer = foreign_answer(request, "", skr);
  if (!answer) {
    return fail(errc::not_our_request, "a bundle of the SKR does not hold the ZSKs of the KSR bundle in force at its time");
  }
  return check_response(answer->request, answer->response, anchor, 0);
}

std::vector<zone::Record> publishable_records(const ResponseSlot& slot) {
  std::map<std::uint16_t, std::uint32_t> ttl;
  for (const auto& r : slot.records) {
    if (r.type != zone::rrtype::RRSIG) continue;
    if (auto sig = zone::parse_rrsig(r.rdata)) ttl.emplace(sig->type_covered, sig->original_ttl);
  }
  std::vector<zone::Record> out = slot.records;
  for (auto& r : out) {
    if (r.type == zone::rrtype::RRSIG) {
      if (auto sig = zone::parse_rrsig(r.rdata); sig && ttl.count(sig->type_covered)) r.ttl = ttl[sig->type_covered];
    } else if (auto it = ttl.find(r.type); it != ttl.end()) {
      r.ttl = it->second;
    }
  }
  return out;
}

}  // namespace kskline::signer
