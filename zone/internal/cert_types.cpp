#include "zone/internal/cert_types.hpp"

#include "base/text.hpp"
#include "zone/internal/presentation.hpp"

namespace kskline::zone::internal {
namespace {

struct CertTypeName {
  std::uint16_t code;
  std::string_view name;
};
constexpr CertTypeName kCertTypes[] = {{1, "PKIX"},   {2, "SPKI"},    {3, "PGP"},  {4, "IPKIX"},
                                       {5, "ISPKI"},  {6, "IPGP"},    {7, "ACPKIX"}, {8, "IACPKIX"},
                                       {253, "URI"},  {254, "OID"}};

}  // namespace

std::optional<std::uint16_t> parse_cert_type(std::string_view text) {
  for (const auto& t : kCertTypes) {
    if (base::iequals(t.name, text)) return t.code;
  }
  return parse_decimal<std::uint16_t>(text);
}

std::string cert_type_to_string(std::uint16_t code) {
  for (const auto& t : kCertTypes) {
    if (t.code == code) return std::string(t.name);
  }
  return std::to_string(code);
}

}  // namespace kskline::zone::internal
