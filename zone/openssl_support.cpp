#include "zone/internal/openssl_support.hpp"

#include <array>

#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include "zone/algorithm.hpp"
#include "zone/errc.hpp"

namespace kskline::zone::ossl {
namespace {

constexpr std::array<AlgSpec, 6> kSpecs{{
    {alg::RSASHA256, Family::rsa, "SHA2-256", "RSA", nullptr, 0, 0, 0, 0},
    {alg::RSASHA512, Family::rsa, "SHA2-512", "RSA", nullptr, 0, 0, 0, 0},
    {alg::ECDSAP256SHA256, Family::ecdsa, "SHA2-256", "EC", "P-256", NID_X9_62_prime256v1, 32, 64, 256},
    {alg::ECDSAP384SHA384, Family::ecdsa, "SHA2-384", "EC", "P-384", NID_secp384r1, 48, 96, 384},
    {alg::ED25519, Family::eddsa, nullptr, "ED25519", nullptr, 0, 32, 64, 256},
    {alg::ED448, Family::eddsa, nullptr, "ED448", nullptr, 0, 57, 114, 456},
}};

}  // namespace

const AlgSpec* find_spec(std::uint8_t algorithm) {
  for (const auto& s : kSpecs) {
    if (s.number == algorithm) return &s;
  }
  return nullptr;
}

std::string errors() {
  std::string text;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!text.empty()) text += "; ";
    text += buf;
  }
  return text.empty() ? "no OpenSSL error reported" : text;
}

tl::unexpected<Error> crypto_fail(const std::string& what) {
  return fail(errc::crypto_failed, what + ": " + errors());
}

}  // namespace kskline::zone::ossl
