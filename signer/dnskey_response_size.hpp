// The size of the DNS response a resolver gets for the apex DNSKEY RRset
// with the DO bit set, so the KSK side can refuse a DNSKEY RRset that would
// not fit the 1232-octet EDNS buffer (DNS flag day 2020) and fall back to TCP.
#pragma once

#include <cstddef>
#include <span>

#include "zone/name.hpp"
#include "zone/record.hpp"

namespace kskline::signer {

// The largest DNSKEY response the policy accepts (octets).
inline constexpr std::size_t kMaxDnskeyResponse = 1232;

// The size in octets of the response to "apex IN DNSKEY" with the DO bit:
// header (12), the question (apex in wire form + 4), each answer record with
// its owner compressed to a 2-octet pointer to the question (2 + type 2 +
// class 2 + TTL 4 + RDLENGTH 2 + RDATA; names inside RRSIG RDATA are never
// compressed, RFC 4034 §3.1.7), and the OPT record (11 octets, no options).
// `answers` holds the DNSKEY records and their RRSIGs; their owners are
// assumed to be the apex.
std::size_t dnskey_response_size(const zone::Name& apex, std::span<const zone::Record> answers);

// The RDATA length of an RRSIG by a key of `signer` whose signatures are
// `signature_size` octets: 18 fixed octets, the signer name, the signature.
std::size_t rrsig_rdata_size(const zone::Name& signer, std::size_t signature_size);

// The length of a DNSSEC signature (RRSIG signature field) made by a key of
// `algorithm` with `bits` (the RSA modulus size; ignored otherwise):
// RSA ceil(bits/8), ECDSA P-256 64, P-384 96, Ed25519 64, Ed448 114; 0 for
// an algorithm kskline does not sign with.
std::size_t signature_size(std::uint8_t algorithm, unsigned bits);

}  // namespace kskline::signer
