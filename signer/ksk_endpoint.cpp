#include "signer/ksk_endpoint.hpp"

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <system_error>

#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.hpp"
#include "base/encoding.hpp"
#include "signer/audit_log.hpp"
#include "signer/errc.hpp"
#include "signer/fingerprint.hpp"
#include "signer/internal/request_rules.hpp"
#include "signer/operator_table.hpp"
#include "zone/dnssec_key.hpp"
#include "zone/ds.hpp"
#include "zone/record.hpp"
#include "zone/rr_types.hpp"
#include "zone/rrsig.hpp"

namespace kskline::signer {
namespace {

namespace fs = std::filesystem;

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

namespace {

using zone::make_record;

}  // namespace

Result<KskInitResult> init_ksk_state(const std::string& dir, const KskInitOptions& options, std::int64_t now) {
  if (options.zones.empty()) return fail(errc::bad_config, "at least one zone (--zone)", dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail(base::errc::io_error, "cannot create the directory: " + ec.message(), dir);
  ::chmod(dir.c_str(), 0700);
  auto lock = lock_state_dir(dir, "kskline ksk init");
  if (!lock) return tl::unexpected(lock.error());
  for (auto name : {ksk_files::config, ksk_files::keys, ksk_files::ledger}) {
    if (fs::exists(state_path(dir, name), ec)) {
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
  std::string keydir = state_path(dir, ksk_files::keys);
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
  std::string ledger = state_path(dir, ksk_files::ledger);
  if (::mkdir(ledger.c_str(), 0700) != 0) return base::fail_errno("mkdir", ledger);
  std::uint8_t algorithm = keys.empty() ? options.algorithm : keys.front().algorithm();
  std::string config = default_config_text(options.zones, algorithm, options.ds_digests);
  if (auto r = base::create_file_atomic(state_path(dir, ksk_files::config), as_bytes(config), 0644); !r) {
    return tl::unexpected(r.error());
  }
  return result;
}

Result<KskEndpoint> KskEndpoint::open(const std::string& dir, std::string_view command) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return fail(errc::bad_state, "no such directory (run kskline ksk init)", dir);
  std::string config_path = state_path(dir, ksk_files::config);
  if (!fs::exists(config_path, ec)) {
    return fail(errc::bad_state, "not a KSK state: no ksk.toml (run kskline ksk init --dir " + dir + ")", dir);
  }
  auto lock = lock_state_dir(dir, command);
  if (!lock) return tl::unexpected(lock.error());
  bool secure = init_secure_heap();
  auto text = base::read_file(config_path, 1 << 20);
  if (!text) return tl::unexpected(text.error());
  auto config = parse_config(*text, config_path);
  if (!config) return tl::unexpected(config.error());
  std::vector<zone::KeyPair> keys;
  std::string keydir = state_path(dir, ksk_files::keys);
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
  auto ledger = RequestLedger::open(state_path(dir, ksk_files::ledger));
  if (!ledger) return tl::unexpected(ledger.error());
  return KskEndpoint(dir, std::move(*lock), std::move(*config), std::move(keys), std::move(*ledger), secure);
}

std::string KskEndpoint::identity_path() const {
  const std::string& p = config_.link.identity;
  if (p.empty() || p[0] == '/') return p;
  return state_path(dir_, p);
}

std::string KskEndpoint::peer_path() const {
  const std::string& p = config_.link.peer;
  if (p.empty() || p[0] == '/') return p;
  std::error_code ec;
  if (p.size() == 44 && !fs::exists(state_path(dir_, p), ec)) return p;  // the key itself
  return state_path(dir_, p);
}

std::string KskEndpoint::audit_path() const { return state_path(dir_, ksk_files::audit); }

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
  rv.table = operator_table(q, ksks, now, rv.digest, rv.words);
  if (rv.stored_response) return rv;

  // The policy, rule by rule (signer/internal/request_rules.hpp).
  const RuleInput in{q, config_.policy, ksks, ledger_, source, dir_, now};
  if (auto r = check_request_rules(in); !r) return tl::unexpected(r.error());
  auto approvable = auto_approvable(in);
  if (!approvable) return tl::unexpected(approvable.error());
  rv.auto_approvable = *approvable;
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
