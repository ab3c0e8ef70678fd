// The shape of a zone for signing and verifying: every owner name and RRset
// classified (apex, delegation, glue, occluded, empty non-terminal, ...), with
// what a signer must sign and the exact NSEC/NSEC3 type bitmaps.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "zone/name.hpp"
#include "zone/record.hpp"

namespace kskline::zone {

// What an owner name is in its zone.
enum class NameKind : std::uint8_t {
  apex,                // the origin
  authoritative,       // a name with authoritative data
  delegation,          // NS below the apex: a zone cut (RFC 4035 §2.2)
  empty_non_terminal,  // no data, but authoritative names below it (RFC 5155 §7.1)
  occluded,            // below a zone cut or a DNAME: glue and occluded data
                       // (also empty non-terminals found there)
  denial_only,         // holds only NSEC/NSEC3 records and their RRSIGs, as the
                       // hashed owners of NSEC3 records do
  out_of_zone,         // not at or below the origin
};

// What an RRset is in its zone.
enum class RRsetRole : std::uint8_t {
  authoritative,  // signed: data at authoritative names, DS and NSEC at cuts
  delegation_ns,  // the NS RRset of a zone cut: unsigned
  glue,           // A/AAAA at or below a cut (not DS/NS/NSEC there): unsigned
  occluded,       // other data at or below a cut, below a DNAME, out of zone
  signatures,     // an RRSIG RRset: never signed itself
};

// Whether an RRset of this role carries RRSIGs (RFC 4035 §2.2).
constexpr bool is_signed(RRsetRole role) { return role == RRsetRole::authoritative; }

// The denial-of-existence method a bitmap is computed for.
enum class Denial : std::uint8_t { nsec, nsec3 };

// One RRset: a run [begin, end) of the record vector with one owner and type.
struct TreeRRset {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  std::uint32_t name = 0;  // index of the owner in the tree's names
  std::uint16_t type = 0;
  RRsetRole role = RRsetRole::authoritative;
};

// The classified names and RRsets of a zone. It refers to the record vector
// by index and does not copy records: the vector must outlive the tree and
// must not change while the tree is used. About 36 octets per name.
class ZoneTree {
 public:
  // A name index that means "none".
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  // Classifies `records`, which must be in canonical order with duplicates
  // removed (sort_canonical, remove_duplicates), of the zone `origin`. Names
  // are listed in canonical order with empty non-terminals inserted where
  // they belong; the apex is always present (without RRsets if the records
  // have none). Records the signer adds (DNSKEY, NSEC3PARAM, a ZONEMD
  // placeholder) must be in `records` before the tree is built, as they
  // appear in bitmaps. errc::zone_invalid when owners are out of canonical
  // order or there are more than 2^32-1 records.
  static Result<ZoneTree> build(const std::vector<Record>& records, const Name& origin);

  // The zone's origin.
  const Name& origin() const { return origin_; }
  // The records the tree indexes.
  const std::vector<Record>& records() const { return *records_; }

  // The number of names, empty non-terminals included.
  std::size_t name_count() const { return names_.size(); }
  // The index of the apex.
  std::size_t apex() const { return apex_; }
  // Name `i` (i < name_count()).
  const Name& name(std::size_t i) const;
  // The kind of name `i`.
  NameKind kind(std::size_t i) const { return names_[i].kind; }
  // The closest enclosing name in the tree (npos for the apex and names
  // out of zone).
  std::size_t parent(std::size_t i) const {
    return names_[i].parent == kNoParent ? npos : names_[i].parent;
  }
  // Whether name `i` starts with the "*" label (RFC 4592).
  bool is_wildcard(std::size_t i) const { return names_[i].flags & kWildcard; }
  // Whether name `i` has a DS RRset (a secure delegation when it is a cut).
  bool has_ds(std::size_t i) const { return names_[i].flags & kHasDs; }
  // Whether name `i` is a delegation without DS (RFC 5155 §6 Opt-Out target).
  bool is_insecure_delegation(std::size_t i) const {
    return names_[i].kind == NameKind::delegation && !has_ds(i);
  }
  // Whether name `i` is an empty non-terminal that exists only because of
  // insecure delegations below it, so that Opt-Out may omit its NSEC3
  // (RFC 5155 §7.1).
  bool is_opt_out_only(std::size_t i) const;
  // The index of a name, or npos when it is not in the tree (binary search).
  std::size_t find_name(const Name& name) const;

  // The RRsets of name `i`, ordered by type (empty for empty non-terminals).
  std::span<const TreeRRset> rrsets(std::size_t i) const {
    return {rrsets_.data() + names_[i].rrset_begin, rrsets_.data() + names_[i].rrset_end};
  }
  // Every RRset of the zone in canonical order.
  std::span<const TreeRRset> all_rrsets() const { return rrsets_; }
  // The records of an RRset.
  std::span<const Record> records_of(const TreeRRset& set) const {
    return {records_->data() + set.begin, records_->data() + set.end};
  }
  // The RRset of `type` at name `i`, or nullptr.
  const TreeRRset* find_rrset(std::size_t i, std::uint16_t type) const;

  // Whether name `i` gets an NSEC record: the apex, authoritative names and
  // delegation points; not empty non-terminals, glue-only or occluded names.
  bool in_nsec_chain(std::size_t i) const;
  // Whether name `i` gets an NSEC3 record: as for NSEC plus empty
  // non-terminals; with `opt_out`, insecure delegations and the empty
  // non-terminals that exist only because of them are left out.
  bool in_nsec3_chain(std::size_t i, bool opt_out = false) const;
  // The types the NSEC or NSEC3 record of name `i` lists, ascending: the types
  // present (without RRSIG, NSEC, NSEC3; at a cut only NS and DS), then for
  // NSEC always RRSIG and NSEC, for NSEC3 RRSIG when an RRset there is signed.
  // Empty non-terminals list nothing.
  std::vector<std::uint16_t> denial_types(std::size_t i, Denial mode) const;
  // The type bitmap of denial_types(i, mode) (RFC 4034 §4.1.2).
  Bytes denial_bitmap(std::size_t i, Denial mode) const;

  // The TTL of NSEC/NSEC3 records: min(SOA TTL, SOA MINIMUM) (RFC 9077);
  // nullopt when the apex has no well-formed SOA.
  std::optional<std::uint32_t> denial_ttl() const;
  // The apex SOA serial; nullopt when the apex has no well-formed SOA.
  std::optional<std::uint32_t> soa_serial() const;

 private:
  static constexpr std::uint8_t kWildcard = 1, kHasDs = 2, kOccludesBelow = 4, kSigned = 8,
                                kNeededWithOptOut = 16;
  struct NameEntry {
    std::uint32_t rrset_begin = 0;
    std::uint32_t rrset_end = 0;
    std::uint32_t parent = 0xffffffffu;
    std::uint32_t synthetic = kNoSynthetic;  // index into synthetic_ for ENTs
    NameKind kind = NameKind::authoritative;
    std::uint8_t flags = 0;
  };
  static constexpr std::uint32_t kNoSynthetic = 0xffffffffu;
  static constexpr std::uint32_t kNoParent = 0xffffffffu;

  ZoneTree(const std::vector<Record>& records, Name origin) : records_(&records), origin_(std::move(origin)) {}
  const Record* soa() const;
  const Name& name_of(const NameEntry& e) const;

  const std::vector<Record>* records_;
  Name origin_;
  std::size_t apex_ = 0;
  std::vector<NameEntry> names_;
  std::vector<TreeRRset> rrsets_;
  std::vector<Name> synthetic_;  // names without records: ENTs, an empty apex
};

}  // namespace kskline::zone
