#include "transport/link_test.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "proto/envelope.hpp"
#include "proto/errc.hpp"
#include "transport/errc.hpp"
#include "transport/identity_file.hpp"
#include "transport/internal/live_endpoint.hpp"
#include "transport/internal/loopback.hpp"
#include "transport/outgoing_envelope.hpp"

namespace kskline::transport {
namespace {

namespace asio = boost::asio;
using Steady = std::chrono::steady_clock;

constexpr std::uint8_t kMagic[4] = {'K', 'S', 'K', 'T'};
constexpr std::uint8_t kVersion = 1;
enum class Type : std::uint8_t { settings = 'S', ping = 'P', bulk = 'B', report = 'R' };
constexpr std::size_t kHeader = 6;  // magic, version, type

// Report flags.
constexpr std::uint8_t kFlagBinary = 1;  // the sender's encoding was 8-bit at the end
constexpr std::uint8_t kFlagIntact = 2;  // the peer's bulk arrived intact

void put(Bytes& out, std::uint64_t v, int n) {
  for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// Reads fields in network byte order; a read past the end sets `short_`.
struct Reader {
  ByteView in;
  std::size_t at = kHeader;
  bool short_ = false;
  std::uint64_t get(int n) {
    if (at + static_cast<std::size_t>(n) > in.size()) {
      short_ = true;
      return 0;
    }
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | in[at++];
    return v;
  }
};

Bytes header(Type t) {
  Bytes b(std::begin(kMagic), std::end(kMagic));
  b.push_back(kVersion);
  b.push_back(static_cast<std::uint8_t>(t));
  return b;
}

// The type of a test message, or nullopt for anything else.
std::optional<Type> type_of(ByteView payload) {
  if (payload.size() < kHeader || !std::equal(std::begin(kMagic), std::end(kMagic), payload.begin()) ||
      payload[4] != kVersion) {
    return std::nullopt;
  }
  switch (static_cast<Type>(payload[5])) {
    case Type::settings:
    case Type::ping:
    case Type::bulk:
    case Type::report: return static_cast<Type>(payload[5]);
  }
  return std::nullopt;
}

double seconds_between(Steady::time_point a, Steady::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// The sender's half of a direction and the receiver's view of the other, as
// one end reports them to the other.
struct PeerReport {
  std::uint64_t bulk_bytes = 0, bulk_micros = 0, frames_sent = 0, retransmissions = 0, frames_received = 0,
                frames_bad = 0;
  std::uint8_t flags = 0;
};

Bytes encode_report(const PeerReport& r) {
  Bytes b = header(Type::report);
  for (auto v : {r.bulk_bytes, r.bulk_micros, r.frames_sent, r.retransmissions, r.frames_received, r.frames_bad}) {
    put(b, v, 8);
  }
  b.push_back(r.flags);
  return b;
}

std::optional<PeerReport> parse_report(ByteView payload) {
  Reader r{payload};
  PeerReport p;
  p.bulk_bytes = r.get(8);
  p.bulk_micros = r.get(8);
  p.frames_sent = r.get(8);
  p.retransmissions = r.get(8);
  p.frames_received = r.get(8);
  p.frames_bad = r.get(8);
  p.flags = static_cast<std::uint8_t>(r.get(1));
  if (r.short_) return std::nullopt;
  return p;
}

// One end of a link test. Both ends do the same: send their settings, then
// `pings` small messages one after another (each timed to its
// confirmation), then, once the peer's settings and pings are in, the bulk
// message (the end with the lower token first, the other once it received
// that bulk), then a report of what they measured; the test ends when both
// reports crossed.
class LinkTester final : public LiveEndpoint {
 public:
  LinkTester(asio::io_context& io, ByteStream& stream, const TransferOptions& options, proto::EngineConfig config,
             LinkTestSettings ours, std::optional<proto::Duration> limit)
      : LiveEndpoint(io, stream, options, config, nullptr), limit_(limit), limit_timer_(io) {
    random_.fill(std::span(reinterpret_cast<std::uint8_t*>(&ours.token), sizeof ours.token));
    result_.ours = ours;
    result_.line_rate = stream.line_rate();
    result_.binary_allowed = config.allow_binary;
    started_ = Steady::now();
  }

  LinkTestReport take_report() {
    result_.transfer = report_;
    return std::move(result_);
  }

 protected:
  void message_event(proto::Event& e) override {
    if (auto* c = std::get_if<proto::event::Connected>(&e)) {
      if (!connected_once_) {
        connected_once_ = true;
        result_.connect_seconds = seconds_between(started_, Steady::now());
        result_.peer_identity = c->peer_identity;
        result_.peer_authenticated = c->peer_authenticated;
        result_.binary_allowed = c->binary_allowed;
        start_limit();
        send(encode_link_test_settings(result_.ours), Step::settings);
      }
    } else if (auto* m = std::get_if<proto::event::MessageReceived>(&e)) {
      received(m->envelope);
    } else if (auto* s = std::get_if<proto::event::MessageSent>(&e)) {
      sent(s->digest);
    } else if (auto* f = std::get_if<proto::event::MessageFailed>(&e)) {
      fail_test(f->error);
    } else if (auto* r = std::get_if<proto::event::MessageRejected>(&e)) {
      fail_test(r->error);
    } else if (std::holds_alternative<proto::event::PeerClosed>(e)) {
      if (!(report_confirmed_ && peer_report_)) {
        fail_test(Error{make_error_code(proto::errc::closed), {}, "the peer closed the link before the test ended"});
      }
    }
  }

  void goal() override {
    if (failed_ || ending_) return;
    bool queued = false;
    if (!bulk_queued_ && pings_done() && peer_ && peer_pings_ >= peer_->pings) {
      bool first = result_.ours.token < peer_->token;
      if (first || peer_bulk_in_ || result_.ours.token == peer_->token) {
        send_bulk();
        queued = true;
      }
    }
    if (bulk_confirmed_ && peer_bulk_in_ && !report_queued_) {
      send_report();
      queued = true;
    }
    if (report_confirmed_ && peer_report_) {
      result_.completed = true;
      ending_ = true;
      limit_timer_.cancel();
      finish(proto::Duration(2'000'000));
      return;
    }
    // Sent from after a pump: pump again so the new message goes out now.
    if (queued) driver_.pump();
  }

  void fill_progress(TransferProgress& p, const proto::EngineStats& s) override {
    p.bytes_done = s.outgoing_position;
    p.bytes_total = s.outgoing_size;
  }

 private:
  enum class Step { settings, ping, bulk, report };

  bool pings_done() const { return result_.ping_seconds.size() >= result_.ours.pings; }

  void send(Bytes payload, Step step) {
    proto::EnvelopeSpec spec;
    spec.kind = proto::Kind::file;
    spec.payload_type = proto::PayloadType::octets;
    auto env = outgoing_envelope(spec, payload, options_.identity, random_, options_.max_message);
    if (!env) {
      fail_test(env.error());
      return;
    }
    std::uint64_t size = env->size();
    auto digest = engine_.send_message(std::move(*env));
    if (!digest) {
      fail_test(digest.error());
      return;
    }
    pending_.push_back({*digest, step, Steady::now(), size});
  }

  void send_ping() {
    if (pings_done() || ping_in_flight_) return;
    Bytes b = header(Type::ping);
    put(b, result_.ping_seconds.size(), 1);
    ping_in_flight_ = true;
    send(std::move(b), Step::ping);
  }

  void send_bulk() {
    bulk_queued_ = true;
    Bytes b = header(Type::bulk);
    // The frame round trip of the small messages, before long frames fill the line.
    auto s = engine_.stats();
    if (s.srtt) result_.frame_rtt = static_cast<double>(s.srtt->count()) / 1e6;
    Bytes pattern = link_test_pattern(result_.ours.token, result_.ours.bulk_bytes);
    b.insert(b.end(), pattern.begin(), pattern.end());
    send(std::move(b), Step::bulk);
  }

  void send_report() {
    report_queued_ = true;
    auto s = engine_.stats();
    result_.out.frames_sent = s.frames_sent;
    result_.out.retransmissions = s.retransmissions;
    result_.out.binary = s.tx_encoding == proto::Encoding::binary;
    result_.in.frames_received = s.frames_received;
    result_.in.frames_bad = s.frames_bad;
    PeerReport r;
    r.bulk_bytes = result_.out.bulk_bytes;
    r.bulk_micros = static_cast<std::uint64_t>(result_.out.bulk_seconds * 1e6);
    r.frames_sent = s.frames_sent;
    r.retransmissions = s.retransmissions;
    r.frames_received = s.frames_received;
    r.frames_bad = s.frames_bad;
    r.flags = static_cast<std::uint8_t>((result_.out.binary ? kFlagBinary : 0) | (result_.in.intact ? kFlagIntact : 0));
    send(encode_report(r), Step::report);
  }

  void sent(const proto::Sha256& digest) {
    auto it = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) { return p.digest == digest; });
    if (it == pending_.end()) return;
    Pending p = *it;
    pending_.erase(it);
    double took = seconds_between(p.queued, Steady::now());
    switch (p.step) {
      case Step::settings: send_ping(); break;
      case Step::ping:
        result_.ping_seconds.push_back(took);
        ping_in_flight_ = false;
        send_ping();
        break;
      case Step::bulk:
        result_.out.bulk_bytes = p.size;
        result_.out.bulk_seconds = took;
        bulk_confirmed_ = true;
        break;
      case Step::report: report_confirmed_ = true; break;
    }
  }

  void received(const Bytes& envelope) {
    auto env = proto::parse_envelope(envelope, options_.max_message);
    if (!env) return;
    auto type = type_of(env->payload);
    if (!type) {
      notice("ignored a message that is not part of a link test (is the peer running link-test?)");
      return;
    }
    switch (*type) {
      case Type::settings: {
        auto s = parse_link_test_settings(env->payload);
        if (!s) {
          fail_test(s.error());
          return;
        }
        peer_ = *s;
        result_.peer = *s;
        break;
      }
      case Type::ping: ++peer_pings_; break;
      case Type::bulk: {
        peer_bulk_in_ = true;
        if (peer_) {
          Bytes expected = link_test_pattern(peer_->token, peer_->bulk_bytes);
          result_.in.intact = env->payload.size() == kHeader + expected.size() &&
                              std::equal(expected.begin(), expected.end(), env->payload.begin() + kHeader);
        }
        break;
      }
      case Type::report: {
        auto r = parse_report(env->payload);
        if (!r) {
          fail_test(Error{make_error_code(proto::errc::malformed), {}, "the peer's link-test report is malformed"});
          return;
        }
        peer_report_ = *r;
        result_.in.bulk_bytes = r->bulk_bytes;
        result_.in.bulk_seconds = static_cast<double>(r->bulk_micros) / 1e6;
        result_.in.frames_sent = r->frames_sent;
        result_.in.retransmissions = r->retransmissions;
        result_.in.binary = (r->flags & kFlagBinary) != 0;
        result_.out.frames_received = r->frames_received;
        result_.out.frames_bad = r->frames_bad;
        result_.out.intact = (r->flags & kFlagIntact) != 0;
        result_.in.measured = true;
        result_.out.measured = true;
        break;
      }
    }
  }

  void fail_test(Error e) {
    if (failed_) return;
    failed_ = true;
    report_.errors.push_back(std::move(e));
    limit_timer_.cancel();
    finish(proto::Duration(0));
  }

  // The whole test, once the peer answered, gets limit_ to finish.
  void start_limit() {
    proto::Duration limit = limit_.value_or(proto::Duration(0));
    if (!limit_) {
      std::uint32_t rate = std::max<std::uint32_t>(result_.line_rate, 1);
      double line = 2.0 * static_cast<double>(result_.ours.bulk_bytes) / rate;
      limit = proto::Duration(static_cast<std::int64_t>((60 + 4 * line) * 1e6));
    }
    limit_timer_.expires_after(limit);
    limit_timer_.async_wait([this, limit](const boost::system::error_code& ec) {
      if (ec || done() || result_.completed) return;
      fail_test(Error{make_error_code(errc::timed_out), {},
                      "the link test did not finish within " + std::to_string(limit.count() / 1'000'000) + " s"});
    });
  }

  struct Pending {
    proto::Sha256 digest{};
    Step step = Step::settings;
    Steady::time_point queued;
    std::uint64_t size = 0;
  };

  std::optional<proto::Duration> limit_;
  asio::steady_timer limit_timer_;
  Steady::time_point started_;
  LinkTestReport result_;
  std::vector<Pending> pending_;
  std::optional<LinkTestSettings> peer_;
  std::optional<PeerReport> peer_report_;
  std::size_t peer_pings_ = 0;
  bool connected_once_ = false, ping_in_flight_ = false, bulk_queued_ = false, bulk_confirmed_ = false,
       peer_bulk_in_ = false, report_queued_ = false, report_confirmed_ = false, failed_ = false, ending_ = false;
};

LinkTestSettings settings_for(const SerialSettings& serial, std::uint32_t line_rate, const LinkTestOptions& test) {
  LinkTestSettings s;
  s.serial = serial;
  s.bulk_bytes = test.bulk_bytes != 0 ? test.bulk_bytes : default_bulk_bytes(line_rate);
  s.pings = test.pings;
  return s;
}

Result<void> check(const LinkTestOptions& test) {
  if (test.pings < 1 || test.pings > 50) return fail(errc::bad_link_spec, "must be 1 to 50", "pings");
  if (test.bulk_bytes > (16ull << 20)) return fail(errc::bad_link_spec, "at most 16 MiB", "bytes");
  return {};
}

}  // namespace

std::uint64_t default_bulk_bytes(std::uint32_t line_rate) noexcept {
  std::uint64_t n = static_cast<std::uint64_t>(line_rate) * 4;
  return std::clamp<std::uint64_t>(n, 2048, 1ull << 20);
}

std::string seven_bit_reason(const LinkTestReport& r) {
  if (r.out.binary && r.in.binary) return "";
  if (r.ours.serial.data_bits == 7) return "this end has bits=7 in --link";
  if (r.peer && r.peer->serial.data_bits == 7) return "the peer has bits=7 in its --link";
  if (!r.binary_allowed) return "the peer does not offer the 8-bit encoding";
  std::string dirs = !r.out.binary && !r.in.binary ? "both ways" : !r.out.binary ? "to the peer" : "from the peer";
  return "the 8-bit probe failed " + dirs +
         ": the line clears the 8th bit (a device or adapter set to 7 bits, parity on one end only, or ISTRIP)";
}

std::vector<std::string> link_test_problems(const LinkTestReport& r, bool pinned) {
  std::vector<std::string> p;
  if (!r.peer_identity) {
    p.push_back(pinned ? "the peer has no link identity (no --identity), so it is not the pinned peer"
                       : "the peer has no link identity and no --peer is pinned: nothing proves who is on the line");
  } else if (!pinned) {
    p.push_back("no --peer pinned: the peer's key " + public_key_text(*r.peer_identity) + " is not checked");
  } else if (!r.peer_authenticated) {
    p.push_back("the peer's key " + public_key_text(*r.peer_identity) + " is not the pinned one");
  }
  char buf[256];
  for (const auto* d : {&r.out, &r.in}) {
    const char* way = d == &r.out ? "to the peer" : "from the peer";
    if (!d->measured) continue;
    if (r.line_rate > 0) {
      double share = d->rate() / r.line_rate;
      if (share < 0.70) {
        std::snprintf(buf, sizeof buf, "throughput %s %.0f%% of %u baud: check flow control and cable", way,
                      100 * share, static_cast<unsigned>(r.ours.serial.baud));
        p.push_back(buf);
      }
    }
    if (d->error_rate() > 0.02) {
      std::snprintf(buf, sizeof buf, "%.1f%% of the frames %s were resent: a noisy line or ends set differently", 100 * d->error_rate(), way);
      p.push_back(buf);
    }
    if (!d->intact) p.push_back(std::string("the test payload ") + way + " did not arrive intact");
  }
  if (r.transfer.totals.link_losses > 0) {
    p.push_back("the link was lost " + std::to_string(r.transfer.totals.link_losses) + " time(s) during the test");
  }
  std::string why = seven_bit_reason(r);
  bool set_8 = r.ours.serial.data_bits == 8 && (!r.peer || r.peer->serial.data_bits == 8);
  if (!why.empty() && set_8) p.push_back("the line is not 8-bit clean: " + why);
  if (r.peer) {
    const SerialSettings &a = r.ours.serial, &b = r.peer->serial;
    auto differ = [&](const std::string& what, const std::string& here, const std::string& there) {
      if (here != there) p.push_back("the ends are set differently: " + what + "=" + here + " here, " + what + "=" + there + " at the peer");
    };
    differ("baud", std::to_string(a.baud), std::to_string(b.baud));
    differ("bits", std::to_string(a.data_bits), std::to_string(b.data_bits));
    differ("parity", std::string(to_string(a.parity)), std::string(to_string(b.parity)));
    differ("stop", std::to_string(a.stop_bits), std::to_string(b.stop_bits));
    differ("flow", std::string(to_string(a.flow)), std::string(to_string(b.flow)));
  }
  return p;
}

Bytes encode_link_test_settings(const LinkTestSettings& s) {
  Bytes b = header(Type::settings);
  put(b, s.token, 8);
  put(b, s.serial.baud, 4);
  put(b, s.serial.data_bits, 1);
  put(b, static_cast<std::uint8_t>(s.serial.parity), 1);
  put(b, s.serial.stop_bits, 1);
  put(b, static_cast<std::uint8_t>(s.serial.flow), 1);
  put(b, s.bulk_bytes, 8);
  put(b, s.pings, 1);
  return b;
}

Result<LinkTestSettings> parse_link_test_settings(ByteView payload) {
  if (type_of(payload) != Type::settings) {
    return fail(proto::errc::malformed, "not a link-test settings message", "link-test");
  }
  Reader r{payload};
  LinkTestSettings s;
  s.token = r.get(8);
  s.serial.baud = static_cast<std::uint32_t>(r.get(4));
  s.serial.data_bits = static_cast<std::uint8_t>(r.get(1));
  auto parity = r.get(1);
  s.serial.stop_bits = static_cast<std::uint8_t>(r.get(1));
  auto flow = r.get(1);
  s.bulk_bytes = r.get(8);
  s.pings = static_cast<std::uint8_t>(r.get(1));
  if (r.short_ || parity > 2 || flow > 2 || (s.serial.data_bits != 7 && s.serial.data_bits != 8) ||
      (s.serial.stop_bits != 1 && s.serial.stop_bits != 2) || s.pings < 1 || s.pings > 50 ||
      s.bulk_bytes > (16ull << 20)) {
    return fail(proto::errc::malformed, "the peer's link-test settings are malformed", "link-test");
  }
  s.serial.parity = static_cast<Parity>(parity);
  s.serial.flow = static_cast<Flow>(flow);
  return s;
}

Bytes link_test_pattern(std::uint64_t token, std::uint64_t size) {
  Bytes out;
  out.reserve(size);
  std::uint64_t x = token ^ 0x9E3779B97F4A7C15ull;  // xorshift64: any state but zero
  if (x == 0) x = 1;
  for (std::uint64_t i = 0; i < size; ++i) {
    if (i < 256) {
      out.push_back(static_cast<std::uint8_t>(i));
    } else {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      out.push_back(static_cast<std::uint8_t>(x >> 32));
    }
  }
  return out;
}

Result<LinkTestReport> run_link_test(const TransferOptions& options, const LinkTestOptions& test) {
  if (auto ok = check(test); !ok) return tl::unexpected(ok.error());
  const auto* serial = std::get_if<SerialLink>(&options.link);
  if (std::holds_alternative<SpoolLink>(options.link)) {
    return fail(errc::not_supported, "a spool link has no live line to measure; link-test needs serial:", "--link");
  }
  if (serial == nullptr) return fail_loopback_between_processes("serial:");
  asio::io_context io;
  auto stream = open_serial_stream(io, *serial, options);
  if (!stream) return tl::unexpected(stream.error());
  LinkTester t(io, **stream, options, serial_engine_config(options, *serial),
               settings_for(serial->settings, serial->settings.bytes_per_second(), test), test.limit);
  run_endpoints(io, {&t}, options.handle_signals);
  return t.take_report();
}

Result<std::pair<LinkTestReport, LinkTestReport>> link_test_over_loopback(const LoopbackLink& line,
                                                                          const TransferOptions& a,
                                                                          const TransferOptions& b,
                                                                          const LinkTestOptions& test) {
  if (auto ok = check(test); !ok) return tl::unexpected(ok.error());
  asio::io_context io;
  LoopbackLine pipe(io, line);
  std::uint32_t rate = line.baud / 10;
  SerialSettings serial;
  serial.baud = line.baud;
  LinkTester ta(io, pipe.a(), a, engine_config(a, rate, true, false), settings_for(serial, rate, test), test.limit);
  LinkTester tb(io, pipe.b(), b, engine_config(b, rate, true, false), settings_for(serial, rate, test), test.limit);
  run_endpoints(io, {&ta, &tb}, a.handle_signals);
  return std::make_pair(ta.take_report(), tb.take_report());
}

}  // namespace kskline::transport
