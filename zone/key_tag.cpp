#include "zone/key_tag.hpp"

namespace kskline::zone {

std::uint16_t key_tag(ByteView rdata) {
  if (rdata.size() >= 4 && rdata[3] == 1) {
    // RFC 4034 B.1: the most significant 16 of the least significant 24 bits
    // of the modulus, i.e. the third- and second-last octets of the RDATA.
    if (rdata.size() < 4 + 3) return 0;
    return static_cast<std::uint16_t>((rdata[rdata.size() - 3] << 8) | rdata[rdata.size() - 2]);
  }
  std::uint32_t ac = 0;
  for (std::size_t i = 0; i < rdata.size(); ++i) {
    ac += (i & 1) ? std::uint32_t{rdata[i]} : std::uint32_t{rdata[i]} << 8;
  }
  ac += (ac >> 16) & 0xffff;
  return static_cast<std::uint16_t>(ac & 0xffff);
}

}  // namespace kskline::zone
