#include "zone/zone_check.hpp"

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

  sort_canonical(records);
  report.summary.duplicates = remove_duplicates(records);
  report.summary.records = records.size();
  auto sets = group_rrsets(records);
  report.summary.rrsets = sets.size();

  bool apex_soa = false, apex_ns = false;
  std::size_t name_begin = 0;
  for (std::size_t s = 0; s < sets.size(); ++s) {
    const Record& first = records[sets[s].begin];
    std::size_t count = sets[s].end - sets[s].begin;
    bool at_apex = first.owner == origin;

    if (first.type != rrtype::RRSIG) {
      for (std::size_t i = sets[s].begin + 1; i < sets[s].end; ++i) {
        if (records[i].ttl != first.ttl) {
          problems.add(records[i], errc::zone_invalid,
                       "TTL " + std::to_string(records[i].ttl) + " differs from " + std::to_string(first.ttl) +
                           " in the same RRset " + first.owner.to_string() + " " + type_to_string(first.type) +
                           " (" + list.where(first.loc) + ")");
        }
      }
    }
    if (first.type == rrtype::SOA) {
      if (!at_apex) {
        problems.add(first, errc::zone_invalid, "SOA at " + first.owner.to_string() + ", not at the apex " + origin.to_string());
      } else {
        apex_soa = true;
        if (count > 1) problems.add(records[sets[s].begin + 1], errc::zone_invalid, "more than one SOA record");
      }
    }
    if (first.type == rrtype::NS && at_apex) apex_ns = true;
    if ((first.type == rrtype::CNAME || first.type == rrtype::DNAME) && count > 1) {
      problems.add(records[sets[s].begin + 1], errc::zone_invalid,
                   "more than one " + type_to_string(first.type) + " at " + first.owner.to_string());
    }

    // At the last RRset of a name, check what shares the name with a CNAME.
    bool last_of_name = s + 1 == sets.size() || !(records[sets[s + 1].begin].owner == first.owner);
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
