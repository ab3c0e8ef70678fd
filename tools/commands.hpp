// The command table of the `kskline` binary: each command file adds its
// subcommands to the CLI11 application through one of these functions.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/error.hpp"

namespace kskline::tools {

// Exit codes shared by all commands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the operation failed; the message says why
inline constexpr int kExitUsage = 2;    // the command line was wrong
inline constexpr int kExitLink = 3;     // the link or the peer failed (no peer, no device, the line dropped)
inline constexpr int kExitStatusUnknown = 3;  // `zone status` only: Nagios UNKNOWN, its usage errors included

// The application and the exit code its command callbacks set.
struct Cli {
  CLI::App app{"kskline: DNSSEC with an offline KSK, over a serial cable or a USB stick"};
  CLI::App* zone = nullptr;  // the `zone` command group
  CLI::App* ksk = nullptr;   // the `ksk` command group
  int exit_code = kExitOk;
};

// The exit code of a command that ends with this error: kExitLink when the
// link or the peer failed, kExitUsage for a link spec that does not parse or
// a kind of link the command cannot use, kExitFailure otherwise.
int exit_code_for(const Error& error);
// The exit code of a command that ends with these errors: kExitLink when any
// says the link or the peer failed, kExitFailure otherwise.
int exit_code_for(const std::vector<Error>& errors);

// Prints "kskline: <error message>" to stderr ("kskline: <errc name>:
// <message>" for the ceremony's refusals) and returns exit_code_for(error).
int report(const Error& error);

// Adds `--max-records N` to a command that reads a zone file: the most
// records it reads (zone::MasterOptions::max_records).
void add_max_records(CLI::App* cmd, std::size_t& max_records);
// The error as it is, or for zone::errc::zone_too_large with the option that
// raises the limit.
Error with_limit_hint(Error error);

// `kskline keygen`: a key pair in BIND format.
void add_keygen(Cli& cli);
// `kskline ds`: DS records of key files.
void add_ds(Cli& cli);
// `kskline zone check`: parse and check a zone file.
void add_zone_check(Cli& cli);
// `kskline zone verify`: verify a signed zone completely.
void add_zone_verify(Cli& cli);
// `kskline zone sign`: sign a zone file.
void add_zone_sign(Cli& cli);
// `kskline zone merge`: finish a zone signed with the ZSK only with the KSK side's answer.
void add_zone_merge(Cli& cli);

// `kskline link-keygen`: a link identity (Ed25519).
void add_link_keygen(Cli& cli);
// `kskline send`: send whole files over a link.
void add_send(Cli& cli);
// `kskline receive`: receive whole files from a link.
void add_receive(Cli& cli);
// `kskline linesim`: two pseudo-terminals joined like an imperfect line.
void add_linesim(Cli& cli);
// `kskline link-test`: measure a serial line with the peer before a ceremony.
void add_link_test(Cli& cli);

// `kskline zone init|pregenerate|request|import|publish|status`: the zone
// side's state directory.
void add_zone_state(Cli& cli);
// `kskline zone submit`: send a request over a link and import the answer.
void add_zone_submit(Cli& cli);
// `kskline zone relay`: carry a Knot or BIND KSR over a link, write the SKR.
void add_zone_relay(Cli& cli);
// `kskline ksk init|sign|serve|audit verify`: the offline KSK side.
void add_ksk(Cli& cli);
// `kskline ksk pin`: pin the zone side's link key in ksk.toml.
void add_ksk_pin(Cli& cli);
// `kskline demo`: the whole ceremony over an impaired loopback link.
void add_demo(Cli& cli);

}  // namespace kskline::tools
