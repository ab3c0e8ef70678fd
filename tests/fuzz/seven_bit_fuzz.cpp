// The 7-bit (base-85) codec: decoding arbitrary text never crashes, whatever
// decodes encodes back to text that decodes to the same bytes (and to the
// same whole groups); arbitrary bytes round-trip.
#include <algorithm>
#include <cstdint>

#include "proto/seven_bit.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace kskline;
using namespace kskline::proto;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ByteView input(data, size);
  Bytes decoded;
  if (seven_bit::decode(input, decoded)) {
    if (seven_bit::decoded_size(size) != decoded.size()) fuzz::property_failed();
    // Whole groups have one spelling; a final partial group is padded with
    // the top digit when decoded, so several spellings give the same bytes.
    Bytes text;
    seven_bit::encode(decoded, text);
    const std::size_t whole = size / 5 * 5;
    if (!std::equal(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(whole), input.begin())) {
      fuzz::property_failed();
    }
    Bytes again;
    if (!seven_bit::decode(text, again) || again != decoded) fuzz::property_failed();
  }
  Bytes text;
  seven_bit::encode(input, text);
  Bytes back;
  if (!seven_bit::decode(text, back) || back != Bytes(input.begin(), input.end())) fuzz::property_failed();
  return 0;
}
