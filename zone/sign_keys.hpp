// The keys of one signing run and their roles: keys with the SEP flag sign the
// DNSKEY, CDS and CDNSKEY RRsets (RFC 7344 §4.1), the others everything else,
// as dnssec-signzone and ldns-signzone assign them.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "zone/key_file.hpp"
#include "zone/name.hpp"

namespace kskline::zone {

// Whether an RRset of this type at the apex is signed by key-signing keys
// (DNSKEY, CDS, CDNSKEY).
bool is_key_set_type(std::uint16_t type);

// The keys of a signing run, each with the RRsets it signs.
class SigningKeys {
 public:
  // Checks and sorts `keys` into roles for the zone `origin`. With
  // `have_keyset`, the DNSKEY/CDS/CDNSKEY RRsets come pre-signed and a key
  // with the SEP flag is refused. Without SEP keys the ZSKs sign the key
  // RRsets too; without non-SEP keys the SEP keys sign everything; a SEP key
  // whose algorithm no ZSK has also signs the zone's data, and a ZSK whose
  // algorithm no SEP key has also signs the key RRsets (every algorithm of
  // the DNSKEY RRset must sign every RRset, RFC 4035 §2.2).
  // errc::bad_key (naming the key) when there is no key, a key belongs to
  // another zone, lacks the Zone Key flag, or two keys share algorithm and tag.
  static Result<SigningKeys> assign(std::vector<KeyPair> keys, const Name& origin, bool have_keyset);

  // All keys, in the order given.
  const std::vector<KeyPair>& keys() const { return keys_; }
  // Indices of the keys that sign an RRset of `type` at the apex (DNSKEY,
  // CDS, CDNSKEY) or elsewhere / of another type (pass at_apex = false).
  const std::vector<std::size_t>& keys_for(std::uint16_t type, bool at_apex) const {
    return at_apex && is_key_set_type(type) ? key_set_signers_ : data_signers_;
  }
  // Indices of the keys that sign the zone's data (not the key RRsets).
  const std::vector<std::size_t>& data_signers() const { return data_signers_; }
  // Indices of the keys that sign the DNSKEY, CDS and CDNSKEY RRsets (empty
  // with a keyset).
  const std::vector<std::size_t>& key_set_signers() const { return key_set_signers_; }
  // "tag/algorithm (KSK|ZSK)" of key `i`, for messages.
  std::string describe(std::size_t i) const;

 private:
  std::vector<KeyPair> keys_;
  std::vector<std::size_t> data_signers_;
  std::vector<std::size_t> key_set_signers_;
};

}  // namespace kskline::zone
