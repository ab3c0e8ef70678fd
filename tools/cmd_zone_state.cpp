// `kskline zone init|pregenerate|request|import|publish|status`: the zone
// side's state directory (signer/zone_state.hpp). Every command takes
// --dir (default: the current directory) and holds DIR/.lock while it reads
// or writes the state; publish and status wait up to 30 s for another holder.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <utility>
#include <vector>
#include <string>

#include "base/atomic_file.hpp"
#include "proto/envelope.hpp"
#include "proto/identity.hpp"
#include "signer/config_text.hpp"
#include "signer/errc.hpp"
#include "signer/fingerprint.hpp"
#include "signer/zone_state.hpp"
#include "tools/commands.hpp"
#include "tools/option_values.hpp"
#include "tools/link_options.hpp"
#include "tools/submit.hpp"
#include "tools/time_option.hpp"
#include "transport/identity_file.hpp"
#include "transport/sodium_random.hpp"
#include "transport/spool.hpp"
#include "zone/algorithm.hpp"
#include "zone/key_tag.hpp"

namespace kskline::tools {
namespace {

struct StateOptions {
  std::string dir = ".";
  std::string now;
};

// Adds --dir and --now to a state command.
void add_state_options(CLI::App* cmd, StateOptions& o) {
  cmd->add_option("--dir", o.dir, "the zone state directory (default: the current directory)");
  cmd->add_option("--now", o.now, std::string("the current time: ") + kTimeGrammar + " (default: the clock)")
      ->check(time_value());
}

// Opens the state (waiting up to `patience` for another command's lock) and
// reads --now; prints the error and sets `exit` when either fails.
std::optional<std::pair<signer::ZoneState, std::int64_t>> open_state(
    const StateOptions& o, int& exit, std::chrono::milliseconds patience = std::chrono::milliseconds(0)) {
  auto now = parse_when("--now", o.now, system_now());
  if (!now) {
    report(now.error());
    exit = kExitUsage;
    return std::nullopt;
  }
  auto state = signer::ZoneState::open(o.dir, patience);
  if (!state) {
    exit = report(state.error());
    return std::nullopt;
  }
  return std::make_pair(std::move(*state), *now);
}

struct InitOptions {
  std::string dir = ".";
  std::string zone;
  std::string zone_file;
  std::string signed_file;
  std::string algorithm = "13";
  unsigned rsa_bits = 2048;
  std::string dnskey_ttl;
  std::string trust_anchor;
  std::string link;
  std::string identity;
  std::string peer;
  bool nsec3 = false;
  bool zonemd = false;
  std::vector<std::pair<std::string, std::string>> durations;  // (config key, value) given
};

// The timing keys `zone init` takes as options: option, config member, what it is.
struct DurationOption {
  const char* flag;
  std::int64_t signer::ZoneConfig::*member;
  const char* help;
};
constexpr DurationOption kDurationOptions[] = {
    {"--zsk-lifetime", &signer::ZoneConfig::zsk_lifetime, "how long each ZSK signs (default 30d)"},
    {"--prepublish", &signer::ZoneConfig::prepublish, "a ZSK is published this long before it signs (default 2d)"},
    {"--retire", &signer::ZoneConfig::retire, "a ZSK stays published this long after it stops signing (default 2d)"},
    {"--slot-interval", &signer::ZoneConfig::slot_interval, "the longest request slot (default 7d)"},
    {"--refresh-margin", &signer::ZoneConfig::refresh_margin,
     "KSK signatures stay valid this long past their slot (default 3d)"},
    {"--propagation-delay", &signer::ZoneConfig::propagation_delay, "primary to every secondary (default 1h)"},
    {"--warning", &signer::ZoneConfig::warning, "status WARNING lead and KSK deadline lead (default 14d)"},
    {"--critical", &signer::ZoneConfig::critical, "status CRITICAL lead (default 3d)"},
};

// A path given on the command line, made absolute so the state finds it from anywhere.
std::string absolute(const std::string& path) {
  std::error_code ec;
  auto p = std::filesystem::absolute(path, ec);
  return ec ? path : p.lexically_normal().string();
}

int run_init(const InitOptions& o) {
  const zone::Name root;
  auto name = zone::Name::parse(o.zone, &root);
  if (!name) return report(name.error().located("--zone"));
  signer::ZoneInit init;
  init.config.zone = *name;
  if (!o.zone_file.empty()) init.config.zone_file = absolute(o.zone_file);
  if (!o.signed_file.empty()) init.config.signed_file = absolute(o.signed_file);
  auto alg = zone::parse_algorithm(o.algorithm);
  if (!alg) return report(Error{signer::errc::bad_config, "--algorithm", "unknown algorithm '" + o.algorithm + "'"});
  init.config.algorithm = *alg;
  init.config.rsa_bits = o.rsa_bits;
  if (!o.dnskey_ttl.empty()) {
    auto ttl = signer::parse_duration(o.dnskey_ttl, "--dnskey-ttl");
    if (!ttl) return report(ttl.error());
    init.config.dnskey_ttl = static_cast<std::uint32_t>(*ttl);
  }
  init.config.link = o.link;
  init.config.nsec3 = o.nsec3;
  init.config.zonemd = o.zonemd;
  if (!o.peer.empty()) init.config.peer_public_key = absolute(o.peer);
  auto anchor = base::read_file(o.trust_anchor, 1 << 20);
  if (!anchor) return report(anchor.error().located("--trust-anchor"));
  init.trust_anchor = *anchor;
  init.trust_anchor_source = o.trust_anchor;
  if (!o.identity.empty()) init.config.link_identity = absolute(o.identity);
  // Every number of a duration option has a unit (a bare "14" could be
  // seconds or days); a bad value is a usage error.
  for (const auto& [flag, value] : o.durations) {
    for (const auto& d : kDurationOptions) {
      if (flag != d.flag) continue;
      auto v = parse_duration_option(flag, value);
      if (!v) {
        report(v.error());
        return kExitUsage;
      }
      init.config.*d.member = *v;
    }
  }

  auto state = signer::ZoneState::init(o.dir, init);
  if (!state) return report(state.error());
  std::printf("%s: zone state for %s created\n", o.dir.c_str(), name->to_string().c_str());
  for (const auto& r : state->trust_anchor().records) {
    std::printf("trust anchor: %s\n", zone::to_text(r).c_str());
  }
  // The link identity: kept when given, else made here (transport/ is not
  // signer/'s to use).
  if (o.identity.empty()) {
    const std::string path = state->resolve(init.config.link_identity);
    auto key = transport::new_identity_files(path);
    if (!key) return report(key.error());
    std::printf("link identity: %s (public key %s; give %s.pub to the KSK side)\n", path.c_str(),
                transport::public_key_text(*key).c_str(), path.c_str());
  }
  std::printf("next: kskline zone pregenerate --dir %s --until +90d\n", o.dir.c_str());
  return kExitOk;
}

int run_pregenerate(const StateOptions& o, const std::string& until_text) {
  int exit = kExitOk;
  auto opened = open_state(o, exit);
  if (!opened) return exit;
  auto& [state, now] = *opened;
  auto until = parse_when("--until", until_text, now);
  if (!until) {
    report(until.error());
    return kExitUsage;
  }
  auto made = state.pregenerate(*until, now);
  if (!made) return report(made.error());
  auto keys = state.zsks();
  if (!keys) return report(keys.error());
  for (const auto& k : *keys) {
    bool is_new = std::find(made->begin(), made->end(), k.basename) != made->end();
    std::printf("%s ZSK %5u publish %s activate %s inactive %s remove %s\n", is_new ? "new " : "kept",
                unsigned{k.pair.key_tag}, signer::format_time(k.window.publish).c_str(),
                signer::format_time(k.window.activate).c_str(), signer::format_time(k.window.inactive).c_str(),
                signer::format_time(k.window.remove).c_str());
  }
  std::printf("%zu ZSK%s made; the zone is signed until at least %s\n", made->size(), made->size() == 1 ? "" : "s",
              signer::format_time(*until).c_str());
  return kExitOk;
}

int run_request(const StateOptions& o, const std::string& from_text, const std::string& until_text,
                const std::string& output, const std::string& format) {
  int exit = kExitOk;
  auto opened = open_state(o, exit);
  if (!opened) return exit;
  auto& [state, now] = *opened;
  auto from = parse_when("--from", from_text, now);
  if (!from) {
    report(from.error());
    return kExitUsage;
  }
  auto until = parse_when("--until", until_text, now);
  if (!until) {
    report(until.error());
    return kExitUsage;
  }
  transport::SodiumRandom random;
  const auto dialect = format == "knot"   ? signer::Dialect::knot
                       : format == "bind" ? signer::Dialect::bind
                                          : signer::Dialect::kskline;
  auto made = state.make_request(*from, *until, now, random, dialect);
  if (!made) return report(made.error());
  if (auto w = base::write_output_file(output, as_bytes(made->output)); !w) return report(w.error());
  const auto digest = signer::text_sha256(made->output);
  // A Knot or BIND KSR has no id: the id names the stored request only.
  std::printf("%s: %srequest %s for %s, %zu slots %s..%s\n", output.c_str(),
              dialect == signer::Dialect::knot   ? "Knot KSR of "
              : dialect == signer::Dialect::bind ? "BIND KSR of "
                                                 : "",
              made->request.id.c_str(), made->request.zone.to_string().c_str(), made->request.slots.size(),
              signer::format_time(*from).c_str(), signer::format_time(*until).c_str());
  // What the KSK operator compares before typing yes.
  std::fputs(signer::digest_lines(digest).c_str(), stdout);
  return kExitOk;
}

// Imports one answer file; prints one line on stdout for what it did (or
// the error on stderr) and returns its exit code. What it took (imported,
// already imported, a refusal recorded) leaves the spool's inbox
// (transport::move_taken) once the state holds its copy.
int import_one(signer::ZoneState& state, const std::string& file, std::int64_t now) {
  // The name may come from a stick (a shell glob): shown with its control characters escaped.
  const std::string shown = transport::printable_name(file);
  auto text = base::read_file(file, 64 << 20);
  if (!text) return report(Error{text.error().code, shown, text.error().detail});
  // An envelope (from a spool) is authenticated as the link would: by the
  // KSK side's link key pinned in the config. Bare response text carries no
  // link signature; its RRSIGs against the trust anchor are what count.
  if (proto::parse_envelope(as_bytes(*text))) {
    const auto& c = state.config();
    auto auth = authenticate_envelope(as_bytes(*text), c.peer_public_key.empty() ? "" : state.resolve(c.peer_public_key),
                                      c.link_auth, std::string(signer::kZoneConfigFile) + " link.peer");
    if (!auth) return report(auth.error().located(shown));
  }
  auto taken = take_answer(state, as_bytes(*text), shown, now);
  std::string said;
  int exit = kExitOk;
  std::optional<Error> refusal;
  if (!taken) {
    if (taken.error().code != signer::errc::replayed) return report(taken.error());
    said = shown + ": skipped: already imported (" + taken.error().detail + ")";
  } else if (taken->refused) {
    // A refusal already recorded is skipped like an answer already imported.
    const auto& r = *taken->refused;
    if (r.again) {
      said = shown + ": skipped: the refusal of request " + r.request_id + " (" + r.refusal.code +
             ") is already recorded in " + r.path;
    } else {
      said = shown + ": request " + r.request_id + " refused by the KSK side (" + r.refusal.code + "), recorded in " +
             r.path;
      refusal = refusal_report(r, state.dir());
    }
  } else {
    const auto& i = *taken->imported;
    said = shown + ": " +
           (i.dialect == signer::Dialect::knot   ? "Knot SKR answering "
            : i.dialect == signer::Dialect::bind ? "BIND SKR answering "
                                                 : "response to ") +
           "request " + i.request_id + " imported: " + std::to_string(i.slots) + " slots " +
           signer::format_time(i.from) + ".." + signer::format_time(i.until) + ", stored as " + i.path;
  }
  auto moved = transport::move_taken(file);
  if (moved && *moved) said += "; moved to " + transport::printable_name(**moved);
  std::printf("%s\n", said.c_str());
  std::fflush(stdout);
  if (refusal) exit = report(*refusal);
  if (!moved) {
    const int e = report(moved.error());
    if (exit == kExitOk) exit = e;
  }
  return exit;
}

int run_import(const StateOptions& o, const std::vector<std::string>& files) {
  int exit = kExitOk;
  auto opened = open_state(o, exit);
  if (!opened) return exit;
  auto& state = opened->first;
  const std::int64_t now = opened->second;
  // Each file on its own: one that fails stays where it is, and the rest
  // are still taken; the exit code is the first failure's.
  for (const auto& file : files) {
    const int e = import_one(state, file, now);
    if (exit == kExitOk) exit = e;
  }
  return exit;
}

int run_publish(const StateOptions& o, const std::string& output, bool dry_run, bool quiet) {
  // --now is for tests and dry runs: it never replaces the live signed zone.
  if (!o.now.empty() && output.empty() && !dry_run) {
    report(Error{signer::errc::syntax, "--now",
                 "publish with --now writes -o/--output FILE or nothing (--dry-run), never the configured signed file "
                 "(signatures made for another time would go live)"});
    return kExitUsage;
  }
  int exit = kExitOk;
  // cron's publish waits, as status does, for an import or another
  // publish rather than fail (and mail) because the state is briefly busy.
  auto opened = open_state(o, exit, std::chrono::seconds(30));
  if (!opened) return exit;
  auto& state = opened->first;
  const std::int64_t now = opened->second;
  // Nor under another name for the live file.
  std::error_code ec;
  if (!o.now.empty() && !output.empty() &&
      std::filesystem::equivalent(output, state.resolve(state.config().signed_file), ec)) {
    report(Error{signer::errc::syntax, "--output",
                 "'" + output + "' is the configured signed file; with --now publish writes another file"});
    return kExitUsage;
  }
  signer::PublishTarget target;
  target.output = output;
  target.dry_run = dry_run;
  auto published = state.publish(now, target);
  if (!published) return report(published.error());
  // Quiet when all is well: warnings only for what needs a person, the
  // zone file's oddities and the coverage running short (as status says).
  for (const auto& note : published->notes) std::fprintf(stderr, "kskline: warning: %s\n", note.c_str());
  const auto status = state.status(now);
  if (status.level != signer::StatusLevel::ok) {
    for (const auto& p : status.problems) {
      std::fprintf(stderr, "kskline: warning: %s (`kskline zone status --dir %s`)\n", p.c_str(), o.dir.c_str());
    }
  }
  if (quiet) return kExitOk;
  std::string tags;
  for (auto t : published->zsk_tags) tags += (tags.empty() ? "" : ", ") + std::to_string(t);
  const auto& s = published->summary;
  std::printf("%s%s: %s signed with ZSK %s and the KSK slot %s..%s: %zu names, %zu records, %zu RRSIGs, serial %u\n",
              published->written ? "" : "dry run, would write ", published->output.c_str(),
              state.config().zone.to_string().c_str(), tags.c_str(), signer::format_time(published->slot_start).c_str(),
              signer::format_time(published->slot_end).c_str(), s.names, s.records, s.signatures, s.serial);
  return kExitOk;
}

// Reports a status that could not be found out (a usage error, an unreadable
// state) as Nagios UNKNOWN in the format asked for, and returns 3.
int status_unknown(const std::string& format, const std::string& subject, const Error& error) {
  report(error);
  const std::string why = error.message();
  const std::string out = format == "json"         ? signer::format_unknown_status_json(why)
                          : format == "prometheus" ? signer::format_unknown_status_prometheus()
                                                   : signer::format_unknown_status_text(subject, why);
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);
  static_assert(kExitStatusUnknown == static_cast<int>(signer::StatusLevel::unknown));
  return kExitStatusUnknown;
}

int run_status(const StateOptions& o, bool json, const std::string& format) {
  // CLI11 has checked --format (word_value): text, json or prometheus.
  const std::string f = json ? "json" : format;
  auto now = parse_when("--now", o.now, system_now());
  if (!now) return status_unknown(f, "kskline zone status", now.error());
  // A publish may hold the lock for a while: monitoring waits up to 30 s
  // rather than report a state that is merely busy.
  auto state = signer::ZoneState::open(o.dir, std::chrono::seconds(30));
  // Monitoring reads standard output: a state that cannot be read is UNKNOWN there too.
  if (!state) return status_unknown(f, o.dir, state.error());
  auto status = state->status(*now);
  std::string text = f == "json"         ? signer::format_status_json(status)
                     : f == "prometheus" ? signer::format_status_prometheus(status)
                                         : signer::format_status_text(status);
  std::fputs(text.c_str(), stdout);
  return static_cast<int>(status.level);
}

}  // namespace

void add_zone_state(Cli& cli) {
  {
    auto o = std::make_shared<InitOptions>();
    auto* cmd = cli.zone->add_subcommand("init", "create a zone state directory: config, trust anchor, link identity");
    cmd->add_option("--zone", o->zone, "the zone's name")->required()->check(zone_value());
    cmd->add_option("--dir", o->dir, "the state directory (default: the current directory)");
    cmd->add_option("--zone-file", o->zone_file, "the unsigned zone file (default: DIR/zone.db)");
    cmd->add_option("--signed-file", o->signed_file, "where `zone publish` writes (default: DIR/zone.signed)");
    cmd->add_option("--algorithm,-a", o->algorithm, "ZSK algorithm, number or mnemonic (default 13)")->check(algorithm_value());
    cmd->add_option("--rsa-bits", o->rsa_bits, "RSA ZSK modulus size (default 2048)")->check(number_value(1024, 4096));
    cmd->add_option("--dnskey-ttl", o->dnskey_ttl, "TTL of the DNSKEY, CDS and CDNSKEY RRsets (default 1h)")->check(ttl_value());
    cmd->add_option("--trust-anchor", o->trust_anchor,
                    "DS or DNSKEY records of the KSK, as `kskline ksk init` prints them")
        ->required();
    cmd->add_option("--link", o->link, "the link to the KSK side for `zone submit` (e.g. serial:/dev/ttyUSB0, spool:DIR)")
        ->check(link_value());
    cmd->add_option("--identity", o->identity, "an existing link identity file (default: make DIR/link.id)");
    cmd->add_option("--peer", o->peer, "the KSK side's link public key file");
    cmd->add_flag("--nsec3", o->nsec3, "publish with NSEC3 (RFC 9276 defaults) instead of NSEC");
    cmd->add_flag("--zonemd", o->zonemd, "publish with a ZONEMD record (RFC 8976)");
    for (const auto& d : kDurationOptions) {
      const std::string flag = d.flag;
      cmd->add_option_function<std::string>(
          flag, [o, flag](const std::string& value) { o->durations.emplace_back(flag, value); }, d.help)
          ->check(duration_value());
    }
    cmd->callback([&cli, o] { cli.exit_code = run_init(*o); });
  }
  {
    auto o = std::make_shared<StateOptions>();
    auto until = std::make_shared<std::string>();
    auto* cmd = cli.zone->add_subcommand("pregenerate", "make the ZSKs for the rollovers until a date");
    add_state_options(cmd, *o);
    cmd->add_option("--until", *until, std::string("the last date to cover: ") + kTimeGrammar)
        ->required()
        ->check(time_value());
    cmd->callback([&cli, o, until] { cli.exit_code = run_pregenerate(*o, *until); });
  }
  {
    auto o = std::make_shared<StateOptions>();
    auto from = std::make_shared<std::string>();
    auto until = std::make_shared<std::string>();
    auto output = std::make_shared<std::string>();
    auto format = std::make_shared<std::string>("kskline");
    auto* cmd = cli.zone->add_subcommand("request", "write a key-signing request for a period");
    add_state_options(cmd, *o);
    cmd->add_option("--from", *from, std::string("the period's start: ") + kTimeGrammar + " (default: now)")
        ->check(time_value());
    cmd->add_option("--until", *until, std::string("the period's end: ") + kTimeGrammar)->required()->check(time_value());
    cmd->add_option("--output,-o", *output, "the request file to write")->required();
    cmd->add_option("--format", *format,
                    "kskline (default), or knot or bind: a KSR for keymgr sign-ksr or dnssec-ksr sign on the KSK side")
        ->check(word_value("a dialect", {"kskline", "knot", "bind"}));
    cmd->callback([&cli, o, from, until, output, format] {
      cli.exit_code = run_request(*o, *from, *until, *output, *format);
    });
  }
  {
    auto o = std::make_shared<StateOptions>();
    auto files = std::make_shared<std::vector<std::string>>();
    auto* cmd = cli.zone->add_subcommand(
        "import", "check signed key responses (or the KSK side's refusals) and store them; take them off the spool");
    add_state_options(cmd, *o);
    cmd->add_option("file", *files,
                    "answers (text, or envelopes from a link or spool); each one taken from a spool's to-zone/ "
                    "moves to to-zone/done/")
        ->required();
    cmd->callback([&cli, o, files] { cli.exit_code = run_import(*o, *files); });
  }
  {
    auto o = std::make_shared<StateOptions>();
    auto output = std::make_shared<std::string>();
    auto dry_run = std::make_shared<bool>(false);
    auto quiet = std::make_shared<bool>(false);
    auto* cmd = cli.zone->add_subcommand("publish", "sign the configured zone with the stored KSK slot for now");
    add_state_options(cmd, *o);
    cmd->add_option("--output,-o", *output, "write the signed zone here instead of the configured signed file");
    cmd->add_flag("--dry-run", *dry_run, "sign and check, write nothing, say what would be written");
    cmd->add_flag("--quiet,-q", *quiet, "no summary line (warnings still go to standard error)");
    cmd->callback([&cli, o, output, dry_run, quiet] { cli.exit_code = run_publish(*o, *output, *dry_run, *quiet); });
  }
  {
    auto o = std::make_shared<StateOptions>();
    auto json = std::make_shared<bool>(false);
    auto format = std::make_shared<std::string>("text");
    auto* cmd = cli.zone->add_subcommand(
        "status",
        "coverage left, next ZSK event, KSK deadline; exit 0/1/2/3 = OK/WARNING/CRITICAL/UNKNOWN, usage errors "
        "UNKNOWN (waits up to 30 s for a busy state)");
    add_state_options(cmd, *o);
    auto* json_flag = cmd->add_flag("--json", *json, "the same as --format json");
    cmd->add_option("--format", *format, "text (default), json or prometheus (textfile collector)")
        ->excludes(json_flag)
        ->check(word_value("an output format", {"text", "json", "prometheus"}));
    cmd->callback([&cli, o, json, format] { cli.exit_code = run_status(*o, *json, *format); });
  }
}

}  // namespace kskline::tools
