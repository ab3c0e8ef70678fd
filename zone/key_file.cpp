#include "zone/key_file.hpp"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "base/atomic_file.hpp"
#include "base/encoding.hpp"
#include "base/text.hpp"
#include "zone/algorithm.hpp"
#include "zone/dnssec_time.hpp"
#include "zone/errc.hpp"
#include "zone/internal/openssl_key.hpp"
#include "zone/key_tag.hpp"
#include "zone/master_file.hpp"
#include "zone/rr_types.hpp"

namespace kskline::zone {
namespace {

// Stands for "no TTL on the line": explicit TTLs are at most 2^31-1.
constexpr std::uint32_t kNoTtl = 0xffffffffu;

// The RSA fields of a .private file, in BIND's order.
constexpr const char* kRsaFields[] = {"Modulus", "PublicExponent", "PrivateExponent", "Prime1",
                                      "Prime2",  "Exponent1",      "Exponent2",       "Coefficient"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Wipes and clears a string that held secret text.
void wipe_string(std::string& s) {
  base::wipe(s.data(), s.size());
  s.clear();
}

// Decodes base64 into secret memory, wiping the temporary copy.
Result<base::SecureBuffer> decode_secret(std::string_view text) {
  Bytes tmp;
  tmp.reserve(text.size());  // no reallocation, so no stray copies
  auto r = base::append_base64(text, tmp);
  base::SecureBuffer out(r ? std::span<const std::uint8_t>(tmp) : std::span<const std::uint8_t>());
  base::wipe(tmp.data(), tmp.size());
  if (!r) return tl::unexpected(r.error());
  return out;
}

// Appends base64 of secret bytes to secret text.
void append_secret_base64(std::string& out, std::span<const std::uint8_t> bytes) {
  std::string b64 = base::to_base64(bytes);
  out += b64;
  wipe_string(b64);
}

// "Mon Nov 30 01:10:23 2026" in UTC, as BIND's timing comments show it.
std::string human_time(std::int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Y", &tm);
  return buf;
}

tl::unexpected<Error> key_error(std::string detail, std::string where) {
  return fail(errc::bad_key, std::move(detail), std::move(where));
}

// The parsed fields of a .private file.
struct PrivateFields {
  std::optional<std::uint8_t> algorithm;
  bool format_seen = false;
  base::SecureBuffer rsa[8];
  bool rsa_seen[8] = {};
  base::SecureBuffer raw;
  bool raw_seen = false;
};

}  // namespace

Result<KeyPair> make_key_pair(Name owner, std::uint16_t flags, PrivateKey key, std::optional<std::uint32_t> ttl) {
  auto pub = key.public_key_field();
  if (!pub) return tl::unexpected(pub.error());
  KeyPair pair{std::move(owner), flags, ttl, make_dnskey_rdata(flags, key.algorithm(), *pub), 0, std::move(key)};
  pair.key_tag = key_tag(pair.dnskey_rdata);
  return pair;
}

Result<std::string> key_basename(const Name& owner, std::uint8_t algorithm, std::uint16_t tag) {
  std::string name = owner.lowercased().to_string();
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '*' || c == '.';
    if (!ok) {
      return fail(errc::bad_name, "zone name '" + name + "' has characters kskline does not put in file names");
    }
  }
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "+%03u+%05u", unsigned{algorithm}, unsigned{tag});
  return "K" + name + suffix;
}

Result<PrivateKey> parse_private_key_text(std::string_view text, std::string_view source) {
  PrivateFields f;
  std::string src(source);
  std::uint32_t line_no = 0;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    line = trim(line);
    if (line.empty()) continue;
    std::string where = src + ":" + std::to_string(line_no);
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return key_error("line without 'Field: value'", where);
    std::string_view field = trim(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));

    if (base::iequals(field, "Private-key-format")) {
      if (f.format_seen) return key_error("Private-key-format given twice", where);
      // v1.2 (ldns, RFC examples) and v1.3 (BIND 9.9+) differ only in timing
      // lines; any v1.x from v1.2 on has the fields read here.
      unsigned minor = 0;
      if (!base::istarts_with(value, "v1.") ||
          std::from_chars(value.data() + 3, value.data() + value.size(), minor).ec != std::errc() ||
          minor < 2) {
        return key_error("unsupported Private-key-format '" + std::string(value) + "' (v1.2 or later v1.x)",
                         where);
      }
      f.format_seen = true;
      continue;
    }
    if (base::iequals(field, "Algorithm")) {
      if (f.algorithm) return key_error("Algorithm given twice", where);
      unsigned alg = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), alg);
      if (ec != std::errc() || alg > 255 || end == value.data()) {
        return key_error("Algorithm '" + std::string(value) + "' does not start with a number", where);
      }
      f.algorithm = static_cast<std::uint8_t>(alg);
      continue;
    }
    if (base::iequals(field, "Engine") || base::iequals(field, "Label")) {
      return key_error("the key lives in an HSM (" + std::string(field) +
                           ":); kskline reads only keys held in the file",
                       where);
    }
    base::SecureBuffer* slot = nullptr;
    bool* seen = nullptr;
    for (std::size_t i = 0; i < 8; ++i) {
      if (base::iequals(field, kRsaFields[i])) {
        slot = &f.rsa[i];
        seen = &f.rsa_seen[i];
      }
    }
    if (base::iequals(field, "PrivateKey")) {
      slot = &f.raw;
      seen = &f.raw_seen;
    }
    if (slot == nullptr) continue;  // Created:, Publish:, other metadata
    if (*seen) return key_error(std::string(field) + " given twice", where);
    auto decoded = decode_secret(value);
    if (!decoded) return key_error(std::string(field) + ": bad base64 (" + decoded.error().message() + ")", where);
    *slot = std::move(*decoded);
    *seen = true;
  }

  if (!f.format_seen) return key_error("not a private key file: no Private-key-format line", src);
  if (!f.algorithm) return key_error("no Algorithm line", src);
  std::uint8_t alg = *f.algorithm;
  if (!algorithm_supported(alg)) {
    return fail(errc::unsupported_algorithm,
                "algorithm " + std::to_string(alg) + " (" + algorithm_to_string(alg) + ") is not supported", src);
  }
  Result<PrivateKey> key = tl::unexpected(Error{});
  if (alg == alg::RSASHA256 || alg == alg::RSASHA512) {
    for (std::size_t i = 0; i < 8; ++i) {
      if (!f.rsa_seen[i]) return key_error(std::string("missing field ") + kRsaFields[i], src);
    }
    RsaSecrets s{std::move(f.rsa[0]), std::move(f.rsa[1]), std::move(f.rsa[2]), std::move(f.rsa[3]),
                 std::move(f.rsa[4]), std::move(f.rsa[5]), std::move(f.rsa[6]), std::move(f.rsa[7])};
    key = PrivateKey::from_rsa(alg, s);
  } else {
    if (!f.raw_seen) return key_error("missing field PrivateKey", src);
    key = PrivateKey::from_raw(alg, f.raw.bytes());
  }
  if (!key) return tl::unexpected(key.error().located(src));
  return key;
}

Result<base::SecureBuffer> format_private_key_text(const PrivateKey& key, const KeyTimes& times) {
  std::string text;
  text.reserve(4096);  // large enough for RSA-4096: no reallocation, no stray copies
  text += "Private-key-format: v1.3\n";
  text += "Algorithm: " + std::to_string(key.algorithm()) + " (" + algorithm_to_string(key.algorithm()) + ")\n";
  if (key.algorithm() == alg::RSASHA256 || key.algorithm() == alg::RSASHA512) {
    auto s = key.rsa_secrets();
    if (!s) return tl::unexpected(s.error());
    const base::SecureBuffer* values[] = {&s->modulus, &s->public_exponent, &s->private_exponent, &s->prime1,
                                          &s->prime2,  &s->exponent1,       &s->exponent2,        &s->coefficient};
    for (std::size_t i = 0; i < 8; ++i) {
      text += kRsaFields[i];
      text += ": ";
      append_secret_base64(text, values[i]->bytes());
      text += '\n';
    }
  } else {
    auto raw = key.raw_secret();
    if (!raw) return tl::unexpected(raw.error());
    text += "PrivateKey: ";
    append_secret_base64(text, raw->bytes());
    text += '\n';
  }
  text += format_key_times_text(times);
  base::SecureBuffer out(as_bytes(text));
  wipe_string(text);
  return out;
}

std::string format_key_times_text(const KeyTimes& times) {
  std::string text;
  if (times.created) text += "Created: " + format_utc_time(*times.created) + "\n";
  if (times.publish) text += "Publish: " + format_utc_time(*times.publish) + "\n";
  if (times.activate) text += "Activate: " + format_utc_time(*times.activate) + "\n";
  if (times.inactive) text += "Inactive: " + format_utc_time(*times.inactive) + "\n";
  if (times.remove) text += "Delete: " + format_utc_time(*times.remove) + "\n";
  return text;
}

Result<KeyTimes> parse_key_times_text(std::string_view text, std::string_view source) {
  KeyTimes times;
  struct Field {
    const char* name;
    std::optional<std::int64_t> KeyTimes::*member;
  };
  constexpr Field kFields[] = {{"Created", &KeyTimes::created},
                               {"Publish", &KeyTimes::publish},
                               {"Activate", &KeyTimes::activate},
                               {"Inactive", &KeyTimes::inactive},
                               {"Delete", &KeyTimes::remove}};
  std::uint32_t line_no = 0;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view field = trim(line.substr(0, colon));
    for (const auto& f : kFields) {
      if (!base::iequals(field, f.name)) continue;
      std::string where = std::string(source) + ":" + std::to_string(line_no);
      if (times.*f.member) return key_error(std::string(f.name) + " given twice", where);
      std::string_view value = trim(line.substr(colon + 1));
      auto when = parse_utc_time(value);
      if (!when) return key_error(std::string(f.name) + ": " + when.error().detail, where);
      times.*f.member = *when;
    }
  }
  return times;
}

Result<KeyTimes> read_key_times(const std::string& path) {
  std::string base = path;
  if (ends_with(base, ".key")) {
    base.resize(base.size() - 4);
  } else if (ends_with(base, ".private")) {
    base.resize(base.size() - 8);
  }
  std::string private_path = base + ".private";
  auto text = base::read_secret_file(private_path, 1 << 20);
  if (!text) return tl::unexpected(text.error());
  auto times = parse_key_times_text(*text, private_path);
  wipe_string(*text);
  return times;
}

std::string format_public_key_text(const KeyPair& pair, const KeyTimes& times) {
  std::string out = "; This is a ";
  out += (pair.flags & dnskey_flag::SEP) ? "key-signing" : "zone-signing";
  out += " key, keyid " + std::to_string(pair.key_tag) + ", for " + pair.owner.to_string() + "\n";
  auto timing = [&](const char* label, const std::optional<std::int64_t>& t) {
    if (t) out += std::string("; ") + label + ": " + format_utc_time(*t) + " (" + human_time(*t) + ")\n";
  };
  timing("Created", times.created);
  timing("Publish", times.publish);
  timing("Activate", times.activate);
  timing("Inactive", times.inactive);
  timing("Delete", times.remove);
  out += pair.owner.to_string();
  if (pair.ttl) out += " " + std::to_string(*pair.ttl);
  auto key = parse_dnskey(pair.dnskey_rdata);
  out += " IN DNSKEY " + std::to_string(key ? key->flags : pair.flags) + " " +
         std::to_string(key ? key->protocol : kDnskeyProtocol) + " " + std::to_string(pair.algorithm()) + " ";
  out += key ? base::to_base64(key->public_key) : std::string();
  out += "\n";
  return out;
}

Result<PublicKeyFile> read_public_key_file(const std::string& path) {
  auto text = base::read_file(path, 1 << 20);
  if (!text) return tl::unexpected(text.error());
  MasterOptions options;
  options.default_ttl = kNoTtl;
  options.allow_include = false;
  auto list = read_master_text(*text, path, options);
  if (!list) return tl::unexpected(list.error().located(path));
  if (list->records.size() != 1 || list->records[0].type != rrtype::DNSKEY) {
    return key_error("a .key file must hold exactly one DNSKEY record (found " +
                         std::to_string(list->records.size()) + " records)",
                     path);
  }
  Record& r = list->records[0];
  PublicKeyFile out{std::move(r.owner), std::nullopt, std::move(r.rdata)};
  if (r.ttl != kNoTtl) out.ttl = r.ttl;
  return out;
}

Result<KeyPair> read_key_pair(const std::string& path) {
  std::string base = path;
  if (ends_with(base, ".key")) {
    base.resize(base.size() - 4);
  } else if (ends_with(base, ".private")) {
    base.resize(base.size() - 8);
  }
  std::string key_path = base + ".key", private_path = base + ".private";
  auto pub = read_public_key_file(key_path);
  if (!pub) return tl::unexpected(pub.error());
  auto fields = parse_dnskey(pub->rdata);
  if (!fields) return tl::unexpected(fields.error().located(key_path));
  if (fields->protocol != kDnskeyProtocol) {
    return key_error("DNSKEY protocol " + std::to_string(fields->protocol) + " (must be 3)", key_path);
  }
  // The public key must be usable on its own (this names a truncated key).
  if (auto pub_key = PublicKey::from_dnskey(fields->algorithm, fields->public_key); !pub_key) {
    return tl::unexpected(pub_key.error().located(key_path));
  }

  auto text = base::read_secret_file(private_path, 1 << 20);
  if (!text) return tl::unexpected(text.error());
  auto key = parse_private_key_text(*text, private_path);
  wipe_string(*text);
  if (!key) return tl::unexpected(key.error());
  if (key->algorithm() != fields->algorithm) {
    return key_error("algorithm " + std::to_string(key->algorithm()) + " in the private key, " +
                         std::to_string(fields->algorithm) + " in " + key_path,
                     private_path);
  }
  auto derived = key->public_key_field();
  if (!derived) return tl::unexpected(derived.error().located(private_path));
  if (!std::equal(derived->begin(), derived->end(), fields->public_key.begin(), fields->public_key.end())) {
    return key_error("the private key does not match the public key in " + key_path, private_path);
  }
  KeyPair pair{std::move(pub->owner), fields->flags, pub->ttl, std::move(pub->rdata), 0, std::move(*key)};
  pair.key_tag = key_tag(pair.dnskey_rdata);
  return pair;
}

Result<std::string> write_key_pair(const std::string& dir, const KeyPair& pair, const KeyTimes& times) {
  auto base = key_basename(pair.owner, pair.algorithm(), pair.key_tag);
  if (!base) return tl::unexpected(base.error());
  std::string prefix = dir.empty() ? std::string(".") : dir;
  if (prefix.back() != '/') prefix += '/';
  std::string private_path = prefix + *base + ".private", key_path = prefix + *base + ".key";
  if (::access(key_path.c_str(), F_OK) == 0) {
    return fail(base::errc::io_error, "refusing to overwrite an existing key file", key_path);
  }
  auto secret = format_private_key_text(pair.key, times);
  if (!secret) return tl::unexpected(secret.error());
  if (auto r = base::create_file_atomic(private_path, secret->bytes(), 0600); !r) return tl::unexpected(r.error());
  std::string pub = format_public_key_text(pair, times);
  if (auto r = base::create_file_atomic(key_path, as_bytes(pub), 0644); !r) {
    ::unlink(private_path.c_str());  // ours, created just above
    return tl::unexpected(r.error());
  }
  return *base;
}

Result<PrivateKey> read_pem_private_key(const std::string& path, std::uint8_t algorithm) {
  auto text = base::read_secret_file(path, 1 << 20);
  if (!text) return tl::unexpected(text.error());
  BIO* bio = BIO_new_mem_buf(text->data(), static_cast<int>(text->size()));
  if (bio == nullptr) {
    wipe_string(*text);
    return fail(errc::crypto_failed, "cannot create a memory BIO", path);
  }
  // A callback that gives no passphrase: encrypted keys fail instead of prompting.
  auto no_pass = [](char*, int, int, void*) -> int { return 0; };
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio, nullptr, no_pass, nullptr);
  BIO_free(bio);
  wipe_string(*text);
  if (pkey == nullptr) {
    ERR_clear_error();
    return key_error("not an unencrypted PEM private key", path);
  }
  auto key = OpensslAccess::adopt(algorithm, pkey);
  if (!key) return tl::unexpected(key.error().located(path));
  return key;
}

Result<KeyPair> read_pem_key_pair(const std::string& path, const Name& owner, std::uint16_t flags,
                                  std::uint8_t algorithm) {
  auto key = read_pem_private_key(path, algorithm);
  if (!key) return tl::unexpected(key.error());
  auto pair = make_key_pair(owner, flags, std::move(*key));
  if (!pair) return tl::unexpected(pair.error().located(path));
  return pair;
}

Result<void> write_pem_private_key(const std::string& path, const PrivateKey& key) {
  EVP_PKEY* pkey = OpensslAccess::evp(key);
  if (pkey == nullptr) return fail(errc::bad_key, "the private key is not held in memory; it cannot be written", path);
  // A secure-heap memory BIO, cleared when freed.
  BIO* bio = BIO_new(BIO_s_secmem());
  if (bio == nullptr) return fail(errc::crypto_failed, "cannot create a memory BIO", path);
  if (PEM_write_bio_PKCS8PrivateKey(bio, pkey, nullptr, nullptr, 0, nullptr, nullptr) <= 0) {
    BIO_free(bio);
    ERR_clear_error();
    return fail(errc::crypto_failed, "cannot encode the key as PKCS#8 PEM", path);
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  auto r = base::create_file_atomic(path, ByteView(reinterpret_cast<const std::uint8_t*>(data),
                                                   static_cast<std::size_t>(len)),
                                    0600);
  BIO_free(bio);
  return r;
}

}  // namespace kskline::zone
