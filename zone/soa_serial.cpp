#include "zone/soa_serial.hpp"

#include <array>
#include <ctime>

#include "base/text.hpp"
#include "zone/dnssec_time.hpp"
#include "zone/errc.hpp"

namespace kskline::zone {
namespace {

constexpr std::array<std::pair<std::string_view, SerialPolicy>, 4> kPolicies{{
    {"keep", SerialPolicy::keep},
    {"increment", SerialPolicy::increment},
    {"unixtime", SerialPolicy::unixtime},
    {"dateserial", SerialPolicy::dateserial},
}};

// The five 32-bit fields after the two names (RFC 1035 §3.3.13).
constexpr std::size_t kSoaTail = 20;

// YYYYMMDD00 for the UTC date of `now`.
std::uint32_t date_serial(std::int64_t now) {
  std::time_t t = static_cast<std::time_t>(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  auto ymd = static_cast<std::uint64_t>(tm.tm_year + 1900) * 10000 + static_cast<std::uint64_t>(tm.tm_mon + 1) * 100 +
             static_cast<std::uint64_t>(tm.tm_mday);
  return static_cast<std::uint32_t>(ymd * 100);
}

// `candidate` when it is after `current`, else current + 1; never 0.
std::uint32_t advance(std::uint32_t current, std::uint32_t candidate) {
  std::uint32_t next = serial_lt(current, candidate) ? candidate : current + 1;
  return next == 0 ? 1 : next;
}

// Where the serial starts: after the two names (MNAME, RNAME).
Result<std::size_t> serial_offset(ByteView rdata) {
  std::size_t pos = 0;
  for (int name = 0; name < 2; ++name) {
    while (true) {
      if (pos >= rdata.size()) return fail(errc::bad_rdata, "SOA RDATA truncated");
      std::uint8_t len = rdata[pos];
      if (len > 63) return fail(errc::bad_rdata, "SOA RDATA with a compressed or bad name");
      pos += 1 + len;
      if (len == 0) break;
    }
  }
  if (rdata.size() != pos + kSoaTail) return fail(errc::bad_rdata, "SOA RDATA of the wrong length");
  return pos;
}

}  // namespace

std::optional<SerialPolicy> parse_serial_policy(std::string_view text) {
  for (const auto& [name, policy] : kPolicies) {
    if (base::iequals(name, text)) return policy;
  }
  return std::nullopt;
}

std::string_view serial_policy_name(SerialPolicy policy) {
  for (const auto& [name, p] : kPolicies) {
    if (p == policy) return name;
  }
  return "keep";
}

std::uint32_t next_serial(SerialPolicy policy, std::uint32_t current, std::int64_t now) {
  switch (policy) {
    case SerialPolicy::keep:
      return current;
    case SerialPolicy::increment:
      return advance(current, current + 1);
    case SerialPolicy::unixtime:
      return advance(current, static_cast<std::uint32_t>(now));
    case SerialPolicy::dateserial:
      return advance(current, date_serial(now));
  }
  return current;
}

Result<std::uint32_t> soa_serial(ByteView soa_rdata) {
  auto at = serial_offset(soa_rdata);
  if (!at) return tl::unexpected(at.error());
  return get_u32(soa_rdata.data() + *at);
}

Result<void> set_soa_serial(Bytes& soa_rdata, std::uint32_t serial) {
  auto at = serial_offset(soa_rdata);
  if (!at) return tl::unexpected(at.error());
  std::uint8_t* p = soa_rdata.data() + *at;
  p[0] = static_cast<std::uint8_t>(serial >> 24);
  p[1] = static_cast<std::uint8_t>(serial >> 16);
  p[2] = static_cast<std::uint8_t>(serial >> 8);
  p[3] = static_cast<std::uint8_t>(serial);
  return {};
}

}  // namespace kskline::zone
