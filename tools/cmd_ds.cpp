// `kskline ds KEYFILE... [--digest sha256,sha384]`: DS records of key files,
// one per line and digest, as dnssec-dsfromkey prints them.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tools/commands.hpp"
#include "tools/option_values.hpp"
#include "zone/ds.hpp"
#include "zone/errc.hpp"
#include "zone/master_file.hpp"
#include "zone/rr_types.hpp"

namespace kskline::tools {
namespace {

struct DsOptions {
  std::vector<std::string> files;
  std::string digests = "sha256";
};

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The public file of a key argument: a .key file, or the .key beside a
// .private file or a basename.
std::string public_file(const std::string& arg) {
  if (ends_with(arg, ".private")) return arg.substr(0, arg.size() - 8) + ".key";
  std::error_code ec;
  if (!ends_with(arg, ".key") && !std::filesystem::exists(arg, ec) && std::filesystem::exists(arg + ".key", ec)) {
    return arg + ".key";
  }
  return arg;
}

// Appends the DS lines of every DNSKEY in one file to out.
Result<void> ds_lines(const std::string& arg, const std::vector<std::uint8_t>& digests, std::string& out) {
  std::string path = public_file(arg);
  zone::MasterOptions options;  // owners in key files are absolute
  options.default_ttl = 0;      // key files carry no TTL; DS lines print none
  options.allow_include = false;
  auto list = zone::read_master_file(path, options);
  if (!list) return tl::unexpected(list.error().located(path));
  std::size_t keys = 0;
  for (const auto& r : list->records) {
    if (r.type != zone::rrtype::DNSKEY) continue;
    ++keys;
    for (std::uint8_t digest : digests) {
      auto ds = zone::make_ds(r.owner, r.rdata, digest);
      if (!ds) return tl::unexpected(ds.error().located(list->where(r.loc)));
      out += r.owner.to_string() + " IN DS " + zone::ds_rdata_text(*ds) + "\n";
    }
  }
  if (keys == 0) return fail(zone::errc::bad_key, "no DNSKEY record in the file", path);
  return {};
}

int run_ds(const DsOptions& o) {
  auto digests = parse_digest_list(o.digests);
  if (!digests) return report(digests.error());
  // Nothing is printed unless every file is good.
  std::string out;
  for (const auto& file : o.files) {
    if (auto r = ds_lines(file, *digests, out); !r) return report(r.error());
  }
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

}  // namespace

void add_ds(Cli& cli) {
  auto options = std::make_shared<DsOptions>();
  auto* cmd = cli.app.add_subcommand("ds", "print the DS records of DNSKEY key files");
  cmd->add_option("keyfile", options->files, "K*.key files (or their .private or basename)")->required();
  cmd->add_option("--digest", options->digests, "digest types, comma-separated: sha256, sha384 (default sha256)")
      ->check(digests_value());
  cmd->callback([&cli, options] { cli.exit_code = run_ds(*options); });
}

}  // namespace kskline::tools
