#include "transport/file_transfer.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>

#include <sys/stat.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/atomic_file.hpp"
#include "base/encoding.hpp"
#include "proto/envelope.hpp"
#include "proto/errc.hpp"
#include "proto/session.hpp"
#include "transport/disk_partial_store.hpp"
#include "transport/disk_replay_ledger.hpp"
#include "transport/errc.hpp"
#include "transport/file_message.hpp"
#include "transport/internal/live_endpoint.hpp"
#include "transport/internal/loopback.hpp"
#include "transport/internal/serial_port.hpp"
#include "transport/internal/stop_signals.hpp"
#include "transport/outgoing_envelope.hpp"
#include "transport/sodium_random.hpp"

namespace kskline::transport {
namespace {

namespace asio = boost::asio;
using Steady = std::chrono::steady_clock;

double seconds_since(Steady::time_point start) {
  return std::chrono::duration<double>(Steady::now() - start).count();
}

std::string basename_of(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  auto slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string state_dir(const TransferOptions& o, const std::string& output_dir) {
  return o.state_dir.empty() ? output_dir + "/.kskline" : o.state_dir;
}

// The content bytes an envelope carries, as TransferReport::file_bytes counts
// them: a file message's content, any other payload whole; 0 when the bytes
// are not an envelope.
std::uint64_t file_bytes(ByteView envelope) {
  auto env = proto::parse_envelope(envelope, UINT64_MAX >> 1);
  if (!env) return 0;
  auto file = decode_file_payload(env->payload);
  return file ? file->content.size() : env->payload.size();
}

class SendJob final : public LiveEndpoint {
 public:
  SendJob(asio::io_context& io, ByteStream& stream, const TransferOptions& options, proto::EngineConfig config,
          const std::vector<std::string>& files, std::vector<Bytes> envelopes)
      : LiveEndpoint(io, stream, options, config, nullptr), files_(files) {
    for (std::size_t i = 0; i < envelopes.size(); ++i) {
      envelope_sizes_.push_back(envelopes[i].size());
      file_bytes_.push_back(file_bytes(envelopes[i]));
      total_ += envelopes[i].size();
      auto digest = engine_.send_message(std::move(envelopes[i]));
      if (!digest) {
        report_.errors.push_back(digest.error().located(files[i]));
        ++report_.files_failed;
        continue;
      }
      index_[*digest] = i;
      ++remaining_;
    }
  }

 protected:
  void message_event(proto::Event& e) override {
    if (auto* s = std::get_if<proto::event::MessageSent>(&e)) {
      auto it = index_.find(s->digest);
      if (it == index_.end()) return;
      ++report_.files_ok;
      report_.message_bytes += envelope_sizes_.at(it->second);
      report_.file_bytes += file_bytes_.at(it->second);
      confirmed_ += envelope_sizes_.at(it->second);
      index_.erase(it);
      --remaining_;
    } else if (auto* f = std::get_if<proto::event::MessageFailed>(&e)) {
      auto it = index_.find(f->digest);
      if (it == index_.end()) return;
      ++report_.files_failed;
      report_.errors.push_back(f->error.located(files_.at(it->second)));
      notice(files_.at(it->second) + ": " + f->error.message());
      index_.erase(it);
      --remaining_;
    } else if (std::holds_alternative<proto::event::PeerClosed>(e)) {
      if (remaining_ > 0) {
        report_.errors.push_back(Error{make_error_code(proto::errc::closed), {},
                                       "the receiver closed the link with " + std::to_string(remaining_) +
                                           " file(s) not confirmed"});
        report_.files_failed += remaining_;
        remaining_ = 0;
        index_.clear();
        finish(proto::Duration(0));
      }
    }
  }

  void goal() override {
    if (remaining_ == 0) finish(proto::Duration(2'000'000));
    auto s = engine_.stats();
    report_.chunk_bytes = s.chunk_bytes_sent;
  }

  void fill_progress(TransferProgress& p, const proto::EngineStats& s) override {
    p.bytes_total = total_;
    p.bytes_done = std::min(total_, confirmed_ + s.outgoing_position);
    p.files_total = files_.size();
    p.files_done = report_.files_ok + report_.files_failed;
  }

 private:
  const std::vector<std::string>& files_;
  std::map<proto::Sha256, std::size_t> index_;
  std::vector<std::uint64_t> envelope_sizes_, file_bytes_;
  std::uint64_t total_ = 0, confirmed_ = 0;
  std::size_t remaining_ = 0;
};

// The receiver's partial store as its engine sees it: a message's file is
// written into the output folder before the message is recorded delivered,
// so a receiver killed between the two finds the file there (the identical
// file arriving again counts as written) and never a message recorded
// delivered, and confirmed to the sender, whose file was not written. A file
// that cannot be written fails mark_completed, so the sender is told the
// message was rejected.
class StoringStore final : public proto::PartialStore {
 public:
  StoringStore(DiskPartialStore& inner, std::string output_dir, std::uint64_t max_message)
      : inner_(inner), output_dir_(std::move(output_dir)), max_message_(max_message) {}

  bool completed(const proto::Sha256& digest) override { return inner_.completed(digest); }
  Result<void> mark_completed(const proto::Sha256& digest) override {
    if (taken_ && taken_->first == digest) {
      auto path = store_received(output_dir_, taken_->second, max_message_);
      taken_.reset();
      if (!path) return tl::unexpected(path.error());
      written_[digest] = *path;
    }
    return inner_.mark_completed(digest);
  }
  Result<void> open(const proto::Sha256& digest, std::uint64_t total) override { return inner_.open(digest, total); }
  std::vector<proto::BlockRange> held_blocks(const proto::Sha256& digest, std::uint32_t block_size) override {
    return inner_.held_blocks(digest, block_size);
  }
  Result<void> write(const proto::Sha256& digest, std::uint64_t offset, ByteView data) override {
    return inner_.write(digest, offset, data);
  }
  bool complete(const proto::Sha256& digest) override { return inner_.complete(digest); }
  Result<Bytes> take(const proto::Sha256& digest) override {
    auto bytes = inner_.take(digest);
    if (bytes) taken_.emplace(digest, *bytes);
    return bytes;
  }
  void erase(const proto::Sha256& digest) override { inner_.erase(digest); }

  // Where mark_completed wrote the message with this digest; forgets it.
  std::optional<std::string> written(const proto::Sha256& digest) {
    auto it = written_.find(digest);
    if (it == written_.end()) return std::nullopt;
    std::string path = std::move(it->second);
    written_.erase(it);
    return path;
  }

 private:
  DiskPartialStore& inner_;
  std::string output_dir_;
  std::uint64_t max_message_;
  std::optional<std::pair<proto::Sha256, Bytes>> taken_;  // the last message taken, until it is written
  std::map<proto::Sha256, std::string> written_;
};

class ReceiveJob final : public LiveEndpoint {
 public:
  ReceiveJob(asio::io_context& io, ByteStream& stream, const TransferOptions& options, proto::EngineConfig config,
             DiskPartialStore* store, StoringStore* storing, std::string output_dir, std::size_t count)
      : LiveEndpoint(io, stream, options, config, storing),
        store_(store),
        storing_(storing),
        output_dir_(std::move(output_dir)),
        count_(count) {}

 protected:
  void message_event(proto::Event& e) override {
    if (auto* m = std::get_if<proto::event::MessageReceived>(&e)) {
      completed_bytes_ += m->envelope.size();
      chunk_mark_ = engine_.stats().chunk_bytes_received;
      // Written already, before the message was recorded delivered.
      auto stored = storing_->written(m->digest);
      auto path = stored ? Result<std::string>(*stored) : store_received(output_dir_, m->envelope, options_.max_message);
      if (!path) {
        ++report_.files_failed;
        report_.errors.push_back(path.error());
        notice(path.error().message());
        return;
      }
      ++report_.files_ok;
      report_.message_bytes += m->envelope.size();
      report_.file_bytes += file_bytes(m->envelope);
      report_.written.push_back(*path);
    } else if (auto* r = std::get_if<proto::event::MessageRejected>(&e)) {
      ++report_.files_failed;
      report_.errors.push_back(r->error);
      notice("refused a message: " + r->error.message());
    } else if (std::holds_alternative<proto::event::PeerClosed>(e)) {
      if (count_ != 0 && report_.files_ok < count_) {
        report_.errors.push_back(Error{make_error_code(proto::errc::closed), {},
                                       "the sender closed the link after " + std::to_string(report_.files_ok) + " of " +
                                           std::to_string(count_) + " file(s)"});
      }
      finish(proto::Duration(0));
    }
  }

  void goal() override {
    auto s = engine_.stats();
    report_.chunk_bytes = s.chunk_bytes_received;
    if (store_ != nullptr) report_.resumed_bytes = store_->resumed_bytes();
    if (count_ != 0 && report_.files_ok >= count_) finish(proto::Duration(3'000'000));
  }

  void fill_progress(TransferProgress& p, const proto::EngineStats& s) override {
    std::uint64_t current = s.incoming_size == 0 ? 0 : std::min(s.incoming_size, s.chunk_bytes_received - chunk_mark_);
    p.bytes_done = completed_bytes_ + current;
    p.bytes_total = s.incoming_size == 0 ? 0 : completed_bytes_ + s.incoming_size;
    p.files_done = report_.files_ok;
    p.files_total = count_;
  }

 private:
  DiskPartialStore* store_;
  StoringStore* storing_;
  std::string output_dir_;
  std::size_t count_;
  std::uint64_t completed_bytes_ = 0, chunk_mark_ = 0;
};

Result<std::vector<Bytes>> build_envelopes(const TransferOptions& options, const std::vector<std::string>& files,
                                           bool spool) {
  SodiumRandom random;
  std::vector<Bytes> out;
  for (const auto& f : files) {
    auto env = file_envelope(f, options, spool ? spool_counter() : 0, random);
    if (!env) return tl::unexpected(env.error());
    out.push_back(std::move(*env));
  }
  return out;
}

Result<TransferReport> spool_send(const TransferOptions& options, const SpoolLink& link,
                                  const std::vector<std::string>& files) {
  auto spool = Spool::open(link.dir, options.side);
  if (!spool) return tl::unexpected(spool.error());
  auto envelopes = build_envelopes(options, files, true);
  if (!envelopes) return tl::unexpected(envelopes.error());
  TransferReport report;
  auto start = Steady::now();
  for (std::size_t i = 0; i < files.size(); ++i) {
    const Bytes& env = (*envelopes)[i];
    auto posted = spool->post(env);
    if (!posted) {
      ++report.files_failed;
      report.errors.push_back(posted.error().located(files[i]));
      continue;
    }
    ++report.files_ok;
    report.message_bytes += env.size();
    report.file_bytes += file_bytes(env);
    report.written.push_back(*posted);
  }
  report.seconds = seconds_since(start);
  return report;
}

Result<TransferReport> spool_receive(const TransferOptions& options, const SpoolLink& link,
                                     const std::string& output_dir, std::size_t count) {
  auto spool = Spool::open(link.dir, options.side);
  if (!spool) return tl::unexpected(spool.error());
  auto ledger = DiskReplayLedger::open(state_dir(options, output_dir));
  if (!ledger) return tl::unexpected(ledger.error());
  SpoolRules rules;
  rules.policy = options.auth;
  rules.pinned = &options.pinned;
  rules.max_size = options.max_message;
  TransferReport report;
  auto start = Steady::now();
  Result<void> outcome;
  bool running = true;
  asio::io_context io;
  asio::steady_timer next_scan(io);
  // A signal ends the wait as it ends every live job.
  StopSignals signals(io, options.handle_signals, [&] {
    if (!running) return;
    running = false;
    outcome = fail(errc::interrupted, "interrupted by a signal");
    next_scan.cancel();
  });
  auto act = [&](const proto::Envelope&, ByteView bytes) -> Result<void> {
    auto path = store_received(output_dir, bytes, options.max_message);
    if (!path) return tl::unexpected(path.error());
    report.written.push_back(*path);
    return {};
  };
  // Takes what the inbound folder holds; again every 200 ms until `count`
  // files arrived or the wait ran out.
  std::function<void()> scan_inbound = [&] {
    std::size_t limit = count == 0 ? 0 : count - report.files_ok;
    auto scan = spool->receive(rules, **ledger, act, limit);
    if (scan) {
      for (const auto& a : scan->accepted) {
        ++report.files_ok;
        report.message_bytes += a.envelope.size();
        report.file_bytes += file_bytes(a.envelope);
      }
      for (const auto& r : scan->rejected) {
        ++report.files_failed;  // not ok(): one notice says which and why
        if (options.notice) options.notice("rejected " + r.error.message() + " (moved to " + printable_name(r.file) + ")");
      }
    }
    bool arrived = scan && (count == 0 || report.files_ok >= count);
    bool waited = options.wait && Steady::now() - start >= *options.wait;
    if (scan && !arrived && !waited) {
      next_scan.expires_after(std::chrono::milliseconds(200));
      next_scan.async_wait([&](const boost::system::error_code& ec) {
        if (!ec && running) scan_inbound();
      });
      return;
    }
    if (!scan) {
      outcome = tl::unexpected(scan.error());
    } else if (!arrived) {
      outcome = fail(errc::timed_out, "only " + std::to_string(report.files_ok) + " of " + std::to_string(count) +
                                          " file(s) arrived in " + spool->inbound());
    }
    running = false;
    signals.cancel();
  };
  scan_inbound();
  io.run();
  if (!outcome) report.errors.push_back(outcome.error());
  report.seconds = seconds_since(start);
  return report;
}

}  // namespace

std::uint64_t spool_counter() {
  static std::uint64_t last = 0;
  auto ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  last = std::max(last + 1, ms);
  return last;
}

Result<Bytes> file_envelope(const std::string& path, const TransferOptions& options, std::uint64_t counter,
                            proto::Random& random) {
  auto content = base::read_file(path, options.max_message);
  if (!content) return tl::unexpected(content.error());
  auto payload = encode_file_payload(basename_of(path), as_bytes(*content));
  if (!payload) return tl::unexpected(payload.error().located(path));
  proto::EnvelopeSpec spec;
  spec.kind = proto::Kind::file;
  spec.payload_type = guess_payload_type(as_bytes(*content));
  spec.counter = counter;
  auto env = outgoing_envelope(spec, *payload, options.identity, random, options.max_message);
  if (!env) return tl::unexpected(env.error().located(path));
  return env;
}

Result<std::string> store_received(const std::string& dir, ByteView envelope, std::uint64_t max_message) {
  auto env = proto::parse_envelope(envelope, max_message);
  if (!env) return tl::unexpected(env.error());
  std::string name;
  ByteView content;
  if (env->header.kind == proto::Kind::file) {
    auto file = decode_file_payload(env->payload);
    if (!file) return tl::unexpected(file.error());
    name = file->name;
    content = file->content;
  } else {
    name = base::to_hex(env->header.id) + ".kske";
    content = envelope;
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  for (int n = 0; n < 1000; ++n) {
    std::string path = dir + "/" + (n == 0 ? name : name + "." + std::to_string(n));
    auto created = base::create_file_atomic(path, content, 0644);
    if (created) return path;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return tl::unexpected(created.error());
    auto existing = base::read_file(path, content.size() + 1);
    if (S_ISREG(st.st_mode) && existing && existing->size() == content.size() &&
        std::equal(content.begin(), content.end(), existing->begin(),
                   [](std::uint8_t a, char b) { return a == static_cast<std::uint8_t>(b); })) {
      return path;  // the same file arrived before
    }
  }
  return fail(errc::io_error, "too many files named " + name, dir);
}

Result<TransferReport> send_files(const TransferOptions& options, const std::vector<std::string>& files) {
  if (const auto* spool = std::get_if<SpoolLink>(&options.link)) return spool_send(options, *spool, files);
  if (std::holds_alternative<LoopbackLink>(options.link)) {
    return fail_loopback_between_processes("serial: or spool:");
  }
  const auto& serial = std::get<SerialLink>(options.link);
  auto envelopes = build_envelopes(options, files, false);
  if (!envelopes) return tl::unexpected(envelopes.error());
  asio::io_context io;
  auto stream = open_serial_stream(io, serial, options);
  if (!stream) return tl::unexpected(stream.error());
  SendJob job(io, **stream, options, serial_engine_config(options, serial), files, std::move(*envelopes));
  run_endpoints(io, {&job}, options.handle_signals);
  return job.report();
}

Result<TransferReport> receive_files(const TransferOptions& options, const std::string& output_dir, std::size_t count) {
  if (const auto* spool = std::get_if<SpoolLink>(&options.link)) return spool_receive(options, *spool, output_dir, count);
  if (std::holds_alternative<LoopbackLink>(options.link)) {
    return fail_loopback_between_processes("serial: or spool:");
  }
  const auto& serial = std::get<SerialLink>(options.link);
  std::error_code ec;
  std::filesystem::create_directories(output_dir, ec);
  if (ec) return fail(errc::io_error, "cannot create the output directory: " + ec.message(), output_dir);
  auto store = DiskPartialStore::open(state_dir(options, output_dir) + "/partial");
  if (!store) return tl::unexpected(store.error());
  asio::io_context io;
  auto stream = open_serial_stream(io, serial, options);
  if (!stream) return tl::unexpected(stream.error());
  StoringStore storing(**store, output_dir, options.max_message);
  ReceiveJob job(io, **stream, options, serial_engine_config(options, serial), store->get(), &storing, output_dir,
                 count);
  run_endpoints(io, {&job}, options.handle_signals);
  return job.report();
}

Result<std::pair<TransferReport, TransferReport>> transfer_over_loopback(const LoopbackLink& line,
                                                                         const TransferOptions& sender,
                                                                         const std::vector<std::string>& files,
                                                                         const TransferOptions& receiver,
                                                                         const std::string& output_dir) {
  auto envelopes = build_envelopes(sender, files, false);
  if (!envelopes) return tl::unexpected(envelopes.error());
  std::error_code ec;
  std::filesystem::create_directories(output_dir, ec);
  auto store = DiskPartialStore::open(state_dir(receiver, output_dir) + "/partial");
  if (!store) return tl::unexpected(store.error());
  asio::io_context io;
  LoopbackLine pipe(io, line);
  std::uint32_t rate = line.baud / 10;
  SendJob send(io, pipe.a(), sender, engine_config(sender, rate, true, false), files, std::move(*envelopes));
  StoringStore storing(**store, output_dir, receiver.max_message);
  ReceiveJob receive(io, pipe.b(), receiver, engine_config(receiver, rate, true, false), store->get(), &storing,
                     output_dir, files.size());
  run_endpoints(io, {&send, &receive}, sender.handle_signals);
  return std::make_pair(send.report(), receive.report());
}

}  // namespace kskline::transport
