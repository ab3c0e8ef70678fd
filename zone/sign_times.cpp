#include "zone/sign_times.hpp"

#include "zone/errc.hpp"

namespace kskline::zone {
namespace {

constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL, kFnvPrime = 0x100000001b3ULL;

std::uint64_t fnv1a(std::uint64_t h, std::uint8_t octet) { return (h ^ octet) * kFnvPrime; }

}  // namespace

Result<void> check_timing(const SignatureTiming& t) {
  if (t.validity == 0) return fail(errc::bad_rdata, "the validity must be longer than 0 seconds", "--validity");
  if (t.jitter >= t.validity) {
    return fail(errc::bad_rdata,
                "the jitter (" + std::to_string(t.jitter) + " s) must be shorter than the validity (" +
                    std::to_string(t.validity) + " s)",
                "--jitter");
  }
  if (t.refresh >= t.validity - t.jitter) {
    return fail(errc::bad_rdata,
                "the refresh margin (" + std::to_string(t.refresh) +
                    " s) must be shorter than the validity minus the jitter (" +
                    std::to_string(t.validity - t.jitter) + " s)",
                "--refresh");
  }
  if (t.now < static_cast<std::int64_t>(t.backdate)) {
    return fail(errc::bad_rdata, "the inception would be before 1970", "--now");
  }
  // RFC 4034 §3.1.5: the window must be shorter than 68 years to be unambiguous.
  if (static_cast<std::int64_t>(t.backdate) + t.validity >= (std::int64_t{1} << 31)) {
    return fail(errc::bad_rdata, "the signature window is longer than 68 years", "--validity");
  }
  return {};
}

std::uint32_t rrsig_jitter(const Name& owner, std::uint16_t type, std::uint16_t key_tag, std::uint32_t jitter) {
  if (jitter == 0) return 0;
  std::uint64_t h = kFnvOffset;
  for (char c : owner.wire_string()) h = fnv1a(h, dns_tolower(static_cast<std::uint8_t>(c)));
  h = fnv1a(h, static_cast<std::uint8_t>(type >> 8));
  h = fnv1a(h, static_cast<std::uint8_t>(type));
  h = fnv1a(h, static_cast<std::uint8_t>(key_tag >> 8));
  h = fnv1a(h, static_cast<std::uint8_t>(key_tag));
  // Final avalanche (splitmix64), since FNV's low bits mix poorly.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return static_cast<std::uint32_t>(h % (std::uint64_t{jitter} + 1));
}

RrsigWindow rrsig_window(const SignatureTiming& t, const Name& owner, std::uint16_t type, std::uint16_t key_tag) {
  RrsigWindow w;
  w.inception = static_cast<std::uint32_t>(t.now - t.backdate);
  w.expiration =
      static_cast<std::uint32_t>(t.now + t.validity - rrsig_jitter(owner, type, key_tag, t.jitter));
  return w;
}

}  // namespace kskline::zone
