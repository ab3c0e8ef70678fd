// `kskline ksk pin PEER [--dir D]`: pin the zone side's link public key on
// the KSK side, so that `ksk serve` and `ksk sign` of envelopes accept only
// requests that key signed (link.auth "auto" then requires it). The key goes
// into ksk.toml's [link] peer as base64; the rest of the file is unchanged.
#include <cstdio>
#include <memory>
#include <string>

#include "base/atomic_file.hpp"
#include "signer/ksk_endpoint.hpp"
#include "signer/policy.hpp"
#include "signer/state_dir.hpp"
#include "tools/commands.hpp"
#include "transport/identity_file.hpp"

namespace kskline::tools {
namespace {

struct PinOptions {
  std::string dir = ".";
  std::string peer;  // a .pub file or the key in base64
};

int run_pin(const PinOptions& o) {
  auto key = transport::read_public_key(o.peer);
  if (!key) return report(key.error());
  const std::string key_text = transport::public_key_text(*key);
  auto lock = signer::lock_ksk_state(o.dir, "kskline ksk pin");
  if (!lock) return report(lock.error());
  const std::string path = signer::state_path(o.dir, signer::ksk_files::config);
  auto text = base::read_file(path, 1u << 20);
  if (!text) return report(text.error());
  auto pinned = signer::with_link_peer(*text, path, key_text);
  if (!pinned) return report(pinned.error());
  auto config = signer::parse_config(*pinned, path);
  if (!config) return report(config.error());
  if (auto written = base::write_file_atomic(path, as_bytes(*pinned)); !written) return report(written.error());
  std::printf("pinned the zone side's link key %s in %s\n", key_text.c_str(), path.c_str());
  const std::string& auth = config->link.auth;
  if (auth == "off" || auth == "optional") {
    std::fprintf(stderr,
                 "kskline: warning: link.auth is \"%s\" in %s: unsigned requests are still accepted; set it to "
                 "\"auto\" or \"required\"\n",
                 auth.c_str(), path.c_str());
  } else {
    std::printf("requests must now be signed by that key (link.auth \"%s\")\n", auth.c_str());
  }
  return kExitOk;
}

}  // namespace

void add_ksk_pin(Cli& cli) {
  auto o = std::make_shared<PinOptions>();
  auto* cmd = cli.ksk->add_subcommand("pin", "pin the zone side's link public key: only requests it signs are answered");
  cmd->add_option("peer", o->peer, "the zone side's link.id.pub (or the key in base64)")->required();
  cmd->add_option("--dir", o->dir, "the state directory (default: the current directory)");
  cmd->callback([&cli, o] { cli.exit_code = run_pin(*o); });
}

}  // namespace kskline::tools
