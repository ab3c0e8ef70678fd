// The sans-I/O link engine: fed bytes and the time, it hands back bytes to
// send, events and its next deadline (docs/protocol.md). It never reads a
// clock, a file, a socket or a random source of its own.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "proto/arq.hpp"
#include "proto/engine_trace.hpp"
#include "proto/envelope.hpp"
#include "proto/events.hpp"
#include "proto/frame.hpp"
#include "proto/hello.hpp"
#include "proto/identity.hpp"
#include "proto/partial_store.hpp"
#include "proto/random.hpp"
#include "proto/record.hpp"
#include "proto/time.hpp"

namespace kskline::proto {

// The settings of an engine. Defaults suit a serial line of 9600 baud or
// more; set line_rate so timers account for the time a frame takes.
struct EngineConfig {
  // Authentication.
  const LinkIdentity* identity = nullptr;  // not owned; outlives the engine; null: none
  PinnedKeys pinned;                       // peer keys accepted
  AuthPolicy auth = AuthPolicy::off;
  bool signs_messages = false;  // announce SIGNS: the caller signs every envelope it sends

  // Encoding and sizes.
  bool allow_binary = true;    // offer the binary encoding (still subject to the probe)
  bool escape_xonxoff = false; // keep 11 13 91 93 off the wire (software flow control)
  EscapeSet extra_escapes;     // more byte values to keep off the wire
  std::uint16_t max_frame = 4096;  // largest DATA payload received, 256..16384
  std::uint16_t window = 64;       // frames buffered, 32..1024
  std::uint64_t max_message = kDefaultMaxEnvelope;  // largest envelope accepted (and sent)
  std::uint32_t block_size = 4096;  // resume granularity of messages we send

  // Timing and budgets.
  std::uint32_t line_rate = 0;  // bytes per second of the line (baud / 10), 0 if unknown
  Duration hello_interval{1'000'000};
  std::optional<Duration> hello_wait = Duration{120'000'000};  // nullopt: wait forever
  Duration keepalive{5'000'000};
  Duration idle_timeout{30'000'000};
  std::uint32_t max_transmissions = 12;
  std::uint32_t probe_attempts = 5;
  bool reconnect = true;  // after link lost or CLOSE, handshake again instead of closing

  // Tracing.
  LogHook log;  // timer expiries and phase changes; empty: none

  // Checks ranges; errc::invalid_argument naming the field.
  Result<void> validate() const;
};

// Counters for progress lines and efficiency figures.
struct EngineStats {
  std::uint64_t bytes_sent = 0;          // wire bytes handed out by poll_transmit
  std::uint64_t bytes_received = 0;      // wire bytes fed to handle_bytes
  std::uint64_t frames_sent = 0;
  std::uint64_t frames_received = 0;     // frames with a good check
  std::uint64_t frames_bad = 0;          // frames cut out but failing the check
  std::uint64_t retransmissions = 0;
  std::uint64_t chunk_bytes_sent = 0;    // message bytes put in CHUNK records (with repeats)
  std::uint64_t chunk_bytes_received = 0;  // message bytes received in CHUNK records (with repeats)
  std::uint64_t outgoing_size = 0;       // the message being sent: its size (0: none)
  std::uint64_t outgoing_position = 0;   // how far its chunks have been handed out
  std::uint64_t incoming_size = 0;       // the message being received: its size (0: none)
  std::uint64_t messages_sent = 0;       // confirmed by the peer
  std::uint64_t messages_received = 0;
  std::uint64_t sessions = 0;            // handshakes completed
  // The established session's figures; these defaults in any other phase.
  Encoding tx_encoding = Encoding::seven_bit;
  std::size_t chunk_size = 0;
  std::optional<Duration> srtt;
  Duration rto{0};
};

// The link engine. Not thread-safe: one driver thread calls it.
//
// The driver feeds every received byte with handle_bytes(), calls
// handle_timeout() when poll_timeout() passes (or spuriously), and after
// each call drains poll_event() and poll_transmit(). poll_transmit() hands
// out one encoded frame at a time: call it when the line can take more (e.g.
// after the previous write completed), so frames are stamped with the time
// they really leave; the stamp is the latest time given to handle_*().
// poll_timeout() reports only real timers: a frame that is due waits for
// poll_transmit(), not for a deadline, so a busy line never spins the timer.
//
// A driver over Asio, in outline (transport/ owns the real one):
//
//   Timestamp now() { return Timestamp(duration_cast<Duration>(steady_clock::now().time_since_epoch())); }
//   on read(bytes):   engine.handle_bytes(bytes, now()); pump();
//   on timer:         engine.handle_timeout(now()); pump();
//   on write done:    writing = false; pump();
//   pump():           while (auto e = engine.poll_event()) act(*e);
//                     if (!writing) if (auto f = engine.poll_transmit()) { writing = true; async_write(*f); }
//                     if (auto t = engine.poll_timeout()) timer.expires_at(to_steady(*t)); else timer.cancel();
//
// act() writes MessageReceived envelopes to disk, counts MessageSent, and
// stops on Closed; LinkLost and PeerRestarted are progress to report.
class Engine {
 public:
  // The phase of the engine (proto::Phase).
  using Phase = proto::Phase;

  // An engine that starts its handshake at `now`. `random` and `store` are
  // not owned and must outlive it; a null store means an in-memory one.
  // The config must validate (programmer error otherwise: throws
  // std::invalid_argument).
  Engine(EngineConfig config, Random& random, Timestamp now, PartialStore* store = nullptr);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Processes received bytes (any amount, any split) at `now`.
  void handle_bytes(std::span<const std::uint8_t> in, Timestamp now);
  // Processes the passage of time up to `now`: handles each timer of the
  // timer table (Timer) that expired by then, once per expiry, tracing it
  // through EngineConfig::log. Safe to call at any time.
  void handle_timeout(Timestamp now);
  // The next frame to send, encoded for the wire, or nullopt if none now.
  std::optional<Bytes> poll_transmit();
  // When handle_timeout() must next be called: the earliest timer of the
  // current phase (one that sends a frame and is already due waits for
  // poll_transmit() instead), or nullopt if none runs (closed).
  std::optional<Timestamp> poll_timeout() const;
  // The next event, or nullopt.
  std::optional<Event> poll_event();

  // Queues an envelope for sending and returns its digest. The envelope
  // must parse with a good digest within max_message (errc from
  // parse_envelope otherwise); errc::closed if the engine is closed.
  // Messages go one at a time in the order queued; each ends in MessageSent
  // or MessageFailed.
  Result<Sha256> send_message(Bytes envelope);
  // Leaves on purpose: a CLOSE frame is sent (if a session is up) and the
  // engine closes without a Closed event. Does nothing if already closed.
  void close();

  // The current phase.
  Phase phase() const noexcept { return static_cast<Phase>(state_.index()); }
  // Whether nothing is left to send or to be acknowledged.
  bool idle() const noexcept;
  // Counters.
  EngineStats stats() const;

 private:
  struct Outbound {
    std::shared_ptr<const Bytes> bytes;
    Sha256 digest{};
    int attempts = 0;
  };
  // How far the message at the front of the outbox has gone in this session.
  struct Sending {
    bool offered = false;
    std::uint64_t cursor = 0;
    std::vector<BlockRange> skip;
    std::deque<std::pair<std::uint64_t, std::size_t>> resend;
  };
  // What the peer's HELLO settled: its offer, the parameters negotiated
  // from both offers, and the session tag of both nonces.
  struct PeerOffer {
    Hello hello;
    Bytes offer;
    Negotiated negotiated;
    std::uint32_t tag = 0;
  };

  // Phase::handshake: a session attempt; our HELLO repeats until the peer
  // confirms (it echoes our nonce or sends a bound frame).
  struct Handshaking {
    Timestamp started{};
    Timestamp next_hello_at{};
    std::optional<PeerOffer> peer;  // from the last HELLO we could negotiate with
    bool hello_reply_due = false;
  };
  // Phase::established: a confirmed session; records flow both ways.
  struct Established {
    PeerOffer peer;
    ArqSender tx;
    ArqReceiver rx;
    Timestamp last_rx{};
    Timestamp last_tx{};
    bool hello_reply_due = false;
    Encoding tx_encoding = Encoding::seven_bit;
    bool probing = false;
    std::uint32_t probe_attempt = 0;
    Timestamp next_probe_at{};
    std::deque<std::uint16_t> probe_acks_due{};
    bool ack_due = false;
    bool bind_sent = false;
    bool peer_records_seen = false;
    bool peer_bound = false;  // BIND verified with a pinned key
    bool connected_reported = false;
    std::deque<Bytes> control{};  // answers to the peer's records not yet sent
    Sending sending{};
    std::optional<OfferRecord> incoming{};
  };
  // Phase::closed: only a REFUSE (again for each HELLO) or a CLOSE may go out.
  struct Closed {
    std::optional<Bytes> refuse_frame;
    bool refuse_due = false;
    std::optional<Bytes> close_frame;
    int close_copies = 0;  // CLOSE goes out this many more times
  };
  // The state: one alternative per Phase, in the order of the enum.
  using State = std::variant<Handshaking, Established, Closed>;
  static_assert(std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(Phase::handshake), State>, Handshaking> &&
                std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(Phase::established), State>, Established> &&
                std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(Phase::closed), State>, Closed>);
  // When each timer next expires (indexed by Timer; nullopt: not armed).
  using TimerTable = std::array<std::optional<Timestamp>, kTimerCount>;

  // A new session attempt: a fresh nonce, our HELLO, a clean decoder.
  Handshaking new_attempt();
  // Moves to another state (one assignment) and traces the change. Only
  // handshake -> established | closed and established -> handshake | closed
  // exist; any other is a programmer error (std::logic_error).
  void enter(State next);
  // Calls the log hook, if any, stamped with now_.
  void log(Traced what) const;
  Established* established() noexcept { return std::get_if<Established>(&state_); }
  const Established* established() const noexcept { return std::get_if<Established>(&state_); }
  std::optional<std::uint32_t> session_tag() const;
  // The timer table of the current state.
  TimerTable timers() const;
  // Acts on one expired timer.
  void on_timer(Timer t);
  void on_frame(const Frame& f);
  void on_hello(ByteView payload);
  void establish();
  void on_data(const Frame& f);
  void on_ack(const Frame& f);
  void on_record(ByteView payload);
  void on_bind(const BindRecord& r);
  void on_offer(const OfferRecord& r);
  void on_chunk(const ChunkRecord& r);
  void on_status(const StatusRecord& r);
  void on_done(const DoneRecord& r);
  void finish_incoming();
  void message_finished(std::optional<Error> error);
  void maybe_connected();
  void refuse(std::uint8_t reason, Error error);
  void close_with(Error error);
  void close_with(Error error, Closed closed);
  void link_lost(Error error);
  bool queue_control(const Record& r);
  std::optional<OutRecord> next_record();
  std::optional<OutRecord> next_chunk();
  Bytes wire(const Frame& f, Encoding enc, std::uint32_t tag);
  Bytes hello_frame(const PeerOffer* peer, bool confirmed);
  Bytes ack_frame(Established& s, bool ping);
  std::optional<Bytes> data_frame();
  std::optional<Bytes> transmit(Established& s);
  Duration frame_time(std::size_t bytes) const;
  Duration idle_limit(const Established& s) const;

  EngineConfig config_;
  Random& random_;
  std::unique_ptr<PartialStore> own_store_;
  PartialStore& store_;
  Timestamp now_;
  FrameDecoder decoder_;
  EscapeSet own_escapes_;
  std::deque<Event> events_;
  EngineStats stats_;

  // This attempt's HELLO (a fresh nonce each attempt) and its offer octets.
  Hello our_hello_;
  Bytes our_offer_;
  State state_;
  TimerTable handled_{};  // the expiry each timer was last handled at

  // Messages to send, across sessions.
  std::deque<Outbound> outbox_;
};

}  // namespace kskline::proto
