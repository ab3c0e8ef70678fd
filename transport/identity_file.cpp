#include "transport/identity_file.hpp"

#include <cerrno>
#include <cstdio>
#include <map>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.hpp"
#include "base/encoding.hpp"
#include "base/secure_buffer.hpp"
#include "transport/errc.hpp"
#include "transport/sodium_random.hpp"

namespace kskline::transport {
namespace {

constexpr std::string_view kSecretFormat = "kskline-link-identity";
constexpr std::string_view kPublicFormat = "kskline-link-public-key";
constexpr std::size_t kMaxFile = 4096;

tl::unexpected<Error> bad(std::string detail, std::string where) {
  return fail(errc::bad_identity_file, std::move(detail), std::move(where));
}

// The `key: value` lines of a file, '#' comments and blank lines skipped.
// Values are views of `text`.
struct Fields {
  std::map<std::string, std::pair<std::string_view, int>> values;  // value, line
};

Result<Fields> parse_fields(std::string_view text, const std::string& path) {
  Fields out;
  int line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    std::size_t colon = line.find(':');
    std::string where = path + ":" + std::to_string(line_no);
    if (colon == std::string_view::npos) return bad("expected 'name: value'", where);
    std::string key(line.substr(0, colon));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (out.values.count(key)) return bad("'" + key + "' given twice", where);
    out.values[key] = {value, line_no};
  }
  return out;
}

// Decodes a 32-byte base64 field into `out`.
Result<void> decode_32(const Fields& f, const std::string& key, const std::string& path, std::span<std::uint8_t> out) {
  auto it = f.values.find(key);
  if (it == f.values.end()) return bad("no '" + key + "' line", path);
  std::string where = path + ":" + std::to_string(it->second.second);
  Bytes bytes;
  auto decoded = base::append_base64(it->second.first, bytes);
  bool ok = decoded && bytes.size() == 32;
  if (ok) std::copy(bytes.begin(), bytes.end(), out.begin());
  base::wipe(bytes.data(), bytes.size());
  if (!ok) return bad("'" + key + "' must be 32 bytes in base64", where);
  return {};
}

Result<void> check_format(const Fields& f, std::string_view format, const std::string& path) {
  auto it = f.values.find(std::string(format));
  if (it == f.values.end()) {
    return bad("not a " + std::string(format) + " file (no '" + std::string(format) + ": 1' line)", path);
  }
  if (it->second.first != "1") {
    return bad(std::string(format) + " version " + std::string(it->second.first) + " is not supported (this build reads 1)",
               path + ":" + std::to_string(it->second.second));
  }
  return {};
}

Result<void> check_known(const Fields& f, std::initializer_list<std::string_view> known, const std::string& path) {
  for (const auto& [key, value] : f.values) {
    bool ok = false;
    for (auto k : known) ok = ok || key == k;
    if (!ok) return bad("unknown field '" + key + "'", path + ":" + std::to_string(value.second));
  }
  return {};
}

std::string secret_text(const proto::LinkIdentity& identity) {
  std::string seed = base::to_base64(identity.seed());
  std::string text = "# kskline link identity (Ed25519, RFC 8032). SECRET: keep this file mode 0600.\n"
                     "# Give the peer the .pub file beside it, never this one.\n" +
                     std::string(kSecretFormat) + ": 1\npublic-key: " + public_key_text(identity.public_key()) +
                     "\nsecret-seed: " + seed + "\n";
  base::wipe(seed.data(), seed.size());
  return text;
}

std::string public_text(const proto::PublicKey& key) {
  return "# kskline link public key (Ed25519). The peer pins it with --peer FILE.\n" + std::string(kPublicFormat) +
         ": 1\npublic-key: " + public_key_text(key) + "\n";
}

}  // namespace

std::string public_key_text(const proto::PublicKey& key) { return base::to_base64(key); }

Result<void> write_identity_files(const std::string& path, const proto::LinkIdentity& identity) {
  std::string pub_path = path + ".pub";
  struct stat st {};
  if (::lstat(pub_path.c_str(), &st) == 0) {
    return fail(errc::io_error, "file exists; refusing to replace it", pub_path);
  }
  std::string secret = secret_text(identity);
  auto written = base::create_file_atomic(path, as_bytes(secret), 0600);
  base::wipe(secret.data(), secret.size());
  if (!written) return written;
  std::string pub = public_text(identity.public_key());
  if (auto p = base::create_file_atomic(pub_path, as_bytes(pub), 0644); !p) {
    ::unlink(path.c_str());
    return p;
  }
  return {};
}

Result<proto::LinkIdentity> read_identity_file(const std::string& path) {
  auto text = base::read_secret_file(path, kMaxFile);
  if (!text) return tl::unexpected(text.error());
  struct Wipe {
    std::string& s;
    ~Wipe() { base::wipe(s.data(), s.size()); }
  } wipe_text{*text};
  auto fields = parse_fields(*text, path);
  if (!fields) return tl::unexpected(fields.error());
  if (fields->values.count(std::string(kPublicFormat)) && !fields->values.count(std::string(kSecretFormat))) {
    return bad("this is a public key file; the secret identity is the file without .pub", path);
  }
  if (auto ok = check_format(*fields, kSecretFormat, path); !ok) return tl::unexpected(ok.error());
  if (auto ok = check_known(*fields, {kSecretFormat, "public-key", "secret-seed"}, path); !ok) {
    return tl::unexpected(ok.error());
  }
  base::SecureBuffer seed(32);
  if (auto ok = decode_32(*fields, "secret-seed", path, seed.bytes()); !ok) return tl::unexpected(ok.error());
  proto::PublicKey pub{};
  if (auto ok = decode_32(*fields, "public-key", path, pub); !ok) return tl::unexpected(ok.error());
  auto identity = proto::LinkIdentity::from_seed(seed.bytes());
  if (!identity) return tl::unexpected(identity.error().located(path));
  if (identity->public_key() != pub) return bad("the public key does not belong to the secret seed", path);
  return std::move(*identity);
}

Result<proto::PublicKey> read_public_key(const std::string& path_or_key) {
  proto::PublicKey key{};
  struct stat st {};
  if (::stat(path_or_key.c_str(), &st) != 0) {
    if (errno == ENOENT && path_or_key.size() == 44) {
      auto bytes = base::from_base64(path_or_key);
      if (bytes && bytes->size() == 32) {
        std::copy(bytes->begin(), bytes->end(), key.begin());
        return key;
      }
    }
    return fail_errno(errc::bad_identity_file, "not a public key file, nor a key in base64", path_or_key);
  }
  auto text = base::read_file(path_or_key, kMaxFile);
  if (!text) return tl::unexpected(text.error());
  auto fields = parse_fields(*text, path_or_key);
  if (fields && fields->values.count(std::string(kSecretFormat))) {
    // An identity file names its public key too; use only that line.
    auto ok = decode_32(*fields, "public-key", path_or_key, key);
    base::wipe(text->data(), text->size());
    if (!ok) return tl::unexpected(ok.error());
    return key;
  }
  if (!fields) return tl::unexpected(fields.error());
  if (auto ok = check_format(*fields, kPublicFormat, path_or_key); !ok) return tl::unexpected(ok.error());
  if (auto ok = check_known(*fields, {kPublicFormat, "public-key"}, path_or_key); !ok) return tl::unexpected(ok.error());
  if (auto ok = decode_32(*fields, "public-key", path_or_key, key); !ok) return tl::unexpected(ok.error());
  return key;
}

Result<proto::PublicKey> new_identity_files(const std::string& path) {
  SodiumRandom random;
  auto identity = proto::LinkIdentity::generate(random);
  if (auto ok = write_identity_files(path, identity); !ok) return tl::unexpected(ok.error());
  return identity.public_key();
}

}  // namespace kskline::transport
