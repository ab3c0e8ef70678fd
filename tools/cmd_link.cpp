// The link commands: `kskline link-keygen -o FILE`, `kskline send --link L
// FILE...` and `kskline receive --link L --output-dir D [--count N]`.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proto/identity.hpp"
#include "tools/commands.hpp"
#include "tools/link_options.hpp"
#include "transport/file_transfer.hpp"
#include "transport/identity_file.hpp"
#include "transport/link_spec.hpp"

namespace kskline::tools {
namespace {

using transport::TransferOptions;
using transport::TransferProgress;
using transport::TransferReport;

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

int finish(const TransferReport& r, const std::string& summary, bool extra_ok = true) {
  for (const auto& e : r.errors) std::fprintf(stderr, "kskline: %s\n", e.message().c_str());
  std::fprintf(stderr, "kskline: %s\n", summary.c_str());
  return r.ok() && extra_ok ? kExitOk : exit_code_for(r.errors);
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
  auto key = transport::new_identity_files(out);
  if (!key) return report(key.error());
  std::printf("%s\n", transport::public_key_text(*key).c_str());
  return kExitOk;
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
