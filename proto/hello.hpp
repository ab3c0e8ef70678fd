// The HELLO payload, negotiation of link parameters, the session tag and the
// session-binding transcript (docs/protocol.md §2).
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "proto/frame.hpp"
#include "proto/identity.hpp"

namespace kskline::proto {

// A HELLO nonce.
using Nonce = std::array<std::uint8_t, 16>;

// The protocol versions this build speaks.
inline constexpr std::uint8_t kMinProtocolVersion = 1;
inline constexpr std::uint8_t kMaxProtocolVersion = 1;

// HELLO capability bits.
inline constexpr std::uint16_t kCapBinary = 0x0001;    // sends and receives the binary encoding
inline constexpr std::uint16_t kCapIdentity = 0x0002;  // has a link identity, will send BIND
inline constexpr std::uint16_t kCapSigns = 0x0004;     // signs every envelope it sends

// Offset of the offer (the part the binding transcript covers) in a HELLO payload.
inline constexpr std::size_t kOfferOffset = 17;

// Bounds of the negotiable frame payload and window.
inline constexpr std::uint16_t kMinFramePayload = 256;
inline constexpr std::uint16_t kMinWindow = 32;
inline constexpr std::uint16_t kMaxWindow = 1024;

// A decoded HELLO payload.
struct Hello {
  bool confirmed = false;  // a HELLO of the receiver's echoed the sender's current nonce
  Nonce echo{};            // the receiver's nonce as last seen, zeros if none
  Nonce nonce{};
  std::uint8_t min_version = kMinProtocolVersion;
  std::uint8_t max_version = kMaxProtocolVersion;
  std::uint16_t capabilities = 0;
  AuthPolicy auth_policy = AuthPolicy::off;
  std::uint16_t max_frame = 4096;
  std::uint16_t window = 64;
  std::uint64_t max_message = 0;
  EscapeSet escapes;
  std::optional<PublicKey> identity;  // present iff capabilities has kCapIdentity
};

// Encodes a HELLO payload. The identity is written iff it is present (and
// kCapIdentity is then set in the written capabilities).
Bytes encode_hello(const Hello& h);

// Decodes a HELLO payload; ignores unknown trailing extensions.
// errc::malformed when it is short, a field is out of range, or the
// identity flag and key do not agree.
Result<Hello> parse_hello(ByteView payload);

// The parameters both sides derive from the two offers.
struct Negotiated {
  std::uint8_t version = 1;
  bool binary_allowed = false;
  EscapeSet escapes;
  std::uint16_t max_frame = 0;
  std::uint16_t window = 0;
  std::uint64_t peer_max_message = 0;
};

// Negotiates from our HELLO and the peer's. errc::version_mismatch (naming
// both ranges) when there is no common version.
Result<Negotiated> negotiate(const Hello& ours, const Hello& theirs);

// The session tag both sides use for bound frames:
// SHA-256("kskline-session-tag-v1" || min(a,b) || max(a,b)), first 4 bytes.
std::uint32_t session_tag(const Nonce& a, const Nonce& b);

// The message a BIND signature covers (after the context string):
// SHA-256(signer offer) || SHA-256(verifier offer).
Bytes binding_transcript(ByteView signer_offer, ByteView verifier_offer);

}  // namespace kskline::proto
