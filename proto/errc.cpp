#include "proto/errc.hpp"

namespace kskline::proto {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "kskline.proto"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::malformed: return "malformed data";
      case errc::bad_magic: return "not a kskline envelope";
      case errc::unsupported_version: return "unsupported version";
      case errc::too_large: return "larger than the size limit";
      case errc::digest_mismatch: return "SHA-256 digest does not match";
      case errc::auth_unsigned: return "unsigned, but authentication is required";
      case errc::auth_unknown_key: return "signed by a key that is not pinned";
      case errc::auth_bad_signature: return "signature does not verify";
      case errc::auth_downgrade: return "authentication downgrade attempt";
      case errc::replayed: return "message replayed";
      case errc::bad_key: return "invalid key";
      case errc::invalid_argument: return "invalid argument";
      case errc::handshake_timeout: return "handshake timed out: no answer from the peer";
      case errc::version_mismatch: return "no common protocol version";
      case errc::link_lost: return "link lost";
      case errc::peer_refused: return "the peer refused the session";
      case errc::message_refused: return "the peer refused the message";
      case errc::message_rejected: return "the peer rejected the message";
      case errc::protocol_violation: return "protocol violation by the peer";
      case errc::closed: return "session closed";
    }
    return "unknown proto error";
  }
};

}  // namespace

const std::error_category& category() noexcept {
  static const Category instance;
  return instance;
}

}  // namespace kskline::proto
