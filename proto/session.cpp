#include "proto/session.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "base/encoding.hpp"
#include "proto/errc.hpp"
#include "proto/wire_error.hpp"

namespace kskline::proto {
namespace {

constexpr Duration kSecond{1'000'000};
constexpr Duration kMinRto{200'000};
constexpr Duration kMaxRto{60'000'000};
constexpr int kMaxCorruptAttempts = 3;
constexpr std::size_t kMaxProbeAcksQueued = 4;
constexpr std::size_t kRefuseTextMax = 200;
constexpr std::size_t kMaxControlQueued = 256;  // answers to the peer's records not yet sent

// REFUSE reasons (docs/protocol.md §1.1).
constexpr std::uint8_t kRefuseVersion = 1;
constexpr std::uint8_t kRefuseAuth = 2;
constexpr std::uint8_t kRefuseProtocol = 3;

std::string seconds_text(Duration d) {
  auto ms = d.count() / 1000;
  return std::to_string(ms / 1000) + (ms % 1000 ? "." + std::to_string(ms % 1000 / 100) : "") + " s";
}

Bytes probe_payload() {
  Bytes p(256);
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = static_cast<std::uint8_t>(i);
  return p;
}

Error make_error(errc code, std::string detail) { return Error{make_error_code(code), {}, std::move(detail)}; }

}  // namespace

Result<void> EngineConfig::validate() const {
  auto bad = [](std::string what) { return fail(errc::invalid_argument, std::move(what)); };
  if (max_frame < kMinFramePayload || max_frame > kMaxPayloadLimit) return bad("max_frame must be 256..16384");
  if (window < kMinWindow || window > kMaxWindow) return bad("window must be 32..1024");
  if (max_message < kEnvelopeHeaderSize + kDigestSize || max_message > 0xFFFFFFFFull) {
    return bad("max_message must be 104 bytes..4 GiB");
  }
  if (block_size < 256 || block_size > (1u << 24)) return bad("block_size must be 256..16 MiB");
  if (hello_interval <= Duration(0) || keepalive <= Duration(0) || idle_timeout <= Duration(0)) {
    return bad("hello_interval, keepalive and idle_timeout must be positive");
  }
  if (hello_wait && *hello_wait <= Duration(0)) return bad("hello_wait must be positive");
  if (max_transmissions < 2) return bad("max_transmissions must be at least 2");
  if (auth == AuthPolicy::required && pinned.empty()) return bad("auth required, but no peer key is pinned");
  return {};
}

Engine::Engine(EngineConfig config, Random& random, Timestamp now, PartialStore* store)
    : config_(std::move(config)),
      random_(random),
      own_store_(store == nullptr ? std::make_unique<MemoryPartialStore>() : nullptr),
      store_(store == nullptr ? *own_store_ : *store),
      now_(now),
      decoder_(config_.max_frame) {
  if (auto ok = config_.validate(); !ok) throw std::invalid_argument(ok.error().message());
  own_escapes_ = (config_.escape_xonxoff ? EscapeSet::with_xonxoff() : EscapeSet()) | config_.extra_escapes;
  decoder_.set_escapes(own_escapes_);
  start_attempt();
}

Engine::~Engine() = default;

Duration Engine::frame_time(std::size_t bytes) const {
  if (config_.line_rate == 0) return Duration(0);
  return Duration(static_cast<std::int64_t>(bytes) * 1'000'000 / config_.line_rate);
}

void Engine::reset_link_state() {
  peer_hello_.reset();
  peer_offer_.clear();
  tag_.reset();
  negotiated_.reset();
  confirmed_ = false;
  hello_reply_due_ = false;
  tx_encoding_ = Encoding::seven_bit;
  probing_ = false;
  probe_attempt_ = 0;
  probe_acks_due_.clear();
  tx_.reset();
  rx_.reset();
  ack_due_ = false;
  ping_due_ = false;
  bind_sent_ = false;
  peer_records_seen_ = false;
  peer_bound_ = false;
  connected_reported_ = false;
  control_.clear();
  sending_ = Sending{};
  incoming_.reset();
  decoder_.reset();
  decoder_.set_escapes(own_escapes_);
}

void Engine::start_attempt() {
  reset_link_state();
  phase_ = Phase::handshake;
  Hello h;
  random_.fill(h.nonce);
  h.capabilities = static_cast<std::uint16_t>((config_.allow_binary ? kCapBinary : 0) |
                                              (config_.signs_messages ? kCapSigns : 0));
  h.auth_policy = config_.auth;
  h.max_frame = config_.max_frame;
  h.window = config_.window;
  h.max_message = config_.max_message;
  h.escapes = own_escapes_;
  if (config_.identity != nullptr) h.identity = config_.identity->public_key();
  our_hello_ = h;
  Bytes encoded = encode_hello(h);
  our_offer_.assign(encoded.begin() + kOfferOffset, encoded.end());
  attempt_started_ = now_;
  next_hello_at_ = now_;
}

// --- input ---

void Engine::handle_bytes(std::span<const std::uint8_t> in, Timestamp now) {
  now_ = std::max(now_, now);
  stats_.bytes_received += in.size();
  if (phase_ == Phase::closed && !refuse_frame_) return;
  std::vector<RawFrame> raws;
  decoder_.feed(in, raws);
  for (const auto& raw : raws) {
    auto f = open_frame(raw.logical, tag_);
    if (!f) {
      ++stats_.frames_bad;
      continue;
    }
    ++stats_.frames_received;
    on_frame(*f);
  }
}

void Engine::on_frame(const Frame& f) {
  if (phase_ == Phase::closed) {
    if (f.type == FrameType::hello && refuse_frame_) refuse_due_ = true;
    return;
  }
  if (f.type == FrameType::hello) {
    on_hello(f.payload);
    return;
  }
  if (f.type == FrameType::refuse) {
    std::string text(f.payload.begin() + (f.payload.empty() ? 0 : 1), f.payload.end());
    close_with(make_error(errc::peer_refused, "the peer refused the session: " + text));
    return;
  }
  // A bound frame that checked with the session tag.
  if (phase_ == Phase::handshake) {
    if (!negotiated_) return;
    confirmed_ = true;  // the peer knows both nonces
    establish();
    if (phase_ != Phase::established) return;
  }
  last_rx_ = now_;
  switch (f.type) {
    case FrameType::probe:
      if (f.payload == probe_payload() && probe_acks_due_.size() < kMaxProbeAcksQueued) {
        probe_acks_due_.push_back(f.seq);
      }
      break;
    case FrameType::probe_ack:
      if (probing_) {
        probing_ = false;
        tx_encoding_ = Encoding::binary;
      }
      break;
    case FrameType::data:
      on_data(f);
      break;
    case FrameType::ack:
      on_ack(f);
      break;
    case FrameType::close:
      events_.push_back(event::PeerClosed{});
      if (config_.reconnect) {
        start_attempt();
      } else {
        close_with(make_error(errc::closed, "the peer closed the link"));
      }
      break;
    default:
      break;
  }
}

void Engine::on_hello(ByteView payload) {
  auto h = parse_hello(payload);
  if (!h) return;
  if (phase_ == Phase::established) {
    if (h->nonce == peer_hello_->nonce) {
      if (!(h->echo == our_hello_.nonce && h->confirmed)) hello_reply_due_ = true;
      return;
    }
    events_.push_back(event::PeerRestarted{});
    start_attempt();
  }
  auto n = negotiate(our_hello_, *h);
  if (!n) {
    refuse(kRefuseVersion, n.error());
    return;
  }
  if (config_.auth == AuthPolicy::required) {
    if (!h->identity) {
      refuse(kRefuseAuth, make_error(errc::auth_unsigned, "the peer has no link identity, and authentication is required"));
      return;
    }
    if (!config_.pinned.contains(*h->identity)) {
      refuse(kRefuseAuth, make_error(errc::auth_unknown_key,
                                     "the peer's link identity " + base::to_hex(*h->identity) + " is not pinned"));
      return;
    }
  }
  peer_hello_ = *h;
  peer_offer_.assign(payload.begin() + kOfferOffset, payload.end());
  negotiated_ = *n;
  tag_ = session_tag(our_hello_.nonce, h->nonce);
  decoder_.set_escapes(n->escapes);
  if (h->echo == our_hello_.nonce) confirmed_ = true;
  if (!(h->echo == our_hello_.nonce && h->confirmed)) hello_reply_due_ = true;
  if (confirmed_) establish();
}

void Engine::establish() {
  phase_ = Phase::established;
  ++stats_.sessions;
  const Negotiated& n = *negotiated_;
  std::size_t max_wire = encoded_frame_size(n.max_frame, Encoding::seven_bit);
  ArqSender::Params p;
  p.window = n.window;
  p.max_transmissions = config_.max_transmissions;
  p.min_rto = kMinRto + frame_time(max_wire);
  p.initial_rto = kSecond + 2 * frame_time(max_wire);
  p.max_rto = std::max(kMaxRto, 2 * p.initial_rto);
  p.max_chunk = n.max_frame - kChunkOverhead;
  p.initial_chunk = std::min<std::size_t>(1024, p.max_chunk);
  tx_.emplace(p);
  rx_.emplace(n.window);
  probing_ = n.binary_allowed;
  probe_attempt_ = 0;
  next_probe_at_ = now_;
  tx_encoding_ = Encoding::seven_bit;
  last_rx_ = now_;
  last_tx_ = now_;
  maybe_connected();
}

void Engine::maybe_connected() {
  if (connected_reported_ || phase_ != Phase::established) return;
  bool bind_pending = config_.auth != AuthPolicy::off && peer_hello_->identity && !peer_records_seen_;
  if (bind_pending) return;
  connected_reported_ = true;
  event::Connected c;
  c.version = negotiated_->version;
  c.binary_allowed = negotiated_->binary_allowed;
  c.max_frame = negotiated_->max_frame;
  c.window = negotiated_->window;
  c.peer_identity = peer_hello_->identity;
  c.peer_authenticated = peer_bound_;
  events_.push_back(c);
}

void Engine::on_data(const Frame& f) {
  std::vector<Bytes> deliver;
  rx_->on_data(f.seq, f.payload, deliver);
  ack_due_ = true;
  tx_->on_ack(f.ack, {}, now_);
  std::uint64_t generation = stats_.sessions;
  for (const auto& payload : deliver) {
    on_record(payload);
    if (phase_ != Phase::established || stats_.sessions != generation) break;
  }
}

void Engine::on_ack(const Frame& f) {
  auto sacks = parse_sack(f.payload);
  if (!sacks) return;
  tx_->on_ack(f.ack, *sacks, now_);
  if (f.flags & kFlagPing) ack_due_ = true;
}

void Engine::on_record(ByteView payload) {
  auto r = parse_record(payload);
  if (!r) {
    refuse(kRefuseProtocol, make_error(errc::protocol_violation, "malformed record: " + r.error().message()));
    return;
  }
  bool first = !peer_records_seen_;
  peer_records_seen_ = true;
  bool is_bind = std::holds_alternative<BindRecord>(*r);
  if (config_.auth != AuthPolicy::off) {
    if (peer_hello_->identity && first && !is_bind) {
      refuse(kRefuseAuth, make_error(errc::auth_downgrade, "the peer announced a link identity but did not bind the session"));
      return;
    }
    if (is_bind && !peer_hello_->identity) {
      refuse(kRefuseAuth, make_error(errc::auth_downgrade, "session binding from a peer whose HELLO had no identity"));
      return;
    }
  }
  if (is_bind && !first) {
    refuse(kRefuseProtocol, make_error(errc::protocol_violation, "BIND after other records"));
    return;
  }
  std::visit(
      [this](const auto& rec) {
        using T = std::decay_t<decltype(rec)>;
        if constexpr (std::is_same_v<T, BindRecord>) on_bind(rec);
        if constexpr (std::is_same_v<T, OfferRecord>) on_offer(rec);
        if constexpr (std::is_same_v<T, ChunkRecord>) on_chunk(rec);
        if constexpr (std::is_same_v<T, StatusRecord>) on_status(rec);
        if constexpr (std::is_same_v<T, DoneRecord>) on_done(rec);
      },
      *r);
  maybe_connected();
}

void Engine::on_bind(const BindRecord& r) {
  if (config_.auth == AuthPolicy::off) return;
  Bytes transcript = binding_transcript(peer_offer_, our_offer_);
  if (!verify_signature(*peer_hello_->identity, kSessionContext, transcript, r.signature)) {
    refuse(kRefuseAuth, make_error(errc::auth_bad_signature, "the peer's session binding signature does not verify"));
    return;
  }
  peer_bound_ = config_.pinned.contains(*peer_hello_->identity);
}

// --- receiving messages ---

void Engine::on_offer(const OfferRecord& r) {
  incoming_.reset();
  if (store_.completed(r.digest)) {
    queue_control(StatusRecord{r.digest, Disposition::complete, RefuseReason::none, {}});
    return;
  }
  auto reject = [&](RefuseReason reason, Error error) {
    queue_control(StatusRecord{r.digest, Disposition::refused, reason, {}});
    events_.push_back(event::MessageRejected{r.digest, std::move(error)});
  };
  if (r.total > config_.max_message) {
    reject(RefuseReason::too_large, make_error(errc::too_large, "offered message of " + std::to_string(r.total) +
                                                                    " bytes over the limit of " +
                                                                    std::to_string(config_.max_message)));
    return;
  }
  if (auto opened = store_.open(r.digest, r.total); !opened) {
    reject(RefuseReason::cannot_store, opened.error());
    return;
  }
  incoming_ = r;
  auto held = store_.held_blocks(r.digest, r.block_size);
  std::size_t max_ranges = (negotiated_->max_frame - 40) / 8;
  if (held.size() > max_ranges) held.resize(max_ranges);
  queue_control(StatusRecord{r.digest, Disposition::accepting, RefuseReason::none, std::move(held)});
  if (store_.complete(r.digest)) finish_incoming();
}

void Engine::on_chunk(const ChunkRecord& r) {
  if (!incoming_) return;
  stats_.chunk_bytes_received += r.data.size();
  const OfferRecord offer = *incoming_;
  if (!store_.write(offer.digest, r.offset, r.data)) return;  // outside the message: ignored
  if (r.offset == 0 && r.data.size() >= kEnvelopeHeaderSize) {
    auto header = parse_envelope_header(r.data.first(kEnvelopeHeaderSize), config_.max_message);
    std::optional<Error> error;
    if (!header) {
      error = header.error();
    } else if (header->total_size() != offer.total) {
      error = make_error(errc::malformed, "envelope header announces another size than the offer");
    }
    if (error) {
      store_.erase(offer.digest);
      incoming_.reset();
      queue_control(DoneRecord{offer.digest, DoneResult::rejected, to_wire(error->code)});
      events_.push_back(event::MessageRejected{offer.digest, *error});
      return;
    }
  }
  if (store_.complete(offer.digest)) finish_incoming();
}

void Engine::finish_incoming() {
  OfferRecord offer = *incoming_;
  incoming_.reset();
  auto bytes = store_.take(offer.digest);
  if (!bytes) return;
  auto reject = [&](Error error) {
    queue_control(DoneRecord{offer.digest, DoneResult::rejected, to_wire(error.code)});
    events_.push_back(event::MessageRejected{offer.digest, std::move(error)});
  };
  auto env = parse_envelope(*bytes, config_.max_message);
  if ((!env && env.error().code == errc::digest_mismatch) || (env && env->digest != offer.digest)) {
    queue_control(DoneRecord{offer.digest, DoneResult::corrupted, WireError::none});
    return;
  }
  if (!env) {
    reject(env.error());
    return;
  }
  AuthRules rules;
  rules.policy = config_.auth;
  rules.pinned = &config_.pinned;
  rules.sender_signs = peer_bound_ && (peer_hello_->capabilities & kCapSigns);
  auto status = authenticate(*env, rules);
  if (!status) {
    reject(status.error());
    return;
  }
  if (auto marked = store_.mark_completed(offer.digest); !marked) {
    reject(marked.error());
    return;
  }
  ++stats_.messages_received;
  events_.push_back(event::MessageReceived{std::move(*bytes), offer.digest, *status});
  queue_control(DoneRecord{offer.digest, DoneResult::delivered, WireError::none});
}

// --- sending messages ---

Result<Sha256> Engine::send_message(Bytes envelope) {
  if (phase_ == Phase::closed) return fail(errc::closed, "the link engine is closed");
  auto env = parse_envelope(envelope, config_.max_message);
  if (!env) return tl::unexpected(env.error());
  Sha256 digest = env->digest;
  outbox_.push_back(Outbound{std::make_shared<const Bytes>(std::move(envelope)), digest, 0});
  return digest;
}

void Engine::on_status(const StatusRecord& r) {
  if (outbox_.empty() || !sending_.offered || r.digest != outbox_.front().digest) return;
  switch (r.disposition) {
    case Disposition::accepting:
      sending_.skip = r.held;
      break;
    case Disposition::complete:
      message_finished(std::nullopt);
      break;
    case Disposition::refused:
      message_finished(make_error(errc::message_refused, r.reason == RefuseReason::too_large
                                                              ? "the peer refused the message: too large"
                                                              : "the peer refused the message: it cannot store it"));
      break;
  }
}

void Engine::on_done(const DoneRecord& r) {
  if (outbox_.empty() || !sending_.offered || r.digest != outbox_.front().digest) return;
  switch (r.result) {
    case DoneResult::delivered:
      message_finished(std::nullopt);
      break;
    case DoneResult::corrupted:
      if (++outbox_.front().attempts >= kMaxCorruptAttempts) {
        message_finished(make_error(errc::digest_mismatch, "the message arrived corrupted 3 times"));
      } else {
        sending_ = Sending{};  // offer it again from zero
      }
      break;
    case DoneResult::rejected:
      message_finished(rejection_error(r.code));
      break;
  }
}

void Engine::message_finished(std::optional<Error> error) {
  Sha256 digest = outbox_.front().digest;
  outbox_.pop_front();
  sending_ = Sending{};
  if (error) {
    events_.push_back(event::MessageFailed{digest, std::move(*error)});
  } else {
    ++stats_.messages_sent;
    events_.push_back(event::MessageSent{digest});
  }
}

void Engine::queue_control(const Record& r) {
  if (control_.size() >= kMaxControlQueued) {
    refuse(kRefuseProtocol, make_error(errc::protocol_violation, "the peer floods the link with records to answer"));
    return;
  }
  control_.push_back(encode_record(r));
}

std::optional<OutRecord> Engine::next_record() {
  if (config_.identity != nullptr && !bind_sent_) {
    bind_sent_ = true;
    BindRecord b;
    b.signature = config_.identity->sign(kSessionContext, binding_transcript(our_offer_, peer_offer_));
    return OutRecord{encode_record(b), nullptr, 0, 0};
  }
  if (!control_.empty()) {
    OutRecord r{std::move(control_.front()), nullptr, 0, 0};
    control_.pop_front();
    return r;
  }
  while (!outbox_.empty() && !sending_.offered) {
    const Outbound& m = outbox_.front();
    if (m.bytes->size() > negotiated_->peer_max_message) {
      message_finished(make_error(errc::message_refused, "the message is " + std::to_string(m.bytes->size()) +
                                                             " bytes; the peer accepts at most " +
                                                             std::to_string(negotiated_->peer_max_message)));
      continue;
    }
    sending_ = Sending{};
    sending_.offered = true;
    return OutRecord{encode_record(OfferRecord{m.digest, m.bytes->size(), config_.block_size}), nullptr, 0, 0};
  }
  if (outbox_.empty()) return std::nullopt;
  return next_chunk();
}

std::optional<OutRecord> Engine::next_chunk() {
  const Outbound& m = outbox_.front();
  std::size_t size = m.bytes->size();
  std::size_t cs = tx_->chunk_size();
  auto chunk = [&](std::uint64_t offset, std::size_t length) {
    stats_.chunk_bytes_sent += length;
    return OutRecord{{}, m.bytes, offset, length};
  };
  while (!sending_.resend.empty()) {
    auto [offset, length] = sending_.resend.front();
    sending_.resend.pop_front();
    if (length == 0) continue;
    std::size_t take = std::min(length, cs);
    if (take < length) sending_.resend.emplace_front(offset + take, length - take);
    return chunk(offset, take);
  }
  const std::uint64_t bs = config_.block_size;
  while (sending_.cursor < size) {
    std::uint64_t block = sending_.cursor / bs;
    std::uint64_t limit = size;
    bool skipped = false;
    for (const auto& r : sending_.skip) {
      std::uint64_t first = r.first, end = std::uint64_t{r.first} + r.count;
      if (block >= first && block < end) {
        sending_.cursor = std::max(sending_.cursor, end * bs);
        skipped = true;
        break;
      }
      if (first > block) limit = std::min(limit, first * bs);
    }
    if (skipped) continue;
    std::uint64_t end = std::min<std::uint64_t>({limit, sending_.cursor + cs, size});
    std::uint64_t offset = sending_.cursor;
    sending_.cursor = end;
    return chunk(offset, static_cast<std::size_t>(end - offset));
  }
  return std::nullopt;
}

// --- output ---

Bytes Engine::wire(const Frame& f, Encoding enc, bool bound) {
  const EscapeSet& escapes = negotiated_ ? negotiated_->escapes : own_escapes_;
  Bytes out = encode_frame(f, enc, escapes, bound ? *tag_ : 0);
  stats_.bytes_sent += out.size();
  ++stats_.frames_sent;
  last_tx_ = now_;
  return out;
}

Bytes Engine::hello_frame() {
  Hello h = our_hello_;
  if (peer_hello_) h.echo = peer_hello_->nonce;
  h.confirmed = confirmed_;
  Frame f{FrameType::hello, 0, 0, 0, encode_hello(h)};
  return wire(f, Encoding::seven_bit, false);
}

Bytes Engine::ack_frame(bool ping) {
  ack_due_ = false;
  Frame f{FrameType::ack, static_cast<std::uint8_t>(ping ? kFlagPing : 0), 0, rx_->cumulative(), encode_sack(rx_->sack())};
  return wire(f, tx_encoding_, true);
}

std::optional<Bytes> Engine::data_frame() {
  std::optional<Outgoing> out;
  if (tx_->has_retransmission()) {
    out = tx_->retransmit(now_);
    if (!out && tx_->budget_exhausted()) {
      link_lost(make_error(errc::link_lost, "link lost: a frame went unacknowledged after " +
                                                std::to_string(config_.max_transmissions) + " transmissions"));
      return std::nullopt;
    }
    if (out && out->rest_message && !outbox_.empty() && out->rest_message == outbox_.front().bytes &&
        sending_.offered) {
      sending_.resend.emplace_back(out->rest_offset, out->rest_length);
    }
  }
  if (!out && tx_->can_send_new()) {
    auto record = next_record();
    if (record) out = tx_->send_new(std::move(*record), now_);
  }
  if (!out) return std::nullopt;
  ack_due_ = false;
  Frame f{FrameType::data, 0, static_cast<std::uint16_t>(out->seq), rx_->cumulative(), std::move(out->payload)};
  return wire(f, tx_encoding_, true);
}

std::optional<Bytes> Engine::poll_transmit() {
  if (refuse_due_ && refuse_frame_) {
    refuse_due_ = false;
    stats_.bytes_sent += refuse_frame_->size();
    ++stats_.frames_sent;
    return *refuse_frame_;
  }
  if (close_due_) {
    close_due_ = false;
    Frame f{FrameType::close, 0, 0, 0, {}};
    return wire(f, tx_encoding_, true);
  }
  if (phase_ == Phase::closed) return std::nullopt;
  bool hello_timer = phase_ == Phase::handshake && !confirmed_ && now_ >= next_hello_at_;
  if (hello_reply_due_ || hello_timer) {
    hello_reply_due_ = false;
    if (hello_timer) next_hello_at_ = now_ + config_.hello_interval;
    return hello_frame();
  }
  if (phase_ != Phase::established) return std::nullopt;
  if (!probe_acks_due_.empty()) {
    Frame f{FrameType::probe_ack, 0, probe_acks_due_.front(), 0, {}};
    probe_acks_due_.pop_front();
    return wire(f, Encoding::seven_bit, true);
  }
  if (probing_ && now_ >= next_probe_at_) {
    if (probe_attempt_ >= config_.probe_attempts) {
      probing_ = false;  // binary does not cross this way: stay 7-bit
    } else {
      Frame f{FrameType::probe, 0, static_cast<std::uint16_t>(probe_attempt_++), 0, probe_payload()};
      Bytes out = wire(f, Encoding::binary, true);
      next_probe_at_ = now_ + std::max({kSecond, tx_->rtt().rto(), 2 * frame_time(out.size())});
      return out;
    }
  }
  if (ack_due_ && rx_->has_gap()) return ack_frame(false);
  if (!probing_) {
    if (auto d = data_frame()) return d;
    if (phase_ != Phase::established) return std::nullopt;  // link lost
  }
  if (ack_due_) return ack_frame(false);
  if (ping_due_ || now_ - last_tx_ >= config_.keepalive) {
    ping_due_ = false;
    return ack_frame(true);
  }
  return std::nullopt;
}

// --- time ---

Duration Engine::idle_limit() const {
  std::size_t max_wire = encoded_frame_size(negotiated_ ? negotiated_->max_frame : config_.max_frame, Encoding::seven_bit);
  return std::max(config_.idle_timeout, config_.keepalive + 3 * frame_time(max_wire));
}

void Engine::handle_timeout(Timestamp now) {
  now_ = std::max(now_, now);
  if (phase_ == Phase::handshake) {
    if (config_.hello_wait && now_ - attempt_started_ >= *config_.hello_wait) {
      close_with(make_error(errc::handshake_timeout, "no answer from the peer within " +
                                                         seconds_text(*config_.hello_wait)));
    }
    return;
  }
  if (phase_ != Phase::established) return;
  if (now_ - last_rx_ >= idle_limit()) {
    link_lost(make_error(errc::link_lost, "link lost: nothing received from the peer for " + seconds_text(now_ - last_rx_)));
    return;
  }
  tx_->on_timer(now_);
}

std::optional<Timestamp> Engine::poll_timeout() const {
  std::optional<Timestamp> t;
  auto consider = [&](Timestamp candidate, bool only_future) {
    if (only_future && candidate <= now_) return;  // waits for a transmit opportunity, not for time
    if (!t || candidate < *t) t = candidate;
  };
  switch (phase_) {
    case Phase::closed:
      return std::nullopt;
    case Phase::handshake:
      if (!confirmed_) consider(next_hello_at_, true);
      if (config_.hello_wait) consider(attempt_started_ + *config_.hello_wait, false);
      return t;
    case Phase::established:
      consider(last_rx_ + idle_limit(), false);
      if (auto d = tx_->deadline()) consider(*d, false);
      if (probing_) consider(next_probe_at_, true);
      consider(last_tx_ + config_.keepalive, true);
      return t;
  }
  return t;
}

// --- endings ---

void Engine::refuse(std::uint8_t reason, Error error) {
  Bytes payload{reason};
  std::string text = error.message().substr(0, kRefuseTextMax);
  payload.insert(payload.end(), text.begin(), text.end());
  Frame f{FrameType::refuse, 0, 0, 0, std::move(payload)};
  refuse_frame_ = encode_frame(f, Encoding::seven_bit, own_escapes_, 0);
  refuse_due_ = true;
  close_with(std::move(error));
}

void Engine::close_with(Error error) {
  phase_ = Phase::closed;
  events_.push_back(event::Closed{std::move(error)});
}

void Engine::link_lost(Error error) {
  if (!config_.reconnect) {
    close_with(std::move(error));
    return;
  }
  events_.push_back(event::LinkLost{std::move(error)});
  start_attempt();
}

void Engine::close() {
  if (phase_ == Phase::established) close_due_ = true;
  phase_ = Phase::closed;
}

std::optional<Event> Engine::poll_event() {
  if (events_.empty()) return std::nullopt;
  Event e = std::move(events_.front());
  events_.pop_front();
  return e;
}

bool Engine::idle() const noexcept {
  return outbox_.empty() && control_.empty() && !ack_due_ && (!tx_ || tx_->all_acked());
}

EngineStats Engine::stats() const {
  EngineStats s = stats_;
  s.retransmissions = tx_ ? tx_->retransmissions() : 0;
  s.tx_encoding = tx_encoding_;
  s.chunk_size = tx_ ? tx_->chunk_size() : 0;
  if (tx_) {
    s.srtt = tx_->rtt().srtt();
    s.rto = tx_->rtt().rto();
  }
  if (!outbox_.empty()) {
    s.outgoing_size = outbox_.front().bytes->size();
    s.outgoing_position = sending_.cursor;
  }
  if (incoming_) s.incoming_size = incoming_->total;
  return s;
}

}  // namespace kskline::proto
