// The knot.conf(5) the tests give keymgr: a KASP database in `storage` and
// an offline-KSK policy (manual ZSKs, ECDSA P-256, DNSKEY TTL 3600) for one
// zone, for either side of an offline-KSK setup.
#pragma once

#include <cstddef>
#include <sstream>
#include <string>

namespace kskline::test {

// What keymgr's KSK side adds to the policy: CDS and CDNSKEY in every bundle.
inline constexpr const char* kKnotKskSide = "    cds-cdnskey-publish: always\n";

// The configuration text; `extra` goes into the policy (kKnotKskSide for the KSK side).
inline std::string knot_offline_conf(const std::string& storage, const std::string& zone,
                                     const std::string& extra = "") {
  return "database:\n    storage: " + storage + "\ntemplate:\n  - id: default\n    storage: " + storage +
         "\npolicy:\n  - id: offline\n    algorithm: ecdsap256sha256\n    offline-ksk: on\n    manual: on\n"
         "    dnskey-ttl: 3600\n    zone-max-ttl: 3600\n    propagation-delay: 0\n" +
         extra + "zone:\n  - domain: " + zone + "\n    dnssec-signing: on\n    dnssec-policy: offline\n";
}

// The bundles `keymgr show-offline` lists in `output` (";; Offline records for ..." lines).
inline std::size_t offline_bundles(const std::string& output) {
  std::size_t n = 0;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) n += line.rfind(";; Offline records for", 0) == 0 ? 1 : 0;
  return n;
}

}  // namespace kskline::test
