#include "signer/dnskey_response_size.hpp"

#include "zone/algorithm.hpp"

namespace kskline::signer {

std::size_t dnskey_response_size(const zone::Name& apex, std::span<const zone::Record> answers) {
  constexpr std::size_t kHeader = 12, kQuestionFixed = 4, kAnswerFixed = 2 + 2 + 2 + 4 + 2, kOpt = 11;
  std::size_t size = kHeader + apex.wire().size() + kQuestionFixed + kOpt;
  for (const auto& r : answers) size += kAnswerFixed + r.rdata.size();
  return size;
}

std::size_t rrsig_rdata_size(const zone::Name& signer, std::size_t signature_size) {
  return 18 + signer.wire().size() + signature_size;
}

std::size_t signature_size(std::uint8_t algorithm, unsigned bits) {
  switch (algorithm) {
    case zone::alg::RSASHA1: case zone::alg::RSASHA1_NSEC3_SHA1: case zone::alg::RSASHA256:
    case zone::alg::RSASHA512: return (bits + 7) / 8;
    case zone::alg::ECDSAP256SHA256: return 64;
    case zone::alg::ECDSAP384SHA384: return 96;
    case zone::alg::ED25519: return 64;
    case zone::alg::ED448: return 114;
    default: return 0;
  }
}

}  // namespace kskline::signer
