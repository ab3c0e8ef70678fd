// Measuring a live link before a ceremony (`kskline link-test`): both ends
// run the same test over the real protocol and trade what they measured, so
// each end reports both directions: round trips, throughput against the line
// rate, frames resent and damaged, whether the line carries 8 bits, the flow
// control of both ends, and the peer's identity (docs/link.md "Before a
// ceremony: link-test").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "proto/identity.hpp"
#include "transport/file_transfer.hpp"
#include "transport/link_spec.hpp"

namespace kskline::transport {

// What to send in a link test.
struct LinkTestOptions {
  std::uint64_t bulk_bytes = 0;  // payload sent each way; 0: about 4 s of the line (2 KiB .. 1 MiB)
  std::uint8_t pings = 5;        // small messages timed one after another, 1..50
  // How long the test may take once the peer answered; nullopt: from the
  // sizes (4 times the line time of both payloads, plus 60 s).
  std::optional<proto::Duration> limit;
};

// The bulk payload size used for a line rate when LinkTestOptions::bulk_bytes is 0.
std::uint64_t default_bulk_bytes(std::uint32_t line_rate) noexcept;

// The settings one end announces in its test message.
struct LinkTestSettings {
  SerialSettings serial;          // loopback: baud only, 8N1, flow none
  std::uint64_t bulk_bytes = 0;
  std::uint8_t pings = 0;
  std::uint64_t token = 0;        // random; the end with the lower token sends its bulk first
};

// One direction of the link as measured by its two ends.
struct LinkDirection {
  // Sender's figures.
  std::uint64_t bulk_bytes = 0;     // envelope bytes of the bulk message
  double bulk_seconds = 0;          // from queueing it to the receiver's confirmation
  std::uint64_t frames_sent = 0;    // every frame of the test, repeats included
  std::uint64_t retransmissions = 0;
  bool binary = false;              // the sender used the 8-bit encoding by the end of the test
  // Receiver's figures.
  std::uint64_t frames_received = 0;  // frames with a good check
  std::uint64_t frames_bad = 0;       // frames cut out of the line whose check failed
  bool intact = false;                // the bulk arrived, every one of its octets as sent
  bool measured = false;              // both ends' figures are in (the peer's report arrived)

  // Payload bytes a second of the bulk message (0 when not measured).
  double rate() const noexcept { return bulk_seconds > 0 ? static_cast<double>(bulk_bytes) / bulk_seconds : 0; }
  // Retransmissions per frame sent (0 when none were sent).
  double error_rate() const noexcept {
    return frames_sent > 0 ? static_cast<double>(retransmissions) / static_cast<double>(frames_sent) : 0;
  }
};

// What one end of a link test found.
struct LinkTestReport {
  LinkTestSettings ours;
  std::optional<LinkTestSettings> peer;  // from the peer's test message
  std::uint32_t line_rate = 0;           // characters per second of this end's line
  double connect_seconds = 0;            // from start to the first session (waiting for the peer included)
  std::vector<double> ping_seconds;      // each small message, queued to confirmed
  std::optional<double> frame_rtt;       // the engine's smoothed frame round trip after the small messages
  std::optional<proto::PublicKey> peer_identity;  // the key in the peer's HELLO
  bool peer_authenticated = false;       // its session binding verified and the key is pinned
  bool binary_allowed = false;           // both ends offered the 8-bit encoding
  LinkDirection out;                     // from this end to the peer
  LinkDirection in;                      // from the peer to this end
  bool completed = false;                // both ends finished every step and traded reports
  TransferReport transfer;               // link counters and the errors that ended the test early
};

// Runs a link test over a serial link, with the peer running it too.
// errc::not_supported for spool and loopback links (see
// link_test_over_loopback); device errors as SerialStream::open. A test
// that could not finish (no peer within options.wait, the peer closed or
// refused, the time limit) returns a report with completed false and the
// reason in transfer.errors.
Result<LinkTestReport> run_link_test(const TransferOptions& options, const LinkTestOptions& test);

// Both ends of a link test inside one process over a loopback line.
Result<std::pair<LinkTestReport, LinkTestReport>> link_test_over_loopback(const LoopbackLink& line,
                                                                          const TransferOptions& a,
                                                                          const TransferOptions& b,
                                                                          const LinkTestOptions& test);

// What a finished test found wrong, one sentence each for the verdict line
// (empty: OK): the peer's key not the pinned one (`pinned`: keys were
// pinned) or not checked, throughput under 70% of the line, more than 2% of
// frames resent, link losses, a bulk not intact, a line that is not 8-bit
// clean although both ends are set to 8 bits, ends set differently.
std::vector<std::string> link_test_problems(const LinkTestReport& r, bool pinned);

// Why the link runs 7-bit ("" when both directions used 8 bits): bits=7 on
// this end or the peer, or the 8-bit probe failed on the line.
std::string seven_bit_reason(const LinkTestReport& r);

// The test message of one end: magic "KSKT", version 1, type, fields in
// network byte order. Exposed for tests.
Bytes encode_link_test_settings(const LinkTestSettings& s);
// Parses a settings message; proto::errc::malformed otherwise.
Result<LinkTestSettings> parse_link_test_settings(ByteView payload);

// The bulk payload a sender with `token` sends: every octet value 0..255
// first, then a pseudo-random sequence from the token, `size` bytes in all.
Bytes link_test_pattern(std::uint64_t token, std::uint64_t size);

}  // namespace kskline::transport
