// Proof of possession of a request slot's ZSKs: each ZSK signs the slot's
// ZSK DNSKEY RRset over the slot's start..end, so the KSK side signs only
// keys whose private halves the zone side holds. The zone side makes the
// proofs (ZoneState::make_request), the KSK side checks them (the
// proof_of_possession request rule). Internal to the signer library.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/error.hpp"
#include "signer/key_request.hpp"
#include "zone/key_file.hpp"
#include "zone/name.hpp"
#include "zone/record.hpp"

namespace kskline::signer {

// The proof of `zsk` for `slot`: an RRSIG record (owner `zone`, TTL and
// original TTL `ttl`) by `zsk` over slot.zsks with inception slot.start and
// expiration slot.end. slot.zsks must already hold every ZSK of the slot.
// zone:: errors of signing, the signing one located "key tag N".
Result<zone::Record> sign_proof_of_possession(const zone::Name& zone, const RequestSlot& slot,
                                              const zone::KeyPair& zsk, std::uint32_t ttl);

// Checks that every ZSK of `slot`, in order, has a proof among slot.proofs:
// an RRSIG of its key tag and algorithm whose window is exactly the slot's
// start..end and which verifies over slot.zsks. Proofs that do not parse
// are ignored. errc::proof_of_possession, where "<slot_where>, key tag N",
// for the first ZSK without one, saying why (no RRSIG by the key, the
// window, or why it does not verify).
Result<void> check_proofs_of_possession(const zone::Name& zone, const RequestSlot& slot,
                                        std::string_view slot_where);

}  // namespace kskline::signer
