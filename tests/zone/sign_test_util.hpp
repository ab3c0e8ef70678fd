// Shared helpers of the zone signer's tests: key pairs, a zone with every
// kind of name a signer must handle, signing in memory, and checking every
// RRSIG of a signed zone in process.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "tests/zone/dnssec_test_util.hpp"
#include "zone/canonical.hpp"
#include "zone/key_file.hpp"
#include "zone/master_file.hpp"
#include "zone/rrsig.hpp"
#include "zone/zone_signer.hpp"

namespace kskline::test {

// A fresh key pair for `zone` (flags 256 for a ZSK, 257 for a KSK).
inline zone::KeyPair key_pair(std::uint8_t algorithm, std::uint16_t flags, const std::string& zone = "example.org.") {
  auto key = zone::PrivateKey::generate(algorithm, algorithm == 8 || algorithm == 10 ? 1024 : 0);
  if (!key) throw std::runtime_error("keygen: " + key.error().message());
  auto pair = zone::make_key_pair(name(zone), flags, std::move(*key));
  if (!pair) throw std::runtime_error("key pair: " + pair.error().message());
  return std::move(*pair);
}

// A key list of one fresh key pair (KeyPair is move-only, so no braces).
inline std::vector<zone::KeyPair> one_key(std::uint8_t algorithm, std::uint16_t flags = 256,
                                          const std::string& zone = "example.org.") {
  std::vector<zone::KeyPair> keys;
  keys.push_back(key_pair(algorithm, flags, zone));
  return keys;
}

// A copy of a key pair (the private key re-imported).
inline zone::KeyPair copy_key(const zone::KeyPair& k) {
  auto text = zone::format_private_key_text(k.key, {});
  if (!text) throw std::runtime_error("format key");
  std::string s(reinterpret_cast<const char*>(text->bytes().data()), text->size());
  auto key = zone::parse_private_key_text(s, "copy");
  if (!key) throw std::runtime_error("parse key: " + key.error().message());
  auto pair = zone::make_key_pair(k.owner, k.flags, std::move(*key), k.ttl);
  if (!pair) throw std::runtime_error("key pair");
  return std::move(*pair);
}

// A zone with delegations with and without DS, glue, empty non-terminals, a
// wildcard, a DNAME, data occluded below a cut, a long TXT and mixed-case
// owners (no data below the DNAME: kzonecheck refuses that, RFC 6672 §2.4).
inline std::string rich_zone() {
  return std::string(
    "$ORIGIN example.org.\n"
    "$TTL 3600\n"
    "@ IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 300\n"
    "  IN NS ns1\n"
    "  IN NS ns2.example.net.\n"
    "  IN MX 10 mail\n"
    "  IN CAA 0 issue \"ca.example.net\"\n"
    "ns1 IN A 192.0.2.1\n"
    "  IN AAAA 2001:db8::1\n"
    "mail IN A 192.0.2.2\n"
    "WWW.Example.ORG. IN A 192.0.2.3\n"
    "www IN AAAA 2001:db8::3\n"
    "Mixed.Case IN TXT \"hello\"\n"
    "alias IN CNAME www\n"
    "*.wild IN A 192.0.2.4\n"
    "*.wild IN TXT \"wildcard\"\n"
    "a.b.c.ent IN A 192.0.2.5\n"
    "secure IN NS ns.secure\n"
    "secure IN DS 12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
    "ns.secure IN A 192.0.2.6\n"
    "insecure IN NS ns.insecure\n"
    "insecure IN NS ns.elsewhere.net.\n"
    "ns.insecure IN A 192.0.2.7\n"
    "ns.insecure IN AAAA 2001:db8::7\n"
    "deep.below.insecure IN TXT \"occluded\"\n"
    "redirect IN DNAME example.net.\n") +
    "long IN TXT \"" + std::string(255, 'a') + "\" \"" + std::string(200, 'b') + "\"\n"
    "_sip._tcp IN SRV 0 5 5060 sip\n"
    "sip IN A 192.0.2.9\n";
}

// The records of master-file text for `origin`; throws on errors.
inline zone::RecordList read_zone_text(const std::string& text, const std::string& origin = "example.org.",
                                       const std::string& source = "test.zone") {
  zone::MasterOptions o;
  o.origin = name(origin);
  auto list = zone::read_master_text(text, source, o);
  if (!list) throw std::runtime_error("zone text: " + list.error().message());
  return std::move(*list);
}

// Fixed signing times for reproducible tests: 2024-06-01 00:00:00 UTC.
inline constexpr std::int64_t kNow = 1717200000;

// Default options for example.org. at kNow.
inline zone::SignOptions sign_options(const std::string& origin = "example.org.") {
  zone::SignOptions o;
  o.origin = name(origin);
  o.timing.now = kNow;
  o.threads = 2;
  return o;
}

// The outcome of signing in memory.
struct Signed {
  zone::SignReport report;
  std::string text;
};

// Signs `input` with `options` into a string; `rewritable`: whether the sink
// lets the signer write the start again (as a file does, unlike a pipe).
inline Signed sign_to_text(zone::SignInput input, const zone::SignOptions& options, bool rewritable = true) {
  Signed s;
  zone::SignedZoneSink sink;
  sink.write = [&](std::string_view t) -> Result<void> {
    s.text.append(t);
    return {};
  };
  if (rewritable) {
    sink.overwrite_start = [&](std::string_view t) -> Result<void> {
      if (t.size() > s.text.size()) throw std::runtime_error("overwrite beyond the text");
      s.text.replace(0, t.size(), t);
      return {};
    };
  }
  s.report = zone::sign_zone(std::move(input), options, sink);
  return s;
}

// The first problem of a report as text ("" when none).
inline std::string first_problem(const zone::SignReport& r) {
  return r.problems.empty() ? std::string() : r.problems.front().message();
}

// Every RRSIG of a signed zone checked against the RRset it covers with the
// apex DNSKEYs; returns the descriptions of those that do not verify.
inline std::vector<std::string> bad_signatures(const zone::RecordList& signed_zone, const zone::Name& origin) {
  std::vector<zone::Record> records = signed_zone.records;
  zone::sort_canonical(records);
  std::map<std::pair<std::string, std::uint16_t>, std::vector<zone::Record>> sets;
  std::vector<zone::Record> sigs, keys;
  for (const auto& r : records) {
    if (r.type == zone::rrtype::RRSIG) {
      sigs.push_back(r);
    } else {
      sets[{r.owner.canonical_key(), r.type}].push_back(r);
      if (r.type == zone::rrtype::DNSKEY && r.owner == origin) keys.push_back(r);
    }
  }
  std::vector<std::string> bad;
  for (const auto& s : sigs) {
    auto rrsig = zone::parse_rrsig(s.rdata);
    if (!rrsig) {
      bad.push_back(s.owner.to_string() + ": malformed RRSIG");
      continue;
    }
    auto it = sets.find({s.owner.canonical_key(), rrsig->type_covered});
    if (it == sets.end()) {
      bad.push_back(s.owner.to_string() + " " + zone::type_to_string(rrsig->type_covered) + ": no RRset");
      continue;
    }
    bool ok = false;
    for (const auto& k : keys) {
      if (zone::verify_rrsig(s.rdata, it->second, origin, k.rdata).status == zone::VerifyStatus::valid) ok = true;
    }
    if (!ok) bad.push_back(s.owner.to_string() + " " + zone::type_to_string(rrsig->type_covered) + ": does not verify");
  }
  return bad;
}

// The RRSIGs at `owner` covering `type`, parsed.
inline std::vector<zone::Rrsig> rrsigs_over(const zone::RecordList& list, const std::string& owner, std::uint16_t type) {
  std::vector<zone::Rrsig> out;
  zone::Name n = name(owner);
  for (const auto& r : list.records) {
    if (r.type != zone::rrtype::RRSIG || !(r.owner == n)) continue;
    auto s = zone::parse_rrsig(r.rdata);
    if (s && s->type_covered == type) out.push_back(*s);
  }
  return out;
}

// The records of `type` at `owner`.
inline std::vector<zone::Record> records_of(const zone::RecordList& list, const std::string& owner, std::uint16_t type) {
  std::vector<zone::Record> out;
  zone::Name n = name(owner);
  for (const auto& r : list.records) {
    if (r.type == type && r.owner == n) out.push_back(r);
  }
  return out;
}

}  // namespace kskline::test
