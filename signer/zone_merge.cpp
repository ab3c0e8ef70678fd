#include "signer/zone_merge.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "signer/errc.hpp"
#include "zone/canonical.hpp"
#include "zone/dnssec_key.hpp"
#include "zone/key_tag.hpp"
#include "zone/nsec3_hash.hpp"
#include "zone/rr_types.hpp"
#include "zone/rrsig.hpp"
#include "zone/type_bitmap.hpp"

namespace kskline::signer {
namespace {

using zone::Record;
namespace rrtype = zone::rrtype;

tl::unexpected<Error> fail(errc code, std::string where, std::string detail) {
  return tl::unexpected(Error{code, std::move(where), std::move(detail)});
}

// The apex types the slot provides and the zone loses to it.
bool apex_key_type(std::uint16_t type) {
  return type == rrtype::DNSKEY || type == rrtype::CDS || type == rrtype::CDNSKEY;
}

// The type an RRSIG record covers (0 when its RDATA is too short).
std::uint16_t covered(const Record& r) {
  return r.rdata.size() >= 2 ? static_cast<std::uint16_t>(r.rdata[0] << 8 | r.rdata[1]) : 0;
}

bool is_zsk(ByteView dnskey) {
  auto view = zone::parse_dnskey(dnskey);
  return view && (view->flags & zone::dnskey_flag::SEP) == 0;
}

std::string tag_list(const std::set<std::uint16_t>& tags) {
  std::string out;
  for (auto t : tags) out += (out.empty() ? "" : ", ") + std::to_string(t);
  return out;
}

// The ZSK DNSKEY RDATA of the apex DNSKEY records in `records`.
std::set<Bytes> zsks_of(const std::vector<Record>& records, const zone::Name& origin) {
  std::set<Bytes> out;
  for (const auto& r : records) {
    if (r.type == rrtype::DNSKEY && r.owner == origin && is_zsk(r.rdata)) out.insert(r.rdata);
  }
  return out;
}

// The apex denial record: its index in `records`, and for NSEC3 the offset
// of its type bitmap (NSEC: after the next owner name).
struct Denial {
  std::size_t index = 0;
  std::size_t bitmap_offset = 0;
};

Result<Denial> find_denial(const zone::RecordList& zone, const zone::Name& origin, bool& nsec3) {
  const auto& records = zone.records;
  const Record* param = nullptr;
  for (const auto& r : records) {
    if (r.owner == origin && r.type == rrtype::NSEC3PARAM) param = &r;
  }
  nsec3 = param != nullptr;
  zone::Name owner = origin;
  if (nsec3) {
    auto params = zone::parse_nsec3param(param->rdata);
    if (!params) return tl::unexpected(params.error().located(zone.where(param->loc)));
    if (params->algorithm != zone::kNsec3Sha1) {
      return fail(errc::syntax, zone.where(param->loc), "NSEC3PARAM hash algorithm " +
                                                          std::to_string(params->algorithm) + " is not SHA-1 (1)");
    }
    zone::Nsec3Hasher hasher(*params);
    auto hashed = hasher.hashed_owner(origin, origin);
    if (!hashed) return tl::unexpected(hashed.error());
    owner = std::move(*hashed);
  }
  const std::uint16_t type = nsec3 ? rrtype::NSEC3 : rrtype::NSEC;
  std::optional<std::size_t> found;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    if (r.type != type || !(r.owner == owner)) continue;
    if (found) {
      return fail(errc::syntax, zone.where(r.loc),
                  "a second " + zone::type_to_string(type) + " record at " + owner.to_string() + " (the first at " +
                      zone.where(records[*found].loc) + ")");
    }
    found = i;
  }
  if (found) {
    const auto& r = records[*found];
    Denial d{*found, 0};
    if (nsec3) {
      auto view = zone::parse_nsec3(r.rdata);
      if (!view) return tl::unexpected(view.error().located(zone.where(r.loc)));
      d.bitmap_offset = static_cast<std::size_t>(view->type_bitmap.data() - r.rdata.data());
    } else {
      std::size_t used = 0;
      auto next = zone::Name::from_wire(r.rdata, &used);
      if (!next) return tl::unexpected(next.error().located(zone.where(r.loc)));
      d.bitmap_offset = used;
    }
    if (auto v = zone::validate_type_bitmap(ByteView(r.rdata).subspan(d.bitmap_offset)); !v) {
      return tl::unexpected(v.error().located(zone.where(r.loc)));
    }
    return d;
  }
  return fail(errc::syntax, zone.files.empty() ? origin.to_string() : zone.files.front(),
              std::string("no ") + (nsec3 ? "NSEC3 record at " + owner.to_string() + " (the hash of the apex)"
                                          : "NSEC record at the apex " + origin.to_string()) +
                  ": not a zone signed with NSEC or NSEC3");
}

}  // namespace

const ResponseSlot* slot_at(const KeyResponse& response, std::int64_t now) {
  for (const auto& s : response.slots) {
    if (s.start <= now && now < s.end) return &s;
  }
  return nullptr;
}

Result<MergedZone> merge_signed_zone(const zone::RecordList& zone, const zone::Name& origin, const ResponseSlot& slot,
                                     std::span<const zone::KeyPair> zsks) {
  MergedZone out;
  for (const auto& r : slot.records) {
    if (!(r.owner == origin)) {
      return fail(errc::wrong_zone, "response", "a " + zone::type_to_string(r.type) + " record of the slot is at " +
                                                    r.owner.to_string() + ", not at the apex " + origin.to_string());
    }
  }
  // The ZSKs: exactly the slot's, or the slot signs another key set than
  // the one the zone's data is signed with.
  const auto zone_zsks = zsks_of(zone.records, origin);
  const auto slot_zsks = zsks_of(slot.records, origin);
  if (zone_zsks != slot_zsks) {
    std::set<std::uint16_t> only_zone, only_slot;
    for (const auto& k : zone_zsks) {
      if (!slot_zsks.count(k)) only_zone.insert(zone::key_tag(k));
    }
    for (const auto& k : slot_zsks) {
      if (!zone_zsks.count(k)) only_slot.insert(zone::key_tag(k));
    }
    std::string what;
    if (!only_zone.empty()) what += "the zone's ZSK " + tag_list(only_zone) + " is not in the response slot";
    if (!only_slot.empty()) {
      what += std::string(what.empty() ? "" : "; ") + "the slot's ZSK " + tag_list(only_slot) + " is not in the zone";
    }
    return fail(errc::zone_keys_differ, "key tag " + tag_list(only_zone.empty() ? only_slot : only_zone),
                what + ": sign the zone with the slot's ZSKs, or use the response for the zone's keys");
  }
  for (const auto& r : slot.records) {
    if (r.type != rrtype::DNSKEY) continue;
    (is_zsk(r.rdata) ? out.zsk_tags : out.ksk_tags).push_back(zone::key_tag(r.rdata));
  }
  for (const auto& k : zsks) {
    if (!zone_zsks.count(k.dnskey_rdata)) {
      return fail(errc::zone_keys_differ, "--key", "key tag " + std::to_string(k.key_tag) +
                                                       " is not one of the zone's ZSKs (" +
                                                       tag_list({out.zsk_tags.begin(), out.zsk_tags.end()}) + ")");
    }
  }

  bool nsec3 = false;
  auto denial = find_denial(zone, origin, nsec3);
  if (!denial) return tl::unexpected(denial.error());
  out.nsec3 = nsec3;
  const Record& old = zone.records[denial->index];

  // The apex types after the merge: the bitmap's, with DNSKEY, CDS and
  // CDNSKEY as the slot has them. Only apex RRsets change and the apex
  // stays, so no owner name is added or removed: the NSEC next names and the
  // NSEC3 chain (its hashes, order and next hashes) stay as they are, and
  // only this one record's bitmap can change.
  auto old_types = zone::read_type_bitmap(ByteView(old.rdata).subspan(denial->bitmap_offset));
  if (!old_types) return tl::unexpected(old_types.error().located(zone.where(old.loc)));
  std::set<std::uint16_t> types(old_types->begin(), old_types->end());
  for (auto t : {rrtype::DNSKEY, rrtype::CDS, rrtype::CDNSKEY}) types.erase(t);
  for (const auto& r : slot.records) {
    if (apex_key_type(r.type)) types.insert(r.type);
  }
  const std::vector<std::uint16_t> new_types(types.begin(), types.end());
  out.bitmap_changed = new_types != *old_types;

  std::vector<Record> records;
  records.reserve(zone.records.size() + slot.records.size());
  std::vector<zone::Rrsig> old_sigs;  // the RRSIGs over the denial record, when it changes
  for (const auto& r : zone.records) {
    if (r.owner == origin && apex_key_type(r.type)) continue;
    if (r.type == rrtype::RRSIG && r.owner == origin && apex_key_type(covered(r))) continue;
    if (out.bitmap_changed && r.type == rrtype::RRSIG && r.owner == old.owner && covered(r) == old.type) {
      auto sig = zone::parse_rrsig(r.rdata);
      if (!sig) return tl::unexpected(sig.error().located(zone.where(r.loc)));
      old_sigs.push_back(std::move(*sig));
      continue;
    }
    records.push_back(r);
  }
  for (const auto& r : slot.records) records.push_back(r);

  if (out.bitmap_changed) {
    Bytes rdata(old.rdata.begin(), old.rdata.begin() + static_cast<std::ptrdiff_t>(denial->bitmap_offset));
    zone::append_type_bitmap(new_types, rdata);
    Record changed = zone::make_record(old.owner, old.type, old.ttl, std::move(rdata));
    changed.rclass = old.rclass;
    std::set<std::uint16_t> missing;
    for (const auto& sig : old_sigs) {
      auto key = std::find_if(zsks.begin(), zsks.end(), [&](const zone::KeyPair& k) {
        return k.key_tag == sig.key_tag && k.algorithm() == sig.algorithm;
      });
      if (key == zsks.end()) missing.insert(sig.key_tag);
    }
    if (old_sigs.empty() || !missing.empty()) {
      return fail(errc::zsk_key_needed, "--key",
                  "the apex types change (CDS/CDNSKEY), so the " + zone::type_to_string(old.type) + " record at " +
                      old.owner.to_string() + " (" + zone.where(old.loc) + ") must be re-signed by ZSK " +
                      tag_list(missing.empty() ? std::set<std::uint16_t>(out.zsk_tags.begin(), out.zsk_tags.end())
                                               : missing) +
                      ": give its key file with --key K<zone>+<alg>+<tag>");
    }
    for (const auto& sig : old_sigs) {
      auto key = std::find_if(zsks.begin(), zsks.end(), [&](const zone::KeyPair& k) {
        return k.key_tag == sig.key_tag && k.algorithm() == sig.algorithm;
      });
      auto signer = zone::Signer::create(key->key);
      if (!signer) return tl::unexpected(signer.error());
      zone::SignParams params;
      params.signer = sig.signer;
      params.key_tag = sig.key_tag;
      params.inception = sig.inception;
      params.expiration = sig.expiration;
      params.original_ttl = changed.ttl;
      auto made = zone::sign_rrset(*signer, params, std::span<const Record>(&changed, 1));
      if (!made) return tl::unexpected(made.error());
      auto rrsig = zone::make_record(changed.owner, rrtype::RRSIG, changed.ttl, std::move(*made));
      records.push_back(std::move(rrsig));
    }
    for (auto& r : records) {
      if (r.type == old.type && r.owner == old.owner) r = changed;
    }
  }
  zone::sort_canonical(records);
  out.records = std::move(records);
  return out;
}

}  // namespace kskline::signer
