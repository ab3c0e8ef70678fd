// `kskline keygen --zone Z --algorithm A [--ksk] [--dir KEYDIR] [--rsa-bits N] [--ttl T]`:
// a key pair in BIND format, its basename printed as dnssec-keygen does. With
// --pkcs11-module, --token and --key-label the key is made in a PKCS#11 token
// and only its .key file and its URI (.pkcs11) are written: a new token KSK
// for a rollover goes into the KSK state's keys/ this way.
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>

#include "tools/commands.hpp"
#include "tools/option_values.hpp"
#include "tools/time_option.hpp"
#include "tools/token_options.hpp"
#include "zone/algorithm.hpp"
#include "zone/dnssec_key.hpp"
#include "zone/errc.hpp"
#include "zone/key_file.hpp"
#include "zone/key_tag.hpp"
#include "zone/pkcs11_key.hpp"
#include "zone/rdata.hpp"

namespace kskline::tools {
namespace {

// Attempts at a key whose tag no key in the directory uses yet.
constexpr int kMaxAttempts = 32;

struct KeygenOptions {
  std::string zone;
  std::string algorithm;
  bool ksk = false;
  std::string dir = ".";
  unsigned bits = 0;
  std::string ttl;
  std::string now;
  TokenKeyOptions token;  // a key in a token
};

// Whether a key file with this algorithm and tag exists in dir (either half).
bool tag_taken(const std::string& dir, const zone::Name& owner, std::uint8_t alg, std::uint16_t tag) {
  auto base = zone::key_basename(owner, alg, tag);
  if (!base) return false;
  std::error_code ec;
  std::filesystem::path p = std::filesystem::path(dir) / *base;
  return std::filesystem::exists(p.string() + ".key", ec) || std::filesystem::exists(p.string() + ".private", ec);
}

int run_keygen(const KeygenOptions& o) {
  const zone::Name root;
  auto owner = zone::Name::parse(o.zone, &root);
  if (!owner) return report(owner.error().located("--zone"));
  auto alg = zone::parse_algorithm(o.algorithm);
  if (!alg) {
    return report(Error{zone::errc::unsupported_algorithm, "--algorithm",
                        "unknown algorithm '" + o.algorithm + "'"});
  }
  if (!zone::algorithm_supported(*alg)) {
    return report(Error{zone::errc::unsupported_algorithm, "--algorithm",
                        "algorithm " + std::to_string(*alg) + " (" + zone::algorithm_to_string(*alg) +
                            ") is not supported; use RSASHA256, RSASHA512, ECDSAP256SHA256, ECDSAP384SHA384, "
                            "ED25519 or ED448"});
  }
  std::optional<std::uint32_t> ttl;
  if (!o.ttl.empty()) {
    auto t = zone::parse_ttl(o.ttl);
    if (!t) return report(t.error().located("--ttl"));
    ttl = *t;
  }
  std::uint16_t flags = o.ksk ? 257 : 256;
  auto now = parse_when("--now", o.now, static_cast<std::int64_t>(std::time(nullptr)));
  if (!now) {
    report(now.error());
    return kExitUsage;
  }
  zone::KeyTimes times{*now, *now, *now};

  if (o.token.given()) {
    auto ref = token_key_ref(o.token);
    if (!ref) {
      report(ref.error());
      return kExitUsage;
    }
    const zone::Pkcs11KeyRef& want = *ref;
    auto token = zone::Pkcs11Token::open(want.module, want.token, operator_pin_source(o.token.pin_file));
    if (!token) return report(token.error());
    auto have = (*token)->has_key(want.object);
    if (!have) return report(have.error());
    if (*have) {
      return report(Error{zone::errc::bad_key, "token " + want.token,
                          "the token already holds a key labelled '" + want.object + "'; choose another --key-label"});
    }
    auto made = (*token)->generate_key(want.object, *alg, o.bits);
    if (!made) return report(made.error());
    auto pair = zone::make_key_pair(*owner, flags, std::move(made->key), ttl);
    if (!pair) return report(pair.error());
    if (tag_taken(o.dir, *owner, *alg, pair->key_tag)) {
      return report(Error{zone::errc::bad_key, o.dir,
                          "key tag " + std::to_string(pair->key_tag) + " is taken; generate under another label"});
    }
    auto base = zone::write_pkcs11_key_pair(o.dir, *pair, made->ref, times);
    if (!base) return report(base.error());
    std::printf("%s\n", base->c_str());
    return kExitOk;
  }
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    auto key = zone::PrivateKey::generate(*alg, o.bits);
    if (!key) return report(key.error().located(o.bits != 0 ? "--rsa-bits" : "--algorithm"));
    auto pair = zone::make_key_pair(*owner, flags, std::move(*key), ttl);
    if (!pair) return report(pair.error());
    // As dnssec-keygen does: a tag already in use, or one that this key would
    // take when revoked (RFC 5011), means another key.
    Bytes revoked = pair->dnskey_rdata;
    revoked[1] |= static_cast<std::uint8_t>(zone::dnskey_flag::REVOKE);
    if (tag_taken(o.dir, *owner, *alg, pair->key_tag) ||
        tag_taken(o.dir, *owner, *alg, zone::key_tag(revoked))) {
      continue;
    }
    auto base = zone::write_key_pair(o.dir, *pair, times);
    if (!base) return report(base.error());
    std::printf("%s\n", base->c_str());
    return kExitOk;
  }
  return report(Error{zone::errc::bad_key, o.dir,
                      "no free key tag after " + std::to_string(kMaxAttempts) + " keys; the directory is crowded"});
}

}  // namespace

void add_keygen(Cli& cli) {
  auto options = std::make_shared<KeygenOptions>();
  auto* cmd = cli.app.add_subcommand("keygen", "generate a key pair in BIND format (K<zone>+<alg>+<tag>)");
  cmd->add_option("--zone,-z", options->zone, "the zone the key is for")->required()->check(zone_value());
  cmd->add_option("--algorithm,-a", options->algorithm,
                  "RSASHA256, RSASHA512, ECDSAP256SHA256, ECDSAP384SHA384, ED25519, ED448 or a number")
      ->required()
      ->check(algorithm_value());
  cmd->add_flag("--ksk", options->ksk, "a key-signing key (flags 257; otherwise 256)");
  cmd->add_option("--dir,-K", options->dir, "the directory to write the key files to (default: .)");
  cmd->add_option("--rsa-bits", options->bits, "RSA modulus size, 1024..4096 (default 2048)")->check(number_value(1024, 4096));
  cmd->add_option("--ttl,-L", options->ttl, "TTL written on the DNSKEY line (e.g. 3600 or 1h)")->check(ttl_value());
  cmd->add_option("--now", options->now,
                  std::string("the key's Created, Publish and Activate time, for tests: ") + kTimeGrammar)
      ->check(time_value());
  add_token_key_options(cmd, options->token, "the key");
  cmd->callback([&cli, options] { cli.exit_code = run_keygen(*options); });
}

}  // namespace kskline::tools
