#include "signer/operator_table.hpp"

#include <cstdio>

#include "signer/config_text.hpp"
#include "signer/fingerprint.hpp"
#include "zone/dnssec_key.hpp"
#include "zone/key_tag.hpp"

namespace kskline::signer {
namespace {

// A ZSK as tag/algorithm/flags ("?" when its RDATA does not read).
std::string key_label(const zone::Record& r) {
  auto v = zone::parse_dnskey(r.rdata);
  if (!v) return "?";
  return std::to_string(zone::key_tag(r.rdata)) + "/" + std::to_string(v->algorithm) + "/" + std::to_string(v->flags);
}

}  // namespace

std::string table_time(std::int64_t seconds) {
  std::string t = format_time(seconds);  // YYYYMMDDHHmmSS
  if (t.size() != 14) return t;
  return t.substr(0, 4) + "-" + t.substr(4, 2) + "-" + t.substr(6, 2) + " " + t.substr(8, 2) + ":" + t.substr(10, 2) +
         ":" + t.substr(12, 2);
}

std::string operator_table(const KeyRequest& q, const std::vector<const zone::KeyPair*>& ksks, std::int64_t now,
                           const Sha256& digest, std::string_view words) {
  std::string t;
  t += "zone        " + q.zone.to_string() + "\n";
  t += "request     " + q.id + "\n";
  t += "created     " + table_time(q.created) + " UTC (zone side's clock)\n";
  t += "laptop now  " + table_time(now) + " UTC (skew " + format_signed_duration(now - q.created) + ")\n";
  t += "dnskey-ttl  " + std::to_string(q.dnskey_ttl) + "\n";
  t += "KSKs        ";
  for (const auto* k : ksks) {
    t += std::to_string(k->key_tag) + "/" + std::to_string(k->algorithm()) + "/" + std::to_string(k->flags) + " ";
  }
  t += "(tag/algorithm/flags)\n";
  t += "slot  start                end                  inception            expiration           validity  ZSKs (tag/algorithm/flags)\n";
  for (std::size_t i = 0; i < q.slots.size(); ++i) {
    const auto& s = q.slots[i];
    char head[160];
    std::snprintf(head, sizeof head, "%-5zu %-20s %-20s %-20s %-20s %-9s", i + 1, table_time(s.start).c_str(),
                  table_time(s.end).c_str(), table_time(s.inception).c_str(), table_time(s.expiration).c_str(),
                  format_signed_duration(s.expiration - s.inception).c_str());
    t += head;
    for (const auto& z : s.zsks) t += " " + key_label(z);
    t += "\n";
  }
  t += "sha256      " + hex_groups(digest) + "\n";
  t += "words       " + std::string(words) + "\n";
  return t;
}

}  // namespace kskline::signer
