#include "zone/zone_tree.hpp"

#include <algorithm>
#include <limits>

#include "zone/canonical.hpp"
#include "zone/errc.hpp"
#include "zone/rr_types.hpp"
#include "zone/type_bitmap.hpp"

namespace kskline::zone {
namespace {

// Types that never count as data at a name: the signatures and the denial
// records a signer makes.
bool is_dnssec_meta(std::uint16_t type) {
  return type == rrtype::RRSIG || type == rrtype::NSEC || type == rrtype::NSEC3;
}

// Types that belong to the parent at a zone cut (RFC 4035 §2.2, §2.3).
bool is_cut_authoritative(std::uint16_t type) {
  return type == rrtype::NS || type == rrtype::DS || type == rrtype::NSEC || type == rrtype::RRSIG;
}

bool is_address(std::uint16_t type) { return type == rrtype::A || type == rrtype::AAAA; }

// The role of an RRset of `type` at a name of `kind`.
RRsetRole role_of(NameKind kind, std::uint16_t type) {
  if (type == rrtype::RRSIG) return RRsetRole::signatures;
  switch (kind) {
    case NameKind::apex:
    case NameKind::authoritative:
    case NameKind::denial_only:
    case NameKind::empty_non_terminal:
      return RRsetRole::authoritative;
    case NameKind::delegation:
      if (type == rrtype::NS) return RRsetRole::delegation_ns;
      if (is_cut_authoritative(type)) return RRsetRole::authoritative;
      return is_address(type) ? RRsetRole::glue : RRsetRole::occluded;
    case NameKind::occluded:
      return is_address(type) ? RRsetRole::glue : RRsetRole::occluded;
    case NameKind::out_of_zone:
      return RRsetRole::occluded;
  }
  return RRsetRole::occluded;
}

}  // namespace

Result<ZoneTree> ZoneTree::build(const std::vector<Record>& records, const Name& origin) {
  if (records.size() >= std::numeric_limits<std::uint32_t>::max()) {
    return fail(errc::zone_invalid, "too many records for one zone");
  }
  ZoneTree tree(records, origin);
  const auto ranges = group_rrsets(records);
  tree.rrsets_.reserve(ranges.size());
  std::vector<std::uint32_t> stack;  // indices of the names on the path to the current one
  bool apex_seen = false;

  auto add_synthetic = [&](Name name, NameKind kind, std::uint32_t parent) {
    NameEntry e;
    e.rrset_begin = e.rrset_end = static_cast<std::uint32_t>(tree.rrsets_.size());
    e.parent = parent;
    e.synthetic = static_cast<std::uint32_t>(tree.synthetic_.size());
    e.kind = kind;
    if (name.is_wildcard()) e.flags |= kWildcard;
    if (kind == NameKind::occluded) e.flags |= kOccludesBelow;
    tree.synthetic_.push_back(std::move(name));
    tree.names_.push_back(e);
    return static_cast<std::uint32_t>(tree.names_.size() - 1);
  };

  const Name* previous = nullptr;
  std::size_t r = 0;
  while (r < ranges.size()) {
    const Name& owner = records[ranges[r].begin].owner;
    std::size_t r_end = r + 1;
    while (r_end < ranges.size() && records[ranges[r_end].begin].owner == owner) ++r_end;
    if (previous != nullptr && !(*previous < owner)) {
      return fail(errc::zone_invalid, "records are not in canonical order", owner.to_string());
    }
    previous = &owner;

    NameEntry entry;
    const bool in_zone = owner.is_subdomain_of(origin);
    if (!in_zone) {
      entry.kind = NameKind::out_of_zone;
    } else {
      while (!stack.empty() && !owner.is_subdomain_of(tree.name(stack.back()))) stack.pop_back();
      if (stack.empty() && !(owner == origin)) {
        // The apex has no records: it still exists as the top of the tree.
        tree.apex_ = tree.names_.size();
        stack.push_back(add_synthetic(origin, NameKind::apex, kNoParent));
        apex_seen = true;
      }
      if (!stack.empty()) {
        std::uint32_t top = stack.back();
        auto& top_entry = tree.names_[top];
        if (top_entry.kind == NameKind::denial_only) top_entry.kind = NameKind::empty_non_terminal;
        const std::size_t depth = owner.label_count() - tree.name(top).label_count();
        for (std::size_t k = depth; k-- > 1;) {
          const bool occluded = tree.names_[top].flags & kOccludesBelow;
          top = add_synthetic(owner.strip_labels(k), occluded ? NameKind::occluded : NameKind::empty_non_terminal,
                              top);
          stack.push_back(top);
        }
        entry.parent = top;
      }
      bool has_ns = false, has_dname = false, only_meta = true;
      for (std::size_t k = r; k < r_end; ++k) {
        const auto type = records[ranges[k].begin].type;
        has_ns |= type == rrtype::NS;
        has_dname |= type == rrtype::DNAME;
        only_meta &= is_dnssec_meta(type);
        if (type == rrtype::DS) entry.flags |= kHasDs;
      }
      const bool occluded_above = !stack.empty() && (tree.names_[stack.back()].flags & kOccludesBelow);
      if (owner == origin) {
        entry.kind = NameKind::apex;
        tree.apex_ = tree.names_.size();
        apex_seen = true;
      } else if (occluded_above) {
        entry.kind = NameKind::occluded;
      } else if (has_ns) {
        entry.kind = NameKind::delegation;
      } else if (only_meta) {
        entry.kind = NameKind::denial_only;
      } else {
        entry.kind = NameKind::authoritative;
      }
      if (entry.kind == NameKind::occluded || entry.kind == NameKind::delegation ||
          (has_dname && (entry.kind == NameKind::apex || entry.kind == NameKind::authoritative))) {
        entry.flags |= kOccludesBelow;
      }
    }
    if (owner.is_wildcard()) entry.flags |= kWildcard;
    const auto index = static_cast<std::uint32_t>(tree.names_.size());
    entry.rrset_begin = static_cast<std::uint32_t>(tree.rrsets_.size());
    for (std::size_t k = r; k < r_end; ++k) {
      TreeRRset set;
      set.begin = static_cast<std::uint32_t>(ranges[k].begin);
      set.end = static_cast<std::uint32_t>(ranges[k].end);
      set.name = index;
      set.type = records[ranges[k].begin].type;
      set.role = role_of(entry.kind, set.type);
      if (is_signed(set.role) && !is_dnssec_meta(set.type)) entry.flags |= kSigned;
      tree.rrsets_.push_back(set);
    }
    entry.rrset_end = static_cast<std::uint32_t>(tree.rrsets_.size());
    tree.names_.push_back(entry);
    if (in_zone) stack.push_back(index);
    r = r_end;
  }
  if (!apex_seen) {
    // No record at or below the origin: the apex still exists. Insert it
    // where canonical order puts it and shift the indices after it.
    NameEntry apex;
    std::size_t pos = 0;
    while (pos < tree.names_.size() && tree.name(pos) < origin) ++pos;
    apex.rrset_begin = apex.rrset_end =
        pos < tree.names_.size() ? tree.names_[pos].rrset_begin : static_cast<std::uint32_t>(tree.rrsets_.size());
    apex.synthetic = static_cast<std::uint32_t>(tree.synthetic_.size());
    apex.kind = NameKind::apex;
    tree.synthetic_.push_back(origin);
    tree.names_.insert(tree.names_.begin() + static_cast<std::ptrdiff_t>(pos), apex);
    for (auto& set : tree.rrsets_) {
      if (set.name >= pos) ++set.name;
    }
    tree.apex_ = pos;
  }

  // Opt-Out: mark the empty non-terminals that something other than an
  // insecure delegation needs.
  for (std::size_t i = 0; i < tree.names_.size(); ++i) {
    const auto& e = tree.names_[i];
    const bool needs = e.kind == NameKind::apex || e.kind == NameKind::authoritative ||
                       (e.kind == NameKind::delegation && (e.flags & kHasDs));
    if (!needs) continue;
    for (auto p = e.parent; p != kNoParent; p = tree.names_[p].parent) {
      auto& pe = tree.names_[p];
      if (pe.kind != NameKind::empty_non_terminal || (pe.flags & kNeededWithOptOut)) break;
      pe.flags |= kNeededWithOptOut;
    }
  }
  return tree;
}

const Name& ZoneTree::name(std::size_t i) const { return name_of(names_[i]); }

const Name& ZoneTree::name_of(const NameEntry& e) const {
  if (e.synthetic != kNoSynthetic) return synthetic_[e.synthetic];
  return (*records_)[rrsets_[e.rrset_begin].begin].owner;
}

bool ZoneTree::is_opt_out_only(std::size_t i) const {
  return names_[i].kind == NameKind::empty_non_terminal && !(names_[i].flags & kNeededWithOptOut);
}

std::size_t ZoneTree::find_name(const Name& n) const {
  std::size_t lo = 0, hi = names_.size();
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    const auto order = name(mid) <=> n;
    if (order == 0) return mid;
    if (order < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return npos;
}

const TreeRRset* ZoneTree::find_rrset(std::size_t i, std::uint16_t type) const {
  for (const auto& set : rrsets(i)) {
    if (set.type == type) return &set;
  }
  return nullptr;
}

bool ZoneTree::in_nsec_chain(std::size_t i) const {
  const auto k = names_[i].kind;
  return k == NameKind::apex || k == NameKind::authoritative || k == NameKind::delegation;
}

bool ZoneTree::in_nsec3_chain(std::size_t i, bool opt_out) const {
  switch (names_[i].kind) {
    case NameKind::apex:
    case NameKind::authoritative:
      return true;
    case NameKind::delegation:
      return !opt_out || has_ds(i);
    case NameKind::empty_non_terminal:
      return !opt_out || !is_opt_out_only(i);
    default:
      return false;
  }
}

std::vector<std::uint16_t> ZoneTree::denial_types(std::size_t i, Denial mode) const {
  std::vector<std::uint16_t> types;
  const auto& e = names_[i];
  if (e.kind == NameKind::empty_non_terminal) return types;
  for (const auto& set : rrsets(i)) {
    if (is_dnssec_meta(set.type)) continue;
    if (e.kind == NameKind::delegation && !is_cut_authoritative(set.type)) continue;
    types.push_back(set.type);
  }
  if (mode == Denial::nsec) {
    types.push_back(rrtype::RRSIG);
    types.push_back(rrtype::NSEC);
  } else if (e.flags & kSigned) {
    types.push_back(rrtype::RRSIG);
  }
  std::sort(types.begin(), types.end());
  return types;
}

Bytes ZoneTree::denial_bitmap(std::size_t i, Denial mode) const {
  return make_type_bitmap(denial_types(i, mode));
}

const Record* ZoneTree::soa() const {
  const auto* set = find_rrset(apex_, rrtype::SOA);
  if (set == nullptr) return nullptr;
  const Record& rec = (*records_)[set->begin];
  return rec.rdata.size() >= 22 ? &rec : nullptr;  // two names of >= 1 octet and five u32
}

std::optional<std::uint32_t> ZoneTree::denial_ttl() const {
  const Record* rec = soa();
  if (rec == nullptr) return std::nullopt;
  const std::uint32_t minimum = get_u32(rec->rdata.data() + rec->rdata.size() - 4);
  return std::min(rec->ttl, minimum);
}

std::optional<std::uint32_t> ZoneTree::soa_serial() const {
  const Record* rec = soa();
  if (rec == nullptr) return std::nullopt;
  return get_u32(rec->rdata.data() + rec->rdata.size() - 20);
}

}  // namespace kskline::zone
