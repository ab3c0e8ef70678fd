// ZONEMD (RFC 8976): the SIMPLE-scheme zone digest, ZONEMD RDATA and the
// placeholder a signer puts in before NSEC/NSEC3 generation.
#pragma once

#include <cstdint>
#include <span>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "zone/name.hpp"
#include "zone/record.hpp"

namespace kskline::zone {

// ZONEMD scheme and hash algorithm numbers (RFC 8976 §5.2, §5.3).
namespace zonemd {
inline constexpr std::uint8_t SIMPLE = 1;
inline constexpr std::uint8_t SHA384 = 1, SHA512 = 2;
}  // namespace zonemd

// The fields of ZONEMD RDATA; digest views the parsed buffer.
struct ZonemdView {
  std::uint32_t serial = 0;
  std::uint8_t scheme = 0;
  std::uint8_t hash_algorithm = 0;
  ByteView digest;
};

// Splits ZONEMD RDATA (serial u32, scheme u8, hash algorithm u8, digest).
// errc::bad_rdata when the digest is shorter than 12 octets (RFC 8976 §2.2.4).
Result<ZonemdView> parse_zonemd(ByteView rdata);

// Builds ZONEMD RDATA.
Bytes make_zonemd_rdata(std::uint32_t serial, std::uint8_t scheme, std::uint8_t hash_algorithm,
                        ByteView digest);

// The digest length of a ZONEMD hash algorithm (48 for SHA-384, 64 for
// SHA-512), 0 for one we do not implement.
std::size_t zonemd_digest_size(std::uint8_t hash_algorithm);

// Placeholder ZONEMD RDATA (RFC 8976 §3.1): the serial, scheme SIMPLE, the
// hash algorithm and a digest of zeros of the algorithm's length.
// errc::unsupported_algorithm for a hash algorithm other than 1 and 2.
Result<Bytes> make_zonemd_placeholder(std::uint32_t serial, std::uint8_t hash_algorithm = zonemd::SHA384);

// Computes the SIMPLE-scheme digest (RFC 8976 §3.3) of a zone with apex
// `origin` over `records`, which must be in canonical order (sort_canonical).
// Every record at or below the origin is digested in canonical form (owner
// lowercased, RDATA canonicalised, its own TTL), glue and occluded data
// included; excluded are records outside the origin, the apex ZONEMD RRset,
// and apex RRSIGs covering ZONEMD. Consecutive duplicates are digested once.
// errc::unsupported_algorithm for a hash algorithm other than 1 (SHA-384) and
// 2 (SHA-512).
Result<Bytes> zonemd_digest(std::span<const Record> records, const Name& origin,
                            std::uint8_t hash_algorithm = zonemd::SHA384);

}  // namespace kskline::zone
