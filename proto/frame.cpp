#include "proto/frame.hpp"

#include <bit>
#include <stdexcept>

#include "proto/crc32c.hpp"
#include "proto/seven_bit.hpp"

namespace kskline::proto {
namespace {

constexpr std::size_t kLengthOffset = 6;

std::uint32_t check_of(ByteView body, std::uint32_t tag) {
  Crc32c c;
  std::uint8_t t[4] = {static_cast<std::uint8_t>(tag >> 24), static_cast<std::uint8_t>(tag >> 16),
                       static_cast<std::uint8_t>(tag >> 8), static_cast<std::uint8_t>(tag)};
  c.update(ByteView(t, 4));
  c.update(body);
  return c.value();
}

}  // namespace

EscapeSet::EscapeSet() noexcept {
  add(kDelimiter);
  add(kEscape);
}

EscapeSet EscapeSet::with_xonxoff() noexcept {
  EscapeSet s;
  for (std::uint8_t v : {0x11, 0x13, 0x91, 0x93}) s.add(v);
  return s;
}

EscapeSet EscapeSet::from_bitmap(ByteView bitmap32) noexcept {
  EscapeSet s;
  for (std::size_t i = 0; i < 32 && i < bitmap32.size(); ++i) s.bits_[i] |= bitmap32[i];
  return s;
}

EscapeSet EscapeSet::operator|(const EscapeSet& o) const noexcept {
  EscapeSet s = *this;
  for (std::size_t i = 0; i < 32; ++i) s.bits_[i] |= o.bits_[i];
  return s;
}

std::size_t EscapeSet::size() const noexcept {
  std::size_t n = 0;
  for (auto b : bits_) n += static_cast<std::size_t>(std::popcount(b));
  return n;
}

void append_logical(const Frame& f, std::uint32_t tag, Bytes& out) {
  if (f.payload.size() > kMaxPayloadLimit) throw std::logic_error("frame payload over the limit");
  std::size_t start = out.size();
  out.push_back(static_cast<std::uint8_t>((kFrameVersion << 4) | static_cast<std::uint8_t>(f.type)));
  out.push_back(f.flags);
  put_u16(out, f.seq);
  put_u16(out, f.ack);
  put_u16(out, static_cast<std::uint16_t>(f.payload.size()));
  out.insert(out.end(), f.payload.begin(), f.payload.end());
  put_u32(out, check_of(ByteView(out).subspan(start), is_unbound(f.type) ? 0 : tag));
}

Bytes encode_frame(const Frame& f, Encoding enc, const EscapeSet& escapes, std::uint32_t tag) {
  Bytes logical;
  logical.reserve(kHeaderSize + f.payload.size() + kCheckSize);
  append_logical(f, tag, logical);
  Bytes wire;
  if (enc == Encoding::seven_bit) {
    wire.reserve(seven_bit::encoded_size(logical.size()) + 2);
    wire.push_back(kTextStart);
    seven_bit::encode(logical, wire);
    wire.push_back(kTextEnd);
    return wire;
  }
  wire.reserve(logical.size() + logical.size() / 64 + 2);
  wire.push_back(kDelimiter);
  for (auto b : logical) {
    if (escapes.contains(b)) {
      wire.push_back(kEscape);
      wire.push_back(static_cast<std::uint8_t>(b ^ 0x20));
    } else {
      wire.push_back(b);
    }
  }
  wire.push_back(kDelimiter);
  return wire;
}

std::size_t encoded_frame_size(std::size_t payload, Encoding enc) noexcept {
  std::size_t logical = kHeaderSize + payload + kCheckSize;
  if (enc == Encoding::seven_bit) return seven_bit::encoded_size(logical) + 2;
  return logical + 2;
}

std::optional<Frame> open_frame(ByteView logical, std::optional<std::uint32_t> session_tag) {
  if (logical.size() < kHeaderSize + kCheckSize) return std::nullopt;
  if ((logical[0] >> 4) != kFrameVersion) return std::nullopt;
  std::size_t length = get_u16(logical.data() + kLengthOffset);
  if (length != logical.size() - kHeaderSize - kCheckSize) return std::nullopt;
  auto type_value = static_cast<std::uint8_t>(logical[0] & 0x0F);
  if (type_value < 1 || type_value > 7) return std::nullopt;
  auto type = static_cast<FrameType>(type_value);
  ByteView body = logical.first(logical.size() - kCheckSize);
  std::uint32_t check = get_u32(logical.data() + body.size());
  bool ok = false;
  if (is_unbound(type)) {
    ok = check_of(body, 0) == check;
  } else if (session_tag) {
    ok = check_of(body, *session_tag) == check;
  }
  if (!ok) return std::nullopt;
  Frame f;
  f.type = type;
  f.flags = logical[1];
  f.seq = get_u16(logical.data() + 2);
  f.ack = get_u16(logical.data() + 4);
  f.payload.assign(logical.begin() + kHeaderSize, logical.begin() + static_cast<std::ptrdiff_t>(body.size()));
  return f;
}

FrameDecoder::FrameDecoder(std::size_t max_payload, EscapeSet escapes)
    : max_payload_(max_payload > kMaxPayloadLimit ? kMaxPayloadLimit : max_payload), escapes_(escapes) {}

void FrameDecoder::reset() { start(State::hunt); }

void FrameDecoder::start(State s) {
  state_ = s;
  escaped_ = false;
  buf_.clear();
  text_.reset();
}

void FrameDecoder::abandon(bool oversize) {
  ++stats_.dropped;
  if (oversize) ++stats_.oversized;
  start(State::hunt);
}

// Checks what the header can tell once it is complete: version and length.
bool FrameDecoder::header_ok() {
  if (buf_.size() < kHeaderSize) return buf_.size() <= kHeaderSize;
  if ((buf_[0] >> 4) != kFrameVersion) return false;
  std::size_t length = get_u16(buf_.data() + kLengthOffset);
  return length <= max_payload_ && buf_.size() <= kHeaderSize + length + kCheckSize;
}

void FrameDecoder::finish(std::vector<RawFrame>& out) {
  Encoding enc = state_ == State::text ? Encoding::seven_bit : Encoding::binary;
  if (buf_.size() >= kHeaderSize + kCheckSize) {
    ++stats_.frames;
    out.push_back(RawFrame{std::move(buf_), enc});
  } else if (!buf_.empty()) {
    ++stats_.dropped;
  }
  buf_ = Bytes();
  escaped_ = false;
  text_.reset();
}

void FrameDecoder::on_binary(std::uint8_t b, std::vector<RawFrame>& out) {
  if (b == kDelimiter) {
    if (escaped_) {  // 7D 7E: abort
      abandon(false);
      state_ = State::binary;  // this 7E opens the next frame
      return;
    }
    if (buf_.empty()) return;  // an opening delimiter
    finish(out);
    state_ = State::binary;  // a following ':' switches to text (see feed)
    return;
  }
  if (b == kTextStart || b == (kTextStart | 0x80)) {
    if (buf_.empty() && !escaped_) {
      start(State::text);
      return;
    }
  }
  if (b == kEscape && !escaped_) {
    escaped_ = true;
    return;
  }
  if (!escaped_ && escapes_.contains(b)) return;  // inserted by equipment
  if (escaped_) {
    b = static_cast<std::uint8_t>(b ^ 0x20);
    escaped_ = false;
  }
  buf_.push_back(b);
  if (!header_ok()) {
    bool oversize = buf_.size() >= kHeaderSize && (buf_[0] >> 4) == kFrameVersion;
    abandon(oversize);
  }
}

void FrameDecoder::on_text(std::uint8_t raw, std::vector<RawFrame>& out) {
  if (raw == kDelimiter) {  // a binary frame starts; the text frame was cut
    abandon(false);
    state_ = State::binary;
    return;
  }
  auto c = static_cast<std::uint8_t>(raw & 0x7F);
  if (c == kTextStart) {
    if (!buf_.empty()) ++stats_.dropped;
    start(State::text);
    return;
  }
  if (c == kTextEnd || c == '\n') {
    if (!text_.finish(buf_)) {
      abandon(false);
      return;
    }
    if (!header_ok()) {
      abandon(true);
      return;
    }
    finish(out);
    state_ = State::hunt;
    return;
  }
  if (c == 0x00 || c == 0x11 || c == 0x13 || c == ' ') return;
  auto digit = seven_bit::digit_of(c);
  if (!digit || !text_.push(*digit, buf_) || !header_ok()) {
    bool oversize = digit && buf_.size() >= kHeaderSize && (buf_[0] >> 4) == kFrameVersion;
    abandon(oversize);
  }
}

void FrameDecoder::feed(ByteView in, std::vector<RawFrame>& out) {
  for (auto b : in) {
    switch (state_) {
      case State::hunt:
        if (b == kDelimiter) {
          start(State::binary);
        } else if ((b & 0x7F) == kTextStart) {
          start(State::text);
        } else {
          ++stats_.garbage;
        }
        break;
      case State::binary:
        on_binary(b, out);
        break;
      case State::text:
        on_text(b, out);
        break;
    }
  }
}

}  // namespace kskline::proto
