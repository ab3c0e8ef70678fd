// Error codes of the zone module (DNS names, records, master files, DNSSEC).
#pragma once

#include <system_error>

#include "base/error.hpp"

namespace kskline::zone {

// Errors of the zone module; Error::where carries file:line or owner/type.
enum class errc {
  syntax = 1,          // malformed master-file text
  bad_name,            // a domain name is malformed (empty label, bad escape)
  label_too_long,      // a label over 63 octets
  name_too_long,       // a name over 255 octets in wire form
  unknown_type,        // an RR type mnemonic we do not know
  unknown_class,       // a class other than IN/CLASSn
  bad_ttl,             // a TTL that is malformed or over 2^31-1
  bad_rdata,           // RDATA that does not match its type
  out_of_zone,         // a record outside the origin
  include_failed,      // $INCLUDE refused or unreadable
  zone_invalid,        // a zone-level rule broken (SOA, CNAME, TTLs...)
  unsupported_algorithm, // a DNSSEC algorithm or digest we do not implement
  bad_key,             // key material malformed or inconsistent
  crypto_failed,       // OpenSSL reported a failure
  bad_signature,       // a signature did not verify
  zone_too_large,      // more records than the reader's limit (MasterOptions::max_records)
  rrset_too_large,     // an RRset over 65,535 octets in wire form: no DNS message holds it
  pkcs11_module,       // a PKCS#11 module that cannot be loaded or initialised
  token_missing,       // no slot holds a token of that label
  wrong_pin,           // the token refused the PIN
  pin_locked,          // the token's user PIN is locked
  pin_required,        // no PIN was given (file, environment, prompt)
  key_not_found,       // the token holds no key of that label and id
  token_removed,       // the token went away during the run
  pkcs11_failed,       // the token refused an operation (CKR_ name in detail)
};

// The category of zone::errc.
const std::error_category& category() noexcept;

// Makes an error_code from a zone::errc (found by ADL).
inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), category()};
}

}  // namespace kskline::zone

template <>
struct std::is_error_code_enum<kskline::zone::errc> : std::true_type {};
