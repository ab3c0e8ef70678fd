// Selective-repeat ARQ: sequence numbers, the RFC 6298 timer, adaptive frame
// size, and the send and receive windows (docs/protocol.md §3). No I/O:
// callers pass the time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <memory>
#include <optional>
#include <vector>

#include "base/bytes.hpp"
#include "proto/frame.hpp"
#include "proto/time.hpp"

namespace kskline::proto {

// Expands a 16-bit wire sequence number to the 64-bit number nearest to
// `expected`; nullopt when that would be negative.
std::optional<std::uint64_t> expand_seq(std::uint16_t wire, std::uint64_t expected) noexcept;

// A SACK range of sequence numbers [start, end), as 16-bit wire values.
struct SackRange {
  std::uint16_t start = 0;
  std::uint16_t end = 0;
  bool operator==(const SackRange&) const = default;
};

// The most SACK ranges an ACK frame carries.
inline constexpr std::size_t kMaxSackRanges = 16;

// Encodes SACK ranges as an ACK payload (start, end per range, big-endian).
Bytes encode_sack(const std::vector<SackRange>& ranges);
// Decodes an ACK payload; nullopt if its length is not a multiple of 4 or it
// holds more than kMaxSackRanges ranges.
std::optional<std::vector<SackRange>> parse_sack(ByteView payload);

// The retransmission timer of RFC 6298: SRTT, RTTVAR, RTO with bounds and
// exponential backoff.
class RttEstimator {
 public:
  // A timer with the given initial RTO and bounds (min <= initial <= max).
  RttEstimator(Duration initial, Duration min, Duration max);
  // Takes an RTT sample from a frame sent once; clears any backoff.
  void on_sample(Duration rtt);
  // Doubles the RTO after an expiry (up to the maximum).
  void on_timeout();
  // The current RTO, including backoff.
  Duration rto() const noexcept { return rto_; }
  // The smoothed RTT, once a sample was taken.
  std::optional<Duration> srtt() const noexcept { return srtt_; }

 private:
  Duration min_, max_, rto_;
  std::optional<Duration> srtt_;
  Duration rttvar_{0};
};

// The chunk size controller: estimates the line's error rate from which
// frames were lost and which arrived, and picks the chunk that carries the
// most message octets per octet on the wire at that rate.
class FrameSizer {
 public:
  // The size grows at most twofold after this many acknowledgements in a row.
  static constexpr int kGrowAfter = 16;
  // The smallest chunk payload.
  static constexpr std::size_t kMinSize = 64;
  // How many recent frames the error estimate remembers (exponential decay).
  static constexpr double kMemoryFrames = 64;
  // Clean frames of the initial size the estimate starts from, so that one
  // early loss is not taken for a line that loses every other frame.
  static constexpr double kPriorFrames = 16;

  // A sizer starting at `initial`, never above `max`; `overhead` is what a
  // frame holds besides the chunk's octets (header, check, delimiter, record header).
  FrameSizer(std::size_t initial, std::size_t max, std::size_t overhead);
  // The chunk size to use now.
  std::size_t current() const noexcept { return current_; }
  // A frame of `frame_octets` (payload and overhead) was acknowledged.
  void on_acked(std::size_t frame_octets) noexcept;
  // A frame of `frame_octets` was lost.
  void on_lost(std::size_t frame_octets) noexcept;
  // The estimated probability that one octet of a frame is damaged.
  double octet_error_rate() const noexcept;
  // The chunk size that carries the most per wire octet at octet error rate `p`.
  std::size_t best_size(double p) const noexcept;

 private:
  void observe(std::size_t frame_octets, bool lost) noexcept;

  std::size_t current_, max_, overhead_;
  int clean_ = 0;
  double frames_, lost_ = 0, octets_;  // decayed counts
};

// What a reliable DATA frame carries: a control record, or a chunk of a
// message referenced (not copied) until it is transmitted.
struct OutRecord {
  Bytes control;                          // the whole record, when not a chunk
  std::shared_ptr<const Bytes> message;   // chunk: the envelope bytes
  std::uint64_t offset = 0;               // chunk: where in the message
  std::size_t length = 0;                 // chunk: how many bytes

  // Whether this is a chunk of a message.
  bool is_chunk() const noexcept { return message != nullptr; }
  // The DATA payload: the control record, or CHUNK type, offset, bytes.
  Bytes materialize() const;
};

// The result of processing an acknowledgement.
struct AckResult {
  std::size_t newly_acked = 0;  // frames acknowledged for the first time
  std::size_t newly_lost = 0;   // frames found lost (queued for retransmission)
};

// A frame to put on the wire, from ArqSender.
struct Outgoing {
  std::uint64_t seq = 0;
  Bytes payload;
  // For a chunk retransmitted at a smaller size: the part no longer carried
  // by this frame, which the caller must send again as new frames.
  std::shared_ptr<const Bytes> rest_message;
  std::uint64_t rest_offset = 0;
  std::size_t rest_length = 0;
};

// The sending half of selective repeat: numbers frames, keeps them until
// acknowledged, detects loss (a later transmission was acknowledged, or the
// RTO expired), and enforces the retry budget.
class ArqSender {
 public:
  // Timer and size parameters of a sender.
  struct Params {
    std::size_t window = 64;
    std::uint32_t max_transmissions = 12;
    Duration initial_rto{1000000}, min_rto{200000}, max_rto{60000000};
    std::size_t initial_chunk = 1024;
    std::size_t max_chunk = 4096;
    std::size_t frame_overhead = kHeaderSize + kCheckSize + 1;  // octets a frame holds besides its payload
  };

  explicit ArqSender(const Params& p);

  // Whether the window has room for a new frame.
  bool can_send_new() const noexcept { return next_ - una_ < window_; }
  // Numbers and records a new frame sent now; returns it for the wire.
  Outgoing send_new(OutRecord record, Timestamp now);
  // Whether a lost frame waits for retransmission.
  bool has_retransmission() const noexcept { return !lost_.empty(); }
  // Takes the lowest lost frame and records its retransmission now; nullopt
  // when none waits, or when that frame has used up the retry budget (then
  // budget_exhausted() is true and the link is lost).
  std::optional<Outgoing> retransmit(Timestamp now);
  // Whether a frame needed more than max_transmissions transmissions.
  bool budget_exhausted() const noexcept { return exhausted_; }
  // Processes a cumulative ACK and SACK ranges received now.
  AckResult on_ack(std::uint16_t cumulative, const std::vector<SackRange>& sacks, Timestamp now);
  // When the retransmission timer expires, if it is armed.
  std::optional<Timestamp> deadline() const noexcept;
  // Handles an expiry at `now`: the oldest outstanding frame is lost, the
  // RTO backs off. Does nothing if the timer has not expired.
  void on_timer(Timestamp now);
  // Whether every frame sent has been acknowledged.
  bool all_acked() const noexcept { return una_ == next_; }
  // The chunk size to use now.
  std::size_t chunk_size() const noexcept { return sizer_.current(); }
  // The timer (RTT estimate, RTO).
  const RttEstimator& rtt() const noexcept { return rtt_; }
  // Total transmissions and retransmissions so far.
  std::uint64_t transmissions() const noexcept { return serial_; }
  std::uint64_t retransmissions() const noexcept { return retransmissions_; }

 private:
  struct InFlight {
    OutRecord record;
    Timestamp sent{};
    std::uint64_t serial = 0;
    std::uint32_t transmissions = 0;
    std::size_t octets = 0;  // the frame as last sent: payload and overhead
    bool acked = false;
    bool lost = false;
  };
  InFlight* find(std::uint64_t seq) noexcept;
  void mark_lost(std::uint64_t seq, InFlight& f, std::optional<Timestamp> heard);
  void arm(Timestamp now) noexcept;

  std::size_t window_;
  std::uint32_t max_transmissions_;
  std::size_t frame_overhead_;
  RttEstimator rtt_;
  FrameSizer sizer_;
  std::uint64_t una_ = 0, next_ = 0, serial_ = 0, retransmissions_ = 0;
  std::uint64_t highest_acked_serial_ = 0;
  std::deque<InFlight> frames_;  // frames_[i] has sequence number una_ + i
  std::set<std::uint64_t> lost_;  // sequence numbers waiting for retransmission
  bool exhausted_ = false;
  std::optional<Timestamp> armed_at_;
  std::optional<Timestamp> last_heard_;  // the last acknowledgement (new or not) from the peer
};

// How a DATA frame fitted into the receive window.
enum class Arrival { in_order, buffered, duplicate, beyond_window };

// The receiving half of selective repeat: reorders, suppresses duplicates,
// and produces cumulative ACK and SACK ranges.
class ArqReceiver {
 public:
  // A receiver buffering at most `window` frames.
  explicit ArqReceiver(std::size_t window) : window_(window) {}

  // Takes a DATA frame; appends the payloads now deliverable in order to `deliver`.
  Arrival on_data(std::uint16_t wire_seq, Bytes payload, std::vector<Bytes>& deliver);
  // The cumulative acknowledgement (lowest sequence number not received), 16 bits.
  std::uint16_t cumulative() const noexcept { return static_cast<std::uint16_t>(next_); }
  // Whether frames above a gap are buffered.
  bool has_gap() const noexcept { return !buffered_.empty(); }
  // Up to kMaxSackRanges ranges of buffered frames; when there are more, the
  // highest range is kept in place of the last one.
  std::vector<SackRange> sack() const;

 private:
  std::size_t window_;
  std::uint64_t next_ = 0;
  std::map<std::uint64_t, Bytes> buffered_;
};

}  // namespace kskline::proto
