// The link commands: `kskline link-keygen -o FILE`, `kskline send --link L
// FILE...` and `kskline receive --link L --output-dir D [--count N]`.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include "proto/identity.hpp"
#include "tools/commands.hpp"
#include "transport/errc.hpp"
#include "transport/file_transfer.hpp"
#include "transport/identity_file.hpp"
#include "transport/link_spec.hpp"
#include "transport/sodium_random.hpp"

namespace kskline::tools {
namespace {

using transport::TransferOptions;
using transport::TransferProgress;
using transport::TransferReport;

// Options shared by send and receive.
struct LinkOptions {
  std::string link;
  std::string identity;
  std::vector<std::string> peers;
  std::string auth;
  std::string side;
  double wait = 120;
  bool quiet = false;
};

struct SendOptions {
  LinkOptions link;
  std::vector<std::string> files;
};

struct ReceiveOptions {
  LinkOptions link;
  std::string output_dir;
  std::size_t count = 0;
  std::string state_dir;
};

std::string human_bytes(double n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB"};
  int u = 0;
  while (n >= 1024 && u < 3) {
    n /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", n, units[u]);
  return buf;
}

std::string human_duration(double s) {
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(s / 3600), static_cast<int>(std::fmod(s, 3600) / 60));
  } else if (s >= 60) {
    std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s / 60), static_cast<int>(std::fmod(s, 60)));
  } else {
    std::snprintf(buf, sizeof buf, "%.0fs", s);
  }
  return buf;
}

// The progress line, rewritten in place on a terminal.
class ProgressLine {
 public:
  explicit ProgressLine(bool enabled) : enabled_(enabled && ::isatty(STDERR_FILENO)) {}

  void update(const TransferProgress& p, const char* verb) {
    if (!enabled_) return;
    std::string line = std::string(verb) + " " + human_bytes(static_cast<double>(p.bytes_done));
    if (p.bytes_total > 0) {
      line += " / " + human_bytes(static_cast<double>(p.bytes_total));
    }
    if (p.files_total > 0) line += ", file " + std::to_string(std::min(p.files_done + 1, p.files_total)) + "/" + std::to_string(p.files_total);
    double rate = p.seconds > 0 ? static_cast<double>(p.bytes_done) / p.seconds : 0;
    line += ", " + human_bytes(rate) + "/s";
    if (p.bytes_total > p.bytes_done && rate > 0) {
      line += ", ETA " + human_duration(static_cast<double>(p.bytes_total - p.bytes_done) / rate);
    }
    line += ", " + std::to_string(p.retransmissions) + " retransmissions";
    if (p.line_rate > 0 && p.seconds > 0) {
      char eff[32];
      // Bytes handed to the line run a little ahead of the bytes that left it.
      std::snprintf(eff, sizeof eff, ", line %.0f%%", std::min(100.0, 100 * rate / p.line_rate));
      line += eff;
    }
    if (!p.connected) line += " (waiting for the peer)";
    std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
    std::fflush(stderr);
    shown_ = true;
  }

  void clear() {
    if (shown_) std::fprintf(stderr, "\r\x1b[K");
    shown_ = false;
  }

 private:
  bool enabled_;
  bool shown_ = false;
};

// Builds transfer options from the command line; errors name the option.
Result<TransferOptions> transfer_options(const LinkOptions& o, bool sending, std::optional<proto::LinkIdentity>& identity,
                                         ProgressLine& progress, const char* verb) {
  TransferOptions t;
  auto spec = transport::parse_link_spec(o.link);
  if (!spec) return tl::unexpected(spec.error().located("--link"));
  t.link = *spec;
  if (o.side.empty()) {
    t.side = sending ? transport::Side::zone : transport::Side::ksk;
  } else if (o.side == "zone") {
    t.side = transport::Side::zone;
  } else if (o.side == "ksk") {
    t.side = transport::Side::ksk;
  } else {
    return fail(transport::errc::bad_link_spec, "must be zone or ksk", "--side");
  }
  if (!o.identity.empty()) {
    auto id = transport::read_identity_file(o.identity);
    if (!id) return tl::unexpected(id.error().located("--identity"));
    identity.emplace(std::move(*id));
    t.identity = &*identity;
  }
  for (const auto& p : o.peers) {
    auto key = transport::read_public_key(p);
    if (!key) return tl::unexpected(key.error().located("--peer"));
    t.pinned.add(*key);
  }
  if (o.auth.empty()) {
    t.auth = o.peers.empty() ? proto::AuthPolicy::off : proto::AuthPolicy::required;
  } else if (o.auth == "off") {
    t.auth = proto::AuthPolicy::off;
  } else if (o.auth == "optional") {
    t.auth = proto::AuthPolicy::optional;
  } else if (o.auth == "required") {
    t.auth = proto::AuthPolicy::required;
  } else {
    return fail(transport::errc::bad_link_spec, "must be off, optional or required", "--auth");
  }
  if (t.auth == proto::AuthPolicy::required && t.pinned.empty()) {
    return fail(transport::errc::bad_link_spec, "authentication is required but no peer key is pinned (--peer PUBKEY)",
                "--auth");
  }
  if (o.wait < 0) return fail(transport::errc::bad_link_spec, "must be 0 (forever) or more seconds", "--wait");
  if (o.wait == 0) {
    t.wait.reset();
  } else {
    t.wait = proto::Duration(static_cast<std::int64_t>(o.wait * 1e6));
  }
  t.progress = [&progress, verb](const TransferProgress& p) { progress.update(p, verb); };
  t.notice = [&progress](const std::string& text) {
    progress.clear();
    std::fprintf(stderr, "kskline: %s\n", text.c_str());
  };
  return t;
}

// The rate of the bytes that crossed the line in this run (a receiver that
// resumed does not count what it already held).
std::string rate_text(const TransferReport& r) {
  std::uint64_t moved = r.message_bytes > r.resumed_bytes ? r.message_bytes - r.resumed_bytes : 0;
  double rate = r.seconds > 0 ? static_cast<double>(moved) / r.seconds : 0;
  char buf[96];
  if (r.line_rate > 0) {
    std::snprintf(buf, sizeof buf, "%.0f B/s, %.1f%% of the line", rate, 100 * rate / r.line_rate);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f B/s", rate);
  }
  return buf;
}

int finish(const TransferReport& r, const std::string& summary, bool extra_ok = true) {
  for (const auto& e : r.errors) std::fprintf(stderr, "kskline: %s\n", e.message().c_str());
  std::fprintf(stderr, "kskline: %s\n", summary.c_str());
  return r.ok() && extra_ok ? kExitOk : kExitFailure;
}

int run_send(const SendOptions& o) {
  ProgressLine progress(!o.link.quiet);
  std::optional<proto::LinkIdentity> identity;
  auto t = transfer_options(o.link, true, identity, progress, "sent");
  if (!t) return report(t.error());
  auto r = transport::send_files(*t, o.files);
  progress.clear();
  if (!r) return report(r.error());
  char summary[512];
  if (std::holds_alternative<transport::SpoolLink>(t->link)) {
    std::snprintf(summary, sizeof summary, "sent %zu/%zu files, %llu bytes, into the spool", r->files_ok, o.files.size(),
                  static_cast<unsigned long long>(r->file_bytes));
  } else {
    std::uint64_t resent = r->chunk_bytes > r->message_bytes ? r->chunk_bytes - r->message_bytes : 0;
    std::snprintf(summary, sizeof summary,
                  "sent %zu/%zu files, %llu bytes in %.1f s (%s); %llu wire bytes, %llu bytes resent, "
                  "%llu retransmissions, %llu sessions, %llu link losses",
                  r->files_ok, o.files.size(), static_cast<unsigned long long>(r->file_bytes), r->seconds,
                  rate_text(*r).c_str(), static_cast<unsigned long long>(r->wire_bytes_sent),
                  static_cast<unsigned long long>(resent), static_cast<unsigned long long>(r->totals.retransmissions),
                  static_cast<unsigned long long>(r->sessions),
                  static_cast<unsigned long long>(r->totals.link_losses));
  }
  return finish(*r, summary, r->files_ok == o.files.size());
}

int run_receive(const ReceiveOptions& o) {
  ProgressLine progress(!o.link.quiet);
  std::optional<proto::LinkIdentity> identity;
  auto t = transfer_options(o.link, false, identity, progress, "received");
  if (!t) return report(t.error());
  t->state_dir = o.state_dir;
  auto r = transport::receive_files(*t, o.output_dir, o.count);
  progress.clear();
  if (!r) return report(r.error());
  for (const auto& path : r->written) std::printf("%s\n", path.c_str());
  std::fflush(stdout);
  char summary[512];
  if (std::holds_alternative<transport::SpoolLink>(t->link)) {
    std::snprintf(summary, sizeof summary, "received %zu files, %llu bytes, from the spool; %zu rejected", r->files_ok,
                  static_cast<unsigned long long>(r->file_bytes), r->files_failed);
  } else {
    std::snprintf(summary, sizeof summary,
                  "received %zu files, %llu bytes in %.1f s (%s); %llu bytes resumed, %llu retransmissions, "
                  "%llu sessions, %llu link losses",
                  r->files_ok, static_cast<unsigned long long>(r->file_bytes), r->seconds, rate_text(*r).c_str(),
                  static_cast<unsigned long long>(r->resumed_bytes),
                  static_cast<unsigned long long>(r->totals.retransmissions),
                  static_cast<unsigned long long>(r->sessions),
                  static_cast<unsigned long long>(r->totals.link_losses));
  }
  return finish(*r, summary, o.count == 0 || r->files_ok >= o.count);
}

int run_link_keygen(const std::string& out) {
  transport::SodiumRandom random;
  auto identity = proto::LinkIdentity::generate(random);
  if (auto ok = transport::write_identity_files(out, identity); !ok) return report(ok.error());
  std::printf("%s\n", transport::public_key_text(identity.public_key()).c_str());
  return kExitOk;
}

void add_link_options(CLI::App* cmd, LinkOptions& o) {
  cmd->add_option("--link,-l", o.link,
                  "serial:PATH[,baud=N][,flow=none|xonxoff|rtscts][,parity=none|even|odd][,bits=7|8][,stop=1|2] or spool:DIR")
      ->required();
  cmd->add_option("--identity", o.identity, "this side's link identity (kskline link-keygen)");
  cmd->add_option("--peer", o.peers, "a peer public key to accept: FILE.pub or the key in base64 (repeatable)");
  cmd->add_option("--auth", o.auth, "off, optional or required (default: required with --peer, else off)");
  cmd->add_option("--side", o.side, "spool links: this side, zone (writes to-ksk) or ksk (writes to-zone)");
  cmd->add_option("--wait", o.wait, "seconds to wait for the peer (0: forever; default 120)");
  cmd->add_flag("--quiet,-q", o.quiet, "no progress line");
}

}  // namespace

void add_link_keygen(Cli& cli) {
  auto out = std::make_shared<std::string>();
  auto* cmd = cli.app.add_subcommand("link-keygen", "make a link identity (Ed25519): FILE (secret, 0600) and FILE.pub");
  cmd->add_option("-o,--output", *out, "the secret identity file to create")->required();
  cmd->callback([&cli, out] { cli.exit_code = run_link_keygen(*out); });
}

void add_send(Cli& cli) {
  auto o = std::make_shared<SendOptions>();
  auto* cmd = cli.app.add_subcommand("send", "send whole files over a link");
  add_link_options(cmd, o->link);
  cmd->add_option("file", o->files, "files to send")->required();
  cmd->callback([&cli, o] { cli.exit_code = run_send(*o); });
}

void add_receive(Cli& cli) {
  auto o = std::make_shared<ReceiveOptions>();
  auto* cmd = cli.app.add_subcommand("receive", "receive whole files from a link");
  add_link_options(cmd, o->link);
  cmd->add_option("--output-dir,-d", o->output_dir, "where received files are written")->required();
  cmd->add_option("--count,-n", o->count,
                  "files to wait for (default: serial, until the sender closes the link; spool, what is there)");
  cmd->add_option("--state-dir", o->state_dir, "partial messages and the replay ledger (default OUTPUT/.kskline)");
  cmd->callback([&cli, o] { cli.exit_code = run_receive(*o); });
}

}  // namespace kskline::tools
