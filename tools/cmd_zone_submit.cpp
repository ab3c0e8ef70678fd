// `kskline zone submit [REQUEST] [--link L] [--ksk-dir D] [--dir D]`: send a
// key-signing request to the KSK side and import its answer. Serial links
// wait for the answer (the operator on the other side reads and approves it
// meanwhile); a spool link only posts the request (`zone import` takes the
// answer later); loopback runs the KSK side of --ksk-dir in this process.
// The state's lock is not held while the link or the KSK operator is awaited.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "base/atomic_file.hpp"
#include "base/encoding.hpp"
#include "proto/envelope.hpp"
#include "signer/errc.hpp"
#include "signer/fingerprint.hpp"
#include "signer/key_request.hpp"
#include "signer/zone_state.hpp"
#include "tools/commands.hpp"
#include "tools/link_options.hpp"
#include "tools/submit.hpp"
#include "tools/option_values.hpp"
#include "tools/time_option.hpp"
#include "transport/errc.hpp"
#include "transport/link_spec.hpp"
#include "transport/spool.hpp"

namespace kskline::tools {
namespace {

struct SubmitOptions {
  std::string dir = ".";
  std::string request;  // a request file; default: the newest stored request not yet answered
  std::string link;     // default: the config's link
  std::string ksk_dir;  // loopback: the KSK state to answer with
  bool ksk_batch = false;  // loopback: the KSK side signs only what its policy auto-approves
  double timeout = 1800;
  double wait = kDefaultWait;
  std::string now;
  bool quiet = false;
};

// How long submit waits for the state lock when it comes back with the
// answer (a publish or an import may hold it for a while).
constexpr std::chrono::seconds kRelockWait(120);

// Takes the answer into the state and says what was stored, or reports the
// KSK side's refusal (recorded in the state).
int take(signer::ZoneState& state, const Bytes& answer, std::int64_t now) {
  auto taken = take_answer(state, answer, "the answer", now);
  if (!taken) return report(taken.error());
  if (taken->refused) return report(refusal_report(*taken->refused, state.dir()));
  const auto& imported = *taken->imported;
  std::printf("imported the answer to request %s: %zu slots, %s .. %s, stored as %s\n", imported.request_id.c_str(),
              imported.slots, signer::format_time(imported.from).c_str(), signer::format_time(imported.until).c_str(),
              imported.path.c_str());
  return kExitOk;
}

// The state lock is held only while the request is read and its envelope
// noted (now), and again while the answer is imported (after the exchange):
// publish, status and import work while the KSK operator reads, and a second
// submit's import waits for this one's.
int run_submit(const SubmitOptions& o) {
  auto now = parse_when("--now", o.now, system_now());
  if (!now) return report(now.error());
  auto state = std::optional<signer::ZoneState>();
  if (auto opened = signer::ZoneState::open(o.dir); opened) {
    state.emplace(std::move(*opened));
  } else {
    return report(opened.error());
  }
  const auto config = state->config();
  const std::string state_dir = state->dir();

  std::string request_path = o.request;
  if (request_path.empty()) {
    auto newest = state->newest_unanswered_request();
    if (!newest) return report(newest.error());
    request_path = *newest;
  }
  auto text = base::read_file(request_path, 16u << 20);
  if (!text) return report(text.error());
  auto request = signer::parse_request(*text, request_path);
  if (!request) return report(request.error());
  if (!(request->zone == config.zone)) {
    return report(Error{signer::errc::wrong_zone, request_path,
                        "the request is for " + request->zone.to_string() + ", this state for " + config.zone.to_string()});
  }

  LinkOptions link = zone_link_options(*state, o.link);
  if (link.link.empty()) {
    return report(Error{transport::errc::bad_link_spec, "--link", "no link given and none in " +
                                                                     std::string(signer::kZoneConfigFile)});
  }
  auto spec = transport::parse_link_spec(link.link);
  if (!spec && !o.link.empty()) return report(spec.error().located("--link"));
  if (!spec) {
    // The config's link, not the command line's: bad input, not usage.
    report(spec.error().located(state_dir + "/" + signer::kZoneConfigFile + " (link)"));
    return kExitFailure;
  }
  link.wait = o.wait;
  link.quiet = o.quiet;

  ProgressLine progress(!o.quiet);
  std::optional<proto::LinkIdentity> identity;
  auto options = transfer_options(link, true, identity, progress, "request");
  if (!options) {
    Error e = options.error();
    e.where = state_dir + "/" + signer::kZoneConfigFile + " (link settings, " + e.where + ")";
    report(e);
    return kExitFailure;  // the state's settings: bad input, not a usage error
  }
  options->answer_wait = o.timeout <= 0 ? std::nullopt
                                        : std::optional(proto::Duration(static_cast<std::int64_t>(o.timeout * 1e6)));
  const bool spool = std::holds_alternative<transport::SpoolLink>(*spec);
  auto envelope = request_envelope(*text, identity ? &*identity : nullptr, spool ? transport::spool_counter() : 0);
  if (!envelope) return report(envelope.error());
  // The KSK side's refusal names only the envelope it answers: the state
  // keeps which request that was. A request from outside the state (a file
  // named on the command line) is not noted.
  if (auto digest = proto::trailing_digest(*envelope)) {
    if (auto noted = state->note_sent(request->id, *digest);
        !noted && noted.error().code != signer::errc::not_our_request) {
      return report(noted.error());
    }
  }

  // What the KSK operator compares before typing yes.
  std::printf("request %s for %s: %zu slots, %s .. %s\n%s", request->id.c_str(), config.zone.to_string().c_str(),
              request->slots.size(), signer::format_time(request->slots.front().start).c_str(),
              signer::format_time(request->slots.back().end).c_str(),
              signer::digest_lines(signer::text_sha256(*text)).c_str());
  std::fflush(stdout);

  state.reset();  // the lock is released: nothing below reads or writes the state until the answer

  if (spool) {
    auto s = transport::Spool::open(std::get<transport::SpoolLink>(*spec).dir, transport::Side::zone);
    if (!s) return report(s.error());
    auto posted = s->post(*envelope);
    if (!posted) return report(posted.error());
    std::printf("posted %s; take the medium to the KSK side (`kskline ksk serve --dir KSK-STATE --link %s`, with "
                "the stick's path there), then bring it back and run "
                "`kskline zone import --dir %s %s/*.kske`\n",
                posted->c_str(), link.link.c_str(), state_dir.c_str(), s->inbound().c_str());
    return kExitOk;
  }

  auto result = exchange_request(*spec, *options, std::move(*envelope), LoopbackKsk{o.ksk_dir, o.ksk_batch, *now},
                                 "kskline zone submit", progress);
  if (!result) return report(result.error());
  if (result->response.empty()) {
    std::fprintf(stderr, "kskline: no answer; the request stays stored, submit it again\n");
    return exit_code_for(result->report.errors);
  }
  // Back to the state for the import, re-read under the lock: another
  // command may have changed it while this one waited.
  auto reopened = signer::ZoneState::open(o.dir, kRelockWait);
  if (!reopened) {
    report(reopened.error());
    std::fprintf(stderr, "kskline: the answer was not imported; submit the request again (the KSK side re-sends its "
                         "stored answer)\n");
    return kExitFailure;
  }
  return take(*reopened, result->response, *now);
}

}  // namespace

void add_zone_submit(Cli& cli) {
  auto o = std::make_shared<SubmitOptions>();
  auto* cmd = cli.zone->add_subcommand("submit", "send a key-signing request to the KSK side and import the answer");
  cmd->add_option("request", o->request, "the request file (default: the newest stored request not yet answered)");
  cmd->add_option("--dir", o->dir, "the zone state directory (default: the current directory)");
  cmd->add_option("--link,-l", o->link, "serial:PATH[,...], spool:DIR or loopback[,...] (default: the config's link)")
      ->check(link_value());
  cmd->add_option("--ksk-dir", o->ksk_dir, "loopback: the KSK state directory that answers in this process");
  cmd->add_flag("--ksk-batch", o->ksk_batch,
               "loopback: the KSK side asks no questions and signs only what its policy auto-approves");
  cmd->add_option("--timeout", o->timeout,
                  "seconds to wait for the answer once the request is delivered (default 1800; 0: forever)")
      ->check(number_value(0, kMaxSeconds));
  cmd->add_option("--wait", o->wait, kWaitHelp)->check(number_value(0, kMaxSeconds));
  cmd->add_option("--now", o->now, std::string("the time to check the answer at: ") + kTimeGrammar + " (default: the clock)")
      ->check(time_value());
  cmd->add_flag("--quiet,-q", o->quiet, "no progress line");
  cmd->callback([&cli, o] { cli.exit_code = run_submit(*o); });
}

}  // namespace kskline::tools
