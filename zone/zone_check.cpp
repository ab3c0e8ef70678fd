#include "zone/zone_check.hpp"

#include <algorithm>

#include "zone/canonical.hpp"
#include "zone/errc.hpp"
#include "zone/rr_types.hpp"

namespace kskline::zone {
namespace {

class Problems {
 public:
  Problems(const RecordList& list, ZoneReport& report, std::size_t max) : list_(list), report_(report), max_(max) {}

  void add(const Record& at, errc code, std::string detail) {
    if (report_.problems.size() < max_) {
      report_.problems.push_back(Error{code, list_.where(at.loc), std::move(detail)});
    }
  }

 private:
  const RecordList& list_;
  ZoneReport& report_;
  std::size_t max_;
};

// Whether a was read before b: by file, then line (exact within one file).
bool read_before(const Record& a, const Record& b) {
  return a.loc.file != b.loc.file ? a.loc.file < b.loc.file : a.loc.line < b.loc.line;
}

// The record of records[begin, end) that was read first.
const Record& first_read(const std::vector<Record>& records, std::size_t begin, std::size_t end) {
  const Record* first = &records[begin];
  for (std::size_t i = begin + 1; i < end; ++i) {
    if (read_before(records[i], *first)) first = &records[i];
  }
  return *first;
}

// The record of records[begin, end) read right after `first` (end - begin >= 2).
const Record& second_read(const std::vector<Record>& records, std::size_t begin, std::size_t end, const Record& first) {
  const Record* second = nullptr;
  for (std::size_t i = begin; i < end; ++i) {
    if (&records[i] == &first) continue;
    if (second == nullptr || read_before(records[i], *second)) second = &records[i];
  }
  return *second;
}

// The size of a record in uncompressed wire form: owner, type, class, TTL,
// RDLENGTH and RDATA.
std::size_t wire_size(const Record& r) { return r.owner.wire().size() + 10 + r.rdata.size(); }

// The record of records[begin, end) whose wire size, added in the order the
// records were read, takes the RRset over kMaxRRsetWireSize; nullptr when the
// whole RRset fits.
const Record* over_rrset_limit(const std::vector<Record>& records, std::size_t begin, std::size_t end) {
  std::size_t total = 0;
  for (std::size_t i = begin; i < end; ++i) total += wire_size(records[i]);
  if (total <= kMaxRRsetWireSize) return nullptr;
  std::vector<const Record*> read_order;
  for (std::size_t i = begin; i < end; ++i) read_order.push_back(&records[i]);
  std::sort(read_order.begin(), read_order.end(), [](const Record* a, const Record* b) { return read_before(*a, *b); });
  total = 0;
  for (const Record* r : read_order) {
    total += wire_size(*r);
    if (total > kMaxRRsetWireSize) return r;
  }
  return nullptr;
}

}  // namespace

ZoneReport check_zone(RecordList& list, const Name& origin, std::size_t max_problems) {
  ZoneReport report;
  Problems problems(list, report, max_problems);
  auto& records = list.records;

  for (const auto& r : records) {
    if (!r.owner.is_subdomain_of(origin)) {
      problems.add(r, errc::out_of_zone, r.owner.to_string() + " " + type_to_string(r.type) +
                                             " is outside the zone " + origin.to_string());
    }
  }

  OwnerStarts starts = sort_canonical(records);
  // One TTL per RRset, checked before duplicates are merged: a duplicate with
  // another TTL is a mismatch too (BIND and Knot report it as one). Records
  // that differ from the first one read are reported.
  for (const auto& set : group_rrsets(records, &starts)) {
    const Record& first = records[set.begin];
    if (first.type == rrtype::RRSIG) continue;
    const Record& reference = first_read(records, set.begin, set.end);
    for (std::size_t i = set.begin; i < set.end; ++i) {
      if (records[i].ttl != reference.ttl) {
        problems.add(records[i], errc::zone_invalid,
                     "TTL " + std::to_string(records[i].ttl) + " differs from " + std::to_string(reference.ttl) +
                         " in the same RRset " + first.owner.to_string() + " " + type_to_string(first.type) + " (" +
                         list.where(reference.loc) + ")");
      }
    }
  }
  report.summary.duplicates = remove_duplicates(records, &starts);
  report.summary.records = records.size();
  auto sets = group_rrsets(records, &starts);
  report.summary.rrsets = static_cast<std::size_t>(std::count_if(
      sets.begin(), sets.end(), [&](const RRsetRange& set) { return records[set.begin].type != rrtype::RRSIG; }));
  for (const auto& set : sets) {
    if (records[set.begin].type == rrtype::RRSIG) continue;  // answered per covered type
    if (const Record* over = over_rrset_limit(records, set.begin, set.end)) {
      const Record& first = records[set.begin];
      problems.add(*over, errc::rrset_too_large,
                   "the RRset " + first.owner.to_string() + " " + type_to_string(first.type) + " (" +
                       std::to_string(set.end - set.begin) + " records) goes over " +
                       std::to_string(kMaxRRsetWireSize) + " octets in wire form here; no DNS message can hold it");
    }
  }

  bool apex_soa = false, apex_ns = false;
  std::size_t name_begin = 0;
  for (std::size_t s = 0; s < sets.size(); ++s) {
    const Record& first = records[sets[s].begin];
    std::size_t count = sets[s].end - sets[s].begin;
    bool at_apex = first.owner == origin;

    // A second SOA, CNAME or DNAME is reported where it was read.
    auto extra = [&]() -> const Record& {
      return second_read(records, sets[s].begin, sets[s].end, first_read(records, sets[s].begin, sets[s].end));
    };
    auto first_where = [&]() { return list.where(first_read(records, sets[s].begin, sets[s].end).loc); };
    if (first.type == rrtype::SOA) {
      if (!at_apex) {
        problems.add(first, errc::zone_invalid, "SOA at " + first.owner.to_string() + ", not at the apex " + origin.to_string());
      } else {
        apex_soa = true;
        if (count > 1) problems.add(extra(), errc::zone_invalid, "more than one SOA record (first at " + first_where() + ")");
      }
    }
    if (first.type == rrtype::NS && at_apex) apex_ns = true;
    if ((first.type == rrtype::CNAME || first.type == rrtype::DNAME) && count > 1) {
      problems.add(extra(), errc::zone_invalid,
                   "more than one " + type_to_string(first.type) + " at " + first.owner.to_string() + " (first at " +
                       first_where() + ")");
    }

    // At the last RRset of a name, check what shares the name with a CNAME.
    bool last_of_name = s + 1 == sets.size() || sets[s + 1].new_owner;
    if (last_of_name) {
      const Record* cname = nullptr;
      const Record* other = nullptr;
      for (std::size_t t = name_begin; t <= s; ++t) {
        const Record& r = records[sets[t].begin];
        if (r.type == rrtype::CNAME) {
          cname = &r;
        } else if (r.type != rrtype::RRSIG && r.type != rrtype::NSEC) {
          other = &r;
        }
      }
      if (cname != nullptr && other != nullptr) {
        problems.add(*cname, errc::zone_invalid,
                     "CNAME at " + cname->owner.to_string() + " beside other data (" + type_to_string(other->type) +
                         " at " + list.where(other->loc) + ")");
      }
      ++report.summary.names;
      name_begin = s + 1;
    }
  }

  Record apex;
  apex.owner = origin;
  apex.loc = SourceLoc{0, 0};
  if (!apex_soa) problems.add(apex, errc::zone_invalid, "no SOA record at the apex " + origin.to_string());
  if (!apex_ns) problems.add(apex, errc::zone_invalid, "no NS records at the apex " + origin.to_string());
  return report;
}

}  // namespace kskline::zone
