// Running the laptop's own signing tool for `ksk serve --exec 'COMMAND {}'`
// and `ksk sign --exec`: the template split into argv without a shell, `{}`
// replaced by the path of the request file, the program run with stdin on
// /dev/null, its stdout and stderr collected, and killed after a timeout.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace kskline::tools {

// Splits a command template into words as a POSIX shell would without
// expanding anything: blanks separate words, '...' quotes literally, "..."
// quotes with \" and \\ as escapes, a backslash outside quotes takes the
// next character. `{}` must occur in at least one word (alone or inside
// one). signer::errc::bad_config naming `option` for an empty template, an
// unclosed quote, or no `{}`.
Result<std::vector<std::string>> split_command_template(std::string_view text, std::string_view option);

// The template's words with every `{}` replaced by `path`.
std::vector<std::string> expand_command(const std::vector<std::string>& words, const std::string& path);

// What a finished (or killed) command did.
struct CommandRun {
  int exit_status = -1;        // the exit status when it exited, else -1
  int signal = 0;              // the signal that ended it (SIGKILL after a timeout), else 0
  bool timed_out = false;      // killed after the timeout
  bool output_too_large = false;  // killed after writing more than the limit
  std::string out;             // what it wrote on stdout
  std::string err;             // what it wrote on stderr (at most 64 KiB kept)
};

// Runs argv[0] (looked up in PATH as execvp does) with `argv` in its own
// process group, stdin on /dev/null and no shell; collects stdout (at most
// `max_output` octets) and stderr; after `timeout_seconds` (> 0) or more
// output than allowed, kills the group with SIGKILL. Waits for the process
// before returning. A program that cannot be started exits with status 127
// and says why on stderr, as a shell would. base::errc::io_error when pipes
// or fork fail.
Result<CommandRun> run_command(const std::vector<std::string>& argv, double timeout_seconds,
                               std::size_t max_output = std::size_t{64} << 20);

// One line saying how a run failed, for refusals and the audit log: "exited
// with status 1", "killed by signal 9", "did not finish within 5 s (killed)",
// "wrote more than N octets (killed)"; then ": <first non-blank line of
// stderr>" when there is one. Empty when it exited 0.
std::string describe_failure(const CommandRun& run, double timeout_seconds);

// The first non-blank line of `text`, control characters replaced by spaces,
// at most 200 characters.
std::string first_line(std::string_view text);

}  // namespace kskline::tools
