#include "zone/ds.hpp"

#include <algorithm>

#include "base/digest.hpp"
#include "base/encoding.hpp"
#include "base/text.hpp"
#include "zone/dnssec_key.hpp"
#include "zone/errc.hpp"
#include "zone/key_tag.hpp"

namespace kskline::zone {
namespace {

// The digest algorithm of a DS digest type, if we know it.
std::optional<base::DigestAlgorithm> digest_of(std::uint8_t type) {
  switch (type) {
    case ds_digest::SHA1: return base::DigestAlgorithm::sha1;
    case ds_digest::SHA256: return base::DigestAlgorithm::sha256;
    case ds_digest::SHA384: return base::DigestAlgorithm::sha384;
    default: return std::nullopt;
  }
}

// The digest of owner (canonical wire form) || DNSKEY RDATA.
Bytes ds_digest_of(base::DigestAlgorithm alg, const Name& owner, ByteView dnskey) {
  base::Digest d(alg);
  Bytes wire;
  owner.append_wire(wire, true);
  d.update(wire);
  d.update(dnskey);
  return d.finish();
}

}  // namespace

Result<DsView> parse_ds(ByteView rdata) {
  if (rdata.size() < 5) return fail(errc::bad_rdata, "DS RDATA shorter than 5 octets");
  DsView v;
  v.key_tag = get_u16(rdata.data());
  v.algorithm = rdata[2];
  v.digest_type = rdata[3];
  v.digest = rdata.subspan(4);
  return v;
}

Result<std::uint8_t> parse_ds_digest_type(std::string_view text) {
  if (base::iequals(text, "sha256") || base::iequals(text, "sha-256") || text == "2") {
    return ds_digest::SHA256;
  }
  if (base::iequals(text, "sha384") || base::iequals(text, "sha-384") || text == "4") {
    return ds_digest::SHA384;
  }
  if (base::iequals(text, "sha1") || base::iequals(text, "sha-1") || text == "1") {
    return fail(errc::unsupported_algorithm,
                "DS digest type SHA-1 must not be generated (RFC 8624); use sha256 or sha384");
  }
  return fail(errc::syntax, "unknown DS digest type '" + std::string(text) + "' (sha256 or sha384)");
}

Result<Bytes> make_ds(const Name& owner, ByteView dnskey, std::uint8_t digest_type) {
  if (digest_type != ds_digest::SHA256 && digest_type != ds_digest::SHA384) {
    return fail(errc::unsupported_algorithm,
                "DS digest type " + std::to_string(digest_type) + " is not generated (only 2 and 4)");
  }
  auto key = parse_dnskey(dnskey);
  if (!key) return tl::unexpected(key.error());
  if ((key->flags & dnskey_flag::ZONE) == 0) {
    return fail(errc::bad_key, "the DNSKEY is not a zone key (flags " + std::to_string(key->flags) +
                                   "); a DS must refer to a zone key (RFC 4034 §5.2)");
  }
  if (key->protocol != kDnskeyProtocol) {
    return fail(errc::bad_key, "DNSKEY protocol " + std::to_string(key->protocol) + " (must be 3)");
  }
  // A DS for a key that cannot verify anything makes the zone bogus.
  if (auto usable = PublicKey::from_dnskey(key->algorithm, key->public_key); !usable) {
    return fail(errc::bad_key, "no DS for DNSKEY key tag " + std::to_string(key_tag(dnskey)) +
                                   ", not a usable key of algorithm " + std::to_string(key->algorithm) + ": " +
                                   usable.error().message());
  }
  Bytes digest = ds_digest_of(*digest_of(digest_type), owner, dnskey);
  Bytes out;
  out.reserve(4 + digest.size());
  put_u16(out, key_tag(dnskey));
  out.push_back(key->algorithm);
  out.push_back(digest_type);
  out.insert(out.end(), digest.begin(), digest.end());
  return out;
}

Result<bool> ds_matches(const Name& owner, ByteView dnskey, ByteView ds) {
  auto d = parse_ds(ds);
  if (!d) return tl::unexpected(d.error());
  auto key = parse_dnskey(dnskey);
  if (!key) return tl::unexpected(key.error());
  auto alg = digest_of(d->digest_type);
  if (!alg) {
    return fail(errc::unsupported_algorithm,
                "DS digest type " + std::to_string(d->digest_type) + " is not supported (1, 2, 4)");
  }
  if (d->key_tag != key_tag(dnskey) || d->algorithm != key->algorithm) return false;
  if (d->digest.size() != base::digest_size(*alg)) return false;
  Bytes digest = ds_digest_of(*alg, owner, dnskey);
  return std::equal(digest.begin(), digest.end(), d->digest.begin());
}

std::string ds_rdata_text(ByteView ds) {
  auto d = parse_ds(ds);
  if (!d) return {};
  return std::to_string(d->key_tag) + " " + std::to_string(d->algorithm) + " " +
         std::to_string(d->digest_type) + " " + base::to_hex_upper(d->digest);
}

}  // namespace kskline::zone
