// The limits of the commands that read zone files: `--max-records`.
#include "tools/commands.hpp"
#include "zone/errc.hpp"
#include "zone/master_file.hpp"

namespace kskline::tools {

void add_max_records(CLI::App* cmd, std::size_t& max_records) {
  cmd->add_option("--max-records", max_records,
                  "the most records a zone may have, $INCLUDEd files counted (default " +
                      std::to_string(zone::kDefaultMaxRecords) + ")")
      ->check(CLI::PositiveNumber);
}

Error with_limit_hint(Error error) {
  if (error.code == zone::errc::zone_too_large) error.detail += " (--max-records raises it)";
  return error;
}

}  // namespace kskline::tools
