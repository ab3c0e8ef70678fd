// The reason codes a receiver sends in a DONE record: a numbered space of
// their own on the wire, apart from the values of any error category
// (docs/protocol.md §4.1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <system_error>

#include "base/error.hpp"
#include "proto/errc.hpp"

namespace kskline::proto {

// A reason code as sent in DONE `code` (big-endian, 2 octets). The numbers
// are fixed: a new reason takes a new number, and none is ever reused. Any
// 16-bit value may arrive from a peer, so a WireError may hold a number this
// build does not list.
enum class WireError : std::uint16_t {
  none = 0,  // no reason (DONE delivered or corrupted)
  // 1..20: one per proto::errc, with its value (what version 1 peers send).
  malformed = 1,
  bad_magic = 2,
  unsupported_version = 3,
  too_large = 4,
  digest_mismatch = 5,
  auth_unsigned = 6,
  auth_unknown_key = 7,
  auth_bad_signature = 8,
  auth_downgrade = 9,
  replayed = 10,
  bad_key = 11,
  invalid_argument = 12,
  handshake_timeout = 13,
  version_mismatch = 14,
  link_lost = 15,
  peer_refused = 16,
  message_refused = 17,
  message_rejected = 18,
  protocol_violation = 19,
  closed = 20,
  // The receiver failed on its own side (its storage, or another local
  // error of a category other than proto), not because of the message.
  receiver_failed = 256,
};

// The wire code of a proto error: its own code, numbered as the errc.
WireError to_wire(errc e) noexcept;
// The wire code of any error: to_wire(errc) for a proto::errc,
// WireError::receiver_failed for an error of any other category.
WireError to_wire(const std::error_code& code) noexcept;
// The proto error a received code stands for; nullopt for none,
// receiver_failed and numbers this build does not know.
std::optional<errc> from_wire(WireError code) noexcept;
// What a received code says, for an operator: the proto error's message,
// the receiver's own failure, "no reason", or "unknown reason code N"
// (naming the number; never read as another code).
std::string wire_reason(WireError code);
// The error a sender reports when its peer rejected a message with DONE
// `code`: errc::message_rejected, detail "the peer rejected the message: "
// followed by wire_reason(code).
Error rejection_error(WireError code);

}  // namespace kskline::proto
