// The frame decoder and open_frame on arbitrary line bytes: no crash, memory
// bounded by the maximum payload, and every frame that opens re-encodes to
// bytes that decode and open to the same frame.
#include <cstdint>
#include <vector>

#include "proto/frame.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace kskline;
using namespace kskline::proto;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput in(data, size);
  const std::uint32_t tag = static_cast<std::uint32_t>(in.u16()) << 16 | in.u16();
  const std::size_t max_payload = 64 + in.u16() % 4096;
  FrameDecoder decoder(max_payload);
  std::vector<RawFrame> raws;
  // Fed in pieces whose sizes the input chooses, as reads from a line come.
  while (in.more()) {
    ByteView piece = in.bytes(1 + in.u8() % 64);
    decoder.feed(piece, raws);
  }
  for (const auto& raw : raws) {
    if (raw.logical.size() > max_payload + 64) fuzz::property_failed();
    for (std::optional<std::uint32_t> t : {std::optional<std::uint32_t>{}, std::optional<std::uint32_t>{tag}}) {
      auto frame = open_frame(raw.logical, t);
      if (!frame) continue;
      Bytes wire = encode_frame(*frame, raw.encoding, EscapeSet(), t.value_or(0));
      FrameDecoder again;
      std::vector<RawFrame> back;
      again.feed(wire, back);
      if (back.size() != 1) fuzz::property_failed();
      auto reopened = open_frame(back[0].logical, t);
      if (!reopened || reopened->type != frame->type || reopened->seq != frame->seq ||
          reopened->ack != frame->ack || reopened->flags != frame->flags || reopened->payload != frame->payload) {
        fuzz::property_failed();
      }
    }
  }
  return 0;
}
