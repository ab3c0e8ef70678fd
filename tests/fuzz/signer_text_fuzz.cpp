// What the KSK side reads from a cable or a USB stick and what the zone side
// reads back: requests, responses, refusals, audit-log lines and trust
// anchors. No crash; a request or response that parses formats to text that
// parses and formats again to the same text.
#include <cstdint>
#include <string>

#include "signer/audit_log.hpp"
#include "signer/key_request.hpp"
#include "signer/refusal.hpp"
#include "signer/response_check.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace kskline;
using namespace kskline::signer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  if (auto request = parse_request(text, "fuzz")) {
    const std::string once = format_request(*request);
    auto again = parse_request(once, "fuzz-formatted");
    if (!again || format_request(*again) != once) fuzz::property_failed();
  }
  if (auto response = parse_response(text, "fuzz")) {
    const std::string once = format_response(*response);
    auto again = parse_response(once, "fuzz-formatted");
    if (!again || format_response(*again) != once) fuzz::property_failed();
  }
  (void)parse_refusal(text);
  (void)parse_audit_line(text);
  static const zone::Name zone = *zone::Name::parse("example.com.");
  (void)parse_trust_anchor(text, "fuzz", zone);
  return 0;
}
