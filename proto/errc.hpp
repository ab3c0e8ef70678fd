// Error codes of the link protocol core (frames, envelopes, sessions).
#pragma once

#include <system_error>

#include "base/error.hpp"

namespace kskline::proto {

// Errors of the proto module; Error::detail says what exactly was wrong.
enum class errc {
  malformed = 1,           // bytes that do not follow the format (frame, record, envelope)
  bad_magic,               // not an envelope: the magic is wrong
  unsupported_version,     // an envelope format or protocol version this build does not know
  too_large,               // over the configured size limit; refused before buffering
  digest_mismatch,         // the SHA-256 does not match the bytes
  auth_unsigned,           // unsigned, and the policy requires a signature
  auth_unknown_key,        // signed by a key that is not pinned
  auth_bad_signature,      // a signature that does not verify
  auth_downgrade,          // less authentication than the peer has shown it uses
  replayed,                // a message id or counter already seen from this sender
  bad_key,                 // key material of the wrong size or unusable
  invalid_argument,        // a configuration value or argument out of range
  handshake_timeout,       // no HELLO from the peer within the configured wait
  version_mismatch,        // no common protocol version with the peer
  link_lost,               // the retry budget or idle time ran out
  peer_refused,            // the peer sent REFUSE
  message_refused,         // the peer refused to take a message (too large, no space)
  message_rejected,        // the peer received a message and rejected it
  protocol_violation,      // the peer broke the protocol
  closed,                  // the session is closed
};

// The category of proto::errc.
const std::error_category& category() noexcept;

// Makes an error_code from a proto::errc (found by ADL).
inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), category()};
}

}  // namespace kskline::proto

template <>
struct std::is_error_code_enum<kskline::proto::errc> : std::true_type {};
