#include "zone/sign_keys.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "zone/algorithm.hpp"
#include "zone/dnssec_key.hpp"
#include "zone/errc.hpp"
#include "zone/rr_types.hpp"

namespace kskline::zone {

bool is_key_set_type(std::uint16_t type) {
  return type == rrtype::DNSKEY || type == rrtype::CDS || type == rrtype::CDNSKEY;
}

std::string SigningKeys::describe(std::size_t i) const {
  const KeyPair& k = keys_[i];
  return "key " + std::to_string(k.key_tag) + "/" + algorithm_to_string(k.algorithm()) +
         ((k.flags & dnskey_flag::SEP) ? " (KSK)" : " (ZSK)");
}

Result<SigningKeys> SigningKeys::assign(std::vector<KeyPair> keys, const Name& origin, bool have_keyset) {
  if (keys.empty()) {
    return fail(errc::bad_key, "no key to sign with (give --key with a ZSK)");
  }
  SigningKeys out;
  std::set<std::pair<std::uint8_t, std::uint16_t>> seen;
  std::vector<std::size_t> ksk, zsk;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const KeyPair& k = keys[i];
    std::string name = "key " + std::to_string(k.key_tag) + "/" + algorithm_to_string(k.algorithm());
    if (!(k.owner == origin)) {
      return fail(errc::bad_key, name + " belongs to " + k.owner.to_string() + ", not to the zone " + origin.to_string());
    }
    if ((k.flags & dnskey_flag::ZONE) == 0) {
      return fail(errc::bad_key, name + " lacks the Zone Key flag (DNSKEY flags " + std::to_string(k.flags) + ")");
    }
    if (!seen.emplace(k.algorithm(), k.key_tag).second) {
      return fail(errc::bad_key, "two keys share algorithm " + algorithm_to_string(k.algorithm()) + " and tag " +
                                     std::to_string(k.key_tag) + "; validators could not tell their RRSIGs apart");
    }
    ((k.flags & dnskey_flag::SEP) ? ksk : zsk).push_back(i);
  }
  if (have_keyset && !ksk.empty()) {
    return fail(errc::bad_key, "key " + std::to_string(keys[ksk.front()].key_tag) +
                                   " has the SEP flag (a KSK), but --keyset already holds the signed DNSKEY, CDS "
                                   "and CDNSKEY RRsets; give only the ZSKs");
  }
  if (zsk.empty()) {
    out.data_signers_ = ksk;  // only KSKs: they sign everything
  } else {
    out.data_signers_ = zsk;
    for (std::size_t k : ksk) {
      bool covered = std::any_of(zsk.begin(), zsk.end(),
                                 [&](std::size_t z) { return keys[z].algorithm() == keys[k].algorithm(); });
      if (!covered) out.data_signers_.push_back(k);
    }
    std::sort(out.data_signers_.begin(), out.data_signers_.end());
  }
  if (!have_keyset) {
    out.key_set_signers_ = ksk.empty() ? zsk : ksk;
    for (std::size_t z : ksk.empty() ? std::vector<std::size_t>{} : zsk) {
      bool covered = std::any_of(ksk.begin(), ksk.end(),
                                 [&](std::size_t k) { return keys[k].algorithm() == keys[z].algorithm(); });
      if (!covered) out.key_set_signers_.push_back(z);
    }
    std::sort(out.key_set_signers_.begin(), out.key_set_signers_.end());
  }
  out.keys_ = std::move(keys);
  return out;
}

}  // namespace kskline::zone
