#include "zone/rrsig_reuse.hpp"

#include <algorithm>
#include <compare>
#include <cstring>

#include "zone/canonical.hpp"
#include "zone/dnssec_time.hpp"
#include "zone/key_tag.hpp"
#include "zone/rr_types.hpp"

namespace kskline::zone {
namespace {

constexpr std::size_t kRrsigFixed = 18;  // octets before the signer name

// The order of two owners; the octets are compared first, since records of
// one owner usually hold copies of one name.
std::strong_ordering owner_order(const Name& a, const Name& b) {
  if (a.wire_string() == b.wire_string()) return std::strong_ordering::equal;
  return a <=> b;
}

// Whether owners are grouped and in canonical order, and types ascending at
// each owner: what the index needs (RDATA order within an RRset need not hold;
// an RRset out of order only fails to compare equal).
bool grouped(const std::vector<Record>& records) {
  for (std::size_t i = 1; i < records.size(); ++i) {
    const Record& a = records[i - 1];
    const Record& b = records[i];
    auto order = owner_order(a.owner, b.owner);
    if (order > 0 || (order == 0 && a.type > b.type)) return false;
  }
  return true;
}

bool equal_rdata(std::uint16_t type, ByteView a, ByteView b) {
  if (a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin())) return true;
  return compare_canonical_rdata(type, a, b) == 0;
}

// Whether the wire name at the start of `data` equals `name` (ignoring case).
bool name_at(ByteView data, const Name& name) {
  ByteView want = name.wire();
  if (data.size() < want.size()) return false;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (dns_tolower(data[i]) != dns_tolower(want[i])) return false;
  }
  return true;
}

}  // namespace

PreviousZone PreviousZone::build(std::vector<Record> records, const Name& origin, const SigningKeys& keys) {
  PreviousZone z;
  z.origin_ = origin;
  if (!grouped(records)) sort_canonical(records);
  z.records_ = std::move(records);
  for (std::size_t i = 0; i < z.records_.size();) {
    std::size_t j = i + 1;
    while (j < z.records_.size() && owner_order(z.records_[j].owner, z.records_[i].owner) == 0) ++j;
    z.owners_.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)});
    i = j;
  }
  std::size_t hint = 0;
  std::size_t apex = z.find_owner(origin, hint);
  auto dnskeys = apex == npos ? std::span<const Record>{} : z.of_type(apex, rrtype::DNSKEY);
  for (const KeyPair& key : keys.keys()) {
    bool exact = false, other = false;
    for (const Record& r : dnskeys) {
      if (r.rdata == key.dnskey_rdata) {
        exact = true;
      } else if (r.rdata.size() >= 4 && r.rdata[3] == key.algorithm() && key_tag(r.rdata) == key.key_tag) {
        other = true;
      }
    }
    z.reusable_.push_back(exact && !other);
  }
  return z;
}

std::size_t PreviousZone::find_owner(const Name& owner, std::size_t& hint) const {
  if (hint < owners_.size()) {
    auto order = records_[owners_[hint].begin].owner <=> owner;
    if (order == 0) return hint++;
    if (order > 0 && (hint == 0 || records_[owners_[hint - 1].begin].owner < owner)) return npos;
  }
  auto it = std::lower_bound(owners_.begin(), owners_.end(), owner,
                             [&](const Owner& o, const Name& n) { return records_[o.begin].owner < n; });
  hint = static_cast<std::size_t>(it - owners_.begin());
  if (it == owners_.end() || !(records_[it->begin].owner == owner)) return npos;
  return hint++;
}

std::span<const Record> PreviousZone::of_type(std::size_t o, std::uint16_t type) const {
  const Owner& w = owners_[o];
  std::size_t b = w.begin;
  while (b < w.end && records_[b].type < type) ++b;
  std::size_t e = b;
  while (e < w.end && records_[e].type == type) ++e;
  return {records_.data() + b, e - b};
}

bool PreviousZone::same_rrset(std::size_t o, std::span<const Record> rrset) const {
  if (rrset.empty()) return false;
  auto prev = of_type(o, rrset.front().type);
  if (prev.size() != rrset.size()) return false;
  for (std::size_t i = 0; i < prev.size(); ++i) {
    if (prev[i].ttl != rrset[i].ttl || prev[i].rclass != rrset[i].rclass ||
        !equal_rdata(rrset[i].type, prev[i].rdata, rrset[i].rdata)) {
      return false;
    }
  }
  return true;
}

bool PreviousZone::same_single(std::size_t o, std::uint16_t type, std::uint32_t ttl, ByteView rdata) const {
  auto prev = of_type(o, type);
  return prev.size() == 1 && prev[0].ttl == ttl && equal_rdata(type, prev[0].rdata, rdata);
}

ByteView PreviousZone::reusable_rrsig(std::size_t o, const Wanted& w) const {
  for (const Record& r : of_type(o, rrtype::RRSIG)) {
    const auto& d = r.rdata;
    if (d.size() <= kRrsigFixed + origin_.wire().size()) continue;
    const std::uint8_t* p = d.data();
    if (get_u16(p) != w.type || p[2] != w.algorithm || p[3] != w.labels || get_u32(p + 4) != w.original_ttl ||
        get_u16(p + 16) != w.key_tag || r.ttl != w.original_ttl) {
      continue;
    }
    std::uint32_t expiration = get_u32(p + 8), inception = get_u32(p + 12);
    if (serial_lt(w.now, inception) || !serial_lt(w.keep_after, expiration)) continue;
    if (!name_at(ByteView(d).subspan(kRrsigFixed), origin_)) continue;
    return d;
  }
  return {};
}

}  // namespace kskline::zone
