// What arrives in a frame's payload or an envelope file: envelopes (header
// and whole), link records and HELLOs. No crash; every record and HELLO that
// parses re-encodes to a form that parses to the same encoding.
#include <cstdint>

#include "proto/envelope.hpp"
#include "proto/hello.hpp"
#include "proto/record.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace kskline;
using namespace kskline::proto;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ByteView input(data, size);
  (void)parse_envelope_header(input);
  if (auto env = parse_envelope(input)) (void)trailing_digest(input);
  if (auto record = parse_record(input)) {
    Bytes once = encode_record(*record);
    auto again = parse_record(once);
    if (!again || encode_record(*again) != once) fuzz::property_failed();
  }
  if (auto hello = parse_hello(input)) {
    Bytes once = encode_hello(*hello);
    auto again = parse_hello(once);
    if (!again || encode_hello(*again) != once) fuzz::property_failed();
  }
  return 0;
}
