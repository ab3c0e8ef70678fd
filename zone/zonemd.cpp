#include "zone/zonemd.hpp"

#include "base/digest.hpp"
#include "zone/canonical.hpp"
#include "zone/errc.hpp"
#include "zone/rdata.hpp"
#include "zone/rr_types.hpp"

namespace kskline::zone {
namespace {

// One row per ZONEMD hash algorithm we implement.
struct ZonemdHash {
  std::uint8_t number;
  base::DigestAlgorithm digest;
  std::size_t size;
};

constexpr ZonemdHash kHashes[] = {
    {zonemd::SHA384, base::DigestAlgorithm::sha384, 48},
    {zonemd::SHA512, base::DigestAlgorithm::sha512, 64},
};

const ZonemdHash* find_hash(std::uint8_t number) {
  for (const auto& h : kHashes) {
    if (h.number == number) return &h;
  }
  return nullptr;
}

// Whether a record is excluded from the digest as the apex ZONEMD RRset or
// an apex RRSIG over it; `at_apex` is whether its owner is the origin.
bool excluded(const Record& r, bool at_apex) {
  if (!at_apex) return false;
  if (r.type == rrtype::ZONEMD) return true;
  return r.type == rrtype::RRSIG && r.rdata.size() >= 2 && get_u16(r.rdata.data()) == rrtype::ZONEMD;
}

}  // namespace

Result<ZonemdView> parse_zonemd(ByteView rdata) {
  if (rdata.size() < 6 + 12) return fail(errc::bad_rdata, "ZONEMD digest shorter than 12 octets");
  ZonemdView v;
  v.serial = get_u32(rdata.data());
  v.scheme = rdata[4];
  v.hash_algorithm = rdata[5];
  v.digest = rdata.subspan(6);
  return v;
}

Bytes make_zonemd_rdata(std::uint32_t serial, std::uint8_t scheme, std::uint8_t hash_algorithm,
                        ByteView digest) {
  Bytes out;
  out.reserve(6 + digest.size());
  put_u32(out, serial);
  out.push_back(scheme);
  out.push_back(hash_algorithm);
  out.insert(out.end(), digest.begin(), digest.end());
  return out;
}

std::size_t zonemd_digest_size(std::uint8_t hash_algorithm) {
  const auto* h = find_hash(hash_algorithm);
  return h ? h->size : 0;
}

Result<Bytes> make_zonemd_placeholder(std::uint32_t serial, std::uint8_t hash_algorithm) {
  const auto* h = find_hash(hash_algorithm);
  if (h == nullptr) {
    return fail(errc::unsupported_algorithm, "ZONEMD hash algorithm " + std::to_string(hash_algorithm));
  }
  Bytes zeros(h->size, 0);
  return make_zonemd_rdata(serial, zonemd::SIMPLE, hash_algorithm, zeros);
}

Result<Bytes> zonemd_digest(std::span<const Record> records, const Name& origin, std::uint8_t hash_algorithm) {
  const auto* h = find_hash(hash_algorithm);
  if (h == nullptr) {
    return fail(errc::unsupported_algorithm, "ZONEMD hash algorithm " + std::to_string(hash_algorithm));
  }
  base::Digest digest(h->digest);
  Bytes buf;
  Bytes rdata;
  const Record* prev = nullptr;
  for (const auto& r : records) {
    if (!r.owner.is_subdomain_of(origin)) continue;
    if (excluded(r, r.owner == origin)) continue;
    if (prev != nullptr && prev->type == r.type && prev->rclass == r.rclass && prev->owner == r.owner &&
        compare_canonical_rdata(r.type, prev->rdata, r.rdata) == 0) {
      continue;  // a duplicate is digested once (RFC 8976 §3.3.1.1)
    }
    prev = &r;
    buf.clear();
    r.owner.append_wire(buf, /*lowercase=*/true);
    put_u16(buf, r.type);
    put_u16(buf, r.rclass);
    put_u32(buf, r.ttl);
    put_u16(buf, static_cast<std::uint16_t>(r.rdata.size()));
    const auto* info = find_type(r.type);
    if (info != nullptr && info->canonical_lowercase) {
      rdata = r.rdata;
      canonicalize_rdata(r.type, rdata);
      buf.insert(buf.end(), rdata.begin(), rdata.end());
    } else {
      buf.insert(buf.end(), r.rdata.begin(), r.rdata.end());
    }
    digest.update(buf);
  }
  return digest.finish();
}

}  // namespace kskline::zone
