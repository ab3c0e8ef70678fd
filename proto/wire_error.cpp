#include "proto/wire_error.hpp"

namespace kskline::proto {

WireError to_wire(errc e) noexcept {
  // No default: an errc added without a wire code fails to compile (-Wswitch).
  switch (e) {
    case errc::malformed: return WireError::malformed;
    case errc::bad_magic: return WireError::bad_magic;
    case errc::unsupported_version: return WireError::unsupported_version;
    case errc::too_large: return WireError::too_large;
    case errc::digest_mismatch: return WireError::digest_mismatch;
    case errc::auth_unsigned: return WireError::auth_unsigned;
    case errc::auth_unknown_key: return WireError::auth_unknown_key;
    case errc::auth_bad_signature: return WireError::auth_bad_signature;
    case errc::auth_downgrade: return WireError::auth_downgrade;
    case errc::replayed: return WireError::replayed;
    case errc::bad_key: return WireError::bad_key;
    case errc::invalid_argument: return WireError::invalid_argument;
    case errc::handshake_timeout: return WireError::handshake_timeout;
    case errc::version_mismatch: return WireError::version_mismatch;
    case errc::link_lost: return WireError::link_lost;
    case errc::peer_refused: return WireError::peer_refused;
    case errc::message_refused: return WireError::message_refused;
    case errc::message_rejected: return WireError::message_rejected;
    case errc::protocol_violation: return WireError::protocol_violation;
    case errc::closed: return WireError::closed;
  }
  return WireError::receiver_failed;  // not an errc value: not a proto error
}

WireError to_wire(const std::error_code& code) noexcept {
  if (code.category() != category()) return WireError::receiver_failed;
  return to_wire(static_cast<errc>(code.value()));
}

std::optional<errc> from_wire(WireError code) noexcept {
  switch (code) {
    case WireError::none:
    case WireError::receiver_failed:
      return std::nullopt;
    case WireError::malformed: return errc::malformed;
    case WireError::bad_magic: return errc::bad_magic;
    case WireError::unsupported_version: return errc::unsupported_version;
    case WireError::too_large: return errc::too_large;
    case WireError::digest_mismatch: return errc::digest_mismatch;
    case WireError::auth_unsigned: return errc::auth_unsigned;
    case WireError::auth_unknown_key: return errc::auth_unknown_key;
    case WireError::auth_bad_signature: return errc::auth_bad_signature;
    case WireError::auth_downgrade: return errc::auth_downgrade;
    case WireError::replayed: return errc::replayed;
    case WireError::bad_key: return errc::bad_key;
    case WireError::invalid_argument: return errc::invalid_argument;
    case WireError::handshake_timeout: return errc::handshake_timeout;
    case WireError::version_mismatch: return errc::version_mismatch;
    case WireError::link_lost: return errc::link_lost;
    case WireError::peer_refused: return errc::peer_refused;
    case WireError::message_refused: return errc::message_refused;
    case WireError::message_rejected: return errc::message_rejected;
    case WireError::protocol_violation: return errc::protocol_violation;
    case WireError::closed: return errc::closed;
  }
  return std::nullopt;  // a number this build does not know
}

std::string wire_reason(WireError code) {
  if (auto e = from_wire(code)) return make_error_code(*e).message();
  switch (code) {
    case WireError::none:
      return "no reason given";
    case WireError::receiver_failed:
      return "the receiver failed on its side (e.g. its storage), not because of the message";
    default:
      return "unknown reason code " + std::to_string(static_cast<std::uint16_t>(code));
  }
}

Error rejection_error(WireError code) {
  return Error{make_error_code(errc::message_rejected), {}, "the peer rejected the message: " + wire_reason(code)};
}

}  // namespace kskline::proto
