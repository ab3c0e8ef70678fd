// Moving whole files across any link: what `kskline send` and `kskline
// receive` do, over a serial port, a spool directory, or (inside one
// process) loopback.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "proto/identity.hpp"
#include "proto/time.hpp"
#include "transport/link_spec.hpp"
#include "transport/link_totals.hpp"
#include "transport/spool.hpp"

namespace kskline::transport {

// A progress snapshot, about twice a second, for a progress line.
struct TransferProgress {
  std::uint64_t bytes_done = 0;    // message bytes confirmed (sender) or received (receiver)
  std::uint64_t bytes_total = 0;   // message bytes to move (0 when unknown)
  std::size_t files_done = 0;
  std::size_t files_total = 0;     // 0 when unknown
  double seconds = 0;              // since the transfer started
  std::uint64_t retransmissions = 0;
  std::uint32_t line_rate = 0;     // characters per second of the line (0 unknown)
  bool connected = false;          // a session is up
};

// What a transfer did.
struct TransferReport {
  std::size_t files_ok = 0;        // sent and confirmed, or received, verified and written
  std::size_t files_failed = 0;    // refused, rejected or not confirmed
  std::uint64_t file_bytes = 0;    // content bytes of the files that made it
  std::uint64_t message_bytes = 0; // envelope bytes of those files
  double seconds = 0;
  std::uint32_t line_rate = 0;
  std::uint64_t wire_bytes_sent = 0;      // bytes put on the line, all sessions
  std::uint64_t chunk_bytes = 0;          // message bytes sent (sender) or received (receiver) in chunks, repeats included
  std::uint64_t resumed_bytes = 0;        // receiver: bytes of a message already held when it was offered
  std::uint64_t sessions = 0;
  LinkTotals totals;
  std::vector<std::string> written;       // receiver: the files written
  std::vector<Error> errors;              // one per failed file, and why the transfer ended early

  // Whether every file arrived whole and verified.
  bool ok() const noexcept { return files_failed == 0 && errors.empty(); }
};

// How to run a transfer.
struct TransferOptions {
  LinkSpec link;
  Side side = Side::zone;  // spool: which folder is outbound
  const proto::LinkIdentity* identity = nullptr;  // sign envelopes and bind sessions; not owned
  proto::PinnedKeys pinned;
  proto::AuthPolicy auth = proto::AuthPolicy::off;
  // Live links: how long to wait for the peer's handshake; spool receive
  // with a count: how long to wait for the files. nullopt: forever.
  std::optional<proto::Duration> wait = proto::Duration{120'000'000};
  // Exchanges: how long the requester waits for the answer once the request
  // is sent (an operator reads it first). nullopt: forever.
  std::optional<proto::Duration> answer_wait = proto::Duration{1'800'000'000};
  // Exchanges: how long the answerer keeps a session open for a whole
  // request to arrive, from the handshake or from its last answer being
  // confirmed; then it closes the session (errc::timed_out). nullopt: forever.
  std::optional<proto::Duration> request_wait = proto::Duration{600'000'000};
  std::uint64_t max_message = 64ull << 20;
  std::string state_dir;  // receiver: partial messages and the replay ledger (default OUTPUT/.kskline)
  std::function<void(const TransferProgress&)> progress;  // optional
  std::function<void(const std::string&)> notice;         // operator notices (device lost, file rejected)
  bool handle_signals = true;  // SIGINT/SIGTERM end the transfer cleanly (errc::interrupted)
};

// A counter for spool envelopes with no state of the sender's own: the time
// in milliseconds, strictly increasing within a process (the reader's replay
// ledger refuses a counter it has seen).
std::uint64_t spool_counter();

// Builds the envelope of one file (kind file, a file record naming its base
// name, signed when options.identity is set). counter: 0 on live links.
Result<Bytes> file_envelope(const std::string& path, const TransferOptions& options, std::uint64_t counter,
                            proto::Random& random);

// Writes a received envelope into `dir`: a file message as its named file
// (an identical file already there counts as written; a different one is
// kept and the new one gets NAME.1, NAME.2, ...), any other envelope as
// <message id>.kske. Written atomically; returns the path.
Result<std::string> store_received(const std::string& dir, ByteView envelope, std::uint64_t max_message);

// Sends files over a serial or spool link (loopback: errc::not_supported;
// use transfer_over_loopback). The report tells which files made it; an
// Error is returned only when nothing could start (bad file, device).
Result<TransferReport> send_files(const TransferOptions& options, const std::vector<std::string>& files);

// Receives files into `output_dir` (created if missing) over a serial or
// spool link until `count` files arrived (0: serial until the sender closes
// the link; spool: what is there now).
Result<TransferReport> receive_files(const TransferOptions& options, const std::string& output_dir, std::size_t count);

// Both ends inside one process over a loopback line: sends `files` with
// `sender` options and receives them into `output_dir` with `receiver`
// options; returns the sender's and receiver's reports.
Result<std::pair<TransferReport, TransferReport>> transfer_over_loopback(const LoopbackLink& line,
                                                                         const TransferOptions& sender,
                                                                         const std::vector<std::string>& files,
                                                                         const TransferOptions& receiver,
                                                                         const std::string& output_dir);

}  // namespace kskline::transport
