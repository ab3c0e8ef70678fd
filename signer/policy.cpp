#include "signer/policy.hpp"

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>

#include <toml++/toml.h>

#include "proto/identity.hpp"
#include "signer/config_text.hpp"
#include "signer/errc.hpp"
#include "zone/algorithm.hpp"
#include "zone/dnssec_key.hpp"
#include "zone/ds.hpp"

namespace kskline::signer {
namespace {

std::string where(std::string_view source, const toml::node& node) {
  return std::string(source) + ":" + std::to_string(node.source().begin.line);
}

tl::unexpected<Error> bad(std::string_view source, const toml::node& node, std::string_view key, std::string detail) {
  return fail(errc::bad_config, std::string(key) + ": " + detail, where(source, node));
}

Result<std::int64_t> integer(std::string_view source, const toml::node& node, std::string_view key, std::int64_t min,
                             std::int64_t max) {
  auto v = node.value<std::int64_t>();
  if (!node.is_integer() || !v) return bad(source, node, key, "must be an integer");
  if (*v < min || *v > max) {
    return bad(source, node, key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return *v;
}

Result<std::int64_t> duration(std::string_view source, const toml::node& node, std::string_view key) {
  constexpr std::int64_t kMax = 100LL * 365 * 86400;
  if (node.is_integer()) return integer(source, node, key, 0, kMax);
  if (!node.is_string()) return bad(source, node, key, "must be seconds or a duration such as \"14d\"");
  auto d = parse_duration(node.as_string()->get(), key);
  if (!d) return tl::unexpected(d.error().located(where(source, node)));
  if (*d > kMax) return bad(source, node, key, "is too long");
  return *d;
}

Result<std::string> string(std::string_view source, const toml::node& node, std::string_view key) {
  if (!node.is_string()) return bad(source, node, key, "must be a string");
  return node.as_string()->get();
}

Result<std::vector<const toml::node*>> array(std::string_view source, const toml::node& node, std::string_view key) {
  if (!node.is_array()) return bad(source, node, key, "must be an array");
  std::vector<const toml::node*> out;
  for (const auto& item : *node.as_array()) out.push_back(&item);
  return out;
}

Result<std::vector<std::uint8_t>> algorithms(std::string_view source, const toml::node& node, std::string_view key) {
  auto items = array(source, node, key);
  if (!items) return tl::unexpected(items.error());
  std::vector<std::uint8_t> out;
  for (const auto* item : *items) {
    std::optional<std::uint8_t> alg;
    if (item->is_integer()) {
      auto v = item->value<std::int64_t>();
      if (v && *v >= 0 && *v <= 255) alg = static_cast<std::uint8_t>(*v);
    } else if (item->is_string()) {
      alg = zone::parse_algorithm(item->as_string()->get());
    }
    if (!alg) return bad(source, *item, key, "an algorithm is a number or mnemonic such as 13 or \"ECDSAP256SHA256\"");
    if (!zone::algorithm_supported(*alg)) {
      return bad(source, *item, key, "algorithm " + std::to_string(*alg) + " is not supported");
    }
    out.push_back(*alg);
  }
  return out;
}

Result<std::vector<std::uint8_t>> digests(std::string_view source, const toml::node& node, std::string_view key) {
  auto items = array(source, node, key);
  if (!items) return tl::unexpected(items.error());
  std::vector<std::uint8_t> out;
  for (const auto* item : *items) {
    if (!item->is_string()) return bad(source, *item, key, "a digest is \"sha256\" or \"sha384\"");
    auto d = zone::parse_ds_digest_type(item->as_string()->get());
    if (!d) return bad(source, *item, key, d.error().message());
    if (std::find(out.begin(), out.end(), *d) == out.end()) out.push_back(*d);
  }
  if (out.empty()) return bad(source, node, key, "needs at least one digest");
  return out;
}

using Handler = std::function<Result<void>(const toml::node&)>;

Result<void> read_table(std::string_view source, const toml::table& table, std::string_view prefix,
                        const std::map<std::string, Handler>& handlers) {
  for (const auto& [k, v] : table) {
    std::string key(k.str());
    auto it = handlers.find(key);
    if (it == handlers.end()) {
      return fail(errc::bad_config, std::string(prefix) + key + ": unknown key (a typo?)",
                  std::string(source) + ":" + std::to_string(k.source().begin.line));
    }
    if (auto r = it->second(v); !r) return r;
  }
  return {};
}

}  // namespace

std::string_view to_string(AutoApprove rule) noexcept {
  switch (rule) {
    case AutoApprove::never: return "never";
    case AutoApprove::same_keys: return "same-keys";
    case AutoApprove::always: return "always";
  }
  return "never";
}

std::string_view to_string(ForeignAcceptance rule) noexcept {
  switch (rule) {
    case ForeignAcceptance::never: return "never";
    case ForeignAcceptance::authenticated: return "authenticated";
    case ForeignAcceptance::confirmed: return "confirmed";
  }
  return "never";
}

Result<KskConfig> parse_config(std::string_view text, std::string_view source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return fail(errc::syntax, std::string(e.description()),
                std::string(source) + ":" + std::to_string(e.source().begin.line));
  }
  KskConfig c;
  Policy& p = c.policy;
  LinkSettings& l = c.link;
  bool have_zones = false;
  auto dur = [&](std::int64_t& out, const char* key) -> Handler {
    return [&out, key, source](const toml::node& n) -> Result<void> {
      auto d = duration(source, n, std::string("policy.") + key);
      if (!d) return tl::unexpected(d.error());
      out = *d;
      return {};
    };
  };
  auto count = [&](auto& out, const char* key, std::int64_t min, std::int64_t max) -> Handler {
    return [&out, key, source, min, max](const toml::node& n) -> Result<void> {
      auto v = integer(source, n, std::string("policy.") + key, min, max);
      if (!v) return tl::unexpected(v.error());
      out = static_cast<std::remove_reference_t<decltype(out)>>(*v);
      return {};
    };
  };
  auto foreign = [&](ForeignAcceptance& out, const char* key) -> Handler {
    return [&out, key, source](const toml::node& n) -> Result<void> {
      std::string name = std::string("policy.") + key;
      auto s = string(source, n, name);
      if (!s) return tl::unexpected(s.error());
      if (*s == "never") out = ForeignAcceptance::never;
      else if (*s == "authenticated") out = ForeignAcceptance::authenticated;
      else if (*s == "confirmed") out = ForeignAcceptance::confirmed;
      else return bad(source, n, name, "must be \"never\", \"authenticated\" or \"confirmed\"");
      return {};
    };
  };
  std::map<std::string, Handler> policy_keys{
      {"algorithms",
       [&](const toml::node& n) -> Result<void> {
         auto a = algorithms(source, n, "policy.algorithms");
         if (!a) return tl::unexpected(a.error());
         p.algorithms = *a;
         return {};
       }},
      {"rsa_min_bits", count(p.rsa_min_bits, "rsa_min_bits", 1024, 4096)},
      {"rsa_max_bits", count(p.rsa_max_bits, "rsa_max_bits", 1024, 4096)},
      {"max_keys_per_slot", count(p.max_keys_per_slot, "max_keys_per_slot", 1, 64)},
      {"max_slots", count(p.max_slots, "max_slots", 1, 10000)},
      {"min_overlap", dur(p.min_overlap, "min_overlap")},
      {"max_overlap", dur(p.max_overlap, "max_overlap")},
      {"min_validity", dur(p.min_validity, "min_validity")},
      {"max_validity", dur(p.max_validity, "max_validity")},
      {"horizon", dur(p.horizon, "horizon")},
      {"max_start_in_past", dur(p.max_start_in_past, "max_start_in_past")},
      {"dnskey_ttl_min", count(p.dnskey_ttl_min, "dnskey_ttl_min", 0, 0x7fffffff)},
      {"dnskey_ttl_max", count(p.dnskey_ttl_max, "dnskey_ttl_max", 0, 0x7fffffff)},
      {"max_clock_skew", dur(p.max_clock_skew, "max_clock_skew")},
      {"require_proof",
       [&](const toml::node& n) -> Result<void> {
         if (!n.is_boolean()) return bad(source, n, "policy.require_proof", "must be true or false");
         p.require_proof = n.as_boolean()->get();
         return {};
       }},
      {"auto_approve",
       [&](const toml::node& n) -> Result<void> {
         auto s = string(source, n, "policy.auto_approve");
         if (!s) return tl::unexpected(s.error());
         if (*s == "never") p.auto_approve = AutoApprove::never;
         else if (*s == "same-keys") p.auto_approve = AutoApprove::same_keys;
         else if (*s == "always") p.auto_approve = AutoApprove::always;
         else return bad(source, n, "policy.auto_approve", "must be \"never\", \"same-keys\" or \"always\"");
         return {};
       }},
      {"knot_requests", foreign(p.knot_requests, "knot_requests")},
      {"bind_requests", foreign(p.bind_requests, "bind_requests")},
      {"foreign_validity", dur(p.foreign_validity, "foreign_validity")},
      {"foreign_refresh", dur(p.foreign_refresh, "foreign_refresh")},
      {"knot_inception_offset", dur(p.knot_inception_offset, "knot_inception_offset")},
      {"bind_inception_offset", dur(p.bind_inception_offset, "bind_inception_offset")},
      {"ds_digests",
       [&](const toml::node& n) -> Result<void> {
         auto d = digests(source, n, "policy.ds_digests");
         if (!d) return tl::unexpected(d.error());
         p.ds_digests = *d;
         return {};
       }},
  };
  auto link_string = [&](std::string& out, const char* key) -> Handler {
    return [&out, key, source](const toml::node& n) -> Result<void> {
      auto s = string(source, n, std::string("link.") + key);
      if (!s) return tl::unexpected(s.error());
      out = *s;
      return {};
    };
  };
  std::map<std::string, Handler> link_keys{
      {"link", link_string(l.link, "link")},
      {"identity", link_string(l.identity, "identity")},
      {"peer", link_string(l.peer, "peer")},
      {"auth",
       [&](const toml::node& n) -> Result<void> {
         auto s = string(source, n, "link.auth");
         if (!s) return tl::unexpected(s.error());
         if (auto a = proto::parse_auth_setting(*s, "link.auth"); !a) return bad(source, n, "link.auth", a.error().detail);
         l.auth = *s;
         return {};
       }},
  };
  std::map<std::string, Handler> exec_keys{
      {"only",
       [&](const toml::node& n) -> Result<void> {
         if (!n.is_boolean()) return bad(source, n, "exec.only", "must be true or false");
         c.exec.only = n.as_boolean()->get();
         return {};
       }},
      {"anchor",
       [&](const toml::node& n) -> Result<void> {
         auto s = string(source, n, "exec.anchor");
         if (!s) return tl::unexpected(s.error());
         c.exec.anchor = *s;
         return {};
       }},
  };
  std::map<std::string, Handler> top_keys{
      {"zones",
       [&](const toml::node& n) -> Result<void> {
         auto items = array(source, n, "zones");
         if (!items) return tl::unexpected(items.error());
         for (const auto* item : *items) {
           if (!item->is_string()) return bad(source, *item, "zones", "a zone is a string such as \"example.com.\"");
           std::string text = item->as_string()->get();
           if (text.empty() || text.back() != '.') text += '.';
           auto name = zone::Name::parse(text);
           if (!name) return bad(source, *item, "zones", name.error().message());
           p.zones.push_back(*name);
         }
         have_zones = true;
         return {};
       }},
      {"algorithm",
       [&](const toml::node& n) -> Result<void> {
         auto v = integer(source, n, "algorithm", 0, 255);
         if (!v) return tl::unexpected(v.error());
         c.algorithm = static_cast<std::uint8_t>(*v);
         return {};
       }},
      {"policy",
       [&](const toml::node& n) -> Result<void> {
         if (!n.is_table()) return bad(source, n, "policy", "must be a table");
         return read_table(source, *n.as_table(), "policy.", policy_keys);
       }},
      {"link",
       [&](const toml::node& n) -> Result<void> {
         if (!n.is_table()) return bad(source, n, "link", "must be a table");
         return read_table(source, *n.as_table(), "link.", link_keys);
       }},
      {"exec",
       [&](const toml::node& n) -> Result<void> {
         if (!n.is_table()) return bad(source, n, "exec", "must be a table");
         return read_table(source, *n.as_table(), "exec.", exec_keys);
       }},
  };
  if (auto r = read_table(source, root, "", top_keys); !r) return tl::unexpected(r.error());
  std::string file(source);
  if (!have_zones || p.zones.empty()) return fail(errc::bad_config, "zones: at least one zone is required", file);
  auto order = [&](auto min, auto max, const char* what) -> Result<void> {
    if (min > max) return fail(errc::bad_config, std::string(what) + ": the minimum is above the maximum", file);
    return {};
  };
  for (auto r : {order(p.rsa_min_bits, p.rsa_max_bits, "policy.rsa_min_bits/rsa_max_bits"),
                 order(p.min_overlap, p.max_overlap, "policy.min_overlap/max_overlap"),
                 order(p.min_validity, p.max_validity, "policy.min_validity/max_validity"),
                 order(p.dnskey_ttl_min, p.dnskey_ttl_max, "policy.dnskey_ttl_min/dnskey_ttl_max")}) {
    if (!r) return tl::unexpected(r.error());
  }
  if (p.foreign_refresh >= p.foreign_validity) {
    return fail(errc::bad_config, "policy.foreign_refresh: must be shorter than policy.foreign_validity", file);
  }
  if (p.max_validity > p.horizon) {
    return fail(errc::bad_config, "policy.horizon: shorter than policy.max_validity", file);
  }
  return c;
}

Result<std::string> with_link_peer(std::string_view text, std::string_view source, std::string_view peer) {
  const std::string line = "peer = " + quoted(peer);
  std::vector<std::string> lines;
  for (std::size_t at = 0; at < text.size();) {
    const auto eol = text.find('\n', at);
    lines.emplace_back(text.substr(at, eol == std::string_view::npos ? std::string_view::npos : eol - at));
    at = eol == std::string_view::npos ? text.size() : eol + 1;
  }
  auto trimmed = [](const std::string& l) {
    const auto first = l.find_first_not_of(" \t");
    return first == std::string::npos ? std::string() : l.substr(first);
  };
  // The key a line sets, commented out or not ("peer" for "# peer = ...").
  auto key_of = [&](const std::string& l) {
    std::string t = trimmed(l);
    if (!t.empty() && t[0] == '#') t = trimmed(t.substr(1));
    const auto eq = t.find('=');
    if (eq == std::string::npos) return std::string();
    std::string key = t.substr(0, eq);
    key.erase(key.find_last_not_of(" \t") + 1);
    return key;
  };
  std::size_t link = lines.size(), insert_at = lines.size(), replace = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string t = trimmed(lines[i]);
    if (!t.empty() && t[0] == '[') {
      if (link != lines.size()) break;  // the table after [link]
      if (t.rfind("[link]", 0) == 0) link = insert_at = i + 1;
      continue;
    }
    if (link != lines.size() && key_of(lines[i]) == "peer") {
      replace = i;
      if (trimmed(lines[i])[0] != '#') break;  // the live setting wins over a commented one
    }
  }
  if (replace != lines.size()) {
    lines[replace] = line;
  } else if (link != lines.size()) {
    lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(insert_at), line);
  } else {
    if (!lines.empty() && !lines.back().empty()) lines.emplace_back();
    lines.emplace_back("[link]");
    lines.push_back(line);
  }
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) out += lines[i] + (i + 1 < lines.size() ? "\n" : "");
  if (!text.empty() && text.back() == '\n' && (out.empty() || out.back() != '\n')) out += '\n';
  if (auto parsed = parse_config(out, source); !parsed) return tl::unexpected(parsed.error());
  return out;
}

std::string default_config_text(const std::vector<zone::Name>& zones, std::uint8_t algorithm,
                                const std::vector<std::uint8_t>& ds_digests, bool exec_only) {
  Policy d;
  std::string zone_list;
  for (const auto& z : zones) zone_list += (zone_list.empty() ? "\"" : ", \"") + z.to_string() + "\"";
  std::string digest_list;
  for (auto t : ds_digests) digest_list += std::string(digest_list.empty() ? "\"" : ", \"") + (t == 4 ? "sha384" : "sha256") + "\"";
  auto days = [](std::int64_t s) { return quoted(format_duration(s)); };
  std::string t;
  t += "# kskline KSK side: zones, signing policy and link (docs/ksk.md).\n";
  t += "# Durations are seconds or a number with s, m, h, d or w (\"14d\").\n";
  t += "# A commented key is at its default; remove the '#' to change it.\n\n";
  t += "# The zones whose KSKs live in keys/ (set by ksk init).\n";
  t += "zones = [" + zone_list + "]\n";
  t += "# The KSK algorithm chosen at init (information only).\n";
  t += "algorithm = " + std::to_string(algorithm) + "\n\n";
  t += "[policy]\n";
  t += "# ZSK algorithms a request may use (numbers or mnemonics).\n";
  t += "# algorithms = [8, 10, 13, 14, 15, 16]\n";
  t += "# RSA ZSK modulus sizes allowed, in bits.\n";
  t += "# rsa_min_bits = " + std::to_string(d.rsa_min_bits) + "\n";
  t += "# rsa_max_bits = " + std::to_string(d.rsa_max_bits) + "\n";
  t += "# Most ZSKs in one slot, and most slots in one request.\n";
  t += "# max_keys_per_slot = " + std::to_string(d.max_keys_per_slot) + "\n";
  t += "# max_slots = " + std::to_string(d.max_slots) + "\n";
  t += "# How long a slot's signatures must stay valid past the next slot's start.\n";
  t += "# min_overlap = " + days(d.min_overlap) + "\n";
  t += "# max_overlap = " + days(d.max_overlap) + "\n";
  t += "# Signature validity (expiration - inception) allowed.\n";
  t += "# min_validity = " + days(d.min_validity) + "\n";
  t += "# max_validity = " + days(d.max_validity) + "\n";
  t += "# No signature may expire later than this after now.\n";
  t += "# horizon = " + days(d.horizon) + "\n";
  t += "# No slot may start longer than this before now.\n";
  t += "# max_start_in_past = " + days(d.max_start_in_past) + "\n";
  t += "# DNSKEY TTL allowed, in seconds.\n";
  t += "# dnskey_ttl_min = " + std::to_string(d.dnskey_ttl_min) + "\n";
  t += "# dnskey_ttl_max = " + std::to_string(d.dnskey_ttl_max) + "\n";
  t += "# Largest difference between this laptop's clock and the request's creation time.\n";
  t += "# max_clock_skew = " + days(d.max_clock_skew) + "\n";
  t += "# Every ZSK must prove possession of its private key by signing its slot.\n";
  t += "# require_proof = true\n";
  t += "# --batch signs without asking: \"never\", \"same-keys\" (every slot's ZSKs were\n";
  t += "# signed before) or \"always\".\n";
  t += "# auto_approve = \"" + std::string(to_string(d.auto_approve)) + "\"\n";
  t += "# Knot and BIND requests (no proof of possession): \"never\", \"authenticated\"\n";
  t += "# (only over a link authenticated by the pinned zone-side key) or \"confirmed\"\n";
  t += "# (authenticated, or after the operator confirms the digest; never with --batch).\n";
  t += "# knot_requests = \"" + std::string(to_string(d.knot_requests)) + "\"\n";
  t += "# bind_requests = \"" + std::string(to_string(d.bind_requests)) + "\"\n";
  t += "# Signatures of answers to Knot and BIND requests: lifetime from the bundle's\n";
  t += "# time, a new bundle this long before they expire, and inception this long\n";
  t += "# before the bundle's time (Knot's 90 min, BIND's 1 h).\n";
  t += "# foreign_validity = " + days(d.foreign_validity) + "\n";
  t += "# foreign_refresh = " + days(d.foreign_refresh) + "\n";
  t += "# knot_inception_offset = " + std::to_string(d.knot_inception_offset) + "\n";
  t += "# bind_inception_offset = " + std::to_string(d.bind_inception_offset) + "\n";
  t += "# DS digests printed for the parent.\n";
  t += "ds_digests = [" + digest_list + "]\n\n";
  t += "[link]\n";
  t += "# The link of `ksk serve` when --link is not given: serial:/dev/ttyUSB0 or spool:DIR.\n";
  t += "# link = \"serial:/dev/ttyUSB0,baud=115200\"\n";
  t += "# This side's link identity, relative to the state directory.\n";
  t += "# identity = \"link.id\"\n";
  t += "# The zone side's link public key (a .pub file or the key in base64).\n";
  t += "# peer = \"zone-link.id.pub\"\n";
  t += "# Envelope authentication: off, optional, required, or auto (required when\n";
  t += "# peer is set, else off).\n";
  t += "# auth = \"auto\"\n";
  if (exec_only) {
    t += "\n[exec]\n";
    t += "# keys/ holds no KSK: the zones' KSKs are with the laptop's keymgr or dnssec-ksr,\n";
    t += "# which `ksk serve --exec 'COMMAND {}'` runs for each request (docs/interop.md).\n";
    t += "only = true\n";
    t += "# The command's KSKs as DS or DNSKEY lines (keymgr ZONE ds, dnssec-dsfromkey),\n";
    t += "# relative to this directory: its answers must be signed by them.\n";
    t += "# anchor = \"exec-anchor.ds\"\n";
  }
  return t;
}

}  // namespace kskline::signer
