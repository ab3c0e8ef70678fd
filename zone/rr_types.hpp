// The table of RR types: one row per type drives parsing, printing, wire
// validation and canonicalisation of RDATA. Types not in the table are handled
// in RFC 3597 generic form only.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace kskline::zone {

// Well-known type codes used by name in code.
namespace rrtype {
inline constexpr std::uint16_t A = 1, NS = 2, CNAME = 5, SOA = 6, PTR = 12, HINFO = 13,
    MX = 15, TXT = 16, AAAA = 28, SRV = 33, NAPTR = 35, DNAME = 39, OPT = 41, DS = 43,
    SSHFP = 44, RRSIG = 46, NSEC = 47, DNSKEY = 48, NSEC3 = 50, NSEC3PARAM = 51,
    TLSA = 52, CDS = 59, CDNSKEY = 60, ZONEMD = 63, SVCB = 64, HTTPS = 65, CAA = 257;
}  // namespace rrtype

// Class IN, the only class zones may use.
inline constexpr std::uint16_t kClassIN = 1;

// The kinds of RDATA fields; each has one text and one wire form.
enum class FieldKind : std::uint8_t {
  u8,            // decimal 0..255
  u16,           // decimal 0..65535
  cert_type,     // CERT certificate type: u16, also a mnemonic (RFC 4398 §2.2)
  u32,           // decimal 0..4294967295
  period,        // u32 that also takes TTL units (1h30m), as SOA timers do
  name,          // domain name, uncompressed on the wire
  ipv4,          // dotted quad, 4 octets
  ipv6,          // RFC 4291 text, 16 octets
  char_string,   // one <character-string>: length octet + up to 255 octets
  char_strings,  // one or more <character-string>s up to the end (TXT)
  rr_type,       // a type mnemonic or TYPEn, 2 octets (RRSIG type covered)
  algorithm,     // DNSSEC algorithm number or mnemonic, 1 octet
  time,          // RRSIG time: YYYYMMDDHHmmSS or seconds, 4 octets
  base64_rest,   // base64 in one or more chunks up to the end
  hex_rest,      // hex in one or more chunks up to the end
  salt,          // length octet + octets; text is hex or "-" for empty
  hash_b32,      // length octet + octets; text is base32hex (NSEC3 next owner)
  type_bitmap,   // RFC 4034 §4.1.2 window blocks; text is a list of types
  caa_tag,       // length octet + alphanumeric tag
  string_rest,   // octets up to the end; text is one <character-string> (CAA, URI)
  svc_params,    // RFC 9460 SvcParams up to the end
  eui48,         // xx-xx-xx-xx-xx-xx
  eui64,         // xx-xx-xx-xx-xx-xx-xx-xx
};

// One row of the type table.
struct RRTypeInfo {
  std::uint16_t code;
  std::string_view mnemonic;
  std::span<const FieldKind> fields;
  // Whether names in the RDATA are lowercased in canonical form
  // (RFC 4034 §6.2 as amended by RFC 6840 §5.1, which removes NSEC).
  bool canonical_lowercase;
};

// Finds a type's row by code; nullptr when the type has no row.
const RRTypeInfo* find_type(std::uint16_t code);
// Finds a type's row by mnemonic (case-insensitive); nullptr when unknown.
const RRTypeInfo* find_type(std::string_view mnemonic);
// All rows, ordered by code.
std::span<const RRTypeInfo> all_types();

// Parses a type mnemonic or "TYPEn" (case-insensitive); nullopt when neither.
std::optional<std::uint16_t> parse_type(std::string_view text);
// The type's mnemonic, or "TYPEn" when it has none.
std::string type_to_string(std::uint16_t code);

// Parses a class mnemonic (IN, CS, CH, HS) or "CLASSn" (case-insensitive), so
// that other classes can be named and refused; nullopt otherwise.
std::optional<std::uint16_t> parse_class(std::string_view text);
// The class mnemonic (IN, CS, CH, HS), or "CLASSn" when it has none.
std::string class_to_string(std::uint16_t code);

}  // namespace kskline::zone
