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
constexpr int kCloseCopies = 3;  // CLOSE is not acknowledged: one lost copy must not leave the peer waiting
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

// The phase changes an engine makes; any other is a programmer error.
constexpr bool transition_allowed(Phase from, Phase to) noexcept {
  switch (from) {
    case Phase::handshake: return to == Phase::established || to == Phase::closed;
    case Phase::established: return to == Phase::handshake || to == Phase::closed;
    case Phase::closed: return false;
  }
  return false;
}

// Whether a timer, once due, waits for poll_transmit() (it sends a frame)
// rather than for handle_timeout(): such a timer is not reported by
// poll_timeout() while it is due, so a busy line never spins the driver.
constexpr bool waits_for_transmit(Timer t) noexcept {
  switch (t) {
    case Timer::hello:
    case Timer::probe:
    case Timer::keepalive:
      return true;
    case Timer::hello_wait:
    case Timer::idle:
    case Timer::rto:
      return false;
  }
  return false;
}

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
      decoder_(config_.max_frame),
      state_(std::in_place_type<Closed>) {
  if (auto ok = config_.validate(); !ok) throw std::invalid_argument(ok.error().message());
  own_escapes_ = (config_.escape_xonxoff ? EscapeSet::with_xonxoff() : EscapeSet()) | config_.extra_escapes;
  state_ = new_attempt();  // the first attempt: no transition to trace
}

Engine::~Engine() = default;

Duration Engine::frame_time(std::size_t bytes) const {
  if (config_.line_rate == 0) return Duration(0);
  return Duration(static_cast<std::int64_t>(bytes) * 1'000'000 / config_.line_rate);
}

// --- state ---

Engine::Handshaking Engine::new_attempt() {
  decoder_.reset();
  decoder_.set_escapes(own_escapes_);
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
  Handshaking attempt;
  attempt.started = now_;
  attempt.next_hello_at = now_;
  return attempt;
}

void Engine::enter(State next) {
  Phase from = phase();
  Phase to = static_cast<Phase>(next.index());
  if (!transition_allowed(from, to)) {
    throw std::logic_error("link engine: no transition from " + std::string(phase_name(from)) + " to " +
                           std::string(phase_name(to)));
  }
  state_ = std::move(next);
  handled_ = {};
  log(trace::StateChanged{from, to});
}

void Engine::log(Traced what) const {
  if (config_.log) config_.log(LogEvent{now_, what});
}

std::optional<std::uint32_t> Engine::session_tag() const {
  if (const auto* h = std::get_if<Handshaking>(&state_); h && h->peer) return h->peer->tag;
  if (const auto* s = established()) return s->peer.tag;
  return std::nullopt;
}

// --- input ---

void Engine::handle_bytes(std::span<const std::uint8_t> in, Timestamp now) {
  now_ = std::max(now_, now);
  stats_.bytes_received += in.size();
  if (const auto* c = std::get_if<Closed>(&state_); c && !c->refuse_frame) return;
  std::vector<RawFrame> raws;
  decoder_.feed(in, raws);
  for (const auto& raw : raws) {
    auto f = open_frame(raw.logical, session_tag());
    if (!f) {
      ++stats_.frames_bad;
      continue;
    }
    ++stats_.frames_received;
    on_frame(*f);
  }
}

void Engine::on_frame(const Frame& f) {
  if (auto* c = std::get_if<Closed>(&state_)) {
    if (f.type == FrameType::hello && c->refuse_frame) c->refuse_due = true;
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
  // A bound frame that checked with the session tag: in a handshake, the
  // peer knows both nonces, which confirms the session.
  if (std::holds_alternative<Handshaking>(state_)) establish();
  Established& s = std::get<Established>(state_);
  s.last_rx = now_;
  switch (f.type) {
    case FrameType::probe:
      if (f.payload == probe_payload() && s.probe_acks_due.size() < kMaxProbeAcksQueued) {
        s.probe_acks_due.push_back(f.seq);
      }
      break;
    case FrameType::probe_ack:
      if (s.probing) {
        s.probing = false;
        s.tx_encoding = Encoding::binary;
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
        enter(new_attempt());
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
  if (auto* s = established()) {
    if (h->nonce == s->peer.hello.nonce) {
      if (!(h->echo == our_hello_.nonce && h->confirmed)) s->hello_reply_due = true;
      return;
    }
    events_.push_back(event::PeerRestarted{});
    enter(new_attempt());
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
                                     "the peer's link identity " + base::to_base64(*h->identity) + " is not pinned"));
      return;
    }
  }
  Handshaking& attempt = std::get<Handshaking>(state_);
  attempt.peer = PeerOffer{*h, Bytes(payload.begin() + kOfferOffset, payload.end()), *n,
                           proto::session_tag(our_hello_.nonce, h->nonce)};
  decoder_.set_escapes(n->escapes);
  bool confirmed = h->echo == our_hello_.nonce;
  if (!(confirmed && h->confirmed)) attempt.hello_reply_due = true;
  if (confirmed) establish();
}

void Engine::establish() {
  Handshaking& attempt = std::get<Handshaking>(state_);
  const Negotiated n = attempt.peer->negotiated;
  std::size_t max_wire = encoded_frame_size(n.max_frame, Encoding::seven_bit);
  ArqSender::Params p;
  p.window = n.window;
  p.max_transmissions = config_.max_transmissions;
  p.min_rto = kMinRto + frame_time(max_wire);
  p.initial_rto = kSecond + 2 * frame_time(max_wire);
  p.max_rto = std::max(kMaxRto, 2 * p.initial_rto);
  p.max_chunk = n.max_frame - kChunkOverhead;
  p.initial_chunk = std::min<std::size_t>(1024, p.max_chunk);
  Established s{std::move(*attempt.peer), ArqSender(p), ArqReceiver(n.window)};
  s.hello_reply_due = attempt.hello_reply_due;
  s.probing = n.binary_allowed;
  s.next_probe_at = now_;
  s.last_rx = now_;
  s.last_tx = now_;
  ++stats_.sessions;
  enter(std::move(s));
  maybe_connected();
}

void Engine::maybe_connected() {
  Established* s = established();
  if (s == nullptr || s->connected_reported) return;
  bool bind_pending = config_.auth != AuthPolicy::off && s->peer.hello.identity && !s->peer_records_seen;
  if (bind_pending) return;
  s->connected_reported = true;
  event::Connected c;
  c.version = s->peer.negotiated.version;
  c.binary_allowed = s->peer.negotiated.binary_allowed;
  c.max_frame = s->peer.negotiated.max_frame;
  c.window = s->peer.negotiated.window;
  c.peer_identity = s->peer.hello.identity;
  c.peer_authenticated = s->peer_bound;
  events_.push_back(c);
}

void Engine::on_data(const Frame& f) {
  Established& s = std::get<Established>(state_);
  std::vector<Bytes> deliver;
  s.rx.on_data(f.seq, f.payload, deliver);
  s.ack_due = true;
  s.tx.on_ack(f.ack, {}, now_);
  std::uint64_t generation = stats_.sessions;
  for (const auto& payload : deliver) {
    on_record(payload);
    if (established() == nullptr || stats_.sessions != generation) break;
  }
}

void Engine::on_ack(const Frame& f) {
  Established& s = std::get<Established>(state_);
  auto sacks = parse_sack(f.payload);
  if (!sacks) return;
  s.tx.on_ack(f.ack, *sacks, now_);
  if (f.flags & kFlagPing) s.ack_due = true;
}

void Engine::on_record(ByteView payload) {
  Established& s = std::get<Established>(state_);
  auto r = parse_record(payload);
  if (!r) {
    refuse(kRefuseProtocol, make_error(errc::protocol_violation, "malformed record: " + r.error().message()));
    return;
  }
  bool first = !s.peer_records_seen;
  s.peer_records_seen = true;
  bool is_bind = std::holds_alternative<BindRecord>(*r);
  if (config_.auth != AuthPolicy::off) {
    if (s.peer.hello.identity && first && !is_bind) {
      refuse(kRefuseAuth, make_error(errc::auth_downgrade, "the peer announced a link identity but did not bind the session"));
      return;
    }
    if (is_bind && !s.peer.hello.identity) {
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
  Established& s = std::get<Established>(state_);
  Bytes transcript = binding_transcript(s.peer.offer, our_offer_);
  if (!verify_signature(*s.peer.hello.identity, kSessionContext, transcript, r.signature)) {
    refuse(kRefuseAuth, make_error(errc::auth_bad_signature, "the peer's session binding signature does not verify"));
    return;
  }
  s.peer_bound = config_.pinned.contains(*s.peer.hello.identity);
}

// --- receiving messages ---
// Each handler returns as soon as it queued an answer that may have refused
// the session (queue_control), since the session's state is gone then.

void Engine::on_offer(const OfferRecord& r) {
  Established& s = std::get<Established>(state_);
  s.incoming.reset();
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
  s.incoming = r;
  auto held = store_.held_blocks(r.digest, r.block_size);
  std::size_t max_ranges = (s.peer.negotiated.max_frame - 40) / 8;
  if (held.size() > max_ranges) held.resize(max_ranges);
  if (!queue_control(StatusRecord{r.digest, Disposition::accepting, RefuseReason::none, std::move(held)})) return;
  if (store_.complete(r.digest)) finish_incoming();
}

void Engine::on_chunk(const ChunkRecord& r) {
  Established& s = std::get<Established>(state_);
  if (!s.incoming) return;
  stats_.chunk_bytes_received += r.data.size();
  const OfferRecord offer = *s.incoming;
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
      s.incoming.reset();
      queue_control(DoneRecord{offer.digest, DoneResult::rejected, to_wire(error->code)});
      events_.push_back(event::MessageRejected{offer.digest, *error});
      return;
    }
  }
  if (store_.complete(offer.digest)) finish_incoming();
}

void Engine::finish_incoming() {
  Established& s = std::get<Established>(state_);
  OfferRecord offer = *s.incoming;
  s.incoming.reset();
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
  rules.sender_signs = s.peer_bound && (s.peer.hello.capabilities & kCapSigns);
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
  if (phase() == Phase::closed) return fail(errc::closed, "the link engine is closed");
  auto env = parse_envelope(envelope, config_.max_message);
  if (!env) return tl::unexpected(env.error());
  Sha256 digest = env->digest;
  outbox_.push_back(Outbound{std::make_shared<const Bytes>(std::move(envelope)), digest, 0});
  return digest;
}

void Engine::on_status(const StatusRecord& r) {
  Established& s = std::get<Established>(state_);
  if (outbox_.empty() || !s.sending.offered || r.digest != outbox_.front().digest) return;
  switch (r.disposition) {
    case Disposition::accepting:
      s.sending.skip = r.held;
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
  Established& s = std::get<Established>(state_);
  if (outbox_.empty() || !s.sending.offered || r.digest != outbox_.front().digest) return;
  switch (r.result) {
    case DoneResult::delivered:
      message_finished(std::nullopt);
      break;
    case DoneResult::corrupted:
      if (++outbox_.front().attempts >= kMaxCorruptAttempts) {
        message_finished(make_error(errc::digest_mismatch, "the message arrived corrupted 3 times"));
      } else {
        s.sending = Sending{};  // offer it again from zero
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
  std::get<Established>(state_).sending = Sending{};
  if (error) {
    events_.push_back(event::MessageFailed{digest, std::move(*error)});
  } else {
    ++stats_.messages_sent;
    events_.push_back(event::MessageSent{digest});
  }
}

bool Engine::queue_control(const Record& r) {
  Established& s = std::get<Established>(state_);
  if (s.control.size() >= kMaxControlQueued) {
    refuse(kRefuseProtocol, make_error(errc::protocol_violation, "the peer floods the link with records to answer"));
    return false;
  }
  s.control.push_back(encode_record(r));
  return true;
}

std::optional<OutRecord> Engine::next_record() {
  Established& s = std::get<Established>(state_);
  if (config_.identity != nullptr && !s.bind_sent) {
    s.bind_sent = true;
    BindRecord b;
    b.signature = config_.identity->sign(kSessionContext, binding_transcript(our_offer_, s.peer.offer));
    return OutRecord{encode_record(b), nullptr, 0, 0};
  }
  if (!s.control.empty()) {
    OutRecord r{std::move(s.control.front()), nullptr, 0, 0};
    s.control.pop_front();
    return r;
  }
  while (!outbox_.empty() && !s.sending.offered) {
    const Outbound& m = outbox_.front();
    if (m.bytes->size() > s.peer.negotiated.peer_max_message) {
      message_finished(make_error(errc::message_refused, "the message is " + std::to_string(m.bytes->size()) +
                                                             " bytes; the peer accepts at most " +
                                                             std::to_string(s.peer.negotiated.peer_max_message)));
      continue;
    }
    s.sending = Sending{};
    s.sending.offered = true;
    return OutRecord{encode_record(OfferRecord{m.digest, m.bytes->size(), config_.block_size}), nullptr, 0, 0};
  }
  if (outbox_.empty()) return std::nullopt;
  return next_chunk();
}

std::optional<OutRecord> Engine::next_chunk() {
  Established& s = std::get<Established>(state_);
  Sending& sending = s.sending;
  const Outbound& m = outbox_.front();
  std::size_t size = m.bytes->size();
  std::size_t cs = s.tx.chunk_size();
  auto chunk = [&](std::uint64_t offset, std::size_t length) {
    stats_.chunk_bytes_sent += length;
    return OutRecord{{}, m.bytes, offset, length};
  };
  while (!sending.resend.empty()) {
    auto [offset, length] = sending.resend.front();
    sending.resend.pop_front();
    if (length == 0) continue;
    std::size_t take = std::min(length, cs);
    if (take < length) sending.resend.emplace_front(offset + take, length - take);
    return chunk(offset, take);
  }
  const std::uint64_t bs = config_.block_size;
  while (sending.cursor < size) {
    std::uint64_t block = sending.cursor / bs;
    std::uint64_t limit = size;
    bool skipped = false;
    for (const auto& r : sending.skip) {
      std::uint64_t first = r.first, end = std::uint64_t{r.first} + r.count;
      if (block >= first && block < end) {
        sending.cursor = std::max(sending.cursor, end * bs);
        skipped = true;
        break;
      }
      if (first > block) limit = std::min(limit, first * bs);
    }
    if (skipped) continue;
    std::uint64_t end = std::min<std::uint64_t>({limit, sending.cursor + cs, size});
    std::uint64_t offset = sending.cursor;
    sending.cursor = end;
    return chunk(offset, static_cast<std::size_t>(end - offset));
  }
  return std::nullopt;
}

// --- output ---

Bytes Engine::wire(const Frame& f, Encoding enc, std::uint32_t tag) {
  Established* s = established();
  Bytes out = encode_frame(f, enc, s != nullptr ? s->peer.negotiated.escapes : own_escapes_, tag);
  stats_.bytes_sent += out.size();
  ++stats_.frames_sent;
  if (s != nullptr) s->last_tx = now_;
  return out;
}

Bytes Engine::hello_frame(const PeerOffer* peer, bool confirmed) {
  Hello h = our_hello_;
  if (peer != nullptr) h.echo = peer->hello.nonce;
  h.confirmed = confirmed;
  Frame f{FrameType::hello, 0, 0, 0, encode_hello(h)};
  return wire(f, Encoding::seven_bit, 0);
}

Bytes Engine::ack_frame(Established& s, bool ping) {
  s.ack_due = false;
  Frame f{FrameType::ack, static_cast<std::uint8_t>(ping ? kFlagPing : 0), 0, s.rx.cumulative(), encode_sack(s.rx.sack())};
  return wire(f, s.tx_encoding, s.peer.tag);
}

std::optional<Bytes> Engine::data_frame() {
  Established& s = std::get<Established>(state_);
  std::optional<Outgoing> out;
  if (s.tx.has_retransmission()) {
    out = s.tx.retransmit(now_);
    if (!out && s.tx.budget_exhausted()) {
      link_lost(make_error(errc::link_lost, "link lost: a frame went unacknowledged after " +
                                                std::to_string(config_.max_transmissions) + " transmissions"));
      return std::nullopt;
    }
    if (out && out->rest_message && !outbox_.empty() && out->rest_message == outbox_.front().bytes &&
        s.sending.offered) {
      s.sending.resend.emplace_back(out->rest_offset, out->rest_length);
    }
  }
  if (!out && s.tx.can_send_new()) {
    auto record = next_record();
    if (record) out = s.tx.send_new(std::move(*record), now_);
  }
  if (!out) return std::nullopt;
  s.ack_due = false;
  Frame f{FrameType::data, 0, static_cast<std::uint16_t>(out->seq), s.rx.cumulative(), std::move(out->payload)};
  return wire(f, s.tx_encoding, s.peer.tag);
}

std::optional<Bytes> Engine::poll_transmit() {
  if (auto* c = std::get_if<Closed>(&state_)) {
    std::optional<Bytes> out;
    if (c->refuse_due && c->refuse_frame) {
      c->refuse_due = false;
      out = *c->refuse_frame;
    } else if (c->close_frame && c->close_copies > 0) {
      out = *c->close_frame;
      if (--c->close_copies == 0) c->close_frame.reset();
    }
    if (out) {
      stats_.bytes_sent += out->size();
      ++stats_.frames_sent;
    }
    return out;
  }
  if (auto* attempt = std::get_if<Handshaking>(&state_)) {
    bool hello_timer = now_ >= attempt->next_hello_at;
    if (!attempt->hello_reply_due && !hello_timer) return std::nullopt;
    attempt->hello_reply_due = false;
    if (hello_timer) attempt->next_hello_at = now_ + config_.hello_interval;
    return hello_frame(attempt->peer ? &*attempt->peer : nullptr, false);
  }
  return transmit(std::get<Established>(state_));
}

std::optional<Bytes> Engine::transmit(Established& s) {
  if (s.hello_reply_due) {
    s.hello_reply_due = false;
    return hello_frame(&s.peer, true);
  }
  if (!s.probe_acks_due.empty()) {
    Frame f{FrameType::probe_ack, 0, s.probe_acks_due.front(), 0, {}};
    s.probe_acks_due.pop_front();
    return wire(f, Encoding::seven_bit, s.peer.tag);
  }
  if (s.probing && now_ >= s.next_probe_at) {
    if (s.probe_attempt >= config_.probe_attempts) {
      s.probing = false;  // binary does not cross this way: stay 7-bit
    } else {
      Frame f{FrameType::probe, 0, static_cast<std::uint16_t>(s.probe_attempt++), 0, probe_payload()};
      Bytes out = wire(f, Encoding::binary, s.peer.tag);
      s.next_probe_at = now_ + std::max({kSecond, s.tx.rtt().rto(), 2 * frame_time(out.size())});
      return out;
    }
  }
  if (s.ack_due && s.rx.has_gap()) return ack_frame(s, false);
  if (!s.probing) {
    if (auto d = data_frame()) return d;
    if (established() == nullptr) return std::nullopt;  // link lost: `s` is gone
  }
  if (s.ack_due) return ack_frame(s, false);
  if (now_ - s.last_tx >= config_.keepalive) return ack_frame(s, true);
  return std::nullopt;
}

// --- time ---

Duration Engine::idle_limit(const Established& s) const {
  std::size_t max_wire = encoded_frame_size(s.peer.negotiated.max_frame, Encoding::seven_bit);
  return std::max(config_.idle_timeout, config_.keepalive + 3 * frame_time(max_wire));
}

Engine::TimerTable Engine::timers() const {
  TimerTable t;
  auto at = [&t](Timer timer) -> std::optional<Timestamp>& { return t[static_cast<std::size_t>(timer)]; };
  if (const auto* attempt = std::get_if<Handshaking>(&state_)) {
    at(Timer::hello) = attempt->next_hello_at;
    if (config_.hello_wait) at(Timer::hello_wait) = attempt->started + *config_.hello_wait;
  } else if (const Established* s = established()) {
    at(Timer::idle) = s->last_rx + idle_limit(*s);
    at(Timer::rto) = s->tx.deadline();
    if (s->probing) at(Timer::probe) = s->next_probe_at;
    at(Timer::keepalive) = s->last_tx + config_.keepalive;
  }
  return t;
}

std::optional<Timestamp> Engine::poll_timeout() const {
  std::optional<Timestamp> next;
  TimerTable table = timers();
  for (std::size_t i = 0; i < kTimerCount; ++i) {
    const auto& deadline = table[i];
    if (!deadline) continue;
    if (waits_for_transmit(static_cast<Timer>(i)) && *deadline <= now_) continue;
    if (!next || *deadline < *next) next = deadline;
  }
  return next;
}

void Engine::handle_timeout(Timestamp now) {
  now_ = std::max(now_, now);
  TimerTable table = timers();
  const Phase phase_before = phase();
  for (std::size_t i = 0; i < kTimerCount; ++i) {
    if (!table[i] || *table[i] > now_ || handled_[i] == table[i]) continue;
    handled_[i] = table[i];
    auto timer = static_cast<Timer>(i);
    log(trace::TimerExpired{timer});
    on_timer(timer);
    if (phase() != phase_before) return;  // the timers of the old state are gone
  }
}

void Engine::on_timer(Timer t) {
  switch (t) {
    case Timer::hello:
    case Timer::probe:
    case Timer::keepalive:
      return;  // the frame goes out at the next poll_transmit()
    case Timer::hello_wait:
      close_with(make_error(errc::handshake_timeout, "no answer from the peer within " + seconds_text(*config_.hello_wait)));
      return;
    case Timer::idle: {
      Duration silent = now_ - std::get<Established>(state_).last_rx;
      link_lost(make_error(errc::link_lost, "link lost: nothing received from the peer for " + seconds_text(silent)));
      return;
    }
    case Timer::rto:
      std::get<Established>(state_).tx.on_timer(now_);
      return;
  }
}

// --- endings ---

void Engine::refuse(std::uint8_t reason, Error error) {
  Bytes payload{reason};
  std::string text = error.message().substr(0, kRefuseTextMax);
  payload.insert(payload.end(), text.begin(), text.end());
  Frame f{FrameType::refuse, 0, 0, 0, std::move(payload)};
  Closed closed;
  closed.refuse_frame = encode_frame(f, Encoding::seven_bit, own_escapes_, 0);
  closed.refuse_due = true;
  close_with(std::move(error), std::move(closed));
}

void Engine::close_with(Error error) { close_with(std::move(error), Closed{}); }

void Engine::close_with(Error error, Closed closed) {
  enter(std::move(closed));
  events_.push_back(event::Closed{std::move(error)});
}

void Engine::link_lost(Error error) {
  if (!config_.reconnect) {
    close_with(std::move(error));
    return;
  }
  events_.push_back(event::LinkLost{std::move(error)});
  enter(new_attempt());
}

void Engine::close() {
  Closed closed;
  if (const Established* s = established()) {
    Frame f{FrameType::close, 0, 0, 0, {}};
    closed.close_frame = encode_frame(f, s->tx_encoding, s->peer.negotiated.escapes, s->peer.tag);
    closed.close_copies = kCloseCopies;
  }
  if (phase() != Phase::closed) enter(std::move(closed));
}

std::optional<Event> Engine::poll_event() {
  if (events_.empty()) return std::nullopt;
  Event e = std::move(events_.front());
  events_.pop_front();
  return e;
}

bool Engine::idle() const noexcept {
  if (!outbox_.empty()) return false;
  const Established* s = established();
  return s == nullptr || (s->control.empty() && !s->ack_due && s->tx.all_acked());
}

EngineStats Engine::stats() const {
  EngineStats out = stats_;
  if (!outbox_.empty()) out.outgoing_size = outbox_.front().bytes->size();
  if (const Established* s = established()) {
    out.retransmissions = s->tx.retransmissions();
    out.tx_encoding = s->tx_encoding;
    out.chunk_size = s->tx.chunk_size();
    out.srtt = s->tx.rtt().srtt();
    out.rto = s->tx.rtt().rto();
    if (!outbox_.empty()) out.outgoing_position = s->sending.cursor;
    if (s->incoming) out.incoming_size = s->incoming->total;
  }
  return out;
}

}  // namespace kskline::proto
