#include "tools/link_options.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>

#include <unistd.h>

#include "proto/envelope.hpp"
#include "tools/option_values.hpp"
#include "transport/errc.hpp"
#include "transport/identity_file.hpp"

namespace kskline::tools {

using transport::TransferOptions;
using transport::TransferProgress;
using transport::TransferReport;

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

ProgressLine::ProgressLine(bool enabled) : enabled_(enabled && ::isatty(STDERR_FILENO)) {}

void ProgressLine::update(const TransferProgress& p, const char* verb) {
  if (!enabled_) return;
  // A request wholly delivered waits for its answer while the other side's
  // operator reads it: say so, instead of a rate that decays.
  if (std::string_view(verb) == "request" && p.bytes_total > 0 && p.bytes_done >= p.bytes_total && p.connected) {
    if (!delivered_at_) delivered_at_ = p.seconds;
    const std::string line = "request delivered (" + human_bytes(static_cast<double>(p.bytes_total)) + " in " +
                             human_duration(*delivered_at_) + "); waiting for the answer while the KSK operator " +
                             "reviews it, " + human_duration(p.seconds - *delivered_at_) + " so far";
    std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
    std::fflush(stderr);
    shown_ = true;
    return;
  }
  delivered_at_.reset();
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

void ProgressLine::clear() {
  if (shown_) std::fprintf(stderr, "\r\x1b[K");
  shown_ = false;
}

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
  auto auth = proto::parse_auth_setting(o.auth.empty() ? proto::kAutoAuthWord : o.auth, "--auth");
  if (!auth) return fail(transport::errc::bad_link_spec, auth.error().detail, "--auth");
  t.auth = proto::resolve_auth(*auth, !o.peers.empty());
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

Result<void> authenticate_envelope(ByteView envelope, const std::string& peer, const std::string& auth,
                                   const std::string& where) {
  proto::PinnedKeys pinned;
  if (!peer.empty()) {
    auto key = transport::read_public_key(peer);
    if (!key) return tl::unexpected(key.error().located(where));
    pinned.add(*key);
  }
  auto setting = proto::parse_auth_setting(auth.empty() ? proto::kAutoAuthWord : auth, "link.auth");
  if (!setting) return tl::unexpected(setting.error());
  proto::AuthRules rules;
  rules.pinned = &pinned;
  rules.policy = proto::resolve_auth(*setting, !peer.empty());
  auto env = proto::parse_envelope(envelope);
  if (!env) return tl::unexpected(env.error());
  auto status = proto::authenticate(*env, rules);
  if (!status) return tl::unexpected(status.error());
  return {};
}

void add_link_options(CLI::App* cmd, LinkOptions& o) {
  cmd->add_option("--link,-l", o.link,
                  "serial:PATH[,baud=N][,flow=none|xonxoff|rtscts][,parity=none|even|odd][,bits=7|8][,stop=1|2] or spool:DIR")
      ->required()
      ->check(link_value());
  cmd->add_option("--identity", o.identity, "this side's link identity (kskline link-keygen)");
  cmd->add_option("--peer", o.peers, "a peer public key to accept: FILE.pub or the key in base64 (repeatable)");
  cmd->add_option("--auth", o.auth, "auto, off, optional or required (default auto: required with --peer, else off)")
      ->check(word_value("an authentication policy", {"auto", "off", "optional", "required"}));
  cmd->add_option("--side", o.side, "spool links: this side, zone (writes to-ksk) or ksk (writes to-zone)")
      ->check(word_value("a side", {"zone", "ksk"}));
  cmd->add_option("--wait", o.wait, kWaitHelp)->check(number_value(0, kMaxSeconds));
  cmd->add_flag("--quiet,-q", o.quiet, "no progress line");
}

}  // namespace kskline::tools
