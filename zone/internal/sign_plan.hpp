// The plan of one signing run: the output's owners in canonical order and
// the NSEC or NSEC3 chain, made before the workers start and read by all of
// them. Internal to zone/ (the zone signer).
#pragma once

#include <cstdint>
#include <vector>

#include "base/error.hpp"
#include "zone/internal/rrsig_reuse.hpp"
#include "zone/name.hpp"
#include "zone/nsec3_hash.hpp"
#include "zone/sign_keys.hpp"
#include "zone/zone_signer.hpp"
#include "zone/zone_tree.hpp"

namespace kskline::zone::signing {

// No tree name, or no NSEC3 record, in an Item or a chain link.
inline constexpr std::uint32_t kNone = 0xffffffffu;

// One owner of the output: a name of the tree, the owner of an NSEC3 record,
// or both (when a name of the zone equals a hashed owner).
struct Item {
  std::uint32_t name = kNone;
  std::uint32_t nsec3 = kNone;
};

// One NSEC3 record: the hash of a name of the tree and its owner.
struct Nsec3Entry {
  Nsec3Hash hash;
  std::uint32_t name = 0;
  Name owner;
};

// Everything the workers read; immutable while they run.
struct Plan {
  const SignOptions* options = nullptr;
  const SigningKeys* keys = nullptr;
  const ZoneTree* tree = nullptr;
  const PreviousZone* previous = nullptr;
  std::vector<Item> items;
  std::vector<std::uint32_t> nsec_next;  // NSEC: the next name in the chain, per tree name
  std::vector<Nsec3Entry> nsec3;         // NSEC3: sorted by hash
  Nsec3Params nsec3_params;
  std::uint32_t denial_ttl = 0;
  bool keyset = false;        // the key RRsets come pre-signed
  bool zonemd = false;        // a ZONEMD is digested as the zone is written
  std::uint32_t now32 = 0;
  std::uint32_t keep_after = 0;
};

// Builds the NSEC3 chain of plan.tree on `threads` threads: hashes every name
// of the chain, sorts by hash; errc::zone_invalid on a hash collision.
Result<void> plan_nsec3(Plan& plan, unsigned threads);

// Lists the output's owners in canonical order: the tree's names that hold
// records, merged with the NSEC3 owners (plan_nsec3 first, with NSEC3).
void plan_items(Plan& plan);

// Links each name of the NSEC chain to the next, the last to the first.
void plan_nsec(Plan& plan);

}  // namespace kskline::zone::signing
