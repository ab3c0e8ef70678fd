// What every command's --help shows besides its options: value labels that
// say what a value is (FILE, DIR, TIME, SECONDS, LINK) without the parser's
// leftovers, and an example command line at the end.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace kskline::tools {

// The help formatter of every command: an option's value is labelled by
// what it is (kOptionLabels; otherwise the value's type without the
// validators' descriptions), then "..." for repeatable options and REQUIRED.
class HelpFormatter : public CLI::Formatter {
 public:
  std::string make_option_opts(const CLI::Option* option) const override;
};

// A formatter for cli.app, set before any command is added (commands take
// their parent's).
std::shared_ptr<HelpFormatter> make_help_formatter();

// Ends the help of every command of `app` with its example from the table
// of examples; returns the commands ("zone sign") that have none.
std::vector<std::string> add_help_examples(CLI::App& app);

}  // namespace kskline::tools
