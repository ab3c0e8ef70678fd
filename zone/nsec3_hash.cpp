#include "zone/nsec3_hash.hpp"

#include <algorithm>
#include <stdexcept>

#include <openssl/evp.h>

#include "base/encoding.hpp"
#include "zone/errc.hpp"

namespace kskline::zone {
namespace {

// SHA-1, fetched once per process and kept for its life (see base/digest.cpp).
const EVP_MD* sha1() {
  static const EVP_MD* const md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA1", nullptr);
    if (m == nullptr) throw std::runtime_error("OpenSSL has no SHA1");
    return m;
  }();
  return md;
}

}  // namespace

Result<Nsec3Params> parse_nsec3param(ByteView rdata) {
  if (rdata.size() < 5) return fail(errc::bad_rdata, "NSEC3PARAM RDATA truncated");
  Nsec3Params p;
  p.algorithm = rdata[0];
  p.flags = rdata[1];
  p.iterations = get_u16(rdata.data() + 2);
  std::size_t salt_len = rdata[4];
  if (rdata.size() != 5 + salt_len) return fail(errc::bad_rdata, "NSEC3PARAM salt length does not match the RDATA");
  p.salt.assign(rdata.begin() + 5, rdata.end());
  return p;
}

Bytes make_nsec3param_rdata(const Nsec3Params& params) {
  Bytes out;
  out.reserve(5 + params.salt.size());
  out.push_back(params.algorithm);
  out.push_back(params.flags);
  put_u16(out, params.iterations);
  out.push_back(static_cast<std::uint8_t>(params.salt.size()));
  out.insert(out.end(), params.salt.begin(), params.salt.end());
  return out;
}

Result<Nsec3View> parse_nsec3(ByteView rdata) {
  if (rdata.size() < 5) return fail(errc::bad_rdata, "NSEC3 RDATA truncated");
  Nsec3View v;
  v.params.algorithm = rdata[0];
  v.params.flags = rdata[1];
  v.params.iterations = get_u16(rdata.data() + 2);
  std::size_t pos = 4;
  std::size_t salt_len = rdata[pos++];
  if (pos + salt_len + 1 > rdata.size()) return fail(errc::bad_rdata, "NSEC3 salt truncated");
  v.params.salt.assign(rdata.begin() + static_cast<std::ptrdiff_t>(pos),
                       rdata.begin() + static_cast<std::ptrdiff_t>(pos + salt_len));
  pos += salt_len;
  std::size_t hash_len = rdata[pos++];
  if (hash_len == 0) return fail(errc::bad_rdata, "NSEC3 next hashed owner name is empty");
  if (pos + hash_len > rdata.size()) return fail(errc::bad_rdata, "NSEC3 next hashed owner name truncated");
  v.next_hash = rdata.subspan(pos, hash_len);
  v.type_bitmap = rdata.subspan(pos + hash_len);
  return v;
}

Bytes make_nsec3_rdata(const Nsec3Params& params, ByteView next_hash, ByteView type_bitmap) {
  Bytes out = make_nsec3param_rdata(params);
  out.push_back(static_cast<std::uint8_t>(next_hash.size()));
  out.insert(out.end(), next_hash.begin(), next_hash.end());
  out.insert(out.end(), type_bitmap.begin(), type_bitmap.end());
  return out;
}

struct Nsec3Hasher::Impl {
  EVP_MD_CTX* ctx = nullptr;
  Bytes salt;
  std::uint16_t iterations = 0;
  Bytes wire;  // scratch: the lowercased name

  Impl(ByteView s, std::uint16_t it) : ctx(EVP_MD_CTX_new()), salt(s.begin(), s.end()), iterations(it) {
    if (ctx == nullptr) throw std::bad_alloc();
  }
  ~Impl() { EVP_MD_CTX_free(ctx); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  void round(ByteView data, std::uint8_t* out) {
    unsigned int len = 0;
    if (EVP_DigestInit_ex2(ctx, sha1(), nullptr) != 1 || EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
        (!salt.empty() && EVP_DigestUpdate(ctx, salt.data(), salt.size()) != 1) ||
        EVP_DigestFinal_ex(ctx, out, &len) != 1 || len != kNsec3HashSize) {
      throw std::runtime_error("SHA-1 failed");
    }
  }
};

Nsec3Hasher::Nsec3Hasher(ByteView salt, std::uint16_t iterations)
    : impl_(std::make_unique<Impl>(salt, iterations)) {}
Nsec3Hasher::Nsec3Hasher(const Nsec3Params& params) : Nsec3Hasher(params.salt, params.iterations) {}
Nsec3Hasher::~Nsec3Hasher() = default;
Nsec3Hasher::Nsec3Hasher(Nsec3Hasher&&) noexcept = default;
Nsec3Hasher& Nsec3Hasher::operator=(Nsec3Hasher&&) noexcept = default;

Nsec3Hash Nsec3Hasher::hash(const Name& name) {
  auto& im = *impl_;
  im.wire.clear();
  name.append_wire(im.wire, /*lowercase=*/true);
  Nsec3Hash h{};
  im.round(im.wire, h.data());
  for (unsigned i = 0; i < im.iterations; ++i) {
    Nsec3Hash prev = h;
    im.round(prev, h.data());
  }
  return h;
}

std::string Nsec3Hasher::hash_label(const Name& name) { return nsec3_hash_label(hash(name)); }

Result<Name> Nsec3Hasher::hashed_owner(const Name& name, const Name& zone) {
  return zone.prepend(hash_label(name));
}

std::string nsec3_hash_label(const Nsec3Hash& hash) {
  std::string s = base::to_base32hex(hash);
  std::transform(s.begin(), s.end(), s.begin(), [](char c) { return static_cast<char>(dns_tolower(static_cast<std::uint8_t>(c))); });
  return s;
}

Result<Nsec3Hash> parse_nsec3_hash_label(std::string_view label) {
  if (label.size() != 32) return fail(errc::bad_rdata, "not a base32hex SHA-1 hash label");
  auto raw = base::from_base32hex(label);
  if (!raw || raw->size() != kNsec3HashSize) return fail(errc::bad_rdata, "not a base32hex SHA-1 hash label");
  Nsec3Hash h{};
  std::copy(raw->begin(), raw->end(), h.begin());
  return h;
}

}  // namespace kskline::zone
