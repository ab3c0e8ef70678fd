#include "signer/ksk_endpoint.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <system_error>

#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.hpp"
#include "base/encoding.hpp"
#include "signer/audit_log.hpp"
#include "signer/config_text.hpp"
#include "signer/dnskey_response_size.hpp"
#include "signer/errc.hpp"
#include "signer/fingerprint.hpp"
#include "zone/algorithm.hpp"
#include "zone/dnssec_key.hpp"
#include "zone/ds.hpp"
#include "zone/key_tag.hpp"
#include "zone/record.hpp"
#include "zone/rr_types.hpp"
#include "zone/rrsig.hpp"

namespace kskline::signer {
namespace {

namespace fs = std::filesystem;

std::string join(const std::string& dir, std::string_view name) { return dir + "/" + std::string(name); }

// Initialises OpenSSL's secure heap once per process; whether it is in use.
bool init_secure_heap() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] {
    if (CRYPTO_secure_malloc_initialized()) {
      ok = true;
      return;
    }
    ok = CRYPTO_secure_malloc_init(std::size_t{1} << 19, 32) != 0;
  });
  return ok;
}

}  // namespace

Result<base::FileLock> lock_ksk_dir(const std::string& dir, std::string_view command) {
  std::string path = join(dir, ksk_files::lock);
  auto lock = base::FileLock::acquire(path);
  if (!lock) {
    if (lock.error().code == base::errc::lock_held) {
      auto who = base::read_file(path, 4096);
      std::string holder = who && !who->empty() ? *who : std::string("another kskline command\n");
      if (!holder.empty() && holder.back() == '\n') holder.pop_back();
      return fail(base::errc::lock_held,
                  "the KSK state is in use by " + holder + "; wait until it ends (or stop it) and try again", path);
    }
    return tl::unexpected(lock.error());
  }
  std::ofstream out(path, std::ios::trunc);
  out << std::string(command) << " (pid " << ::getpid() << ")\n";
  return lock;
}

namespace {

// A duration as the operator reads it ("10d1h", "-35d"): format_duration with a sign.
std::string duration_text(std::int64_t s) { return s < 0 ? "-" + format_duration(-s) : format_duration(s); }

std::string slot_where(std::size_t i) { return "slot " + std::to_string(i + 1); }

std::string key_label(const zone::Record& r) {
  auto v = zone::parse_dnskey(r.rdata);
  if (!v) return "?";
  return std::to_string(zone::key_tag(r.rdata)) + "/" + std::to_string(v->algorithm) + "/" + std::to_string(v->flags);
}

std::vector<Bytes> sorted_rdata(const std::vector<zone::Record>& records) {
  std::vector<Bytes> out;
  for (const auto& r : records) out.push_back(r.rdata);
  std::sort(out.begin(), out.end());
  return out;
}

std::string tags_text(const std::vector<Bytes>& rdatas) {
  std::string out;
  for (const auto& r : rdatas) out += (out.empty() ? "" : " ") + std::to_string(zone::key_tag(r));
  return out;
}

using zone::make_record;

}  // namespace

std::string table_time(std::int64_t seconds) {
  std::string t = format_time(seconds);  // YYYYMMDDHHmmSS
  if (t.size() != 14) return t;
  return t.substr(0, 4) + "-" + t.substr(4, 2) + "-" + t.substr(6, 2) + " " + t.substr(8, 2) + ":" + t.substr(10, 2) +
         ":" + t.substr(12, 2);
}

Result<KskInitResult> init_ksk_state(const std::string& dir, const KskInitOptions& options, std::int64_t now) {
  if (options.zones.empty()) return fail(errc::bad_config, "at least one zone (--zone)", dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail(base::errc::io_error, "cannot create the directory: " + ec.message(), dir);
  ::chmod(dir.c_str(), 0700);
  auto lock = lock_ksk_dir(dir, "kskline ksk init");
  if (!lock) return tl::unexpected(lock.error());
  for (auto name : {ksk_files::config, ksk_files::keys, ksk_files::ledger}) {
    if (fs::exists(join(dir, name), ec)) {
      return fail(errc::bad_state, "already holds a KSK state (" + std::string(name) + "); it is never overwritten",
                  dir);
    }
  }
  init_secure_heap();
  // Read every import before anything is written.
  std::vector<zone::KeyPair> keys;
  for (const auto& path : options.imports) {
    auto pair = zone::read_key_pair(path);
    if (!pair) return tl::unexpected(pair.error());
    if (!(pair->flags & zone::dnskey_flag::SEP)) {
      return fail(errc::bad_config, "not a KSK: its flags " + std::to_string(pair->flags) + " lack the SEP bit (257)",
                  path);
    }
    if (std::find(options.zones.begin(), options.zones.end(), pair->owner) == options.zones.end()) {
      return fail(errc::bad_config, "a key of " + pair->owner.to_string() + ", which is not one of the --zone", path);
    }
    keys.push_back(std::move(*pair));
  }
  for (const auto& zone : options.zones) {
    bool have = std::any_of(keys.begin(), keys.end(), [&](const zone::KeyPair& k) { return k.owner == zone; });
    if (have) continue;
    auto key = zone::PrivateKey::generate(options.algorithm, options.bits);
    if (!key) return tl::unexpected(key.error());
    auto pair = zone::make_key_pair(zone, zone::dnskey_flag::ZONE | zone::dnskey_flag::SEP, std::move(*key));
    if (!pair) return tl::unexpected(pair.error());
    keys.push_back(std::move(*pair));
  }
  KskInitResult result;
  for (const auto& k : keys) {
    for (auto digest : options.ds_digests) {
      auto ds = zone::make_ds(k.owner, k.dnskey_rdata, digest);
      if (!ds) return tl::unexpected(ds.error());
      result.ds_records += k.owner.to_string() + " IN DS " + zone::ds_rdata_text(*ds) + "\n";
    }
    result.dnskey_records += zone::to_text(make_record(k.owner, zone::rrtype::DNSKEY, 3600, k.dnskey_rdata)) + "\n";
  }
  std::string keydir = join(dir, ksk_files::keys);
  if (::mkdir(keydir.c_str(), 0700) != 0) return base::fail_errno("mkdir", keydir);
  zone::KeyTimes times;
  times.created = now;
  times.publish = now;
  times.activate = now;
  for (const auto& k : keys) {
    auto name = zone::write_key_pair(keydir, k, times);
    if (!name) return tl::unexpected(name.error());
    result.key_files.push_back(*name);
  }
  std::string ledger = join(dir, ksk_files::ledger);
  if (::mkdir(ledger.c_str(), 0700) != 0) return base::fail_errno("mkdir", ledger);
  std::uint8_t algorithm = keys.empty() ? options.algorithm : keys.front().algorithm();
  std::string config = default_config_text(options.zones, algorithm, options.ds_digests);
  if (auto r = base::create_file_atomic(join(dir, ksk_files::config), as_bytes(config), 0644); !r) {
    return tl::unexpected(r.error());
  }
  return result;
}

Result<KskEndpoint> KskEndpoint::open(const std::string& dir, std::string_view command) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return fail(errc::bad_state, "no such directory (run kskline ksk init)", dir);
  std::string config_path = join(dir, ksk_files::config);
  if (!fs::exists(config_path, ec)) {
    return fail(errc::bad_state, "not a KSK state: no ksk.toml (run kskline ksk init --dir " + dir + ")", dir);
  }
  auto lock = lock_ksk_dir(dir, command);
  if (!lock) return tl::unexpected(lock.error());
  bool secure = init_secure_heap();
  auto text = base::read_file(config_path, 1 << 20);
  if (!text) return tl::unexpected(text.error());
  auto config = parse_config(*text, config_path);
  if (!config) return tl::unexpected(config.error());
  std::vector<zone::KeyPair> keys;
  std::string keydir = join(dir, ksk_files::keys);
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(keydir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.size() > 8 && name.compare(name.size() - 8, 8, ".private") == 0 && name[0] == 'K') {
      files.push_back(entry.path().string());
    }
  }
  if (ec) return fail(errc::bad_state, "cannot read the key directory: " + ec.message(), keydir);
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto pair = zone::read_key_pair(f);
    if (!pair) return tl::unexpected(pair.error());
    keys.push_back(std::move(*pair));
  }
  for (const auto& z : config->policy.zones) {
    if (std::none_of(keys.begin(), keys.end(), [&](const zone::KeyPair& k) { return k.owner == z; })) {
      return fail(errc::bad_state, "no KSK for zone " + z.to_string(), keydir);
    }
  }
  auto ledger = RequestLedger::open(join(dir, ksk_files::ledger));
  if (!ledger) return tl::unexpected(ledger.error());
  return KskEndpoint(dir, std::move(*lock), std::move(*config), std::move(keys), std::move(*ledger), secure);
}

std::string KskEndpoint::identity_path() const {
  const std::string& p = config_.link.identity;
  if (p.empty() || p[0] == '/') return p;
  return join(dir_, p);
}

std::string KskEndpoint::peer_path() const {
  const std::string& p = config_.link.peer;
  if (p.empty() || p[0] == '/') return p;
  std::error_code ec;
  if (p.size() == 44 && !fs::exists(join(dir_, p), ec)) return p;  // the key itself
  return join(dir_, p);
}

std::string KskEndpoint::audit_path() const { return join(dir_, ksk_files::audit); }

std::vector<const zone::KeyPair*> KskEndpoint::ksks(const zone::Name& zone) const {
  std::vector<const zone::KeyPair*> out;
  for (const auto& k : keys_) {
    if (k.owner == zone) out.push_back(&k);
  }
  return out;
}

Result<Review> KskEndpoint::review(std::string_view request_text, std::string_view source, std::int64_t now) {
  auto r = check(request_text, source, now);
  if (r) return r;
  Error error = r.error();
  std::string reason = std::string(error.code.category() == category()
                                       ? errc_name(static_cast<errc>(error.code.value()))
                                       : error.code.message().c_str()) +
                       ": " + error.message();
  auto audit = append_audit_entry(audit_path(), now, base::to_hex(text_sha256(request_text)),
                                  audit_decision::refused, reason, "-");
  if (!audit) error.detail += " (and the audit log could not be written: " + audit.error().message() + ")";
  return tl::unexpected(std::move(error));
}

Result<Review> KskEndpoint::check(std::string_view request_text, std::string_view source, std::int64_t now) {
  const Policy& p = config_.policy;
  Review rv;
  rv.text = request_text;
  rv.source = source;
  rv.digest = text_sha256(request_text);
  rv.words = word_fingerprint(rv.digest);
  auto parsed = parse_request(request_text, source);
  if (!parsed) return tl::unexpected(parsed.error());
  rv.request = std::move(*parsed);
  const KeyRequest& q = rv.request;
  rv.skew = now - q.created;

  // The ledger first: a re-sent request is answered again, whatever the time.
  auto stored = ledger_.find(q.id);
  if (!stored) return tl::unexpected(stored.error());
  if (*stored) {
    if ((*stored)->request_text != request_text) {
      return fail(errc::request_id_reused,
                  "request " + q.id + " was signed before with other content; the zone side must make a new request",
                  std::string(source));
    }
    rv.stored_response = (*stored)->response_text;
    rv.auto_approvable = true;
  }

  // The operator table (also for a re-sent request).
  auto ksks = this->ksks(q.zone);
  {
    std::string t;
    t += "zone        " + q.zone.to_string() + "\n";
    t += "request     " + q.id + "\n";
    t += "created     " + table_time(q.created) + " UTC (zone side's clock)\n";
    t += "laptop now  " + table_time(now) + " UTC (skew " + duration_text(rv.skew) + ")\n";
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
                    duration_text(s.expiration - s.inception).c_str());
      t += head;
      for (const auto& z : s.zsks) t += " " + key_label(z);
      t += "\n";
    }
    t += "sha256      " + hex_groups(rv.digest) + "\n";
    t += "words       " + rv.words + "\n";
    rv.table = std::move(t);
  }
  if (rv.stored_response) return rv;

  // Zone.
  if (std::find(p.zones.begin(), p.zones.end(), q.zone) == p.zones.end()) {
    return fail(errc::zone_not_allowed, "this KSK does not sign for " + q.zone.to_string(), std::string(source));
  }
  if (ksks.empty()) return fail(errc::bad_state, "no KSK for zone " + q.zone.to_string(), dir_);

  // Clock.
  if (rv.skew > p.max_clock_skew || -rv.skew > p.max_clock_skew) {
    return fail(errc::clock_skew,
                "this laptop's clock reads " + table_time(now) + " UTC but the request was created at " +
                    table_time(q.created) + " UTC (" + duration_text(rv.skew) + " apart; the policy allows " +
                    duration_text(p.max_clock_skew) +
                    "). If the laptop is wrong, set it to the true UTC time from a trusted clock, as root: "
                    "date -u -s '" + table_time(q.created) + "' (with the real time); "
                    "if the request is old, have the zone side make a new one",
                std::string(source));
  }

  // Shape of the request.
  if (q.slots.empty()) return fail(errc::syntax, "a request without slots", std::string(source));
  if (q.slots.size() > p.max_slots) {
    return fail(errc::too_many_slots,
                std::to_string(q.slots.size()) + " slots; the policy allows " + std::to_string(p.max_slots),
                std::string(source));
  }
  if (q.dnskey_ttl < p.dnskey_ttl_min || q.dnskey_ttl > p.dnskey_ttl_max) {
    return fail(errc::dnskey_ttl_out_of_bounds,
                "DNSKEY TTL " + std::to_string(q.dnskey_ttl) + "; the policy allows " +
                    std::to_string(p.dnskey_ttl_min) + ".." + std::to_string(p.dnskey_ttl_max),
                std::string(source));
  }

  std::set<std::uint16_t> ksk_tags;
  for (const auto* k : ksks) ksk_tags.insert(k->key_tag);

  for (std::size_t i = 0; i < q.slots.size(); ++i) {
    const auto& s = q.slots[i];
    std::string where = slot_where(i);
    if (s.zsks.size() > p.max_keys_per_slot) {
      return fail(errc::too_many_keys,
                  std::to_string(s.zsks.size()) + " ZSKs; the policy allows " + std::to_string(p.max_keys_per_slot),
                  where);
    }
    std::set<std::uint16_t> tags;
    for (const auto& z : s.zsks) {
      std::uint16_t tag = zone::key_tag(z.rdata);
      std::string key_where = where + ", key tag " + std::to_string(tag);
      auto v = zone::parse_dnskey(z.rdata);
      if (!v) return fail(errc::syntax, v.error().message(), key_where);
      if (v->flags != zone::dnskey_flag::ZONE) {
        return fail(errc::bad_zsk_flags,
                    "flags " + std::to_string(v->flags) + "; a ZSK has exactly 256 (no SEP, no REVOKE)", key_where);
      }
      if (std::find(p.algorithms.begin(), p.algorithms.end(), v->algorithm) == p.algorithms.end() ||
          !zone::algorithm_supported(v->algorithm)) {
        return fail(errc::algorithm_not_allowed,
                    "algorithm " + zone::algorithm_to_string(v->algorithm) + " is not allowed by the policy",
                    key_where);
      }
      auto pub = zone::PublicKey::from_dnskey_rdata(z.rdata);
      if (!pub) return fail(errc::syntax, pub.error().message(), key_where);
      if (v->algorithm == 8 || v->algorithm == 10) {
        unsigned bits = pub->bits();
        if (bits < p.rsa_min_bits || bits > p.rsa_max_bits) {
          return fail(errc::key_size_not_allowed,
                      "an RSA key of " + std::to_string(bits) + " bits; the policy allows " +
                          std::to_string(p.rsa_min_bits) + ".." + std::to_string(p.rsa_max_bits),
                      key_where);
        }
      }
      if (ksk_tags.count(tag) != 0) {
        return fail(errc::key_tag_collision, "the key tag of a KSK of the zone", key_where);
      }
      if (!tags.insert(tag).second) {
        return fail(errc::key_tag_collision, "two ZSKs of the slot share this key tag", key_where);
      }
    }
    if (s.inception > s.start || s.expiration <= s.end || s.end <= s.start) {
      return fail(errc::validity_out_of_bounds,
                  "a slot needs start < end, inception <= start and expiration > end", where);
    }
    std::int64_t validity = s.expiration - s.inception;
    if (validity < p.min_validity || validity > p.max_validity) {
      return fail(errc::validity_out_of_bounds,
                  "signatures valid for " + duration_text(validity) + "; the policy allows " +
                      duration_text(p.min_validity) + ".." + duration_text(p.max_validity),
                  where);
    }
    if (i + 1 < q.slots.size()) {
      const auto& next = q.slots[i + 1];
      if (next.start != s.end) {
        return fail(errc::slots_not_continuous,
                    "ends at " + table_time(s.end) + " but slot " + std::to_string(i + 2) + " starts at " +
                        table_time(next.start),
                    where);
      }
    }
    std::int64_t overlap = s.expiration - s.end;
    if (overlap < p.min_overlap || overlap > p.max_overlap) {
      return fail(errc::slots_not_continuous,
                  "signatures stay valid " + duration_text(overlap) +
                      " past the next slot's start; the policy allows " + duration_text(p.min_overlap) + ".." +
                      duration_text(p.max_overlap),
                  where);
    }
    if (now - s.start > p.max_start_in_past) {
      return fail(errc::starts_in_past,
                  "starts at " + table_time(s.start) + ", " + duration_text(now - s.start) +
                      " ago; the policy allows " + duration_text(p.max_start_in_past),
                  where);
    }
    if (s.expiration - now > p.horizon) {
      return fail(errc::beyond_horizon,
                  "signatures would expire at " + table_time(s.expiration) + ", " +
                      duration_text(s.expiration - now) + " from now; the policy's horizon is " +
                      duration_text(p.horizon),
                  where);
    }
    if (p.require_proof) {
      std::vector<zone::Rrsig> proofs;
      for (const auto& pr : s.proofs) {
        auto sig = zone::parse_rrsig(pr.rdata);
        if (sig) proofs.push_back(std::move(*sig));
      }
      for (const auto& z : s.zsks) {
        std::uint16_t tag = zone::key_tag(z.rdata);
        std::string key_where = where + ", key tag " + std::to_string(tag);
        auto verifier = zone::RrsigVerifier::create(q.zone, z.rdata);
        if (!verifier) return fail(errc::proof_of_possession, verifier.error().message(), key_where);
        bool ok = false;
        std::string why = "no RRSIG by this key over the slot's ZSKs";
        for (const auto& sig : proofs) {
          if (sig.key_tag != tag || sig.algorithm != verifier->algorithm()) continue;
          if (sig.inception != static_cast<std::uint32_t>(s.start) ||
              sig.expiration != static_cast<std::uint32_t>(s.end)) {
            why = "its RRSIG's window is not the slot's start..end";
            continue;
          }
          auto result = verifier->verify(sig, s.zsks);
          if (result.status == zone::VerifyStatus::valid) {
            ok = true;
            break;
          }
          why = "its RRSIG does not verify: " + result.reason;
        }
        if (!ok) return fail(errc::proof_of_possession, why, key_where);
      }
    }
    // The DNSKEY response with this slot's RRset and the KSKs' RRSIGs.
    std::vector<zone::Record> answers;
    for (const auto* k : ksks) answers.push_back(make_record(q.zone, zone::rrtype::DNSKEY, q.dnskey_ttl, k->dnskey_rdata));
    for (const auto& z : s.zsks) answers.push_back(make_record(q.zone, zone::rrtype::DNSKEY, q.dnskey_ttl, z.rdata));
    for (const auto* k : ksks) {
      std::size_t len = rrsig_rdata_size(q.zone, signature_size(k->algorithm(), k->key.bits()));
      answers.push_back(make_record(q.zone, zone::rrtype::RRSIG, q.dnskey_ttl, Bytes(len)));
    }
    std::size_t size = dnskey_response_size(q.zone, answers);
    if (size > kMaxDnskeyResponse) {
      return fail(errc::response_too_large,
                  "the DNSKEY response would be " + std::to_string(size) + " octets; at most " +
                      std::to_string(kMaxDnskeyResponse) + " fit (fewer or smaller ZSKs)",
                  where);
    }
  }

  // Continuity with what was signed before, and what --batch may sign.
  auto signed_slots = ledger_.signed_slots();
  if (!signed_slots) return tl::unexpected(signed_slots.error());
  std::vector<const SignedSlot*> covering;
  std::int64_t newest = 0;
  const auto& first = q.slots.front();
  for (const auto& s : *signed_slots) {
    if (s.zone == q.zone && s.start <= first.start && first.start < s.end) newest = std::max(newest, s.request_created);
  }
  for (const auto& s : *signed_slots) {
    if (s.zone == q.zone && s.start <= first.start && first.start < s.end && s.request_created == newest) covering.push_back(&s);
  }
  auto first_set = sorted_rdata(first.zsks);
  if (!covering.empty() &&
      std::none_of(covering.begin(), covering.end(), [&](const SignedSlot* s) { return s->zsks == first_set; })) {
    const SignedSlot& s = *covering.front();
    return fail(errc::continuity_broken,
                "request " + s.request_id + " signed " + table_time(s.start) + ".." + table_time(s.end) +
                    " with ZSK tags " + tags_text(s.zsks) + "; this request starts at " + table_time(first.start) +
                    " with " + tags_text(first_set),
                slot_where(0));
  }
  switch (p.auto_approve) {
    case AutoApprove::never: rv.auto_approvable = false; break;
    case AutoApprove::always: rv.auto_approvable = true; break;
    case AutoApprove::same_keys: {
      bool all = !signed_slots->empty();
      for (const auto& s : q.slots) {
        auto set = sorted_rdata(s.zsks);
        all = all && std::any_of(signed_slots->begin(), signed_slots->end(),
                                 [&](const SignedSlot& x) { return x.zone == q.zone && x.zsks == set; });
      }
      rv.auto_approvable = all;
      break;
    }
  }
  return rv;
}

Result<std::string> KskEndpoint::sign(const Review& review, std::int64_t now) {
  const KeyRequest& q = review.request;
  std::string request_hex = base::to_hex(review.digest);
  if (review.stored_response) {
    auto audit = append_audit_entry(audit_path(), now, request_hex, audit_decision::resent,
                                    "the request was signed before; its stored answer is sent again",
                                    base::to_hex(text_sha256(*review.stored_response)));
    if (!audit) return tl::unexpected(audit.error());
    return *review.stored_response;
  }
  auto ksks = this->ksks(q.zone);
  if (ksks.empty()) return fail(errc::bad_state, "no KSK for zone " + q.zone.to_string(), dir_);
  std::vector<zone::Signer> signers;
  for (const auto* k : ksks) {
    auto s = zone::Signer::create(k->key);
    if (!s) return tl::unexpected(s.error());
    signers.push_back(std::move(*s));
  }
  KeyResponse response;
  response.request_id = q.id;
  response.request_sha256 = review.digest;
  response.zone = q.zone;
  response.created = now;
  for (std::size_t i = 0; i < q.slots.size(); ++i) {
    const auto& s = q.slots[i];
    ResponseSlot out;
    out.start = s.start;
    out.end = s.end;
    std::vector<zone::Record> dnskey, cds, cdnskey;
    for (const auto* k : ksks) dnskey.push_back(make_record(q.zone, zone::rrtype::DNSKEY, q.dnskey_ttl, k->dnskey_rdata));
    for (const auto& z : s.zsks) dnskey.push_back(make_record(q.zone, zone::rrtype::DNSKEY, q.dnskey_ttl, z.rdata));
    for (const auto* k : ksks) {
      auto ds = zone::make_ds(q.zone, k->dnskey_rdata, zone::ds_digest::SHA256);
      if (!ds) return tl::unexpected(ds.error().located(slot_where(i)));
      cds.push_back(make_record(q.zone, zone::rrtype::CDS, q.dnskey_ttl, std::move(*ds)));
      cdnskey.push_back(make_record(q.zone, zone::rrtype::CDNSKEY, q.dnskey_ttl, k->dnskey_rdata));
    }
    for (auto* rrset : {&dnskey, &cds, &cdnskey}) {
      std::vector<zone::Record> sigs;
      for (std::size_t k = 0; k < ksks.size(); ++k) {
        zone::SignParams params;
        params.signer = q.zone;
        params.key_tag = ksks[k]->key_tag;
        params.inception = static_cast<std::uint32_t>(s.inception);
        params.expiration = static_cast<std::uint32_t>(s.expiration);
        params.original_ttl = q.dnskey_ttl;
        auto sig = zone::sign_rrset(signers[k], params, *rrset);
        if (!sig) return tl::unexpected(sig.error().located(slot_where(i)));
        sigs.push_back(make_record(q.zone, zone::rrtype::RRSIG, q.dnskey_ttl, std::move(*sig)));
      }
      for (auto& r : *rrset) out.records.push_back(std::move(r));
      for (auto& r : sigs) out.records.push_back(std::move(r));
    }
    response.slots.push_back(std::move(out));
  }
  std::string text = format_response(response);
  if (auto r = ledger_.record(q.id, review.text, text); !r) return tl::unexpected(r.error());
  auto audit = append_audit_entry(audit_path(), now, request_hex, audit_decision::signed_,
                                  std::to_string(q.slots.size()) + " slots of " + q.zone.to_string() + " signed",
                                  base::to_hex(text_sha256(text)));
  if (!audit) return tl::unexpected(audit.error());
  return text;
}

Result<void> KskEndpoint::decline(const Review& review, std::int64_t now, const Error& why) {
  std::string reason = why.code.category() == category() ? errc_name(static_cast<errc>(why.code.value()))
                                                          : why.code.message();
  reason += ": " + why.message();
  auto audit = append_audit_entry(audit_path(), now, base::to_hex(review.digest), audit_decision::declined, reason, "-");
  if (!audit) return tl::unexpected(audit.error());
  return {};
}

}  // namespace kskline::signer
