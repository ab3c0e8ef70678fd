// Message envelopes: the same bytes on the cable and in a spool file
// (docs/protocol.md §5). Build, parse, check the digest, authenticate.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "proto/identity.hpp"

namespace kskline::proto {

// A SHA-256 digest.
using Sha256 = std::array<std::uint8_t, 32>;
// A random message id.
using MessageId = std::array<std::uint8_t, 16>;

// What a message is.
enum class Kind : std::uint8_t { request = 1, response = 2, error = 3, file = 4 };

// What the payload holds.
enum class PayloadType : std::uint8_t {
  kskline_request = 1,
  kskline_response = 2,
  knot_ksr = 3,
  knot_skr = 4,
  bind_ksr = 5,
  bind_skr = 6,
  text = 7,
  octets = 8,
};

// The envelope format version this build writes and reads.
inline constexpr std::uint8_t kEnvelopeVersion = 1;
// Size of the fixed header before the payload.
inline constexpr std::size_t kEnvelopeHeaderSize = 72;
// Size of the optional signer key and signature.
inline constexpr std::size_t kSignatureBlockSize = 96;
// Size of the trailing digest.
inline constexpr std::size_t kDigestSize = 32;
// The default limit on a whole envelope.
inline constexpr std::uint64_t kDefaultMaxEnvelope = 64ull << 20;

// The fixed header of an envelope.
struct EnvelopeHeader {
  Kind kind = Kind::file;
  bool is_signed = false;
  PayloadType payload_type = PayloadType::octets;
  MessageId id{};
  Sha256 in_reply_to{};
  std::uint64_t counter = 0;
  std::uint64_t payload_length = 0;

  // The size of the whole envelope this header announces.
  std::uint64_t total_size() const noexcept;
};

// Parses the first kEnvelopeHeaderSize bytes and checks the announced total
// size against max_size, so a reader can refuse before buffering the payload.
// Errors: malformed (short, bad kind/type/flags), bad_magic,
// unsupported_version (names the version), too_large.
Result<EnvelopeHeader> parse_envelope_header(ByteView first_bytes, std::uint64_t max_size = kDefaultMaxEnvelope);

// What a sender puts in an envelope besides the payload.
struct EnvelopeSpec {
  Kind kind = Kind::file;
  PayloadType payload_type = PayloadType::octets;
  MessageId id{};
  Sha256 in_reply_to{};  // zeros: answers nothing
  std::uint64_t counter = 0;
};

// Builds an envelope, signed by signer when given. errc::too_large when the
// result would exceed max_size.
Result<Bytes> build_envelope(const EnvelopeSpec& spec, ByteView payload, const LinkIdentity* signer = nullptr,
                             std::uint64_t max_size = kDefaultMaxEnvelope);

// A parsed envelope; payload and signed_part view the parsed bytes, which the
// caller keeps alive.
struct Envelope {
  EnvelopeHeader header;
  ByteView payload;
  ByteView signed_part;  // header and payload: what the signature covers (hashed)
  std::optional<PublicKey> signer;
  std::optional<Signature> signature;
  Sha256 digest{};  // the trailing SHA-256, checked
};

// Parses and checks a whole envelope: header, size limit, exact length, and
// the trailing SHA-256 (errc::digest_mismatch). Does not check the signature.
Result<Envelope> parse_envelope(ByteView bytes, std::uint64_t max_size = kDefaultMaxEnvelope);

// Returns the trailing digest of envelope bytes (the transfer id), or nullopt
// when they are too short to be an envelope. Does not verify it.
std::optional<Sha256> trailing_digest(ByteView bytes) noexcept;

// The outcome of a successful authentication check.
enum class AuthStatus : std::uint8_t {
  not_checked,    // policy off
  unsigned_ok,    // unsigned, accepted under optional
  unpinned_key,   // validly signed by a key that is not pinned, accepted under optional
  authenticated,  // validly signed by a pinned key
};

// What authenticate() checks against.
struct AuthRules {
  AuthPolicy policy = AuthPolicy::off;
  const PinnedKeys* pinned = nullptr;  // may be null: nothing pinned
  bool sender_signs = false;  // the sender has shown it signs: unsigned is a downgrade
};

// Applies the authentication policy (docs/protocol.md §5.3) to a parsed
// envelope. Errors: auth_bad_signature, auth_unknown_key (required),
// auth_downgrade, auth_unsigned (required).
Result<AuthStatus> authenticate(const Envelope& envelope, const AuthRules& rules);

}  // namespace kskline::proto
