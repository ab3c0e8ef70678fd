// What a session engine reports to its driver (poll_event()).
#pragma once

#include <cstdint>
#include <optional>
#include <variant>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "proto/envelope.hpp"
#include "proto/identity.hpp"

namespace kskline::proto::event {

// The handshake finished (and the peer's BIND verified, when it sends one):
// messages can flow.
struct Connected {
  std::uint8_t version = 1;
  bool binary_allowed = false;
  std::uint16_t max_frame = 0;
  std::uint16_t window = 0;
  std::optional<PublicKey> peer_identity;  // the key in the peer's HELLO, if any
  bool peer_authenticated = false;         // its BIND verified and the key is pinned
};

// A message arrived whole, its digest matched and it passed the policy.
struct MessageReceived {
  Bytes envelope;
  Sha256 digest{};
  AuthStatus auth = AuthStatus::not_checked;
};

// The peer confirmed it holds a message we sent (delivered now or before).
struct MessageSent {
  Sha256 digest{};
};

// A message we queued will not be delivered: refused or rejected by the
// peer, larger than the peer accepts, or corrupted three times.
struct MessageFailed {
  Sha256 digest{};
  Error error;
};

// We refused a message the peer sent (authentication, format, size).
struct MessageRejected {
  Sha256 digest{};
  Error error;
};

// The peer started a new session (it restarted or lost the link); queued
// and partly received messages carry on in the new session.
struct PeerRestarted {};

// The link was lost (retry budget or idle time); a new handshake starts
// (EngineConfig::reconnect), or the engine closes with Closed.
struct LinkLost {
  Error error;
};

// The peer left on purpose (CLOSE).
struct PeerClosed {};

// The engine stopped for good: handshake timeout, no common version,
// authentication refused (either side), link lost without reconnect.
struct Closed {
  Error error;
};

}  // namespace kskline::proto::event

namespace kskline::proto {

// Any event.
using Event = std::variant<event::Connected, event::MessageReceived, event::MessageSent, event::MessageFailed,
                           event::MessageRejected, event::PeerRestarted, event::LinkLost, event::PeerClosed,
                           event::Closed>;

}  // namespace kskline::proto
