// The counters of a live link that outlive its sessions.
#pragma once

#include <cstdint>

namespace kskline::transport {

// Counters of a driven link that outlive the engine's sessions.
struct LinkTotals {
  std::uint64_t retransmissions = 0;  // over every session
  std::uint64_t link_losses = 0;      // LinkLost events
  std::uint64_t peer_restarts = 0;    // PeerRestarted events
};

}  // namespace kskline::transport
