// NSEC3 hashing (RFC 5155 §5) and the fields of NSEC3 and NSEC3PARAM RDATA.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "zone/name.hpp"

namespace kskline::zone {

// The only NSEC3 hash algorithm (RFC 5155 §11): SHA-1.
inline constexpr std::uint8_t kNsec3Sha1 = 1;
// The NSEC3 Opt-Out flag bit (RFC 5155 §3.1.2.1).
inline constexpr std::uint8_t kNsec3OptOut = 0x01;
// The length in octets of an NSEC3 SHA-1 hash.
inline constexpr std::size_t kNsec3HashSize = 20;

// An NSEC3 SHA-1 hash value.
using Nsec3Hash = std::array<std::uint8_t, kNsec3HashSize>;

// The parameters NSEC3 records of a chain share (RFC 5155 §4).
struct Nsec3Params {
  std::uint8_t algorithm = kNsec3Sha1;
  std::uint8_t flags = 0;        // 0 in NSEC3PARAM; Opt-Out may be set in NSEC3
  std::uint16_t iterations = 0;  // additional iterations (RFC 9276: 0)
  Bytes salt;                    // 0..255 octets (RFC 9276: empty)
};

// Splits NSEC3PARAM RDATA (algorithm, flags, iterations, salt length, salt).
// errc::bad_rdata when truncated or with trailing octets.
Result<Nsec3Params> parse_nsec3param(ByteView rdata);

// Builds NSEC3PARAM RDATA from parameters (flags as given).
Bytes make_nsec3param_rdata(const Nsec3Params& params);

// The fields of NSEC3 RDATA; next_hash and type_bitmap view the parsed buffer.
struct Nsec3View {
  Nsec3Params params;
  ByteView next_hash;    // the next hashed owner name, raw (not base32hex)
  ByteView type_bitmap;  // RFC 4034 §4.1.2 window blocks, possibly empty
};

// Splits NSEC3 RDATA. errc::bad_rdata when truncated or when the hash
// length is 0.
Result<Nsec3View> parse_nsec3(ByteView rdata);

// Builds NSEC3 RDATA from parameters, the raw next hash and a type bitmap
// (as type_bitmap.hpp builds it).
Bytes make_nsec3_rdata(const Nsec3Params& params, ByteView next_hash, ByteView type_bitmap);

// Computes RFC 5155 §5 hashes of names with one salt and iteration count,
// keeping its OpenSSL context between calls: IH(0) = SHA-1(name || salt),
// IH(k) = SHA-1(IH(k-1) || salt), over the lowercased wire form of the name.
// Not thread-safe: make one per thread (copies are cheap to create).
class Nsec3Hasher {
 public:
  // Prepares hashing with `salt` (at most 255 octets) and `iterations`
  // additional iterations. Throws std::runtime_error only if OpenSSL lacks
  // SHA-1 (a broken installation).
  Nsec3Hasher(ByteView salt, std::uint16_t iterations);
  // Prepares hashing with the salt and iterations of `params` (the algorithm
  // must be kNsec3Sha1; callers check it).
  explicit Nsec3Hasher(const Nsec3Params& params);
  ~Nsec3Hasher();
  Nsec3Hasher(Nsec3Hasher&&) noexcept;
  Nsec3Hasher& operator=(Nsec3Hasher&&) noexcept;

  // The hash of a name (case-insensitive: the name is lowercased first).
  Nsec3Hash hash(const Name& name);
  // The hash as the lowercase base32hex label an NSEC3 owner starts with
  // (32 characters).
  std::string hash_label(const Name& name);
  // The NSEC3 owner name of `name` in `zone`: hash_label(name) + "." + zone.
  // errc::name_too_long when the zone name leaves no room for the label.
  Result<Name> hashed_owner(const Name& name, const Name& zone);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The lowercase base32hex form of a hash (32 characters for SHA-1).
std::string nsec3_hash_label(const Nsec3Hash& hash);

// Decodes the first label of an NSEC3 owner name as a base32hex SHA-1 hash;
// nullopt-like failure (errc::bad_rdata) when it is not 32 base32hex
// characters.
Result<Nsec3Hash> parse_nsec3_hash_label(std::string_view label);

}  // namespace kskline::zone
