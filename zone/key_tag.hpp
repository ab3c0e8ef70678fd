// The key tag of a DNSKEY (RFC 4034 Appendix B).
#pragma once

#include <cstdint>

#include "base/bytes.hpp"

namespace kskline::zone {

// Computes the key tag of DNSKEY RDATA: the ones'-complement-style sum of
// Appendix B, or for algorithm 1 (RSA/MD5, Appendix B.1) the 16 bits above
// the last octet of the modulus. Total over any input: RDATA too short for
// the algorithm-1 rule gives 0.
std::uint16_t key_tag(ByteView dnskey_rdata);

}  // namespace kskline::zone
