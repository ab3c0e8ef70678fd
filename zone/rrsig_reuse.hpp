// Reusing the RRSIGs of a previous signed zone (--reuse): an RRSIG is kept
// when the RRset it covers is unchanged in canonical form, its key is still
// signing, and it stays valid beyond the refresh margin. It is not verified
// again: the previous zone is the signer's own output.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/bytes.hpp"
#include "zone/name.hpp"
#include "zone/record.hpp"
#include "zone/sign_keys.hpp"

namespace kskline::zone {

// The records of a previous signed zone indexed by owner.
class PreviousZone {
 public:
  // An owner name that has no previous records.
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  // Indexes `records` of the zone `origin` (any order: they are put in
  // canonical order unless already grouped by owner and type in canonical
  // order). RRSIGs by key `i` of `keys` are reusable only when the previous
  // apex DNSKEY RRset holds exactly that key's DNSKEY and no other DNSKEY of
  // its algorithm and tag.
  static PreviousZone build(std::vector<Record> records, const Name& origin, const SigningKeys& keys);

  // The number of records held.
  std::size_t record_count() const { return records_.size(); }
  // Whether key `i` (an index into the SigningKeys given to build) may
  // have its previous RRSIGs reused.
  bool key_reusable(std::size_t i) const { return i < reusable_.size() && reusable_[i]; }

  // The index of `owner` among the previous owners, or npos. `hint` is
  // where the search starts (the index after the last owner found, when
  // owners are looked up in canonical order) and is updated.
  std::size_t find_owner(const Name& owner, std::size_t& hint) const;

  // Whether the RRset of the owner with index `o` and the type of `rrset`
  // equals `rrset` (records in canonical order of one owner and type):
  // same number of records, same TTLs and same canonical RDATA.
  bool same_rrset(std::size_t o, std::span<const Record> rrset) const;
  // Whether the owner with index `o` has exactly one record of `type`, with
  // this TTL and RDATA (for NSEC and NSEC3 records the signer makes).
  bool same_single(std::size_t o, std::uint16_t type, std::uint32_t ttl, ByteView rdata) const;

  // What a reused RRSIG must match.
  struct Wanted {
    std::uint16_t type = 0;          // type covered
    std::uint8_t algorithm = 0;
    std::uint16_t key_tag = 0;
    std::uint8_t labels = 0;
    std::uint32_t original_ttl = 0;
    std::uint32_t now = 0;           // the inception must not be after it
    std::uint32_t keep_after = 0;    // the expiration must be after it (now + refresh)
  };
  // The RDATA of an RRSIG at owner `o` that matches `wanted` with signer
  // `origin`, or an empty view. The view lives as long as this object.
  ByteView reusable_rrsig(std::size_t o, const Wanted& wanted) const;

 private:
  struct Owner {
    std::uint32_t begin;
    std::uint32_t end;
  };
  std::span<const Record> of_type(std::size_t o, std::uint16_t type) const;

  Name origin_;
  std::vector<Record> records_;
  std::vector<Owner> owners_;
  std::vector<bool> reusable_;
};

}  // namespace kskline::zone
