// `kskline zone verify SIGNEDZONE [--origin Z] [--trust-anchor FILE] [--now T]
// [--threads N]`: verify a signed zone completely.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "tools/commands.hpp"
#include "tools/option_values.hpp"
#include "tools/time_option.hpp"
#include "zone/errc.hpp"
#include "zone/master_file.hpp"
#include "zone/rr_types.hpp"
#include "zone/zone_verifier.hpp"

namespace kskline::tools {
namespace {

struct ZoneVerifyOptions {
  std::string file;
  std::string origin;
  std::string trust_anchor;
  std::string time;
  unsigned threads = 0;
  std::size_t max_records = zone::kDefaultMaxRecords;
};

// Reads the zone; without --origin the origin is the SOA owner. The file is
// first read with the root as origin; if any record then falls outside the
// SOA owner (relative names completed with the root), it is read again.
Result<std::pair<zone::RecordList, zone::Name>> read_zone(const ZoneVerifyOptions& o) {
  const zone::Name root;
  zone::MasterOptions master;
  master.max_records = o.max_records;
  if (!o.origin.empty()) {
    auto origin = zone::Name::parse(o.origin, &root);
    if (!origin) return tl::unexpected(origin.error().located("--origin"));
    master.origin = *origin;
    auto list = zone::read_master_file(o.file, master);
    if (!list) return tl::unexpected(list.error());
    return std::make_pair(std::move(*list), *origin);
  }
  auto list = zone::read_master_file(o.file, master);
  if (!list) return tl::unexpected(list.error());
  std::optional<zone::Name> soa;
  for (const auto& r : list->records) {
    if (r.type != zone::rrtype::SOA) continue;
    if (soa && !(*soa == r.owner)) {
      return fail(zone::errc::zone_invalid, "SOA records with different owners; give --origin", o.file);
    }
    soa = r.owner;
  }
  if (!soa) return fail(zone::errc::zone_invalid, "no SOA record to take the origin from; give --origin", o.file);
  for (const auto& r : list->records) {
    if (!r.owner.is_subdomain_of(*soa)) {
      master.origin = *soa;
      auto again = zone::read_master_file(o.file, master);
      if (!again) return tl::unexpected(again.error());
      return std::make_pair(std::move(*again), *soa);
    }
  }
  return std::make_pair(std::move(*list), *soa);
}

// Reads the DS and DNSKEY records of a trust-anchor file that belong to the
// origin (dnssec-dsfromkey output, .key files, or any master-file text).
Result<std::vector<zone::Record>> read_anchors(const std::string& path, const zone::Name& origin) {
  zone::MasterOptions master;
  master.origin = origin;
  master.default_ttl = 0;  // key files and DS lines carry no TTL
  master.allow_include = false;
  auto list = zone::read_master_file(path, master);
  if (!list) return tl::unexpected(list.error());
  std::vector<zone::Record> anchors;
  for (auto& r : list->records) {
    if ((r.type == zone::rrtype::DS || r.type == zone::rrtype::DNSKEY) && r.owner == origin) {
      anchors.push_back(std::move(r));
    }
  }
  if (anchors.empty()) {
    return fail(zone::errc::bad_key, "no DS or DNSKEY record for " + origin.to_string(), path);
  }
  return anchors;
}

int run_zone_verify(const ZoneVerifyOptions& o) {
  zone::VerifyOptions options;
  options.threads = o.threads;
  auto now = parse_when("--now", o.time, system_now());
  if (!now) {
    report(now.error());
    return kExitUsage;
  }
  options.now = *now;
  auto zone_read = read_zone(o);
  if (!zone_read) return report(with_limit_hint(zone_read.error()));
  auto& [list, origin] = *zone_read;
  if (!o.trust_anchor.empty()) {
    auto anchors = read_anchors(o.trust_anchor, origin);
    if (!anchors) return report(anchors.error());
    options.trust_anchors = std::move(*anchors);
  }
  const auto result = zone::verify_zone(list, origin, options);
  std::string lines;
  for (const auto& p : result.problems) lines += zone::format_problem(p) + "\n";
  std::fputs(lines.c_str(), stderr);
  const auto& s = result.stats;
  // Names, RRsets and records counted as `zone check` counts them.
  std::printf("%s: %s: %zu names, %zu RRsets (%zu signed), %zu records, %zu signatures verified, %s chain of %zu records%s",
              o.file.c_str(), origin.to_string().c_str(), s.names, s.rrsets, s.signed_rrsets, s.records, s.signatures,
              s.denial, s.denial_records, s.zonemd ? ", ZONEMD checked" : "");
  if (result.ok()) {
    std::printf(", OK\n");
    return kExitOk;
  }
  std::printf(", %zu problem%s\n", result.problems.size(), result.problems.size() == 1 ? "" : "s");
  std::fprintf(stderr, "kskline: %zu problem%s found\n", result.problems.size(),
               result.problems.size() == 1 ? "" : "s");
  return kExitFailure;
}

}  // namespace

void add_zone_verify(Cli& cli) {
  auto options = std::make_shared<ZoneVerifyOptions>();
  auto* cmd = cli.zone->add_subcommand("verify", "verify a signed zone completely");
  cmd->add_option("file", options->file, "the signed zone file")->required();
  cmd->add_option("--origin", options->origin, "the zone's name (default: the SOA owner)")->check(zone_value());
  cmd->add_option("--trust-anchor", options->trust_anchor, "a file of DS or DNSKEY records the DNSKEY set must match");
  cmd->add_option("--now", options->time,
                  std::string("check signature windows at this time: ") + kTimeGrammar + " (default: now)")
      ->check(time_value());
  cmd->add_option("--threads", options->threads, "worker threads (default: every core)")->check(CLI::Range(0u, 1024u));
  add_max_records(cmd, options->max_records);
  cmd->callback([&cli, options] { cli.exit_code = run_zone_verify(*options); });
}

}  // namespace kskline::tools
