#include "zone/internal/sign_prepare.hpp"

#include <algorithm>
#include <iterator>
#include <optional>
#include <utility>

#include "zone/algorithm.hpp"
#include "zone/canonical.hpp"
#include "zone/dnssec_key.hpp"
#include "zone/keyset.hpp"
#include "zone/nsec3_hash.hpp"
#include "zone/rr_types.hpp"
#include "zone/soa_serial.hpp"
#include "zone/zone_check.hpp"
#include "zone/zonemd.hpp"

namespace kskline::zone::signing {
namespace {

// What the input holds that the signer drops and makes anew.
bool regenerated_type(std::uint16_t type) {
  return type == rrtype::RRSIG || type == rrtype::NSEC || type == rrtype::NSEC3 || type == rrtype::NSEC3PARAM;
}

// Sets every RRset's TTL to its lowest; `records` sorted canonically.
std::size_t normalize_ttls(std::vector<Record>& records) {
  std::size_t changed = 0;
  for (const auto& set : group_rrsets(records)) {
    std::uint32_t low = records[set.begin].ttl;
    for (std::size_t i = set.begin; i < set.end; ++i) low = std::min(low, records[i].ttl);
    for (std::size_t i = set.begin; i < set.end; ++i) {
      if (records[i].ttl != low) {
        records[i].ttl = low;
        ++changed;
      }
    }
  }
  return changed;
}

// Inserts apex records into a canonically sorted zone whose first records
// are the apex's (everything is at or below the origin).
void merge_apex(std::vector<Record>& records, std::vector<Record> extra, const Name& origin) {
  if (extra.empty()) return;
  std::size_t apex_end = 0;
  while (apex_end < records.size() && records[apex_end].owner == origin) ++apex_end;
  std::vector<Record> apex(std::make_move_iterator(records.begin()),
                           std::make_move_iterator(records.begin() + static_cast<std::ptrdiff_t>(apex_end)));
  for (auto& r : extra) apex.push_back(std::move(r));
  sort_canonical(apex);
  remove_duplicates(apex);
  records.erase(records.begin(), records.begin() + static_cast<std::ptrdiff_t>(apex_end));
  records.insert(records.begin(), std::make_move_iterator(apex.begin()), std::make_move_iterator(apex.end()));
}

// The TTL of the apex RRset of `type`, if any.
std::optional<std::uint32_t> apex_ttl(const std::vector<Record>& records, const Name& origin, std::uint16_t type) {
  for (const Record& r : records) {
    if (!(r.owner == origin)) break;
    if (r.type == type) return r.ttl;
  }
  return std::nullopt;
}

}  // namespace

Error problem(errc code, std::string detail, std::string where) {
  return Error{code, std::move(where), std::move(detail)};
}

const Record* apex_record(const std::vector<Record>& records, const Name& origin, std::uint16_t type) {
  for (const Record& r : records) {
    if (!(r.owner == origin)) break;
    if (r.type == type) return &r;
  }
  return nullptr;
}

Result<void> prepare(SignInput& input, const SignOptions& options, const SigningKeys& keys, Prepared& out,
                     SignReport& report) {
  const Name& origin = options.origin;
  RecordList& list = input.zone;

  // Drop what is made anew.
  std::size_t dropped = 0, dropped_zonemd = 0, replaced_keys = 0;
  std::erase_if(list.records, [&](const Record& r) {
    if (regenerated_type(r.type)) return ++dropped, true;
    if (r.type == rrtype::ZONEMD && r.owner == origin) return ++dropped_zonemd, true;
    if (input.keyset && r.owner == origin && is_key_set_type(r.type)) return ++replaced_keys, true;
    return false;
  });
  if (dropped > 0) {
    report.notes.push_back("dropped " + std::to_string(dropped) +
                           " RRSIG/NSEC/NSEC3/NSEC3PARAM records of the input; they are made anew");
  }
  if (dropped_zonemd > 0 && !options.zonemd) {
    report.notes.push_back("dropped the input's apex ZONEMD RRset: signing changes the zone's digest (use --zonemd)");
  }
  if (replaced_keys > 0) {
    report.notes.push_back("the keyset replaces the input's " + std::to_string(replaced_keys) +
                           " apex DNSKEY/CDS/CDNSKEY records");
  }

  if (options.normalize_ttl) {
    sort_canonical(list.records);
    remove_duplicates(list.records);
    if (std::size_t n = normalize_ttls(list.records); n > 0) {
      report.notes.push_back("set the TTL of " + std::to_string(n) + " records to the lowest TTL of their RRset");
    }
  }
  auto check = check_zone(list, origin);
  report.problems = std::move(check.problems);
  if (check.summary.duplicates > 0) {
    report.notes.push_back("removed " + std::to_string(check.summary.duplicates) + " duplicate records");
  }
  for (const Record& r : list.records) {
    if (r.type == rrtype::DNSKEY && r.owner == origin) {
      if (auto usable = check_usable_dnskey(r.rdata); !usable) {
        report.problems.push_back(problem(errc::bad_key, usable.error().message(), list.where(r.loc)));
      }
    }
    if (r.type == rrtype::DS && r.owner == origin) {
      report.problems.push_back(problem(errc::zone_invalid,
                                        "DS at the apex " + origin.to_string() + "; DS records belong in the parent zone",
                                        list.where(r.loc)));
    }
  }
  if (!report.problems.empty()) return fail(errc::zone_invalid, "the zone was refused");

  auto& records = list.records;
  std::vector<Record> extra;

  // The SOA serial.
  const Record* soa = apex_record(records, origin, rrtype::SOA);
  auto current = soa_serial(soa->rdata);
  if (!current) return fail(errc::zone_invalid, "the SOA RDATA is malformed", list.where(soa->loc));
  out.serial = next_serial(options.serial, *current, options.timing.now);
  for (Record& r : records) {
    if (!(r.owner == origin)) break;
    if (r.type == rrtype::SOA) (void)set_soa_serial(r.rdata, out.serial);
  }
  const std::uint32_t soa_ttl = soa->ttl;
  const std::uint32_t soa_minimum = get_u32(soa->rdata.data() + soa->rdata.size() - 4);
  const std::uint32_t denial_ttl = std::min(soa_ttl, soa_minimum);

  // Keys: the keyset's RRsets, or the DNSKEYs of the keys when missing.
  if (input.keyset) {
    std::vector<const KeyPair*> zsks;
    for (std::size_t k : keys.data_signers()) zsks.push_back(&keys.keys()[k]);
    auto ks = check_keyset(std::move(*input.keyset), origin, zsks, options.timing.now,
                           options.timing.validity, report.notes);
    if (!ks) {
      report.problems.push_back(ks.error());
      return tl::unexpected(ks.error());
    }
    for (auto& r : *ks) {
      r.loc = SourceLoc{static_cast<std::uint32_t>(list.files.size()), 0};
      extra.push_back(std::move(r));
    }
  } else {
    auto ttl = apex_ttl(records, origin, rrtype::DNSKEY);
    for (const KeyPair& k : keys.keys()) {
      bool present = false;
      for (const Record& r : records) {
        if (!(r.owner == origin)) break;
        if (r.type == rrtype::DNSKEY && r.rdata == k.dnskey_rdata) present = true;
      }
      if (present) continue;
      if (!ttl) ttl = k.ttl.value_or(soa_ttl);
      extra.push_back(make_record(origin, rrtype::DNSKEY, *ttl, k.dnskey_rdata));
    }
  }
  if (options.nsec3) {
    Nsec3Params p;
    p.iterations = options.nsec3->iterations;
    p.salt = options.nsec3->salt;
    extra.push_back(make_record(origin, rrtype::NSEC3PARAM, denial_ttl, make_nsec3param_rdata(p)));
  }
  if (options.zonemd) {
    auto placeholder = make_zonemd_placeholder(out.serial, zonemd::SHA384);
    if (!placeholder) return tl::unexpected(placeholder.error());
    extra.push_back(make_record(origin, rrtype::ZONEMD, soa_ttl, std::move(*placeholder)));
  }
  merge_apex(records, std::move(extra), origin);
  out.records = std::move(records);
  return {};
}

void note_unused_algorithms(const std::vector<Record>& records, const Name& origin, const SigningKeys& keys,
                            SignReport& report) {
  for (const Record& r : records) {
    if (!(r.owner == origin)) break;
    if (r.type != rrtype::DNSKEY || r.rdata.size() < 4) continue;
    std::uint8_t a = r.rdata[3];
    bool used = std::any_of(keys.data_signers().begin(), keys.data_signers().end(),
                            [&](std::size_t k) { return keys.keys()[k].algorithm() == a; });
    if (!used) {
      report.notes.push_back("the DNSKEY RRset has a key of algorithm " + algorithm_to_string(a) +
                             " but no key of it signs the zone; validators may find the zone bogus (RFC 4035 §2.2)");
      return;
    }
  }
}

}  // namespace kskline::zone::signing
