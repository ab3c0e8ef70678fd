#include "signer/internal/proof_of_possession.hpp"

#include <string>
#include <utility>
#include <vector>

#include "signer/errc.hpp"
#include "zone/key_tag.hpp"
#include "zone/rr_types.hpp"
#include "zone/rrsig.hpp"

namespace kskline::signer {

Result<zone::Record> sign_proof_of_possession(const zone::Name& zone, const RequestSlot& slot,
                                              const zone::KeyPair& zsk, std::uint32_t ttl) {
  auto signer = zone::Signer::create(zsk.key);
  if (!signer) return tl::unexpected(signer.error());
  zone::SignParams params;
  params.signer = zone;
  params.key_tag = zsk.key_tag;
  params.inception = static_cast<std::uint32_t>(slot.start);
  params.expiration = static_cast<std::uint32_t>(slot.end);
  params.original_ttl = ttl;
  auto rdata = zone::sign_rrset(*signer, params, slot.zsks);
  if (!rdata) return tl::unexpected(rdata.error().located("key tag " + std::to_string(zsk.key_tag)));
  zone::Record r;
  r.owner = zone;
  r.type = zone::rrtype::RRSIG;
  r.ttl = ttl;
  r.rdata = std::move(*rdata);
  return r;
}

Result<void> check_proofs_of_possession(const zone::Name& zone, const RequestSlot& slot,
                                        std::string_view slot_where) {
  std::vector<zone::Rrsig> proofs;
  for (const auto& pr : slot.proofs) {
    auto sig = zone::parse_rrsig(pr.rdata);
    if (sig) proofs.push_back(std::move(*sig));
  }
  for (const auto& z : slot.zsks) {
    std::uint16_t tag = zone::key_tag(z.rdata);
    std::string key_where = std::string(slot_where) + ", key tag " + std::to_string(tag);
    auto verifier = zone::RrsigVerifier::create(zone, z.rdata);
    if (!verifier) return fail(errc::proof_of_possession, verifier.error().message(), key_where);
    bool ok = false;
    std::string why = "no RRSIG by this key over the slot's ZSKs";
    for (const auto& sig : proofs) {
      if (sig.key_tag != tag || sig.algorithm != verifier->algorithm()) continue;
      if (sig.inception != static_cast<std::uint32_t>(slot.start) ||
          sig.expiration != static_cast<std::uint32_t>(slot.end)) {
        why = "its RRSIG's window is not the slot's start..end";
        continue;
      }
      auto result = verifier->verify(sig, slot.zsks);
      if (result.status == zone::VerifyStatus::valid) {
        ok = true;
        break;
      }
      why = "its RRSIG does not verify: " + result.reason;
    }
    if (!ok) return fail(errc::proof_of_possession, why, key_where);
  }
  return {};
}

}  // namespace kskline::signer
