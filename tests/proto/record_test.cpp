#include <catch2/catch.hpp>

#include "proto/record.hpp"

using namespace kskline;
using namespace kskline::proto;

TEST_CASE("record: every record type round-trips", "[proto][record]") {
  Sha256 d{};
  d[0] = 9;
  OfferRecord offer{d, 123456789012ull, 4096};
  auto o = parse_record(encode_record(offer));
  REQUIRE(o);
  CHECK(std::get<OfferRecord>(*o).total == 123456789012ull);
  CHECK(std::get<OfferRecord>(*o).block_size == 4096);
  CHECK(std::get<OfferRecord>(*o).digest == d);

  StatusRecord status{d, Disposition::accepting, RefuseReason::none, {{0, 3}, {10, 2}}};
  auto s = parse_record(encode_record(status));
  REQUIRE(s);
  CHECK(std::get<StatusRecord>(*s).held == status.held);

  Bytes chunk = encode_chunk(77, as_bytes("abc"));
  CHECK(chunk.size() == kChunkOverhead + 3);
  auto c = parse_record(chunk);
  REQUIRE(c);
  CHECK(std::get<ChunkRecord>(*c).offset == 77);
  CHECK(std::string(std::get<ChunkRecord>(*c).data.begin(), std::get<ChunkRecord>(*c).data.end()) == "abc");

  DoneRecord done{d, DoneResult::rejected, WireError::auth_unsigned};
  Bytes done_bytes = encode_record(done);
  CHECK(done_bytes[34] == 0);
  CHECK(done_bytes[35] == 6);  // the wire code's number, big-endian
  auto n = parse_record(done_bytes);
  REQUIRE(n);
  CHECK(std::get<DoneRecord>(*n).code == WireError::auth_unsigned);
  CHECK(std::get<DoneRecord>(*n).result == DoneResult::rejected);

  BindRecord bind;
  bind.signature[63] = 1;
  auto b = parse_record(encode_record(bind));
  REQUIRE(b);
  CHECK(std::get<BindRecord>(*b).signature == bind.signature);
}

TEST_CASE("record: wrong lengths and unknown types are malformed", "[proto][record]") {
  Sha256 d{};
  Bytes offer = encode_record(OfferRecord{d, 1, 4096});
  for (std::size_t n = 0; n < offer.size(); ++n) CHECK_FALSE(parse_record(ByteView(offer).first(n)));
  Bytes status = encode_record(StatusRecord{d, Disposition::accepting, RefuseReason::none, {{1, 1}}});
  status.pop_back();
  CHECK_FALSE(parse_record(status));
  CHECK_FALSE(parse_record(Bytes{0x09}));
  CHECK_FALSE(parse_record(Bytes{}));
  CHECK_FALSE(parse_record(encode_record(OfferRecord{d, 1, 0})));  // block size 0
}
