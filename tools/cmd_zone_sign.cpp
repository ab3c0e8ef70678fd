// `kskline zone sign ZONEFILE --origin Z --key KEYFILE... [--keyset F]
// [--nsec3 ...] [--reuse PREV] -o OUT`: sign a zone file.
#include <chrono>
#include <cstdio>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/atomic_file.hpp"
#include "base/encoding.hpp"
#include "tools/commands.hpp"
#include "tools/option_values.hpp"
#include "tools/time_option.hpp"
#include "zone/algorithm.hpp"
#include "zone/errc.hpp"
#include "zone/key_file.hpp"
#include "zone/master_file.hpp"
#include "zone/parallel_read.hpp"
#include "zone/rdata.hpp"
#include "zone/signed_output.hpp"
#include "zone/zone_signer.hpp"

namespace kskline::tools {
namespace {

struct ZoneSignOptions {
  std::string file;
  std::string origin;
  std::vector<std::string> keys;
  std::vector<std::string> pem_keys;
  std::string keyset;
  bool nsec3 = false;
  std::optional<unsigned> nsec3_iterations;
  std::string nsec3_salt;
  bool nsec3_optout = false;
  std::string now;
  std::string backdate = "1h";
  std::string validity = "14d";
  std::string jitter;
  std::string refresh;
  std::string serial = "keep";
  bool zonemd = false;
  unsigned threads = 0;
  std::string reuse;
  bool normalize_ttl = false;
  bool quiet = false;
  bool timing = false;
  std::size_t max_records = zone::kDefaultMaxRecords;
  std::string output;
};

Error usage_error(std::string where, std::string detail) {
  return Error{zone::errc::syntax, std::move(where), std::move(detail)};
}

// A duration option: every number with a unit (1w2d3h4m5s; parse_duration_option).
Result<std::uint32_t> duration(const std::string& flag, const std::string& text) {
  auto t = parse_duration_option(flag, text);
  if (!t) return tl::unexpected(usage_error(flag, t.error().detail));
  return static_cast<std::uint32_t>(*t);
}

// `--pem-key ALGORITHM:FLAGS:PATH`.
Result<zone::KeyPair> pem_key(const std::string& spec, const zone::Name& origin) {
  auto first = spec.find(':');
  auto second = first == std::string::npos ? first : spec.find(':', first + 1);
  if (second == std::string::npos) {
    return tl::unexpected(usage_error("--pem-key", "expected ALGORITHM:FLAGS:PATH (e.g. 13:256:zsk.pem), got '" + spec + "'"));
  }
  auto alg = zone::parse_algorithm(spec.substr(0, first));
  if (!alg) return tl::unexpected(usage_error("--pem-key", "unknown algorithm in '" + spec + "'"));
  std::string flags_text = spec.substr(first + 1, second - first - 1);
  unsigned long flags = 0;
  try {
    std::size_t used = 0;
    flags = std::stoul(flags_text, &used);
    if (used != flags_text.size() || flags > 0xffff) throw std::out_of_range("flags");
  } catch (const std::exception&) {
    return tl::unexpected(usage_error("--pem-key", "DNSKEY flags must be a number such as 256 or 257, got '" +
                                                       flags_text + "'"));
  }
  return zone::read_pem_key_pair(spec.substr(second + 1), origin, static_cast<std::uint16_t>(flags), *alg);
}

Result<zone::SignOptions> build_options(const ZoneSignOptions& o, const zone::Name& origin) {
  zone::SignOptions s;
  s.origin = origin;
  s.threads = o.threads;
  s.zonemd = o.zonemd;
  s.normalize_ttl = o.normalize_ttl;
  auto policy = zone::parse_serial_policy(o.serial);
  if (!policy) {
    return tl::unexpected(usage_error("--serial", "'" + o.serial + "': use keep, increment, unixtime or dateserial"));
  }
  s.serial = *policy;

  auto& t = s.timing;
  auto now = parse_when("--now", o.now, system_now());
  if (!now) return tl::unexpected(now.error());
  t.now = *now;
  auto backdate = duration("--inception-offset", o.backdate);
  auto validity = duration("--validity", o.validity);
  if (!backdate) return tl::unexpected(backdate.error());
  if (!validity) return tl::unexpected(validity.error());
  t.backdate = *backdate;
  t.validity = *validity;
  t.jitter = t.validity / 4;
  t.refresh = t.validity / 4;
  if (!o.jitter.empty()) {
    auto j = duration("--jitter", o.jitter);
    if (!j) return tl::unexpected(j.error());
    t.jitter = *j;
  }
  if (!o.refresh.empty()) {
    auto r = duration("--refresh", o.refresh);
    if (!r) return tl::unexpected(r.error());
    t.refresh = *r;
  }

  bool nsec3 = o.nsec3 || o.nsec3_iterations || !o.nsec3_salt.empty() || o.nsec3_optout;
  if (nsec3) {
    zone::Nsec3Settings n;
    if (o.nsec3_iterations) {
      if (*o.nsec3_iterations > 0xffff) {
        return tl::unexpected(usage_error("--nsec3-iterations", "at most " + std::to_string(zone::kMaxNsec3Iterations)));
      }
      n.iterations = static_cast<std::uint16_t>(*o.nsec3_iterations);
    }
    if (!o.nsec3_salt.empty() && o.nsec3_salt != "-") {
      auto salt = base::from_hex(o.nsec3_salt);
      if (!salt) return tl::unexpected(usage_error("--nsec3-salt", "'" + o.nsec3_salt + "' is not hex (or - for none)"));
      n.salt = std::move(*salt);
    }
    n.opt_out = o.nsec3_optout;
    s.nsec3 = std::move(n);
  }
  return s;
}

unsigned thread_count(const ZoneSignOptions& o) {
  return o.threads != 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
}

int run_zone_sign(const ZoneSignOptions& o) {
  const auto started = std::chrono::steady_clock::now();
  const zone::Name root;
  auto origin = zone::Name::parse(o.origin, &root);
  if (!origin) return report(origin.error().located("--origin"));
  auto options = build_options(o, *origin);
  if (!options) {
    // Every option's value is checked there: a bad one is a usage error.
    report(options.error());
    return kExitUsage;
  }

  zone::SignInput input;
  for (const auto& path : o.keys) {
    auto pair = zone::read_key_pair(path);
    if (!pair) return report(pair.error());
    input.keys.push_back(std::move(*pair));
  }
  for (const auto& spec : o.pem_keys) {
    auto pair = pem_key(spec, *origin);
    if (!pair) return report(pair.error());
    input.keys.push_back(std::move(*pair));
  }

  zone::MasterOptions master;
  master.origin = *origin;
  master.max_records = o.max_records;
  // The previous signed zone is loaded on another thread meanwhile (it is
  // indexed as text by the signer).
  std::future<Result<std::string>> previous;
  if (!o.reuse.empty()) {
    previous = std::async(std::launch::async, [path = o.reuse] { return base::read_file(path); });
  }
  auto list = zone::read_master_file_parallel(o.file, master, thread_count(o));
  if (previous.valid()) {
    auto prev = previous.get();
    if (!prev) return report(prev.error().located(o.reuse));
    input.previous = zone::PreviousText{std::move(*prev), o.reuse};
  }
  if (!list) return report(with_limit_hint(list.error()));
  input.zone = std::move(*list);
  if (!o.keyset.empty()) {
    zone::MasterOptions ks_master = master;
    ks_master.allow_include = false;
    auto ks = zone::read_master_file(o.keyset, ks_master);
    if (!ks) return report(ks.error());
    input.keyset = std::move(*ks);
  }

  const double read_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  auto out = zone::OutputFile::create(o.output);
  if (!out) return report(out.error());
  zone::SignedZoneSink sink;
  sink.write = [&](std::string_view text) { return out->write(text); };
  if (out->seekable()) sink.overwrite_start = [&](std::string_view text) { return out->overwrite_start(text); };
  auto result = zone::sign_zone(std::move(input), *options, sink);
  for (const auto& note : result.notes) std::fprintf(stderr, "kskline: note: %s\n", note.c_str());
  if (!result.problems.empty()) {
    for (const auto& p : result.problems) report(p);
    std::fprintf(stderr, "kskline: %s not signed (%zu problem%s)\n", o.file.c_str(), result.problems.size(),
                 result.problems.size() == 1 ? "" : "s");
    return kExitFailure;
  }
  const auto committing = std::chrono::steady_clock::now();
  if (auto c = out->commit(); !c) return report(c.error());
  if (o.timing) {
    std::fprintf(stderr, "kskline: timing: read %.3f s", read_seconds);
    for (const auto& [phase, seconds] : result.summary.phases) std::fprintf(stderr, ", %s %.3f s", phase.c_str(), seconds);
    std::fprintf(stderr, ", sync and rename %.3f s; %zu ECDSA nonces computed ahead\n",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - committing).count(),
                 result.summary.nonces_ahead);
  }
  if (!o.quiet) {
    const auto& s = result.summary;
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::FILE* f = o.output == "-" ? stderr : stdout;
    std::fprintf(f,
                 "%s: %s signed: %zu names, %zu records, %zu RRSIGs made, %zu reused, %zu %s, serial %u, "
                 "%u threads, %.2f s\n",
                 o.output.c_str(), origin->to_string().c_str(), s.names, s.records, s.signatures, s.reused, s.denial,
                 options->nsec3 ? "NSEC3" : "NSEC", s.serial, s.threads, seconds);
  }
  return kExitOk;
}

}  // namespace

void add_zone_sign(Cli& cli) {
  auto o = std::make_shared<ZoneSignOptions>();
  auto* cmd = cli.zone->add_subcommand("sign", "sign a zone file (NSEC or NSEC3), on every core");
  cmd->add_option("file", o->file, "the zone file")->required();
  cmd->add_option("--origin", o->origin, "the zone's name")->required()->check(zone_value());
  cmd->add_option("--output,-o", o->output, "the signed zone file to write ('-': standard output)")->required();
  cmd->add_option("--key,-k", o->keys,
                  "a BIND key pair (.key, .private or basename); SEP keys (flags 257) sign DNSKEY/CDS/CDNSKEY, "
                  "the others the rest; repeat for more keys")
      ->allow_extra_args(false);
  cmd->add_option("--pem-key", o->pem_keys, "a PEM private key as ALGORITHM:FLAGS:PATH, e.g. 13:256:zsk.pem")
      ->allow_extra_args(false);
  cmd->add_option("--keyset", o->keyset,
                  "pre-signed apex DNSKEY/CDS/CDNSKEY RRsets with RRSIGs (from the offline KSK), placed as they are");
  cmd->add_flag("--nsec3", o->nsec3, "NSEC3 (RFC 5155) instead of NSEC; RFC 9276 defaults");
  cmd->add_option("--nsec3-iterations", o->nsec3_iterations, "additional NSEC3 iterations (default 0, at most 50)");
  cmd->add_option("--nsec3-salt", o->nsec3_salt, "NSEC3 salt in hex ('-' or empty: none, the default)");
  cmd->add_flag("--nsec3-optout", o->nsec3_optout, "NSEC3 Opt-Out: insecure delegations left out of the chain");
  cmd->add_option("--now", o->now, std::string("the signing time: ") + kTimeGrammar + " (default: now)")
      ->check(time_value());
  cmd->add_option("--inception-offset", o->backdate, "how far inceptions are backdated (default 1h)")
      ->check(duration_value());
  cmd->add_option("--validity", o->validity, "signature validity from now (default 14d)")->check(duration_value());
  cmd->add_option("--jitter", o->jitter,
                  "expirations spread over this much, per RRSIG from a hash of owner/type/key (default validity/4)")
      ->check(duration_value());
  cmd->add_option("--refresh", o->refresh,
                  "with --reuse, RRSIGs expiring within this much of now are made anew (default validity/4)")
      ->check(duration_value());
  cmd->add_option("--serial", o->serial, "SOA serial: keep (default), increment, unixtime or dateserial")
      ->check(word_value("a serial policy", {"keep", "increment", "unixtime", "dateserial"}));
  cmd->add_flag("--zonemd", o->zonemd, "add a ZONEMD record (RFC 8976, SIMPLE, SHA-384)");
  cmd->add_option("--threads", o->threads, "worker threads (default: every core)")->check(CLI::Range(0u, 1024u));
  cmd->add_option("--reuse", o->reuse,
                  "a previous signed version of the zone: its RRSIGs over unchanged RRsets are kept");
  cmd->add_flag("--normalize-ttl", o->normalize_ttl,
                "give RRsets with mixed TTLs their lowest TTL instead of refusing them");
  add_max_records(cmd, o->max_records);
  cmd->add_flag("--quiet,-q", o->quiet, "print no summary");
  cmd->add_flag("--timing", o->timing, "print the wall time of each phase to standard error");
  cmd->callback([&cli, o] { cli.exit_code = run_zone_sign(*o); });
}

}  // namespace kskline::tools
