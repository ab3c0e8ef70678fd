// The only main() of the project: builds the command table and runs it.
#include <cstdio>
#include <exception>
#include <string>

#include "signer/coverage.hpp"
#include "signer/errc.hpp"
#include "tools/commands.hpp"
#include "zone/key_memory.hpp"

namespace kskline::tools {

int report(const Error& error) {
  if (error.code.category() == signer::category()) {
    // Refusals of the ceremony are named, so that scripts and operators can tell them apart.
    std::fprintf(stderr, "kskline: %s: %s\n", signer::errc_name(static_cast<signer::errc>(error.code.value())),
                 error.message().c_str());
  } else {
    std::fprintf(stderr, "kskline: %s\n", error.message().c_str());
  }
  return kExitFailure;
}

namespace {

// Whether the command line names `zone status` (its first two words that are
// not options), whose usage errors are Nagios UNKNOWN.
bool is_zone_status(int argc, char** argv) {
  std::string words[2];
  int n = 0;
  for (int i = 1; i < argc && n < 2; ++i) {
    if (argv[i][0] != '-') words[n++] = argv[i];
  }
  return n == 2 && words[0] == "zone" && words[1] == "status";
}

}  // namespace

}  // namespace kskline::tools

int main(int argc, char** argv) {
  using namespace kskline::tools;
  kskline::zone::protect_key_memory();  // before any key is read: no key in a core file
  Cli cli;
  cli.app.require_subcommand(1);
  cli.app.set_version_flag("--version", "kskline " KSKLINE_VERSION);
  cli.zone = cli.app.add_subcommand("zone", "zone-side commands: check, sign, verify, and the ceremony's zone side");
  cli.zone->require_subcommand(1);
  cli.ksk = cli.app.add_subcommand("ksk", "the offline KSK side of the ceremony");
  cli.ksk->require_subcommand(1);
  add_keygen(cli);
  add_ds(cli);
  add_zone_check(cli);
  add_zone_verify(cli);
  add_zone_sign(cli);
  add_link_keygen(cli);
  add_send(cli);
  add_receive(cli);
  add_linesim(cli);
  add_link_test(cli);
  add_zone_state(cli);
  add_zone_submit(cli);
  add_zone_relay(cli);
  add_ksk(cli);
  add_demo(cli);
  try {
    cli.app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = cli.app.exit(e);
    if (code == 0) return kExitOk;
    if (is_zone_status(argc, argv)) {
      // Nagios reads the first line of standard output and the exit code.
      std::fputs(kskline::signer::format_unknown_status_text("kskline zone status", e.what()).c_str(), stdout);
      return kExitStatusUnknown;
    }
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kskline: internal error: %s\n", e.what());
    return kExitFailure;
  }
  return cli.exit_code;
}
