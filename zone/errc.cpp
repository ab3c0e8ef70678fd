#include "zone/errc.hpp"

namespace kskline::zone {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "kskline.zone"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::syntax: return "syntax error";
      case errc::bad_name: return "malformed domain name";
      case errc::label_too_long: return "label longer than 63 octets";
      case errc::name_too_long: return "name longer than 255 octets";
      case errc::unknown_type: return "unknown RR type";
      case errc::unknown_class: return "unknown class";
      case errc::bad_ttl: return "invalid TTL";
      case errc::bad_rdata: return "invalid RDATA";
      case errc::out_of_zone: return "record outside the zone";
      case errc::include_failed: return "$INCLUDE failed";
      case errc::zone_invalid: return "zone is invalid";
      case errc::unsupported_algorithm: return "unsupported algorithm";
      case errc::bad_key: return "invalid key";
      case errc::crypto_failed: return "cryptographic operation failed";
      case errc::bad_signature: return "signature does not verify";
      case errc::zone_too_large: return "zone has more records than the limit";
      case errc::rrset_too_large: return "RRset larger than 65,535 octets";
      case errc::pkcs11_module: return "PKCS#11 module cannot be loaded";
      case errc::token_missing: return "no such PKCS#11 token";
      case errc::wrong_pin: return "the token refused the PIN";
      case errc::pin_locked: return "the token's PIN is locked";
      case errc::pin_required: return "no PIN for the token";
      case errc::key_not_found: return "no such key in the token";
      case errc::token_removed: return "the token was removed";
      case errc::pkcs11_failed: return "PKCS#11 operation failed";
    }
    return "unknown zone error";
  }
};

}  // namespace

const std::error_category& category() noexcept {
  static const Category instance;
  return instance;
}

}  // namespace kskline::zone
