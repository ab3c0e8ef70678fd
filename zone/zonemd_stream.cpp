#include "zone/internal/zonemd_stream.hpp"

#include "zone/rdata.hpp"
#include "zone/rr_types.hpp"

namespace kskline::zone {

void append_zonemd_input(const Name& owner, bool at_apex, std::uint16_t type, std::uint32_t ttl, ByteView rdata,
                         Bytes& out) {
  if (at_apex && (type == rrtype::ZONEMD ||
                  (type == rrtype::RRSIG && rdata.size() >= 2 && get_u16(rdata.data()) == rrtype::ZONEMD))) {
    return;
  }
  owner.append_wire(out, /*lowercase=*/true);
  put_u16(out, type);
  put_u16(out, kClassIN);
  put_u32(out, ttl);
  put_u16(out, static_cast<std::uint16_t>(rdata.size()));
  const std::size_t at = out.size();
  out.insert(out.end(), rdata.begin(), rdata.end());
  const RRTypeInfo* info = find_type(type);
  if (info != nullptr && info->canonical_lowercase) {
    canonicalize_rdata(type, std::span<std::uint8_t>(out.data() + at, rdata.size()));
  }
}

}  // namespace kskline::zone
