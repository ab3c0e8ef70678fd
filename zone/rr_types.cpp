#include "zone/rr_types.hpp"

#include <array>
#include <charconv>
#include <utility>

#include "base/text.hpp"

namespace kskline::zone {
namespace {

using F = FieldKind;

// Field lists shared by several types.
constexpr F kName[] = {F::name};
constexpr F kNameName[] = {F::name, F::name};
constexpr F kPrefName[] = {F::u16, F::name};
constexpr F kSoa[] = {F::name, F::name, F::u32, F::period, F::period, F::period, F::period};
constexpr F kA[] = {F::ipv4};
constexpr F kAaaa[] = {F::ipv6};
constexpr F kHinfo[] = {F::char_string, F::char_string};
constexpr F kTxt[] = {F::char_strings};
constexpr F kPx[] = {F::u16, F::name, F::name};
constexpr F kSrv[] = {F::u16, F::u16, F::u16, F::name};
constexpr F kNaptr[] = {F::u16, F::u16, F::char_string, F::char_string, F::char_string, F::name};
constexpr F kCert[] = {F::cert_type, F::u16, F::algorithm, F::base64_rest};
constexpr F kDs[] = {F::u16, F::algorithm, F::u8, F::hex_rest};
constexpr F kSshfp[] = {F::u8, F::u8, F::hex_rest};
constexpr F kRrsig[] = {F::rr_type, F::algorithm, F::u8, F::u32, F::time, F::time, F::u16, F::name, F::base64_rest};
constexpr F kNsec[] = {F::name, F::type_bitmap};
constexpr F kDnskey[] = {F::u16, F::u8, F::algorithm, F::base64_rest};
constexpr F kBase64[] = {F::base64_rest};
constexpr F kNsec3[] = {F::u8, F::u8, F::u16, F::salt, F::hash_b32, F::type_bitmap};
constexpr F kNsec3param[] = {F::u8, F::u8, F::u16, F::salt};
constexpr F kTlsa[] = {F::u8, F::u8, F::u8, F::hex_rest};
constexpr F kCsync[] = {F::u32, F::u16, F::type_bitmap};
constexpr F kZonemd[] = {F::u32, F::u8, F::u8, F::hex_rest};
constexpr F kSvcb[] = {F::u16, F::name, F::svc_params};
constexpr F kL32[] = {F::u16, F::ipv4};
constexpr F kEui48[] = {F::eui48};
constexpr F kEui64[] = {F::eui64};
constexpr F kUri[] = {F::u16, F::u16, F::string_rest};
constexpr F kCaa[] = {F::u8, F::caa_tag, F::string_rest};

// One row per type, ordered by code. `true` marks the types whose RDATA names
// are lowercased in canonical form: RFC 4034 §6.2's list (NS, MD, MF, CNAME,
// SOA, MB, MG, MR, PTR, HINFO, MINFO, MX, RP, AFSDB, RT, SIG, PX, NXT, NAPTR,
// KX, SRV, DNAME, A6, RRSIG) without NSEC (RFC 6840 §5.1).
constexpr std::array<RRTypeInfo, 48> kTypes{{
    {1, "A", kA, false},
    {2, "NS", kName, true},
    {3, "MD", kName, true},
    {4, "MF", kName, true},
    {5, "CNAME", kName, true},
    {6, "SOA", kSoa, true},
    {7, "MB", kName, true},
    {8, "MG", kName, true},
    {9, "MR", kName, true},
    {12, "PTR", kName, true},
    {13, "HINFO", kHinfo, true},
    {14, "MINFO", kNameName, true},
    {15, "MX", kPrefName, true},
    {16, "TXT", kTxt, false},
    {17, "RP", kNameName, true},
    {18, "AFSDB", kPrefName, true},
    {21, "RT", kPrefName, true},
    {26, "PX", kPx, true},
    {28, "AAAA", kAaaa, false},
    {33, "SRV", kSrv, true},
    {35, "NAPTR", kNaptr, true},
    {36, "KX", kPrefName, true},
    {37, "CERT", kCert, false},
    {39, "DNAME", kName, true},
    {43, "DS", kDs, false},
    {44, "SSHFP", kSshfp, false},
    {46, "RRSIG", kRrsig, true},
    {47, "NSEC", kNsec, false},
    {48, "DNSKEY", kDnskey, false},
    {49, "DHCID", kBase64, false},
    {50, "NSEC3", kNsec3, false},
    {51, "NSEC3PARAM", kNsec3param, false},
    {52, "TLSA", kTlsa, false},
    {53, "SMIMEA", kTlsa, false},
    {59, "CDS", kDs, false},
    {60, "CDNSKEY", kDnskey, false},
    {61, "OPENPGPKEY", kBase64, false},
    {62, "CSYNC", kCsync, false},
    {63, "ZONEMD", kZonemd, false},
    {64, "SVCB", kSvcb, false},
    {65, "HTTPS", kSvcb, false},
    {99, "SPF", kTxt, false},
    {105, "L32", kL32, false},
    {107, "LP", kPrefName, false},
    {108, "EUI48", kEui48, false},
    {109, "EUI64", kEui64, false},
    {256, "URI", kUri, false},
    {257, "CAA", kCaa, false},
}};

// Parses the decimal suffix of "TYPEn"/"CLASSn" as a 16-bit value.
std::optional<std::uint16_t> parse_u16_suffix(std::string_view digits) {
  if (digits.empty() || digits.size() > 5) return std::nullopt;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

}  // namespace

const RRTypeInfo* find_type(std::uint16_t code) {
  for (const auto& row : kTypes) {
    if (row.code == code) return &row;
  }
  return nullptr;
}

const RRTypeInfo* find_type(std::string_view mnemonic) {
  for (const auto& row : kTypes) {
    if (base::iequals(row.mnemonic, mnemonic)) return &row;
  }
  return nullptr;
}

std::span<const RRTypeInfo> all_types() { return kTypes; }

std::optional<std::uint16_t> parse_type(std::string_view text) {
  if (const auto* row = find_type(text)) return row->code;
  if (base::istarts_with(text, "TYPE")) return parse_u16_suffix(text.substr(4));
  return std::nullopt;
}

std::string type_to_string(std::uint16_t code) {
  if (const auto* row = find_type(code)) return std::string(row->mnemonic);
  return "TYPE" + std::to_string(code);
}

// The class mnemonics of RFC 1035 §3.2.4 (CS is obsolete but still a class).
constexpr std::pair<std::uint16_t, std::string_view> kClasses[] = {{1, "IN"}, {2, "CS"}, {3, "CH"}, {4, "HS"}};

std::optional<std::uint16_t> parse_class(std::string_view text) {
  for (const auto& [code, mnemonic] : kClasses) {
    if (base::iequals(text, mnemonic)) return code;
  }
  if (base::istarts_with(text, "CLASS")) return parse_u16_suffix(text.substr(5));
  return std::nullopt;
}

std::string class_to_string(std::uint16_t code) {
  for (const auto& [known, mnemonic] : kClasses) {
    if (known == code) return std::string(mnemonic);
  }
  return "CLASS" + std::to_string(code);
}

}  // namespace kskline::zone
