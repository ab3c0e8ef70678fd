#include "proto/arq.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "proto/record.hpp"

namespace kskline::proto {

std::optional<std::uint64_t> expand_seq(std::uint16_t wire, std::uint64_t expected) noexcept {
  auto diff = static_cast<std::int16_t>(static_cast<std::uint16_t>(wire - static_cast<std::uint16_t>(expected)));
  if (diff < 0 && expected < static_cast<std::uint64_t>(-static_cast<std::int32_t>(diff))) return std::nullopt;
  return expected + static_cast<std::uint64_t>(static_cast<std::int64_t>(diff));
}

Bytes encode_sack(const std::vector<SackRange>& ranges) {
  Bytes out;
  out.reserve(ranges.size() * 4);
  for (const auto& r : ranges) {
    put_u16(out, r.start);
    put_u16(out, r.end);
  }
  return out;
}

std::optional<std::vector<SackRange>> parse_sack(ByteView payload) {
  if (payload.size() % 4 != 0 || payload.size() / 4 > kMaxSackRanges) return std::nullopt;
  std::vector<SackRange> out;
  for (std::size_t i = 0; i < payload.size(); i += 4) {
    out.push_back({get_u16(payload.data() + i), get_u16(payload.data() + i + 2)});
  }
  return out;
}

// --- RttEstimator ---

RttEstimator::RttEstimator(Duration initial, Duration min, Duration max) : min_(min), max_(max), rto_(initial) {}

void RttEstimator::on_sample(Duration rtt) {
  if (rtt < Duration(0)) rtt = Duration(0);
  if (!srtt_) {
    srtt_ = rtt;
    rttvar_ = rtt / 2;
  } else {
    Duration err = *srtt_ > rtt ? *srtt_ - rtt : rtt - *srtt_;
    rttvar_ = (3 * rttvar_ + err) / 4;
    srtt_ = (7 * *srtt_ + rtt) / 8;
  }
  rto_ = std::clamp(*srtt_ + 4 * rttvar_, min_, max_);
}

void RttEstimator::on_timeout() { rto_ = std::min(rto_ * 2, max_); }

// --- FrameSizer ---

FrameSizer::FrameSizer(std::size_t initial, std::size_t max, std::size_t overhead)
    : current_(std::clamp(initial, kMinSize, std::max(max, kMinSize))),
      max_(std::max(max, kMinSize)),
      overhead_(std::max<std::size_t>(overhead, 1)),
      frames_(kPriorFrames),
      octets_(kPriorFrames * static_cast<double>(current_ + overhead_)) {}

double FrameSizer::octet_error_rate() const noexcept {
  // Less than half a loss remembered: below what the estimate can resolve.
  if (lost_ < 0.5 || frames_ <= 0) return 0;
  // A frame of n octets arrives whole with probability (1-p)^n.
  double q = std::min(lost_ / frames_, 0.95);
  return -std::log1p(-q) / (octets_ / frames_);
}

std::size_t FrameSizer::best_size(double p) const noexcept {
  if (p <= 0) return max_;
  // Maximise c/(c+h) * (1-p)^(c+h): c^2 + h*c = h/lambda, lambda = -ln(1-p).
  double h = static_cast<double>(overhead_);
  double lambda = -std::log1p(-std::min(p, 0.5));
  double c = (-h + std::sqrt(h * h + 4 * h / lambda)) / 2;
  if (!(c < static_cast<double>(max_))) return max_;
  return std::max(kMinSize, static_cast<std::size_t>(c));
}

void FrameSizer::observe(std::size_t frame_octets, bool lost) noexcept {
  constexpr double keep = 1 - 1 / kMemoryFrames;
  frames_ = frames_ * keep + 1;
  lost_ = lost_ * keep + (lost ? 1 : 0);
  octets_ = octets_ * keep + static_cast<double>(frame_octets);
  std::size_t best = best_size(octet_error_rate());
  if (best < current_) {
    current_ = best;
    clean_ = 0;
  } else if (best > current_ && clean_ >= kGrowAfter) {
    current_ = std::min(best, current_ * 2);
    clean_ = 0;
  }
}

void FrameSizer::on_acked(std::size_t frame_octets) noexcept {
  ++clean_;
  observe(frame_octets, false);
}

void FrameSizer::on_lost(std::size_t frame_octets) noexcept {
  clean_ = 0;
  observe(frame_octets, true);
}

// --- OutRecord ---

Bytes OutRecord::materialize() const {
  if (!is_chunk()) return control;
  return encode_chunk(static_cast<std::uint32_t>(offset),
                      ByteView(*message).subspan(static_cast<std::size_t>(offset), length));
}

// --- ArqSender ---

ArqSender::ArqSender(const Params& p)
    : window_(std::max<std::size_t>(p.window, 1)),
      max_transmissions_(std::max<std::uint32_t>(p.max_transmissions, 1)),
      frame_overhead_(p.frame_overhead),
      rtt_(p.initial_rto, p.min_rto, p.max_rto),
      sizer_(p.initial_chunk, p.max_chunk, p.frame_overhead + kChunkOverhead) {}

ArqSender::InFlight* ArqSender::find(std::uint64_t seq) noexcept {
  if (seq < una_ || seq >= next_) return nullptr;
  return &frames_[static_cast<std::size_t>(seq - una_)];
}

void ArqSender::arm(Timestamp now) noexcept {
  if (!armed_at_) armed_at_ = now;
}

Outgoing ArqSender::send_new(OutRecord record, Timestamp now) {
  Outgoing out;
  out.seq = next_++;
  out.payload = record.materialize();
  InFlight f;
  f.record = std::move(record);
  f.sent = now;
  f.serial = ++serial_;
  f.transmissions = 1;
  f.octets = out.payload.size() + frame_overhead_;
  frames_.push_back(std::move(f));
  arm(now);
  return out;
}

std::optional<Outgoing> ArqSender::retransmit(Timestamp now) {
  while (!lost_.empty()) {
    std::uint64_t seq = *lost_.begin();
    lost_.erase(lost_.begin());
    InFlight* f = find(seq);
    if (f == nullptr || f->acked || !f->lost) continue;
    if (f->transmissions >= max_transmissions_) {
      exhausted_ = true;
      return std::nullopt;
    }
    Outgoing out;
    out.seq = seq;
    if (f->record.is_chunk() && f->record.length > sizer_.current()) {
      std::size_t keep = sizer_.current();
      out.rest_message = f->record.message;
      out.rest_offset = f->record.offset + keep;
      out.rest_length = f->record.length - keep;
      f->record.length = keep;
    }
    out.payload = f->record.materialize();
    f->octets = out.payload.size() + frame_overhead_;
    f->lost = false;
    f->sent = now;
    f->serial = ++serial_;
    ++f->transmissions;
    ++retransmissions_;
    arm(now);
    return out;
  }
  return std::nullopt;
}

void ArqSender::mark_lost(std::uint64_t seq, InFlight& f, std::optional<Timestamp> heard) {
  f.lost = true;
  lost_.insert(seq);
  // The frame size follows noise, not silence: only a frame lost while the
  // peer was heard from says something about the line's error rate; one
  // lost while nothing came back (a cable pulled, a peer gone) does not.
  if (heard && *heard > f.sent) sizer_.on_lost(f.octets);
}

AckResult ArqSender::on_ack(std::uint16_t cumulative, const std::vector<SackRange>& sacks, Timestamp now) {
  AckResult r;
  std::optional<Timestamp> heard = std::exchange(last_heard_, now);  // before this acknowledgement
  std::optional<Timestamp> sample_sent;
  auto take = [&](std::uint64_t seq) {
    InFlight* f = find(seq);
    if (f == nullptr || f->acked) return;
    f->acked = true;
    if (f->lost) {
      f->lost = false;
      lost_.erase(seq);
    }
    ++r.newly_acked;
    sizer_.on_acked(f->octets);
    highest_acked_serial_ = std::max(highest_acked_serial_, f->serial);
    if (f->transmissions == 1 && (!sample_sent || f->sent > *sample_sent)) sample_sent = f->sent;
  };
  auto cum = expand_seq(cumulative, una_);
  if (cum && *cum > una_ && *cum <= next_) {
    for (std::uint64_t s = una_; s < *cum; ++s) take(s);
  }
  for (const auto& range : sacks) {
    auto start = expand_seq(range.start, una_);
    if (!start) continue;
    std::uint16_t count = static_cast<std::uint16_t>(range.end - range.start);
    if (count > window_) continue;
    for (std::uint64_t s = *start; s < *start + count; ++s) take(s);
  }
  // Release the acknowledged prefix.
  while (!frames_.empty() && frames_.front().acked) {
    frames_.pop_front();
    ++una_;
  }
  if (sample_sent) rtt_.on_sample(now - *sample_sent);
  // Anything transmitted before an acknowledged transmission is lost: the line keeps order.
  for (std::size_t i = 0; i < frames_.size(); ++i) {
    InFlight& f = frames_[i];
    if (!f.acked && !f.lost && f.serial < highest_acked_serial_) {
      mark_lost(una_ + i, f, heard);
      ++r.newly_lost;
    }
  }
  if (r.newly_acked > 0) {
    armed_at_.reset();
    bool outstanding = std::any_of(frames_.begin(), frames_.end(), [](const InFlight& f) { return !f.acked && !f.lost; });
    if (outstanding) armed_at_ = now;
  }
  return r;
}

std::optional<Timestamp> ArqSender::deadline() const noexcept {
  if (!armed_at_) return std::nullopt;
  return *armed_at_ + rtt_.rto();
}

void ArqSender::on_timer(Timestamp now) {
  auto due = deadline();
  if (!due || now < *due) return;
  armed_at_.reset();
  for (std::size_t i = 0; i < frames_.size(); ++i) {
    InFlight& f = frames_[i];
    if (!f.acked && !f.lost) {
      mark_lost(una_ + i, f, last_heard_);
      break;
    }
  }
  rtt_.on_timeout();
}

// --- ArqReceiver ---

Arrival ArqReceiver::on_data(std::uint16_t wire_seq, Bytes payload, std::vector<Bytes>& deliver) {
  auto seq = expand_seq(wire_seq, next_);
  if (!seq || *seq < next_) return Arrival::duplicate;
  if (*seq >= next_ + window_) return Arrival::beyond_window;
  if (*seq > next_) {
    if (buffered_.count(*seq) != 0) return Arrival::duplicate;
    buffered_.emplace(*seq, std::move(payload));
    return Arrival::buffered;
  }
  deliver.push_back(std::move(payload));
  ++next_;
  for (auto it = buffered_.begin(); it != buffered_.end() && it->first == next_; it = buffered_.erase(it)) {
    deliver.push_back(std::move(it->second));
    ++next_;
  }
  return Arrival::in_order;
}

std::vector<SackRange> ArqReceiver::sack() const {
  std::vector<SackRange> out;
  std::uint64_t start = 0, end = 0;
  bool open = false;
  auto emit = [&] {
    SackRange r{static_cast<std::uint16_t>(start), static_cast<std::uint16_t>(end)};
    if (out.size() < kMaxSackRanges) {
      out.push_back(r);
    } else {
      out.back() = r;  // keep the highest range: it tells what was lost below it
    }
  };
  for (const auto& [seq, payload] : buffered_) {
    if (open && seq == end) {
      ++end;
      continue;
    }
    if (open) emit();
    start = seq;
    end = seq + 1;
    open = true;
  }
  if (open) emit();
  return out;
}

}  // namespace kskline::proto
