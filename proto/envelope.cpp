#include "proto/envelope.hpp"

#include <algorithm>
#include <string>

#include "base/digest.hpp"
#include "base/encoding.hpp"
#include "proto/errc.hpp"

namespace kskline::proto {
namespace {

constexpr std::uint8_t kMagic[4] = {'K', 'S', 'K', 'E'};
constexpr std::uint8_t kFlagSigned = 0x01;

std::uint64_t get_u64(const std::uint8_t* p) {
  return (std::uint64_t{get_u32(p)} << 32) | get_u32(p + 4);
}

void put_u64(Bytes& out, std::uint64_t v) {
  put_u32(out, static_cast<std::uint32_t>(v >> 32));
  put_u32(out, static_cast<std::uint32_t>(v));
}

Sha256 sha256(ByteView data) {
  Bytes d = base::digest(base::DigestAlgorithm::sha256, data);
  Sha256 out{};
  std::copy(d.begin(), d.end(), out.begin());
  return out;
}

std::string size_text(std::uint64_t n) { return std::to_string(n) + " bytes"; }

}  // namespace

std::uint64_t EnvelopeHeader::total_size() const noexcept {
  std::uint64_t fixed = kEnvelopeHeaderSize + kDigestSize + (is_signed ? kSignatureBlockSize : 0);
  if (payload_length > UINT64_MAX - fixed) return UINT64_MAX;
  return fixed + payload_length;
}

Result<EnvelopeHeader> parse_envelope_header(ByteView b, std::uint64_t max_size) {
  if (b.size() < kEnvelopeHeaderSize) return fail(errc::malformed, "envelope shorter than its header");
  if (!std::equal(b.begin(), b.begin() + 4, kMagic)) return fail(errc::bad_magic);
  if (b[4] != kEnvelopeVersion) {
    return fail(errc::unsupported_version, "envelope format version " + std::to_string(b[4]) +
                                               " (this build reads version " + std::to_string(kEnvelopeVersion) +
                                               ")");
  }
  EnvelopeHeader h;
  if (b[5] < 1 || b[5] > 4) return fail(errc::malformed, "unknown envelope kind " + std::to_string(b[5]));
  h.kind = static_cast<Kind>(b[5]);
  if ((b[6] & ~kFlagSigned) != 0) return fail(errc::malformed, "unknown envelope flags");
  h.is_signed = (b[6] & kFlagSigned) != 0;
  if (b[7] < 1 || b[7] > 8) return fail(errc::malformed, "unknown payload type " + std::to_string(b[7]));
  h.payload_type = static_cast<PayloadType>(b[7]);
  std::copy(b.begin() + 8, b.begin() + 24, h.id.begin());
  std::copy(b.begin() + 24, b.begin() + 56, h.in_reply_to.begin());
  h.counter = get_u64(b.data() + 56);
  h.payload_length = get_u64(b.data() + 64);
  if (h.total_size() > max_size) {
    return fail(errc::too_large, "envelope of " + size_text(h.total_size()) + " over the limit of " +
                                     size_text(max_size));
  }
  return h;
}

Result<Bytes> build_envelope(const EnvelopeSpec& spec, ByteView payload, const LinkIdentity* signer,
                             std::uint64_t max_size) {
  std::uint64_t total =
      kEnvelopeHeaderSize + payload.size() + kDigestSize + (signer != nullptr ? kSignatureBlockSize : 0);
  if (total > max_size) {
    return fail(errc::too_large, "envelope of " + size_text(total) + " over the limit of " + size_text(max_size));
  }
  Bytes out;
  out.reserve(total);
  out.insert(out.end(), kMagic, kMagic + 4);
  out.push_back(kEnvelopeVersion);
  out.push_back(static_cast<std::uint8_t>(spec.kind));
  out.push_back(signer != nullptr ? kFlagSigned : 0);
  out.push_back(static_cast<std::uint8_t>(spec.payload_type));
  out.insert(out.end(), spec.id.begin(), spec.id.end());
  out.insert(out.end(), spec.in_reply_to.begin(), spec.in_reply_to.end());
  put_u64(out, spec.counter);
  put_u64(out, payload.size());
  out.insert(out.end(), payload.begin(), payload.end());
  if (signer != nullptr) {
    Sha256 covered = sha256(out);
    Signature sig = signer->sign(kEnvelopeContext, covered);
    const PublicKey& key = signer->public_key();
    out.insert(out.end(), key.begin(), key.end());
    out.insert(out.end(), sig.begin(), sig.end());
  }
  Sha256 digest = sha256(out);
  out.insert(out.end(), digest.begin(), digest.end());
  return out;
}

Result<Envelope> parse_envelope(ByteView bytes, std::uint64_t max_size) {
  auto header = parse_envelope_header(bytes, max_size);
  if (!header) return tl::unexpected(header.error());
  Envelope e;
  e.header = *header;
  if (bytes.size() != e.header.total_size()) {
    return fail(errc::malformed, "envelope is " + size_text(bytes.size()) + ", its header announces " +
                                     size_text(e.header.total_size()));
  }
  std::size_t n = static_cast<std::size_t>(e.header.payload_length);
  e.payload = bytes.subspan(kEnvelopeHeaderSize, n);
  e.signed_part = bytes.first(kEnvelopeHeaderSize + n);
  std::size_t pos = kEnvelopeHeaderSize + n;
  if (e.header.is_signed) {
    PublicKey key{};
    Signature sig{};
    std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(pos), key.size(), key.begin());
    std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(pos + key.size()), sig.size(), sig.begin());
    e.signer = key;
    e.signature = sig;
    pos += kSignatureBlockSize;
  }
  std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(pos), kDigestSize, e.digest.begin());
  if (sha256(bytes.first(pos)) != e.digest) return fail(errc::digest_mismatch, "envelope digest does not match");
  return e;
}

std::optional<Sha256> trailing_digest(ByteView bytes) noexcept {
  if (bytes.size() < kEnvelopeHeaderSize + kDigestSize) return std::nullopt;
  Sha256 d{};
  std::copy(bytes.end() - kDigestSize, bytes.end(), d.begin());
  return d;
}

Result<AuthStatus> authenticate(const Envelope& e, const AuthRules& rules) {
  if (rules.policy == AuthPolicy::off) return AuthStatus::not_checked;
  bool required = rules.policy == AuthPolicy::required;
  if (e.signer && e.signature) {
    Sha256 covered = sha256(e.signed_part);
    if (!verify_signature(*e.signer, kEnvelopeContext, covered, *e.signature)) {
      return fail(errc::auth_bad_signature, "envelope signature by key " + base::to_base64(*e.signer) +
                                                " does not verify");
    }
    if (rules.pinned != nullptr && rules.pinned->contains(*e.signer)) return AuthStatus::authenticated;
    if (required) return fail(errc::auth_unknown_key, "envelope signed by key " + base::to_base64(*e.signer) +
                                                          ", which is not pinned");
    return AuthStatus::unpinned_key;
  }
  if (rules.sender_signs) {
    return fail(errc::auth_downgrade, "unsigned envelope from a sender that signs its messages");
  }
  if (required) return fail(errc::auth_unsigned, "unsigned envelope");
  return AuthStatus::unsigned_ok;
}

}  // namespace kskline::proto
