#include "proto/hello.hpp"

#include <algorithm>
#include <string>
#include <string_view>

#include "base/digest.hpp"
#include "proto/errc.hpp"

namespace kskline::proto {
namespace {

constexpr std::size_t kFixedSize = 82;  // up to and including the escape bitmap

void put_u64(Bytes& out, std::uint64_t v) {
  put_u32(out, static_cast<std::uint32_t>(v >> 32));
  put_u32(out, static_cast<std::uint32_t>(v));
}

std::string range_text(std::uint8_t lo, std::uint8_t hi) {
  return std::to_string(lo) + (lo == hi ? "" : ".." + std::to_string(hi));
}

}  // namespace

Bytes encode_hello(const Hello& h) {
  Bytes out;
  out.reserve(kFixedSize + 32);
  out.push_back(h.confirmed ? 1 : 0);
  out.insert(out.end(), h.echo.begin(), h.echo.end());
  out.insert(out.end(), h.nonce.begin(), h.nonce.end());
  out.push_back(h.min_version);
  out.push_back(h.max_version);
  std::uint16_t caps = static_cast<std::uint16_t>(h.capabilities & ~kCapIdentity);
  if (h.identity) caps |= kCapIdentity;
  put_u16(out, caps);
  out.push_back(static_cast<std::uint8_t>(h.auth_policy));
  put_u16(out, h.max_frame);
  put_u16(out, h.window);
  put_u64(out, h.max_message);
  const auto& bitmap = h.escapes.bitmap();
  out.insert(out.end(), bitmap.begin(), bitmap.end());
  if (h.identity) out.insert(out.end(), h.identity->begin(), h.identity->end());
  return out;
}

Result<Hello> parse_hello(ByteView p) {
  if (p.size() < kFixedSize) return fail(errc::malformed, "HELLO too short");
  Hello h;
  if (p[0] > 1) return fail(errc::malformed, "unknown HELLO state bits");
  h.confirmed = p[0] == 1;
  std::copy_n(p.begin() + 1, 16, h.echo.begin());
  std::copy_n(p.begin() + 17, 16, h.nonce.begin());
  h.min_version = p[33];
  h.max_version = p[34];
  if (h.min_version == 0 || h.min_version > h.max_version) return fail(errc::malformed, "bad HELLO version range");
  h.capabilities = get_u16(p.data() + 35);
  if (p[37] > 2) return fail(errc::malformed, "unknown HELLO auth policy");
  h.auth_policy = static_cast<AuthPolicy>(p[37]);
  h.max_frame = get_u16(p.data() + 38);
  h.window = get_u16(p.data() + 40);
  if (h.max_frame < kMinFramePayload) return fail(errc::malformed, "HELLO max_frame below 256");
  if (h.window == 0) return fail(errc::malformed, "HELLO window of 0");
  h.max_message = (std::uint64_t{get_u32(p.data() + 42)} << 32) | get_u32(p.data() + 46);
  h.escapes = EscapeSet::from_bitmap(p.subspan(50, 32));
  std::size_t pos = kFixedSize;
  if (h.capabilities & kCapIdentity) {
    if (p.size() < pos + 32) return fail(errc::malformed, "HELLO announces an identity but has no key");
    PublicKey key{};
    std::copy_n(p.begin() + static_cast<std::ptrdiff_t>(pos), 32, key.begin());
    h.identity = key;
    pos += 32;
  }
  // Extensions: type, length, value; all unknown in this version.
  while (pos < p.size()) {
    if (p.size() - pos < 2 || p.size() - pos - 2 < p[pos + 1]) return fail(errc::malformed, "truncated HELLO extension");
    pos += 2 + p[pos + 1];
  }
  return h;
}

Result<Negotiated> negotiate(const Hello& ours, const Hello& theirs) {
  std::uint8_t hi = std::min(ours.max_version, theirs.max_version);
  std::uint8_t lo = std::max(ours.min_version, theirs.min_version);
  if (hi < lo) {
    return fail(errc::version_mismatch, "the peer speaks protocol version " +
                                            range_text(theirs.min_version, theirs.max_version) +
                                            ", this side " + range_text(ours.min_version, ours.max_version) +
                                            "; upgrade " + (theirs.max_version < ours.min_version ? "the peer" : "this side"));
  }
  Negotiated n;
  n.version = hi;
  n.binary_allowed = (ours.capabilities & kCapBinary) && (theirs.capabilities & kCapBinary);
  n.escapes = ours.escapes | theirs.escapes;
  n.max_frame = std::min<std::uint16_t>({ours.max_frame, theirs.max_frame, static_cast<std::uint16_t>(kMaxPayloadLimit)});
  n.window = std::min<std::uint16_t>({ours.window, theirs.window, kMaxWindow});
  n.peer_max_message = theirs.max_message;
  return n;
}

std::uint32_t session_tag(const Nonce& a, const Nonce& b) {
  constexpr std::string_view label = "kskline-session-tag-v1";
  const Nonce& lo = std::min(a, b);
  const Nonce& hi = std::max(a, b);
  Bytes input(label.begin(), label.end());
  input.insert(input.end(), lo.begin(), lo.end());
  input.insert(input.end(), hi.begin(), hi.end());
  Bytes d = base::digest(base::DigestAlgorithm::sha256, input);
  return get_u32(d.data());
}

Bytes binding_transcript(ByteView signer_offer, ByteView verifier_offer) {
  Bytes out = base::digest(base::DigestAlgorithm::sha256, signer_offer);
  Bytes v = base::digest(base::DigestAlgorithm::sha256, verifier_offer);
  out.insert(out.end(), v.begin(), v.end());
  return out;
}

}  // namespace kskline::proto
