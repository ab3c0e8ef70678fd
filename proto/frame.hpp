// Link frames: the logical layout, the binary and 7-bit wire encodings, and a
// streaming decoder that resynchronises after any corruption
// (docs/protocol.md §1).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/bytes.hpp"
#include "proto/seven_bit.hpp"

namespace kskline::proto {

// Frame types (low nibble of the first header byte).
enum class FrameType : std::uint8_t {
  hello = 1,      // unbound, 7-bit: handshake
  refuse = 2,     // unbound, 7-bit: the sender stops, with a reason
  probe = 3,      // bound, binary: every byte value crosses intact?
  probe_ack = 4,  // bound, 7-bit: yes, the probe arrived intact
  data = 5,       // bound: one reliable record
  ack = 6,        // bound: cumulative ACK plus SACK ranges
  close = 7,      // bound: the sender leaves on purpose
};

// Whether a frame type uses the zero tag (HELLO, REFUSE) rather than the session tag.
constexpr bool is_unbound(FrameType t) noexcept { return t == FrameType::hello || t == FrameType::refuse; }

// Flag bit of ACK frames: answer with an ACK at once (keepalive).
inline constexpr std::uint8_t kFlagPing = 0x01;

// The frame format version in the high nibble of the first header byte.
inline constexpr std::uint8_t kFrameVersion = 1;
// Header size before the payload.
inline constexpr std::size_t kHeaderSize = 8;
// Check (CRC-32C) size after the payload.
inline constexpr std::size_t kCheckSize = 4;
// The largest payload any frame may carry (the negotiated limit is lower).
inline constexpr std::size_t kMaxPayloadLimit = 16384;

// Binary encoding: the frame delimiter.
inline constexpr std::uint8_t kDelimiter = 0x7E;
// Binary encoding: the escape byte; the escaped byte follows XOR 0x20.
inline constexpr std::uint8_t kEscape = 0x7D;
// 7-bit encoding: the character that starts a frame.
inline constexpr std::uint8_t kTextStart = ':';
// 7-bit encoding: the character that ends a frame.
inline constexpr std::uint8_t kTextEnd = '\r';

// The two wire encodings.
enum class Encoding : std::uint8_t { binary, seven_bit };

// A frame as the session sees it, before encoding / after decoding.
struct Frame {
  FrameType type = FrameType::data;
  std::uint8_t flags = 0;
  std::uint16_t seq = 0;
  std::uint16_t ack = 0;
  Bytes payload;
};

// The set of byte values the binary encoding never sends raw. Always holds
// the delimiter and the escape byte.
class EscapeSet {
 public:
  // The minimal set: 0x7D and 0x7E.
  EscapeSet() noexcept;
  // The minimal set plus XON/XOFF and their high-bit forms (0x11 0x13 0x91 0x93).
  static EscapeSet with_xonxoff() noexcept;
  // Builds a set from its 32-byte wire bitmap (value v is bit v%8 of byte
  // v/8); 0x7D and 0x7E are always added.
  static EscapeSet from_bitmap(ByteView bitmap32) noexcept;

  // Whether value v is escaped.
  bool contains(std::uint8_t v) const noexcept { return (bits_[v >> 3] >> (v & 7)) & 1u; }
  // Adds a value.
  void add(std::uint8_t v) noexcept { bits_[v >> 3] = static_cast<std::uint8_t>(bits_[v >> 3] | (1u << (v & 7))); }
  // Returns the union of two sets.
  EscapeSet operator|(const EscapeSet& o) const noexcept;
  // The 32-byte wire bitmap.
  const std::array<std::uint8_t, 32>& bitmap() const noexcept { return bits_; }
  // Number of values in the set.
  std::size_t size() const noexcept;
  bool operator==(const EscapeSet&) const = default;

 private:
  std::array<std::uint8_t, 32> bits_{};
};

// Appends the logical frame (header, payload, check over tag || header ||
// payload) to out; unbound types (HELLO, REFUSE) always use the zero tag, as
// open_frame expects. The payload must not exceed kMaxPayloadLimit (programmer
// error otherwise).
void append_logical(const Frame& f, std::uint32_t tag, Bytes& out);

// Encodes a frame for the wire: 7E escaped(logical) 7E in binary, or
// ':' base85(logical) CR in 7-bit.
Bytes encode_frame(const Frame& f, Encoding enc, const EscapeSet& escapes, std::uint32_t tag);

// Returns the number of wire bytes an encoded frame of this payload size
// takes in 7-bit (exact) or binary (without escapes, which add 1 byte each).
std::size_t encoded_frame_size(std::size_t payload, Encoding enc) noexcept;

// Parses and checks a logical frame (as the decoder hands them out). Returns
// the frame if the check matches with `session_tag` (bound frames, when a
// tag is given) or with the zero tag (unbound types only); nullopt otherwise.
std::optional<Frame> open_frame(ByteView logical, std::optional<std::uint32_t> session_tag);

// A logical frame cut out of the byte stream; the check is not yet verified.
struct RawFrame {
  Bytes logical;
  Encoding encoding = Encoding::binary;
};

// Counters of what the decoder threw away.
struct DecoderStats {
  std::uint64_t frames = 0;       // logical frames handed out
  std::uint64_t garbage = 0;      // bytes outside any frame
  std::uint64_t dropped = 0;      // frames abandoned (bad character, abort, bad size)
  std::uint64_t oversized = 0;    // frames refused because of their length
};

// A streaming decoder of both encodings at once. Bytes may be fed in any
// pieces; a frame is cut at its end delimiter and handed out as a RawFrame.
// Memory is bounded: a frame longer than the maximum is dropped as soon as
// its header (length field) or its size shows it, and the decoder hunts for
// the next frame start.
class FrameDecoder {
 public:
  // A decoder for frames with at most max_payload payload bytes
  // (<= kMaxPayloadLimit) and the given escape set (raw escape-set bytes
  // other than 7D/7E inside binary frames are discarded).
  explicit FrameDecoder(std::size_t max_payload = kMaxPayloadLimit, EscapeSet escapes = {});

  // Feeds bytes; appends every completed logical frame to out.
  void feed(ByteView in, std::vector<RawFrame>& out);
  // Changes the escape set used to discard inserted bytes.
  void set_escapes(const EscapeSet& escapes) { escapes_ = escapes; }
  // Forgets any partial frame.
  void reset();
  // What was discarded so far.
  const DecoderStats& stats() const noexcept { return stats_; }

 private:
  enum class State { hunt, binary, text };
  void start(State s);
  void abandon(bool oversize);
  bool header_ok();
  void finish(std::vector<RawFrame>& out);
  void on_binary(std::uint8_t b, std::vector<RawFrame>& out);
  void on_text(std::uint8_t b, std::vector<RawFrame>& out);

  std::size_t max_payload_;
  EscapeSet escapes_;
  State state_ = State::hunt;
  bool escaped_ = false;
  Bytes buf_;
  seven_bit::StreamDecoder text_;
  DecoderStats stats_;
};

}  // namespace kskline::proto
