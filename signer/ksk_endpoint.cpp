#include "signer/ksk_endpoint.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <system_error>

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.hpp"
#include "base/encoding.hpp"
#include "signer/audit_log.hpp"
#include "signer/errc.hpp"
#include "signer/fingerprint.hpp"
#include "signer/internal/request_rules.hpp"
#include "signer/dnskey_response_size.hpp"
#include "signer/operator_table.hpp"
#include "signer/response_check.hpp"
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

// The hint that ends every audit break message.
std::string accept_hint(const std::string& dir) {
  return "; once the cause is understood, record it with: kskline ksk audit accept --dir " + dir;
}

tl::unexpected<Error> audit_broken(const std::string& dir, std::string what, std::string where) {
  return fail(errc::audit_chain_broken, std::move(what) + accept_hint(dir), std::move(where));
}

// The ledger count a "head" entry recorded ("... the ledger holds N signed
// requests ..."), or nullopt when it names none.
std::optional<std::size_t> recorded_ledger(std::string_view reason) {
  constexpr std::string_view key = "the ledger holds ";
  auto at = reason.rfind(key);
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t i = at + key.size(), n = 0, digits = 0;
  while (i < reason.size() && reason[i] >= '0' && reason[i] <= '9' && digits < 18) {
    n = n * 10 + static_cast<std::size_t>(reason[i] - '0');
    ++i;
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  return n;
}

std::string short_hash(std::string_view hash) { return std::string(hash.substr(0, 16)); }

// "1 entry", "N entries": a count of audit log entries in a message.
std::string entries_text(std::size_t n) { return std::to_string(n) + (n == 1 ? " entry" : " entries"); }

}  // namespace

KeyRequest expand_foreign_request(const ForeignDocument& request, const Policy& policy, const Sha256& digest,
                                  std::int64_t now) {
  KeyRequest base = to_key_request(request);
  KeyRequest q;
  q.id = base::to_hex(ByteView(digest.data(), 16));
  q.zone = base.zone;
  q.created = request.generated != 0 ? request.generated : now;
  q.dnskey_ttl = base.dnskey_ttl;
  const std::int64_t step = policy.foreign_validity - policy.foreign_refresh;
  const std::int64_t offset =
      request.dialect == Dialect::knot ? policy.knot_inception_offset : policy.bind_inception_offset;
  for (std::size_t i = 0; i < base.slots.size(); ++i) {
    const auto& b = base.slots[i];
    const bool last = i + 1 == base.slots.size();
    const std::int64_t end = last ? b.start + step : base.slots[i + 1].start;
    for (std::int64_t t = b.start; t < end; t += step) {
      RequestSlot s;
      s.start = t;
      s.end = std::min(end, t + step);
      s.inception = t - offset;
      s.expiration = t + policy.foreign_validity;
      s.zsks = b.zsks;
      q.slots.push_back(std::move(s));
    }
  }
  return q;
}

Result<StateLock> lock_ksk_state(const std::string& dir, std::string_view command) {
  // Others hold the lock only while they read or write: wait for them.
  return lock_state_dir(dir, command, std::chrono::seconds(30));
}

Result<AuditCheck> check_audit_state(const std::string& dir) {
  const std::string log = state_path(dir, ksk_files::audit), head_path = state_path(dir, ksk_files::audit_head);
  AuditCheck c;
  auto entries = read_audit_log(log);
  if (!entries) {
    Error e = entries.error();
    if (e.code == errc::audit_chain_broken) e.detail += accept_hint(dir);
    return tl::unexpected(std::move(e));
  }
  c.entries = std::move(*entries);
  auto head = read_audit_head(head_path);
  if (!head) {
    Error e = head.error();
    if (e.code == errc::audit_chain_broken) e.detail += accept_hint(dir);
    return tl::unexpected(std::move(e));
  }
  c.head = std::move(*head);
  auto ledger = RequestLedger::open(state_path(dir, ksk_files::ledger));
  if (!ledger) return tl::unexpected(ledger.error());
  auto count = ledger->signed_count();
  if (!count) return tl::unexpected(count.error());
  c.ledger_signed = *count;

  const std::size_t n = c.entries.size();
  if (!c.head) {
    // A log begun with a head file, or one that recorded it, has lost it.
    bool kept = n > 0 && c.entries.front().previous == kAuditHeadGenesis;
    std::size_t line = kept ? 1 : 0;
    for (std::size_t i = 0; i < n && !kept; ++i) {
      if (c.entries[i].decision == audit_decision::head) kept = true, line = i + 1;
    }
    if (kept) {
      return audit_broken(dir,
                          "the head file is missing, but the log was kept with one (" + log + ":" +
                              std::to_string(line) + "); the log's end cannot be checked without it",
                          head_path);
    }
  } else {
    std::uint64_t h = c.head->count;
    if (n == h + 1 && !c.head->pending.empty() && c.entries.back().hash == c.head->pending &&
        c.entries.back().previous == c.head->hash) {
      // Appended, then stopped before the head was rewritten: the entry is ours.
      c.head = AuditHead{n, c.entries.back().hash, {}};
      h = n;
    }
    if (n < h) {
      if (n == 0) {
        return audit_broken(dir,
                            "the audit log is missing or empty, but the head file says it held " + entries_text(h),
                            log);
      }
      return audit_broken(dir,
                          "the log ends after line " + std::to_string(n) + " but the head file says it held " +
                              entries_text(h) + ": lines " + std::to_string(n + 1) + ".." +
                              std::to_string(h) + " were removed",
                          log + ":" + std::to_string(n + 1));
    }
    if (n > h) {
      return audit_broken(dir,
                          "line " + std::to_string(h + 1) + " was not written by kskline: the head file says the log "
                              "held " + entries_text(h) + ", it holds " + std::to_string(n),
                          log + ":" + std::to_string(h + 1));
    }
    if (n > 0 && c.entries.back().hash != c.head->hash) {
      return audit_broken(dir,
                          "the log was rewritten: its last entry's hash " + short_hash(c.entries.back().hash) +
                              "... is not the " + short_hash(c.head->hash) + "... the head file recorded",
                          log + ":" + std::to_string(n));
    }
  }
  // Every signed request has a "signed" entry (after the last "head" entry,
  // which records the ledger's count when it was written).
  std::size_t recorded = 0;
  for (const auto& e : c.entries) {
    if (e.decision == audit_decision::head) {
      if (auto l = recorded_ledger(e.reason)) recorded = *l;
    } else if (e.decision == audit_decision::signed_ || e.decision == audit_decision::exec_answered) {
      ++recorded;
    }
  }
  if (recorded < c.ledger_signed) {
    return audit_broken(dir,
                        "the ledger holds " + std::to_string(c.ledger_signed) +
                            " signed requests but the log records " + std::to_string(recorded) +
                            ": entries of signed requests were lost",
                        log);
  }
  return c;
}

Result<AuditAccept> accept_audit_break(const std::string& dir, std::int64_t now, std::string_view note) {
  const std::string log = state_path(dir, ksk_files::audit), head_path = state_path(dir, ksk_files::audit_head);
  AuditAccept out;
  auto check = check_audit_state(dir);
  if (check && check->head) return out;  // nothing to accept
  if (check) {
    out.problem = "no head file (a state from before audit.head)";
  } else if (check.error().code == errc::audit_chain_broken) {
    out.problem = check.error().message();
    auto hint = out.problem.find(accept_hint(dir));
    if (hint != std::string::npos) out.problem.erase(hint);
  } else {
    return tl::unexpected(check.error());
  }
  auto head = read_audit_head(head_path);
  std::string expected = head && *head ? entries_text((*head)->count) + " ending " + short_hash((*head)->hash) + "..."
                                       : std::string("no head file");
  auto ledger = RequestLedger::open(state_path(dir, ksk_files::ledger));
  if (!ledger) return tl::unexpected(ledger.error());
  auto signed_count = ledger->signed_count();
  if (!signed_count) return tl::unexpected(signed_count.error());
  auto entries = read_audit_log(log);
  std::string found;
  if (entries) {
    found = entries_text(entries->size()) +
            (entries->empty() ? std::string() : " ending " + short_hash(entries->back().hash) + "...");
  } else {
    // The chain itself is broken: keep the log as found and begin a new one.
    out.archived = log + ".broken-" + format_time(now);
    for (int i = 1; ::access(out.archived.c_str(), F_OK) == 0; ++i) {
      out.archived = log + ".broken-" + format_time(now) + "." + std::to_string(i);
    }
    if (::rename(log.c_str(), out.archived.c_str()) != 0) return base::fail_errno("rename", log);
    found = "a log whose chain is broken, kept as " + out.archived.substr(out.archived.rfind('/') + 1);
  }
  std::string reason = "break accepted: " + out.problem + "; expected " + expected + ", found " + found +
                       "; the ledger holds " + std::to_string(*signed_count) + " signed requests";
  if (!note.empty()) reason += "; operator: " + std::string(note);
  auto entry = append_audit_entry(log, now, kAuditGenesis, audit_decision::head, reason, "-", kAuditHeadGenesis);
  if (!entry) return tl::unexpected(entry.error());
  if (auto w = write_audit_head(head_path, AuditHead{entry->sequence, entry->hash, {}}); !w) return tl::unexpected(w.error());
  out.entry = std::move(*entry);
  return out;
}

Result<KskInitResult> init_ksk_state(const std::string& dir, const KskInitOptions& options, std::int64_t now) {
  if (options.zones.empty()) return fail(errc::bad_config, "at least one zone (--zone)", dir);
  if (options.exec_only && !options.imports.empty()) {
    return fail(errc::bad_config, "--exec-only keeps no KSK here: nothing to import (the --exec command holds the KSK)",
                options.imports.front());
  }
  if (options.exec_only && options.token) {
    return fail(errc::bad_config, "--exec-only keeps no KSK here: a token KSK is for the state's own signing",
                "--pkcs11-module");
  }
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
  // A KSK in a token: generated there or found by its label; its URI is written beside its .key file.
  std::optional<zone::Pkcs11KeyRef> token_ref;
  if (options.token) {
    const KskTokenKey& t = *options.token;
    if (options.zones.size() != 1 || !options.imports.empty()) {
      return fail(errc::bad_config, "a KSK in a token serves one --zone, without --import", dir);
    }
    auto token = zone::Pkcs11Token::open(t.module, t.token, t.pin ? t.pin : zone::environment_pin_source());
    if (!token) return tl::unexpected(token.error());
    Result<zone::Pkcs11Token::Key> key = fail(errc::bad_config);
    if (t.use_existing) {
      // The token says the key's algorithm; an --algorithm given must agree (and tells RSA's 10 from 8).
      key = (*token)->find_key(t.key_label, t.key_id, t.algorithm);
    } else {
      auto have = (*token)->has_key(t.key_label);
      if (!have) return tl::unexpected(have.error());
      if (*have) {
        return fail(errc::bad_state,
                    "the token already holds a key labelled '" + t.key_label +
                        "' (--use-existing uses it; a new KSK needs a new --key-label)",
                    "token " + t.token);
      }
      key = (*token)->generate_key(t.key_label, options.algorithm, options.bits);
    }
    if (!key) return tl::unexpected(key.error());
    auto pair = zone::make_key_pair(options.zones.front(), zone::dnskey_flag::ZONE | zone::dnskey_flag::SEP,
                                    std::move(key->key));
    if (!pair) return tl::unexpected(pair.error());
    keys.push_back(std::move(*pair));
    token_ref = std::move(key->ref);
  }
  for (const auto& zone : options.zones) {
    if (options.exec_only) break;
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
    auto name = token_ref ? zone::write_pkcs11_key_pair(keydir, k, *token_ref, times)
                          : zone::write_key_pair(keydir, k, times);
    if (!name) return tl::unexpected(name.error());
    result.key_files.push_back(*name);
  }
  std::string ledger = state_path(dir, ksk_files::ledger);
  if (::mkdir(ledger.c_str(), 0700) != 0) return base::fail_errno("mkdir", ledger);
  std::uint8_t algorithm = keys.empty() ? options.algorithm : keys.front().algorithm();
  std::string config = default_config_text(options.zones, algorithm, options.ds_digests, options.exec_only);
  if (auto r = write_audit_head(state_path(dir, ksk_files::audit_head), AuditHead{}); !r) {
    return tl::unexpected(r.error());
  }
  if (auto r = base::create_file_atomic(state_path(dir, ksk_files::config), as_bytes(config), 0644); !r) {
    return tl::unexpected(r.error());
  }
  return result;
}

Result<KskEndpoint> KskEndpoint::open(const std::string& dir, std::string_view command, zone::PinSource pin) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return fail(errc::bad_state, "no such directory (run kskline ksk init)", dir);
  std::string config_path = state_path(dir, ksk_files::config);
  if (!fs::exists(config_path, ec)) {
    return fail(errc::bad_state, "not a KSK state: no ksk.toml (run kskline ksk init --dir " + dir + ")", dir);
  }
  auto lock = lock_ksk_state(dir, command);
  if (!lock) return tl::unexpected(lock.error());
  bool secure = init_secure_heap();
  auto text = base::read_file(config_path, 1 << 20);
  if (!text) return tl::unexpected(text.error());
  auto config = parse_config(*text, config_path);
  if (!config) return tl::unexpected(config.error());
  std::vector<zone::KeyPair> keys;
  std::vector<zone::KeyTimes> times;
  std::string keydir = state_path(dir, ksk_files::keys);
  std::vector<std::string> files;
  auto ends_with = [](const std::string& name, std::string_view ext) {
    return name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0;
  };
  for (const auto& entry : fs::directory_iterator(keydir, ec)) {
    std::string name = entry.path().filename().string();
    if (name[0] == 'K' && (ends_with(name, ".private") || ends_with(name, zone::kPkcs11KeySuffix))) {
      files.push_back(entry.path().string());
    }
  }
  if (ec) return fail(errc::bad_state, "cannot read the key directory: " + ec.message(), keydir);
  std::sort(files.begin(), files.end());
  // Every token is opened and logged in once for the endpoint's life.
  zone::Pkcs11Tokens tokens(pin ? std::move(pin) : zone::environment_pin_source());
  for (const auto& f : files) {
    const bool in_token = ends_with(f, zone::kPkcs11KeySuffix);
    auto pair = in_token ? zone::read_pkcs11_key_pair(f, tokens) : zone::read_key_pair(f);
    if (!pair) return tl::unexpected(pair.error());
    auto t = in_token ? zone::read_pkcs11_key_times(f) : zone::read_key_times(f);
    if (!t) return tl::unexpected(t.error());
    keys.push_back(std::move(*pair));
    times.push_back(*t);
  }
  for (const auto& z : config->policy.zones) {
    if (config->exec.only) break;  // the --exec command holds the KSKs
    if (std::none_of(keys.begin(), keys.end(), [&](const zone::KeyPair& k) { return k.owner == z; })) {
      return fail(errc::bad_state, "no KSK for zone " + z.to_string(), keydir);
    }
  }
  auto ledger = RequestLedger::open(state_path(dir, ksk_files::ledger));
  if (!ledger) return tl::unexpected(ledger.error());
  KskEndpoint endpoint(dir, std::string(command), std::move(*config), std::move(keys), std::move(times),
                       std::move(*ledger), secure);
  if (auto r = endpoint.ready_audit(0); !r) return tl::unexpected(r.error());
  return endpoint;
}

Result<void> KskEndpoint::ready_audit(std::int64_t now) {
  auto c = check_audit_state(dir_);
  if (!c) return tl::unexpected(c.error());
  if (c->head) return {};
  // A state from before audit.head: the head is made from the verified log,
  // and a "head" entry says so, so that a head file lost later is noticed.
  if (c->entries.empty()) return write_audit_head(state_path(dir_, ksk_files::audit_head), AuditHead{});
  if (now == 0) now = c->entries.back().time;
  auto e = audit(now, kAuditGenesis, audit_decision::head,
                 "head file audit.head made from the verified log of " + std::to_string(c->entries.size()) +
                     " entries (a state from before it); the ledger holds " + std::to_string(c->ledger_signed) +
                     " signed requests",
                 "-");
  if (!e) return tl::unexpected(e.error());
  return {};
}

Result<AuditEntry> KskEndpoint::audit(std::int64_t now, std::string_view request_hex, std::string_view decision,
                                      std::string_view reason, std::string_view response_hex) {
  const std::string head_path = state_path(dir_, ksk_files::audit_head);
  // The head names the entry before it is written: a crash in between is
  // then told from a line added by hand (check_audit_state).
  auto pending = [&](const AuditEntry& next) {
    return write_audit_head(head_path, AuditHead{next.sequence - 1, next.previous, next.hash});
  };
  auto e = append_audit_entry(audit_path(), now, request_hex, decision, reason, response_hex, kAuditHeadGenesis,
                              pending);
  if (!e) return e;
  if (auto w = write_audit_head(head_path, AuditHead{e->sequence, e->hash, {}}); !w) {
    return tl::unexpected(w.error());
  }
  return e;
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

std::vector<zone::KeyTimes> KskEndpoint::ksk_times(const zone::Name& zone) const {
  std::vector<zone::KeyTimes> out;
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i].owner == zone) out.push_back(times_[i]);
  }
  return out;
}

Result<Review> KskEndpoint::review(std::string_view request_text, std::string_view source, std::int64_t now,
                                   const ReviewContext& context) {
  auto lock = lock_ksk_state(dir_, command_);
  if (!lock) return tl::unexpected(lock.error());
  if (auto a = ready_audit(now); !a) return tl::unexpected(a.error());
  auto r = check(request_text, source, now, context);
  if (r) return r;
  return refused(r.error(), request_text, now);
}

tl::unexpected<Error> KskEndpoint::refused(Error error, std::string_view request_text, std::int64_t now) {
  std::string reason = std::string(error.code.category() == category()
                                       ? errc_name(static_cast<errc>(error.code.value()))
                                       : error.code.message().c_str()) +
                       ": " + error.message();
  auto audit = this->audit(now, base::to_hex(text_sha256(request_text)), audit_decision::refused, reason, "-");
  if (!audit) error.detail += " (and the audit log could not be written: " + audit.error().message() + ")";
  return tl::unexpected(std::move(error));
}

Result<Review> KskEndpoint::check(std::string_view request_text, std::string_view source, std::int64_t now,
                                  const ReviewContext& context) {
  Review rv;
  rv.text = request_text;
  rv.source = source;
  rv.context = context;
  rv.digest = text_sha256(request_text);
  rv.words = word_fingerprint(rv.digest);
  auto dialect = detect_dialect(request_text, source);
  if (!dialect) return tl::unexpected(dialect.error());
  rv.dialect = rv.answer = *dialect;
  const bool foreign = *dialect != Dialect::kskline;
  if (foreign) {
    ForeignAcceptance accept =
        *dialect == Dialect::knot ? config_.policy.knot_requests : config_.policy.bind_requests;
    std::string key = std::string("policy.") + std::string(dialect_name(*dialect)) + "_requests";
    if (accept == ForeignAcceptance::never) {
      return fail(errc::foreign_not_accepted,
                  "a " + std::string(dialect_name(*dialect)) + " request; " + key + " is \"never\" in " +
                      state_path(dir_, ksk_files::config),
                  std::string(source));
    }
    if (accept == ForeignAcceptance::authenticated && !context.authenticated) {
      return fail(errc::foreign_not_accepted,
                  "a " + std::string(dialect_name(*dialect)) + " request not over an authenticated link; " + key +
                      " is \"authenticated\" (send it over a link with the pinned zone-side key)",
                  std::string(source));
    }
    auto document = parse_foreign(request_text, source, ForeignKind::request);
    if (!document) return tl::unexpected(document.error());
    // Bundles are counted before expansion: the expansion is the KSK side's.
    if (document->bundles.size() > config_.policy.max_slots) {
      return fail(errc::too_many_slots,
                  std::to_string(document->bundles.size()) + " bundles; the policy allows " +
                      std::to_string(config_.policy.max_slots),
                  std::string(source));
    }
    rv.request = expand_foreign_request(*document, config_.policy, rv.digest, now);
  } else {
    auto parsed = parse_request(request_text, source);
    if (!parsed) return tl::unexpected(parsed.error());
    rv.request = std::move(*parsed);
  }
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
  const auto times = ksk_times(q.zone);
  const RuleInput in{q, config_.policy, ksks, ledger_, source, dir_, now, foreign, &times, config_.exec.only};
  if (auto r = check_request_rules(in); !r) return tl::unexpected(r.error());
  auto approvable = auto_approvable(in);
  if (!approvable) return tl::unexpected(approvable.error());
  rv.auto_approvable = *approvable && (!foreign || context.authenticated);
  return rv;
}

Result<KskEndpoint::Locked> KskEndpoint::review_again(const Review& reviewed, std::int64_t now, bool* resent) {
  auto lock = lock_ksk_state(dir_, command_);
  if (!lock) return tl::unexpected(lock.error());
  if (auto a = ready_audit(now); !a) return tl::unexpected(a.error());
  // The state may have changed while the operator was asked: review again.
  auto fresh = check(reviewed.text, reviewed.source, now, reviewed.context);
  if (!fresh) return refused(fresh.error(), reviewed.text, now);
  fresh->answer = reviewed.answer;
  if (fresh->stored_response) {
    auto audit = this->audit(now, base::to_hex(fresh->digest), audit_decision::resent,
                             "the request was answered before; its stored answer is sent again",
                             base::to_hex(text_sha256(*fresh->stored_response)));
    if (!audit) return tl::unexpected(audit.error());
  }
  if (resent != nullptr) *resent = fresh->stored_response.has_value();
  return Locked{std::move(*lock), std::move(*fresh)};
}

Result<std::string> KskEndpoint::sign(const Review& reviewed, std::int64_t now, bool* resent) {
  auto again = review_again(reviewed, now, resent);
  if (!again) return tl::unexpected(again.error());
  const Review& review = again->review;
  if (review.stored_response) return *review.stored_response;
  const KeyRequest& q = review.request;
  std::string request_hex = base::to_hex(review.digest);
  auto ksks = this->ksks(q.zone);
  const auto times = ksk_times(q.zone);
  if (ksks.empty()) {
    return fail(errc::bad_state,
                "no KSK for zone " + q.zone.to_string() +
                    (config_.exec.only ? " ([exec] only = true: the command given with --exec 'COMMAND {}' holds it)"
                                       : ""),
                dir_);
  }
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
  // Knot publishes CDS and CDNSKEY with TTL 0 (keymgr's SKR); kskline and
  // BIND (dnssec-ksr) give every RRset the DNSKEY TTL.
  const std::uint32_t cds_ttl = review.answer == Dialect::knot ? 0 : q.dnskey_ttl;
  for (std::size_t i = 0; i < q.slots.size(); ++i) {
    const auto& s = q.slots[i];
    ResponseSlot out;
    out.start = s.start;
    out.end = s.end;
    std::vector<zone::Record> dnskey, cds, cdnskey;
    // Published KSKs are in the RRsets; only those active at the slot's
    // start sign (ksk_active refused a slot that none would sign).
    std::vector<std::size_t> published, active;
    for (std::size_t k = 0; k < ksks.size(); ++k) {
      if (ksk_published_at(times[k], s.start) || ksk_active_at(times[k], s.start)) published.push_back(k);
      if (ksk_active_at(times[k], s.start)) active.push_back(k);
    }
    if (active.empty()) return fail(errc::ksk_not_active, "no KSK is active at the slot's start", slot_where(i));
    for (auto k : published) {
      dnskey.push_back(make_record(q.zone, zone::rrtype::DNSKEY, q.dnskey_ttl, ksks[k]->dnskey_rdata));
    }
    for (const auto& z : s.zsks) dnskey.push_back(make_record(q.zone, zone::rrtype::DNSKEY, q.dnskey_ttl, z.rdata));
    for (auto k : published) {
      const auto* key = ksks[k];
      auto ds = zone::make_ds(q.zone, key->dnskey_rdata, zone::ds_digest::SHA256);
      if (!ds) return tl::unexpected(ds.error().located(slot_where(i)));
      cds.push_back(make_record(q.zone, zone::rrtype::CDS, cds_ttl, std::move(*ds)));
      cdnskey.push_back(make_record(q.zone, zone::rrtype::CDNSKEY, cds_ttl, key->dnskey_rdata));
    }
    for (auto* rrset : {&dnskey, &cds, &cdnskey}) {
      const std::uint32_t ttl = rrset == &dnskey ? q.dnskey_ttl : cds_ttl;
      std::vector<zone::Record> sigs;
      for (auto k : active) {
        zone::SignParams params;
        params.signer = q.zone;
        params.key_tag = ksks[k]->key_tag;
        params.inception = static_cast<std::uint32_t>(s.inception);
        params.expiration = static_cast<std::uint32_t>(s.expiration);
        params.original_ttl = ttl;
        auto sig = zone::sign_rrset(signers[k], params, *rrset);
        if (!sig) return tl::unexpected(sig.error().located(slot_where(i)));
        sigs.push_back(make_record(q.zone, zone::rrtype::RRSIG, ttl, std::move(*sig)));
      }
      for (auto& r : *rrset) out.records.push_back(std::move(r));
      for (auto& r : sigs) out.records.push_back(std::move(r));
    }
    response.slots.push_back(std::move(out));
  }
  std::string text = review.answer == Dialect::kskline ? format_response(response)
                                                      : format_foreign(from_key_response(response, review.answer));
  // The entry first: a crash before the ledger holds the answer leaves a
  // "signed" entry for an answer that never left (the request is signed again
  // by the next run), never a signed request the log does not show.
  auto audit = this->audit(now, request_hex, audit_decision::signed_,
                           std::to_string(q.slots.size()) + " slots of " + q.zone.to_string() + " signed",
                           base::to_hex(text_sha256(text)));
  if (!audit) return tl::unexpected(audit.error());
  std::string slots = review.dialect == Dialect::kskline ? std::string() : format_request(q);
  if (auto r = ledger_.record(q.id, review.text, text, slots); !r) return tl::unexpected(r.error());
  return text;
}

Result<std::string> KskEndpoint::external_answer(const Review& review, const ExternalSigner& run) {
  const KeyRequest& q = review.request;
  if (review.dialect == Dialect::kskline) {
    return fail(errc::exec_failed,
                "a kskline request: the command answers Knot and BIND KSRs only (make the request with zone request "
                "--format knot or bind)",
                "--exec");
  }
  if (review.answer != review.dialect) {
    return fail(errc::exec_failed,
                "the command answers in the request's own dialect (" + std::string(dialect_name(review.dialect)) +
                    "), not " + std::string(dialect_name(review.answer)),
                "--exec");
  }
  // The request file: private, in the state's own tmp/, removed after.
  const std::string tmp = state_path(dir_, "tmp");
  if (::mkdir(tmp.c_str(), 0700) != 0 && errno != EEXIST) return base::fail_errno("mkdir", tmp);
  std::string path = tmp + "/request-XXXXXX";
  const int fd = ::mkstemp(path.data());
  if (fd < 0) return base::fail_errno("mkstemp", tmp);
  struct Remove {
    std::string path;
    ~Remove() { ::unlink(path.c_str()); }
  } remove{path};
  ::fchmod(fd, 0600);
  std::size_t done = 0;
  while (done < review.text.size()) {
    ssize_t n = ::write(fd, review.text.data() + done, review.text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return base::fail_errno("write", path);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) return base::fail_errno("close", path);
  auto output = run(path);
  if (!output) {
    Error e = output.error();
    if (e.code != errc::exec_failed) return fail(errc::exec_failed, e.message(), "--exec");
    return tl::unexpected(std::move(e));
  }
  const std::string_view name = dialect_name(review.dialect);
  auto dialect = detect_dialect(*output, "the command's output");
  if (!dialect || *dialect != review.dialect) {
    return fail(errc::exec_failed,
                "its output is not a " + std::string(name) + " SKR" +
                    (dialect ? " (it reads as " + std::string(dialect_name(*dialect)) + ")"
                             : ": " + dialect.error().message()),
                "--exec");
  }
  auto skr = parse_foreign(*output, "the command's output", ForeignKind::response, &q.zone);
  if (!skr) return fail(errc::exec_failed, "its output is not a " + std::string(name) + " SKR: " +
                                               skr.error().message(), "--exec");
  auto ksr = parse_foreign(review.text, review.source, ForeignKind::request, &q.zone);
  if (!ksr) return fail(errc::exec_failed, "the request no longer parses: " + ksr.error().message(), "--exec");
  // The command's KSKs: those pinned in [exec] anchor, or else the SEP keys
  // its answer publishes.
  TrustAnchor anchor{q.zone, {}};
  if (const std::string& pinned = config_.exec.anchor; !pinned.empty()) {
    const std::string path = pinned[0] == '/' ? pinned : state_path(dir_, pinned);
    auto text = base::read_file(path, 1 << 20);
    if (!text) return fail(errc::exec_failed, "exec.anchor: " + text.error().message(), "--exec");
    auto parsed = parse_trust_anchor(*text, path, q.zone);
    if (!parsed) return fail(errc::exec_failed, "exec.anchor: " + parsed.error().message(), "--exec");
    anchor = std::move(*parsed);
  }
  for (const auto& b : skr->bundles) {
    if (!config_.exec.anchor.empty()) break;
    for (const auto& r : b.records) {
      if (r.type != zone::rrtype::DNSKEY || r.rdata.size() < 2 || !(r.rdata[1] & 0x01)) continue;
      if (!anchor.matches(r.rdata)) anchor.records.push_back(r);
    }
  }
  if (anchor.records.empty()) return fail(errc::exec_failed, "its answer publishes no KSK (no DNSKEY with the SEP flag)", "--exec");
  if (auto c = check_foreign_response(*ksr, *skr, anchor); !c) {
    const Error& e = c.error();
    std::string code = e.code.category() == category() ? errc_name(static_cast<errc>(e.code.value())) : e.code.message();
    return fail(errc::exec_failed, "its output does not answer the request: " + code + ": " + e.message(), "--exec");
  }
  for (std::size_t i = 0; i < skr->bundles.size(); ++i) {
    std::vector<zone::Record> answers;
    for (const auto& r : skr->bundles[i].records) {
      if (r.type == zone::rrtype::DNSKEY) answers.push_back(r);
      if (r.type == zone::rrtype::RRSIG && r.rdata.size() >= 2 &&
          ((r.rdata[0] << 8) | r.rdata[1]) == zone::rrtype::DNSKEY) {
        answers.push_back(r);
      }
    }
    if (std::size_t size = dnskey_response_size(q.zone, answers); size > kMaxDnskeyResponse) {
      return fail(errc::exec_failed,
                  "its answer's DNSKEY response would be " + std::to_string(size) + " octets at " +
                      table_time(skr->bundles[i].time) + "; at most " + std::to_string(kMaxDnskeyResponse) + " fit",
                  "--exec");
    }
  }
  return std::move(*output);
}

Result<std::string> KskEndpoint::sign_external(const Review& reviewed, std::int64_t now, std::string_view command_line,
                                               const ExternalSigner& run, bool* resent) {
  auto again = review_again(reviewed, now, resent);
  if (!again) return tl::unexpected(again.error());
  const Review& review = again->review;
  if (review.stored_response) return *review.stored_response;
  const KeyRequest& q = review.request;
  const std::string request_hex = base::to_hex(review.digest);
  auto text = external_answer(review, run);
  if (!text) {
    Error error = text.error();
    auto audit = this->audit(now, request_hex, audit_decision::exec_refused,
                             std::string(errc_name(errc::exec_failed)) + ": " + error.message() +
                                 "; command: " + std::string(command_line),
                             "-");
    if (!audit) error.detail += " (and the audit log could not be written: " + audit.error().message() + ")";
    return tl::unexpected(std::move(error));
  }
  // As sign: the entry first, then the ledger.
  auto audit = this->audit(now, request_hex, audit_decision::exec_answered,
                           std::to_string(q.slots.size()) + " slots of " + q.zone.to_string() + " answered by: " +
                               std::string(command_line),
                           base::to_hex(text_sha256(*text)));
  if (!audit) return tl::unexpected(audit.error());
  if (auto r = ledger_.record(q.id, review.text, *text, format_request(q)); !r) return tl::unexpected(r.error());
  return text;
}

Result<void> KskEndpoint::decline(const Review& review, std::int64_t now, const Error& why) {
  std::string reason = why.code.category() == category() ? errc_name(static_cast<errc>(why.code.value()))
                                                          : why.code.message();
  reason += ": " + why.message();
  auto lock = lock_ksk_state(dir_, command_);
  if (!lock) return tl::unexpected(lock.error());
  if (auto a = ready_audit(now); !a) return tl::unexpected(a.error());
  auto audit = this->audit(now, base::to_hex(review.digest), audit_decision::declined, reason, "-");
  if (!audit) return tl::unexpected(audit.error());
  return {};
}

}  // namespace kskline::signer
