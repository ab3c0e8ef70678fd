// What every command that uses a link shares: the link options (flags or a
// state directory's config), building transfer options from them, and the
// progress line shown while a transfer runs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/error.hpp"
#include "proto/identity.hpp"
#include "transport/file_transfer.hpp"

namespace kskline::tools {

// How long every command that waits for its peer waits by default (--wait),
// in seconds: long enough for the other operator to start the other end
// during a ceremony. 0 means forever.
inline constexpr double kDefaultWait = 600;
// The --wait option's help text, the same everywhere.
inline constexpr const char* kWaitHelp = "seconds to wait for the peer to come up (default 600; 0: forever)";

// How to reach the peer: a link spec, this side's identity, the peer keys to
// accept and the authentication policy.
struct LinkOptions {
  std::string link;
  std::string identity;
  std::vector<std::string> peers;
  std::string auth;   // proto::parse_auth_setting's words; empty: auto (required with peers, else off)
  std::string side;   // spool: zone or ksk; empty: the sender is the zone side
  double wait = kDefaultWait;  // seconds to wait for the peer; 0: forever
  bool quiet = false;
};

// Octets in B, KiB, MiB or GiB with one decimal.
std::string human_bytes(double n);
// Seconds as "42s", "3m05s" or "1h02m".
std::string human_duration(double s);

// The progress line, rewritten in place on a terminal (nothing otherwise).
class ProgressLine {
 public:
  // Shows progress when `enabled` and standard error is a terminal.
  explicit ProgressLine(bool enabled);
  // Rewrites the line: "<verb> done / total, rate, ETA, retransmissions".
  void update(const transport::TransferProgress& p, const char* verb);
  // Erases the line before other output.
  void clear();

 private:
  bool enabled_;
  bool shown_ = false;
  std::optional<double> delivered_at_;  // when a request was wholly delivered (its seconds)
};

// Builds transfer options; errors name the option (--link, --identity,
// --peer, --auth, --side, --wait). `identity` holds the identity read, which
// the options point at; `progress` receives updates and notices.
Result<transport::TransferOptions> transfer_options(const LinkOptions& o, bool sending,
                                                    std::optional<proto::LinkIdentity>& identity,
                                                    ProgressLine& progress, const char* verb);

// The rate of the bytes that crossed the line in this run (a receiver that
// resumed does not count what it already held), and the share of the line.
std::string rate_text(const transport::TransferReport& r);

// Checks the link signature of an envelope carried as a file (a spool
// answer or request) as a live link would: against `peer` (a key file or
// base64; empty: none pinned) under `auth`, a state's link.auth setting
// (proto::parse_auth_setting; empty: auto). Errors name `where` for the peer
// key and "link.auth" for an unknown word; proto::errc auth_* when the
// envelope fails the policy.
Result<void> authenticate_envelope(ByteView envelope, const std::string& peer, const std::string& auth,
                                   const std::string& where);

// Adds --link, --identity, --peer, --auth, --side, --wait and --quiet to a command.
void add_link_options(CLI::App* cmd, LinkOptions& o);

}  // namespace kskline::tools
