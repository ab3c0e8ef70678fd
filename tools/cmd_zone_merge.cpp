// `kskline zone merge SIGNED-ZONE RESPONSE -o OUT [--origin Z] [--now TIME]
// [--key ZSK-KEYFILE...]`: finish a zone signed with the ZSK only (by
// dnssec-signzone, ldns-signzone or `zone sign`) with the KSK side's answer
// for now, in any dialect.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "base/atomic_file.hpp"
#include "signer/errc.hpp"
#include "signer/foreign_dialect.hpp"
#include "signer/key_request.hpp"
#include "signer/zone_merge.hpp"
#include "tools/commands.hpp"
#include "tools/option_values.hpp"
#include "tools/time_option.hpp"
#include "zone/key_file.hpp"
#include "zone/master_file.hpp"

namespace kskline::tools {
namespace {

struct ZoneMergeOptions {
  std::string zone_file;
  std::string response;
  std::string origin;
  std::string now;
  std::vector<std::string> keys;
  std::size_t max_records = zone::kDefaultMaxRecords;
  std::string output;
  bool quiet = false;
};

// The response in any dialect (kskline's, Knot's or BIND's) as a KeyResponse.
Result<signer::KeyResponse> read_response(const std::string& path, const zone::Name& origin) {
  auto text = base::read_file(path, std::size_t{64} << 20);
  if (!text) return tl::unexpected(text.error().located(path));
  auto dialect = signer::detect_dialect(*text, path);
  if (!dialect) return tl::unexpected(dialect.error());
  if (*dialect == signer::Dialect::kskline) return signer::parse_response(*text, path);
  auto document = signer::parse_foreign(*text, path, signer::ForeignKind::response, &origin);
  if (!document) return tl::unexpected(document.error());
  return signer::to_key_response(*document);
}

std::string tags_text(const std::vector<std::uint16_t>& tags) {
  std::string out;
  for (auto t : tags) out += (out.empty() ? "" : ",") + std::to_string(t);
  return out.empty() ? "-" : out;
}

int run_zone_merge(const ZoneMergeOptions& o) {
  const zone::Name root;
  auto origin = zone::Name::parse(o.origin, &root);
  if (!origin) return report(origin.error().located("--origin"));
  auto now = parse_when("--now", o.now, system_now());
  if (!now) {
    report(now.error());
    return kExitUsage;
  }
  std::vector<zone::KeyPair> keys;
  for (const auto& path : o.keys) {
    auto pair = zone::read_key_pair(path);
    if (!pair) return report(pair.error());
    keys.push_back(std::move(*pair));
  }
  auto response = read_response(o.response, *origin);
  if (!response) return report(response.error());
  if (!(response->zone == *origin)) {
    return report(Error{signer::errc::wrong_zone, o.response,
                        "the response is for " + response->zone.to_string() + ", not " + origin->to_string()});
  }
  const auto* slot = signer::slot_at(*response, *now);
  if (!slot) {
    std::string span = response->slots.empty() ? "none" : signer::format_time(response->slots.front().start) + ".." +
                                                               signer::format_time(response->slots.back().end);
    return report(Error{signer::errc::no_slot_for_now, o.response,
                        "no slot covers " + signer::format_time(*now) + " (the response's slots: " + span +
                            "): ask the KSK side for an answer covering now"});
  }
  zone::MasterOptions master;
  master.origin = *origin;
  master.max_records = o.max_records;
  auto list = zone::read_master_file(o.zone_file, master);
  if (!list) return report(with_limit_hint(list.error()));
  auto merged = signer::merge_signed_zone(*list, *origin, *slot, keys);
  if (!merged) {
    // The library names the response "response" and key tags without a file.
    auto e = merged.error();
    if (e.where == "response") e.where = o.response;
    if (e.where.rfind("key tag", 0) == 0) e = e.located(o.zone_file);
    return report(e);
  }
  std::string text;
  for (const auto& r : merged->records) zone::append_text(r, text);
  if (auto w = base::write_file_atomic(o.output, as_bytes(text)); !w) return report(w.error());
  if (!o.quiet) {
    std::printf("%s: %s merged with the slot %s..%s: KSK %s, ZSK %s, %s%s, %zu records\n", o.output.c_str(),
                origin->to_string().c_str(), signer::format_time(slot->start).c_str(),
                signer::format_time(slot->end).c_str(), tags_text(merged->ksk_tags).c_str(),
                tags_text(merged->zsk_tags).c_str(), merged->nsec3 ? "NSEC3" : "NSEC",
                merged->bitmap_changed ? " (apex bitmap re-signed)" : "", merged->records.size());
  }
  return kExitOk;
}

}  // namespace

void add_zone_merge(Cli& cli) {
  auto o = std::make_shared<ZoneMergeOptions>();
  auto* cmd = cli.zone->add_subcommand(
      "merge", "finish a zone signed with the ZSK only (dnssec-signzone, ldns-signzone) with the KSK side's answer");
  cmd->add_option("file", o->zone_file, "the signed zone file")->required();
  cmd->add_option("response", o->response, "the KSK side's answer (kskline, Knot or BIND SKR)")->required();
  cmd->add_option("--output,-o", o->output, "the finished zone file to write")->required();
  cmd->add_option("--origin", o->origin, "the zone's name")->required()->check(zone_value());
  cmd->add_option("--now", o->now, std::string("the time whose slot is used: ") + kTimeGrammar + " (default: now)")
      ->check(time_value());
  cmd->add_option("--key,-k", o->keys,
                  "a ZSK key pair (.key, .private or basename), to re-sign the apex NSEC/NSEC3 when CDS/CDNSKEY "
                  "appear or go; repeat for more keys")
      ->allow_extra_args(false);
  add_max_records(cmd, o->max_records);
  cmd->add_flag("--quiet,-q", o->quiet, "print no summary");
  cmd->callback([&cli, o] { cli.exit_code = run_zone_merge(*o); });
}

}  // namespace kskline::tools
