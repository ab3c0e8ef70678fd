// The operator's configuration and option words: ksk.toml, kskline-zone.toml,
// link specifications, auth-policy words, durations and times. No crash, and
// no value accepted outside its documented range.
#include <cstdint>

#include "proto/identity.hpp"
#include "signer/config_text.hpp"
#include "signer/policy.hpp"
#include "signer/zone_config.hpp"
#include "tests/fuzz/fuzz_input.hpp"
#include "transport/link_spec.hpp"
#include "zone/dnssec_time.hpp"

using namespace kskline;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  (void)signer::parse_config(text, "fuzz/ksk.toml");
  (void)signer::parse_zone_config(text, "fuzz/kskline-zone.toml");
  (void)transport::parse_link_spec(text);
  (void)proto::parse_auth_policy(text, "fuzz");
  (void)proto::parse_auth_setting(text, "fuzz");
  if (auto d = signer::parse_duration(text, "fuzz"); d && *d < 0) fuzz::property_failed();
  (void)zone::parse_utc_time(text);
  (void)zone::parse_dnssec_time(text);
  return 0;
}
