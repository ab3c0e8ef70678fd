#include "zone/keyset.hpp"

#include <algorithm>
#include <set>

#include "zone/algorithm.hpp"
#include "zone/canonical.hpp"
#include "zone/dnssec_key.hpp"
#include "zone/dnssec_time.hpp"
#include "zone/errc.hpp"
#include "zone/key_tag.hpp"
#include "zone/rrsig.hpp"
#include "zone/rr_types.hpp"
#include "zone/sign_keys.hpp"

namespace kskline::zone {
namespace {

tl::unexpected<Error> refuse(const RecordList& list, const Record& r, std::string detail,
                             errc code = errc::zone_invalid) {
  return fail(code, std::move(detail), list.where(r.loc));
}

std::string file_of(const RecordList& list) { return list.files.empty() ? "keyset" : list.files.front(); }

}  // namespace

Result<std::vector<Record>> check_keyset(RecordList list, const Name& origin, std::span<const KeyPair* const> zsks,
                                         std::int64_t now, std::uint32_t warn_within,
                                         std::vector<std::string>& notes) {
  auto& records = list.records;
  for (const Record& r : records) {
    if (!(r.owner == origin)) {
      return refuse(list, r, r.owner.to_string() + " " + type_to_string(r.type) + " is not at the apex " +
                                 origin.to_string() + "; a keyset holds only apex RRsets");
    }
    if (r.type == rrtype::RRSIG) {
      auto sig = parse_rrsig(r.rdata);
      if (!sig) return refuse(list, r, sig.error().detail);
      if (!is_key_set_type(sig->type_covered)) {
        return refuse(list, r, "RRSIG covering " + type_to_string(sig->type_covered) +
                                   "; a keyset signs only DNSKEY, CDS and CDNSKEY");
      }
    } else if (!is_key_set_type(r.type)) {
      return refuse(list, r, type_to_string(r.type) + " does not belong in a keyset (DNSKEY, CDS, CDNSKEY, RRSIG)");
    }
  }
  sort_canonical(records);
  remove_duplicates(records);
  const auto sets = group_rrsets(records);

  auto find_set = [&](std::uint16_t type) -> std::span<const Record> {
    for (const auto& s : sets) {
      if (records[s.begin].type == type) return {records.data() + s.begin, s.end - s.begin};
    }
    return {};
  };
  const auto dnskeys = find_set(rrtype::DNSKEY);
  const auto rrsigs = find_set(rrtype::RRSIG);
  if (dnskeys.empty()) return fail(errc::zone_invalid, "the keyset holds no DNSKEY RRset", file_of(list));

  for (const auto& s : sets) {
    for (std::size_t i = s.begin + 1; i < s.end; ++i) {
      if (records[i].ttl != records[s.begin].ttl && records[i].type != rrtype::RRSIG) {
        return refuse(list, records[i], "TTL " + std::to_string(records[i].ttl) + " differs from " +
                                            std::to_string(records[s.begin].ttl) + " in the keyset's " +
                                            type_to_string(records[i].type) + " RRset");
      }
    }
  }
  for (const Record& key : dnskeys) {
    if (auto usable = check_usable_dnskey(key.rdata); !usable) return refuse(list, key, usable.error().message(), errc::bad_key);
  }
  for (const KeyPair* zsk : zsks) {
    bool present = std::any_of(dnskeys.begin(), dnskeys.end(), [&](const Record& r) { return r.rdata == zsk->dnskey_rdata; });
    if (!present) {
      return fail(errc::zone_invalid,
                  "the keyset's DNSKEY RRset lacks the ZSK " + std::to_string(zsk->key_tag) + "/" +
                      algorithm_to_string(zsk->algorithm()) +
                      " this zone is signed with; ask the KSK side for a keyset that includes it",
                  file_of(list));
    }
  }

  // Every RRSIG must verify with a DNSKEY of the keyset and be valid now.
  std::set<std::uint16_t> signed_types;
  std::set<std::uint8_t> signing_algorithms;
  for (const Record& sig_record : rrsigs) {
    auto sig = parse_rrsig(sig_record.rdata);  // checked above
    auto covered = find_set(sig->type_covered);
    if (covered.empty()) {
      return refuse(list, sig_record, "RRSIG covering " + type_to_string(sig->type_covered) +
                                          ", which the keyset does not hold");
    }
    std::string what = "the keyset's RRSIG over " + type_to_string(sig->type_covered) + " by key " +
                       std::to_string(sig->key_tag) + "/" + algorithm_to_string(sig->algorithm);
    bool valid = false;
    std::string reason = "no DNSKEY with that tag and algorithm in the keyset";
    for (const Record& key : dnskeys) {
      if (key_tag(key.rdata) != sig->key_tag || key.rdata.size() < 4 || key.rdata[3] != sig->algorithm) continue;
      auto verifier = RrsigVerifier::create(origin, key.rdata);
      if (!verifier) {
        reason = verifier.error().message();
        continue;
      }
      auto v = verifier->verify(*sig, covered);
      if (v.status == VerifyStatus::valid) {
        valid = true;
        break;
      }
      reason = v.reason;
    }
    if (!valid) return refuse(list, sig_record, what + " does not verify: " + reason, errc::bad_signature);
    switch (rrsig_time_status(sig->inception, sig->expiration, now)) {
      case TimeStatus::not_yet_valid:
        return refuse(list, sig_record, what + " is not valid before " + format_dnssec_time(sig->inception, now));
      case TimeStatus::expired:
        return refuse(list, sig_record, what + " expired at " + format_dnssec_time(sig->expiration, now));
      case TimeStatus::valid:
        break;
    }
    if (widen_time(sig->expiration, now) < now + warn_within) {
      notes.push_back(list.where(sig_record.loc) + ": " + what + " expires at " +
                      format_dnssec_time(sig->expiration, now) + ", before the zone's signatures do");
    }
    signed_types.insert(sig->type_covered);
    if (sig->type_covered == rrtype::DNSKEY) signing_algorithms.insert(sig->algorithm);
  }
  for (const auto& s : sets) {
    const Record& r = records[s.begin];
    if (r.type != rrtype::RRSIG && !signed_types.count(r.type)) {
      return refuse(list, r, "the keyset's " + type_to_string(r.type) + " RRset has no RRSIG");
    }
  }
  std::set<std::uint8_t> algorithms;
  for (const Record& key : dnskeys) {
    if (key.rdata.size() >= 4) algorithms.insert(key.rdata[3]);
  }
  for (std::uint8_t a : algorithms) {
    if (!signing_algorithms.count(a)) {
      notes.push_back(file_of(list) + ": no RRSIG of algorithm " + algorithm_to_string(a) +
                      " over the keyset's DNSKEY RRset, though the RRset has keys of it (RFC 4035 §2.2)");
    }
  }
  return std::move(records);
}

}  // namespace kskline::zone
