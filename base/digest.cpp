#include "base/digest.hpp"

#include <stdexcept>
#include <string>

#include <openssl/evp.h>

namespace kskline::base {
namespace {

// Fetches an algorithm from the default provider, throwing if it is missing
// (a broken OpenSSL installation is a programmer/environment error).
const EVP_MD* fetch(const char* name) {
  EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  if (md == nullptr) throw std::runtime_error(std::string("OpenSSL has no digest ") + name);
  return md;
}

// The EVP_MD of an algorithm, fetched once per process. The fetched objects
// are kept for the life of the process on purpose: freeing them from a static
// destructor could race OpenSSL's own atexit cleanup.
const EVP_MD* method(DigestAlgorithm alg) {
  switch (alg) {
    case DigestAlgorithm::sha1: {
      static const EVP_MD* const md = fetch("SHA1");
      return md;
    }
    case DigestAlgorithm::sha256: {
      static const EVP_MD* const md = fetch("SHA256");
      return md;
    }
    case DigestAlgorithm::sha384: {
      static const EVP_MD* const md = fetch("SHA384");
      return md;
    }
    case DigestAlgorithm::sha512: {
      static const EVP_MD* const md = fetch("SHA512");
      return md;
    }
  }
  throw std::invalid_argument("unknown DigestAlgorithm");
}

}  // namespace

std::size_t digest_size(DigestAlgorithm alg) noexcept {
  switch (alg) {
    case DigestAlgorithm::sha1: return 20;
    case DigestAlgorithm::sha256: return 32;
    case DigestAlgorithm::sha384: return 48;
    case DigestAlgorithm::sha512: return 64;
  }
  return 0;
}

struct Digest::Impl {
  const EVP_MD* md = nullptr;
  EVP_MD_CTX* ctx = nullptr;

  explicit Impl(DigestAlgorithm alg) : md(method(alg)), ctx(EVP_MD_CTX_new()) {
    if (ctx == nullptr) throw std::bad_alloc();
  }
  ~Impl() { EVP_MD_CTX_free(ctx); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  void init() {
    if (EVP_DigestInit_ex2(ctx, md, nullptr) != 1) throw std::runtime_error("EVP_DigestInit_ex2 failed");
  }
};

Digest::Digest(DigestAlgorithm alg) : impl_(std::make_unique<Impl>(alg)) { impl_->init(); }
Digest::~Digest() = default;
Digest::Digest(Digest&&) noexcept = default;
Digest& Digest::operator=(Digest&&) noexcept = default;

void Digest::reset() { impl_->init(); }

void Digest::update(ByteView data) {
  if (data.empty()) return;
  if (EVP_DigestUpdate(impl_->ctx, data.data(), data.size()) != 1) {
    throw std::runtime_error("EVP_DigestUpdate failed");
  }
}

Bytes Digest::finish() {
  Bytes out(static_cast<std::size_t>(EVP_MD_get_size(impl_->md)));
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(impl_->ctx, out.data(), &len) != 1) throw std::runtime_error("EVP_DigestFinal_ex failed");
  out.resize(len);
  impl_->init();
  return out;
}

Bytes digest(DigestAlgorithm alg, ByteView data) {
  const EVP_MD* md = method(alg);
  Bytes out(static_cast<std::size_t>(EVP_MD_get_size(md)));
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr) != 1) {
    throw std::runtime_error("EVP_Digest failed");
  }
  out.resize(len);
  return out;
}

}  // namespace kskline::base
