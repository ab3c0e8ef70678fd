// The only main() of the project: builds the command table and runs it.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <regex>
#include <string>
#include <string_view>

#include "signer/coverage.hpp"
#include "signer/errc.hpp"
#include "tools/commands.hpp"
#include "tools/help_text.hpp"
#include "transport/errc.hpp"
#include "zone/key_memory.hpp"
#include "zone/pkcs11_key.hpp"

namespace kskline::tools {

int report(const Error& error) {
  if (error.code.category() == signer::category()) {
    // Refusals of the ceremony are named, so that scripts and operators can tell them apart.
    std::fprintf(stderr, "kskline: %s: %s\n", signer::errc_name(static_cast<signer::errc>(error.code.value())),
                 error.message().c_str());
  } else if (const char* name = zone::pkcs11_errc_name(error.code)) {
    // So are a token's refusals (token_missing, wrong_pin, token_removed, ...).
    std::fprintf(stderr, "kskline: %s: %s\n", name, error.message().c_str());
  } else {
    std::fprintf(stderr, "kskline: %s\n", error.message().c_str());
  }
  return exit_code_for(error);
}

int exit_code_for(const Error& error) {
  if (transport::link_failed(error)) return kExitLink;
  // A link spec that does not parse, or a kind of link the command cannot use.
  if (error.code == transport::errc::bad_link_spec || error.code == transport::errc::not_supported) return kExitUsage;
  return kExitFailure;
}

int exit_code_for(const std::vector<Error>& errors) {
  const bool link = std::any_of(errors.begin(), errors.end(), [](const Error& e) { return transport::link_failed(e); });
  return link ? kExitLink : kExitFailure;
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

// The subcommands of `app` as its help lists them ("check, sign, ...").
std::string subcommand_names(const CLI::App& app) {
  std::string names;
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    names += (names.empty() ? "" : ", ") + sub->get_name();
  }
  return names;
}

// The command line's first word that should name a subcommand and names
// none ("kskline frob", "kskline zone frob"), or a command group given
// without one ("kskline zone"): the message saying so, with the commands
// there are; empty otherwise.
std::string unknown_command(const CLI::App& app, int argc, char** argv) {
  const CLI::App* at = &app;
  std::string path = "kskline";
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word.empty() || word[0] == '-') continue;
    const auto subs = at->get_subcommands([](const CLI::App*) { return true; });
    if (subs.empty()) break;
    const CLI::App* next = nullptr;
    for (const auto* sub : subs) {
      if (sub->check_name(word)) next = sub;
    }
    if (next == nullptr) {
      return "kskline: usage: `" + path + "` has no command `" + word + "`; its commands are " +
             subcommand_names(*at) + " (`" + path + " --help`)\n";
    }
    at = next;
    path += " " + word;
  }
  const bool asks_help = std::any_of(argv + 1, argv + argc, [](const char* a) {
    return std::string_view(a) == "-h" || std::string_view(a) == "--help" || std::string_view(a) == "--version";
  });
  if (!asks_help && !at->get_subcommands([](const CLI::App*) { return true; }).empty()) {
    return "kskline: usage: `" + path + "` needs a command: " + subcommand_names(*at) + " (`" + path + " --help`)\n";
  }
  return {};
}

// A parse error's text, with CLI11's "Could not convert: --count = x" said
// the way every other bad value is: "--count: 'x' is not a number".
std::string usage_text(const CLI::Error& e) {
  static const std::regex conversion(R"(Could not convert: (\S+) = (.*))");
  std::smatch m;
  const std::string what = e.what();
  if (std::regex_match(what, m, conversion)) return m[1].str() + ": '" + m[2].str() + "' is not a number";
  return what;
}

// The command a parse error is about: the deepest subcommand the command
// line named ("kskline zone sign").
std::string parsed_command(const CLI::App& app) {
  std::string path = "kskline";
  const CLI::App* at = &app;
  for (;;) {
    const auto parsed = at->get_subcommands();
    if (parsed.empty()) return path;
    at = parsed.front();
    path += " " + at->get_name();
  }
}

}  // namespace

}  // namespace kskline::tools

int main(int argc, char** argv) {
  using namespace kskline::tools;
  kskline::zone::protect_key_memory();  // before any key is read: no key in a core file
  Cli cli;
  cli.app.formatter(make_help_formatter());  // before any command: they take the app's
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
  add_zone_merge(cli);
  add_link_keygen(cli);
  add_send(cli);
  add_receive(cli);
  add_linesim(cli);
  add_link_test(cli);
  add_zone_state(cli);
  add_zone_submit(cli);
  add_zone_relay(cli);
  add_ksk(cli);
  add_ksk_pin(cli);
  add_demo(cli);
  add_help_examples(cli.app);
  // Usage errors: "kskline: usage: <what>" and where to read more, exit 2.
  cli.app.failure_message([](const CLI::App* app, const CLI::Error& e) {
    const std::string command = parsed_command(*app);
    return "kskline: usage: " + command.substr(8 < command.size() ? 8 : command.size()) +
           (command.size() > 7 ? ": " : "") + usage_text(e) + " (`" + command + " --help`)\n";
  });
  try {
    if (const auto unknown = unknown_command(cli.app, argc, argv); !unknown.empty()) {
      std::fputs(unknown.c_str(), stderr);
      return kExitUsage;
    }
    cli.app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (is_zone_status(argc, argv) && e.get_exit_code() != 0) {
      // Nagios reads the first line of standard output and the exit code.
      std::fputs(kskline::signer::format_unknown_status_text("kskline zone status", usage_text(e)).c_str(), stdout);
      return kExitStatusUnknown;
    }
    int code = cli.app.exit(e);
    if (code == 0) return kExitOk;
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kskline: internal error: %s\n", e.what());
    return kExitFailure;
  }
  return cli.exit_code;
}
