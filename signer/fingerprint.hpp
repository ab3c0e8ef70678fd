// Fingerprints of a SHA-256 that two operators compare across the air gap:
// hex in groups, and a few words read aloud (one word an octet).
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "signer/key_request.hpp"

namespace kskline::signer {

// The number of words word_fingerprint gives by default (48 bits).
inline constexpr std::size_t kFingerprintWords = 6;

// The built-in list of 256 distinct lowercase words; octet value v reads as
// word v.
const std::array<std::string_view, 256>& fingerprint_word_list() noexcept;

// The digest as lowercase hex in groups of four digits separated by spaces
// ("3f2a 09bc ..."), 16 groups.
std::string hex_groups(const Sha256& digest);

// The first `count` octets of the digest (count <= 32) as words of the
// built-in list separated by single spaces ("amber lunar ...").
std::string word_fingerprint(const Sha256& digest, std::size_t count = kFingerprintWords);

// The two lines both operators compare, as the KSK side's table ends and
// the zone side prints them: "sha256      <hex_groups>\nwords       <word_fingerprint>\n".
std::string digest_lines(const Sha256& digest);

}  // namespace kskline::signer
