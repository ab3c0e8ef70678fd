#include "signer/zone_config.hpp"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <set>
#include <vector>

#include <toml++/toml.h>

#include "base/atomic_file.hpp"
#include "base/encoding.hpp"
#include "proto/identity.hpp"
#include "signer/config_text.hpp"
#include "signer/errc.hpp"
#include "zone/algorithm.hpp"
#include "zone/dnssec_key.hpp"
#include "zone/soa_serial.hpp"
#include "zone/zone_signer.hpp"
#include "zone/rdata.hpp"

namespace kskline::signer {
namespace {

tl::unexpected<Error> config_error(std::string key, std::string detail) {
  return fail(errc::bad_config, std::move(detail), std::move(key));
}

// One key of the file: its table, name, and how its value is read.
struct Key {
  const char* table;  // "" for the top level
  const char* name;
  std::function<Result<void>(const toml::node&, const std::string&, ZoneConfig&)> read;
};

Result<std::string> read_string(const toml::node& node, const std::string& key) {
  if (auto s = node.value<std::string>()) return *s;
  return config_error(key, "must be a string");
}

Result<std::int64_t> read_integer(const toml::node& node, const std::string& key) {
  if (node.is_integer()) return *node.value<std::int64_t>();
  return config_error(key, "must be an integer");
}

Result<std::int64_t> read_duration(const toml::node& node, const std::string& key) {
  if (node.is_integer()) {
    std::int64_t v = *node.value<std::int64_t>();
    if (v < 0) return config_error(key, "must not be negative");
    return v;
  }
  if (auto s = node.value<std::string>()) return parse_duration(*s, key);
  return config_error(key, "must be a duration: seconds or a string such as \"30d\" or \"1h30m\"");
}

Key bool_key(const char* table, const char* name, bool ZoneConfig::*member) {
  return {table, name, [member](const toml::node& n, const std::string& k, ZoneConfig& c) -> Result<void> {
            auto v = n.value<bool>();
            if (!n.is_boolean() || !v) return config_error(k, "must be true or false");
            c.*member = *v;
            return {};
          }};
}

template <class T>
Key string_key(const char* table, const char* name, T ZoneConfig::*member) {
  return {table, name, [member](const toml::node& n, const std::string& k, ZoneConfig& c) -> Result<void> {
            auto v = read_string(n, k);
            if (!v) return tl::unexpected(v.error());
            c.*member = std::move(*v);
            return {};
          }};
}

Key duration_key(const char* table, const char* name, std::int64_t ZoneConfig::*member) {
  return {table, name, [member](const toml::node& n, const std::string& k, ZoneConfig& c) -> Result<void> {
            auto v = read_duration(n, k);
            if (!v) return tl::unexpected(v.error());
            c.*member = *v;
            return {};
          }};
}

std::vector<Key> keys() {
  return {
      {"", "zone",
       [](const toml::node& n, const std::string& k, ZoneConfig& c) -> Result<void> {
         auto v = read_string(n, k);
         if (!v) return tl::unexpected(v.error());
         const zone::Name root;
         auto name = zone::Name::parse(*v, &root);
         if (!name) return config_error(k, "'" + *v + "' is not a domain name");
         c.zone = *name;
         return {};
       }},
      string_key("", "zone_file", &ZoneConfig::zone_file),
      string_key("", "signed_file", &ZoneConfig::signed_file),
      string_key("", "serial", &ZoneConfig::serial),
      string_key("", "trust_anchor", &ZoneConfig::trust_anchor),
      {"", "max_records",
       [](const toml::node& n, const std::string& k, ZoneConfig& c) -> Result<void> {
         auto v = read_integer(n, k);
         if (!v) return tl::unexpected(v.error());
         if (*v < 1) return config_error(k, "must be at least 1");
         c.max_records = static_cast<std::uint64_t>(*v);
         return {};
       }},
      {"keys", "algorithm",
       [](const toml::node& n, const std::string& k, ZoneConfig& c) -> Result<void> {
         if (n.is_integer()) {
           auto v = *n.value<std::int64_t>();
           if (v < 0 || v > 255) return config_error(k, "must be a DNSSEC algorithm number");
           c.algorithm = static_cast<std::uint8_t>(v);
           return {};
         }
         auto s = read_string(n, k);
         if (!s) return config_error(k, "must be an algorithm number or mnemonic");
         auto a = zone::parse_algorithm(*s);
         if (!a) return config_error(k, "unknown algorithm '" + *s + "'");
         c.algorithm = *a;
         return {};
       }},
      {"keys", "rsa_bits",
       [](const toml::node& n, const std::string& k, ZoneConfig& c) -> Result<void> {
         auto v = read_integer(n, k);
         if (!v) return tl::unexpected(v.error());
         if (*v < 1024 || *v > 4096) return config_error(k, "must be 1024..4096");
         c.rsa_bits = static_cast<unsigned>(*v);
         return {};
       }},
      {"keys", "dnskey_ttl",
       [](const toml::node& n, const std::string& k, ZoneConfig& c) -> Result<void> {
         auto v = read_duration(n, k);
         if (!v) return tl::unexpected(v.error());
         if (*v > 0x7fffffff) return config_error(k, "must be at most 2^31-1 seconds");
         c.dnskey_ttl = static_cast<std::uint32_t>(*v);
         return {};
       }},
      duration_key("keys", "zsk_lifetime", &ZoneConfig::zsk_lifetime),
      duration_key("keys", "prepublish", &ZoneConfig::prepublish),
      duration_key("keys", "retire", &ZoneConfig::retire),
      duration_key("signatures", "slot_interval", &ZoneConfig::slot_interval),
      duration_key("signatures", "backdate", &ZoneConfig::backdate),
      duration_key("signatures", "refresh_margin", &ZoneConfig::refresh_margin),
      duration_key("signatures", "propagation_delay", &ZoneConfig::propagation_delay),
      duration_key("signatures", "zsk_signature_validity", &ZoneConfig::zsk_signature_validity),
      bool_key("signing", "nsec3", &ZoneConfig::nsec3),
      {"signing", "nsec3_iterations",
       [](const toml::node& n, const std::string& k, ZoneConfig& c) -> Result<void> {
         auto v = read_integer(n, k);
         if (!v) return tl::unexpected(v.error());
         if (*v < 0 || *v > zone::kMaxNsec3Iterations) {
           return config_error(k, "must be 0.." + std::to_string(zone::kMaxNsec3Iterations) + " (RFC 9276 asks for 0)");
         }
         c.nsec3_iterations = static_cast<std::uint16_t>(*v);
         return {};
       }},
      string_key("signing", "nsec3_salt", &ZoneConfig::nsec3_salt),
      bool_key("signing", "nsec3_optout", &ZoneConfig::nsec3_optout),
      bool_key("signing", "zonemd", &ZoneConfig::zonemd),
      string_key("link", "spec", &ZoneConfig::link),
      string_key("link", "identity", &ZoneConfig::link_identity),
      string_key("link", "peer", &ZoneConfig::peer_public_key),
      string_key("link", "auth", &ZoneConfig::link_auth),
      duration_key("status", "warning", &ZoneConfig::warning),
      duration_key("status", "critical", &ZoneConfig::critical),
  };
}

}  // namespace

Result<void> check_zone_config(const ZoneConfig& c) {
  if (!zone::algorithm_supported(c.algorithm)) {
    return config_error("keys.algorithm", "algorithm " + std::to_string(c.algorithm) + " is not supported");
  }
  if (c.zone_file.empty()) return config_error("zone_file", "must not be empty");
  if (c.signed_file.empty()) return config_error("signed_file", "must not be empty");
  if (c.trust_anchor.empty()) return config_error("trust_anchor", "must not be empty");
  if (!zone::parse_serial_policy(c.serial)) {
    return config_error("serial", "'" + c.serial + "': use keep, increment, unixtime or dateserial");
  }
  if (c.zsk_lifetime <= 0) return config_error("keys.zsk_lifetime", "must be longer than 0");
  if (c.slot_interval <= 0) return config_error("signatures.slot_interval", "must be longer than 0");
  if (c.zsk_signature_validity <= 0) {
    return config_error("signatures.zsk_signature_validity", "must be longer than 0");
  }
  if (c.prepublish >= c.zsk_lifetime) {
    return config_error("keys.prepublish", "must be shorter than keys.zsk_lifetime (" +
                                               format_duration(c.zsk_lifetime) + ")");
  }
  if (c.prepublish < static_cast<std::int64_t>(c.dnskey_ttl) + c.propagation_delay) {
    return config_error("keys.prepublish", "must be at least keys.dnskey_ttl + signatures.propagation_delay (" +
                                               format_duration(c.dnskey_ttl + c.propagation_delay) +
                                               "), so that resolvers have a new ZSK before it signs");
  }
  if (c.critical > c.warning) return config_error("status.critical", "must not exceed status.warning");
  if (auto salt = base::from_hex(c.nsec3_salt); !salt || salt->size() > 255) {
    return config_error("signing.nsec3_salt", "'" + c.nsec3_salt + "' is not hex of at most 255 octets (\"\" for none)");
  }
  if (auto auth = proto::parse_auth_policy(c.link_auth, "link.auth"); !auth) {
    return config_error("link.auth", auth.error().detail);
  }
  return {};
}

Result<ZoneConfig> parse_zone_config(std::string_view text, std::string_view source) {
  toml::table table;
  try {
    table = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return fail(errc::syntax, std::string(e.description()),
                std::string(source) + ":" + std::to_string(e.source().begin.line));
  }
  ZoneConfig config;
  bool zone_seen = false;
  const auto all = keys();
  std::set<std::string> tables;
  for (const auto& k : all) tables.insert(k.table);
  for (auto&& [name, node] : table) {
    std::string key(name.str());
    if (node.is_table()) {
      if (!tables.count(key) || key.empty()) return config_error(key, "unknown table [" + key + "]");
      for (auto&& [sub_name, sub_node] : *node.as_table()) {
        std::string sub(sub_name.str());
        auto it = std::find_if(all.begin(), all.end(), [&](const Key& k) { return key == k.table && sub == k.name; });
        if (it == all.end()) return config_error(key + "." + sub, "unknown key");
        if (auto r = it->read(sub_node, key + "." + sub, config); !r) return tl::unexpected(r.error());
      }
      continue;
    }
    auto it = std::find_if(all.begin(), all.end(),
                           [&](const Key& k) { return std::string_view(k.table).empty() && key == k.name; });
    if (it == all.end()) return config_error(key, "unknown key");
    if (auto r = it->read(node, key, config); !r) return tl::unexpected(r.error());
    if (key == "zone") zone_seen = true;
  }
  if (!zone_seen) return config_error("zone", std::string(source) + " names no zone");
  if (auto r = check_zone_config(config); !r) return tl::unexpected(r.error());
  return config;
}

std::string format_zone_config(const ZoneConfig& c) {
  auto dur = [](std::int64_t s) { return quoted(format_duration(s)); };
  std::string out;
  out += "# kskline zone-side configuration (docs/zone-side.md describes every key).\n";
  out += "zone = " + quoted(c.zone.to_string()) + "\n";
  out += "# The unsigned zone file, and where `zone publish` writes the signed zone\n";
  out += "# (relative paths are relative to the state directory).\n";
  out += "zone_file = " + quoted(c.zone_file) + "\n";
  out += "signed_file = " + quoted(c.signed_file) + "\n";
  out += "# SOA serial of the signed zone: keep, increment, unixtime or dateserial, counted\n";
  out += "# from the greater of the zone file's serial and the last one published.\n";
  out += "serial = " + quoted(c.serial) + "\n";
  out += "# The most records the zone file may hold, $INCLUDEd files counted.\n";
  out += "max_records = " + std::to_string(c.max_records) + "\n";
  out += "# The KSK trust anchor (DS or DNSKEY records), set once by `zone init`.\n";
  out += "trust_anchor = " + quoted(c.trust_anchor) + "\n";
  out += "\n[keys]\n";
  out += "algorithm = " + std::to_string(c.algorithm) + "\n";
  out += "rsa_bits = " + std::to_string(c.rsa_bits) + "\n";
  out += "dnskey_ttl = " + dur(c.dnskey_ttl) + "\n";
  out += "# Each ZSK is active this long; the next is published `prepublish` before it\n";
  out += "# becomes active, the old one removed `retire` after it goes inactive\n";
  out += "# (retire >= the zone's largest TTL + propagation_delay).\n";
  out += "zsk_lifetime = " + dur(c.zsk_lifetime) + "\n";
  out += "prepublish = " + dur(c.prepublish) + "\n";
  out += "retire = " + dur(c.retire) + "\n";
  out += "\n[signatures]\n";
  out += "# A request has a slot at every change of the DNSKEY RRset and at least one\n";
  out += "# per slot_interval; the KSK's signatures stay valid refresh_margin (at least\n";
  out += "# the zone's largest TTL + propagation_delay) past the end of their slot.\n";
  out += "slot_interval = " + dur(c.slot_interval) + "\n";
  out += "backdate = " + dur(c.backdate) + "\n";
  out += "refresh_margin = " + dur(c.refresh_margin) + "\n";
  out += "propagation_delay = " + dur(c.propagation_delay) + "\n";
  out += "zsk_signature_validity = " + dur(c.zsk_signature_validity) + "\n";
  out += "\n[signing]\n";
  out += "# How `zone publish` proves non-existence: NSEC, or NSEC3 with RFC 9276's\n";
  out += "# defaults (no extra iterations, no salt); and whether it adds a ZONEMD.\n";
  out += std::string("nsec3 = ") + (c.nsec3 ? "true" : "false") + "\n";
  out += "nsec3_iterations = " + std::to_string(c.nsec3_iterations) + "\n";
  out += "nsec3_salt = " + quoted(c.nsec3_salt) + "\n";
  out += std::string("nsec3_optout = ") + (c.nsec3_optout ? "true" : "false") + "\n";
  out += std::string("zonemd = ") + (c.zonemd ? "true" : "false") + "\n";
  out += "\n[link]\n";
  out += "spec = " + quoted(c.link) + "\n";
  out += "identity = " + quoted(c.link_identity) + "\n";
  out += "peer = " + quoted(c.peer_public_key) + "\n";
  out += "auth = " + quoted(c.link_auth) + "\n";
  out += "\n[status]\n";
  out += "# WARNING / CRITICAL when the stored KSK signatures run out within these;\n";
  out += "# the KSK must come out of the safe `warning` before coverage ends.\n";
  out += "warning = " + dur(c.warning) + "\n";
  out += "critical = " + dur(c.critical) + "\n";
  return out;
}

Result<ZoneConfig> read_zone_config(const std::string& dir) {
  std::string path = dir + "/" + kZoneConfigFile;
  auto text = base::read_file(path, 1 << 20);
  if (!text) {
    if (text.error().code == base::errc::not_found) {
      return fail(errc::bad_state, "no " + std::string(kZoneConfigFile) + ": not a zone state directory (run `kskline zone init`)",
                  dir);
    }
    return tl::unexpected(text.error());
  }
  return parse_zone_config(*text, path);
}

}  // namespace kskline::signer
