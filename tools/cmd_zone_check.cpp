// `kskline zone check FILE --origin Z`: parse and check a zone file.
#include <cstdio>

#include "tools/commands.hpp"
#include "tools/option_values.hpp"
#include "zone/master_file.hpp"
#include "zone/zone_check.hpp"

namespace kskline::tools {
namespace {

struct ZoneCheckOptions {
  std::string file;
  std::string origin;
  bool no_include = false;
  std::size_t max_records = zone::kDefaultMaxRecords;
};

int run_zone_check(const ZoneCheckOptions& options) {
  const zone::Name root;
  auto origin = zone::Name::parse(options.origin, &root);
  if (!origin) return report(origin.error().located("--origin"));
  zone::MasterOptions master;
  master.origin = *origin;
  master.allow_include = !options.no_include;
  master.max_records = options.max_records;
  auto list = zone::read_master_file(options.file, master);
  if (!list) return report(with_limit_hint(list.error()));
  // The records are left for the process's end to take back: a big zone is a
  // few million heap blocks, which the kernel reclaims faster than free().
  // (A static pointer: still reachable at exit, so LeakSanitizer does not report it.)
  static auto* records = new zone::RecordList(std::move(*list));
  auto result = zone::check_zone(*records, *origin);
  for (const auto& problem : result.problems) report(problem);
  const auto& s = result.summary;
  std::printf("%s: %s: %zu names, %zu RRsets, %zu records", options.file.c_str(),
              origin->to_string().c_str(), s.names, s.rrsets, s.records);
  if (s.duplicates > 0) std::printf(" (%zu duplicate%s removed)", s.duplicates, s.duplicates == 1 ? "" : "s");
  std::printf("%s\n", result.problems.empty() ? ", OK" : "");
  if (!result.problems.empty()) {
    std::fprintf(stderr, "kskline: %zu problem%s found\n", result.problems.size(),
                 result.problems.size() == 1 ? "" : "s");
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

void add_zone_check(Cli& cli) {
  auto options = std::make_shared<ZoneCheckOptions>();
  auto* cmd = cli.zone->add_subcommand("check", "parse and check a zone file");
  cmd->add_option("file", options->file, "the zone file")->required();
  cmd->add_option("--origin", options->origin, "the zone's name")->required()->check(zone_value());
  cmd->add_flag("--no-include", options->no_include, "refuse $INCLUDE directives");
  add_max_records(cmd, options->max_records);
  cmd->callback([&cli, options] { cli.exit_code = run_zone_check(*options); });
}

}  // namespace kskline::tools
