#include "proto/record.hpp"

#include <algorithm>

#include "proto/errc.hpp"

namespace kskline::proto {
namespace {

void put_u64(Bytes& out, std::uint64_t v) {
  put_u32(out, static_cast<std::uint32_t>(v >> 32));
  put_u32(out, static_cast<std::uint32_t>(v));
}

void put_digest(Bytes& out, const Sha256& d) { out.insert(out.end(), d.begin(), d.end()); }

Sha256 get_digest(const std::uint8_t* p) {
  Sha256 d{};
  std::copy_n(p, d.size(), d.begin());
  return d;
}

struct Encoder {
  Bytes& out;
  void operator()(const BindRecord& r) {
    out.push_back(static_cast<std::uint8_t>(RecordType::bind));
    out.insert(out.end(), r.signature.begin(), r.signature.end());
  }
  void operator()(const OfferRecord& r) {
    out.push_back(static_cast<std::uint8_t>(RecordType::offer));
    put_digest(out, r.digest);
    put_u64(out, r.total);
    put_u32(out, r.block_size);
  }
  void operator()(const StatusRecord& r) {
    out.push_back(static_cast<std::uint8_t>(RecordType::status));
    put_digest(out, r.digest);
    out.push_back(static_cast<std::uint8_t>(r.disposition));
    out.push_back(static_cast<std::uint8_t>(r.reason));
    put_u16(out, static_cast<std::uint16_t>(r.held.size()));
    for (const auto& b : r.held) {
      put_u32(out, b.first);
      put_u32(out, b.count);
    }
  }
  void operator()(const ChunkRecord& r) { out = encode_chunk(r.offset, r.data); }
  void operator()(const DoneRecord& r) {
    out.push_back(static_cast<std::uint8_t>(RecordType::done));
    put_digest(out, r.digest);
    out.push_back(static_cast<std::uint8_t>(r.result));
    put_u16(out, static_cast<std::uint16_t>(r.code));
  }
};

tl::unexpected<Error> bad(const char* what) { return fail(errc::malformed, what); }

}  // namespace

Bytes encode_record(const Record& r) {
  Bytes out;
  std::visit(Encoder{out}, r);
  return out;
}

Bytes encode_chunk(std::uint32_t offset, ByteView data) {
  Bytes out;
  out.reserve(kChunkOverhead + data.size());
  out.push_back(static_cast<std::uint8_t>(RecordType::chunk));
  put_u32(out, offset);
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

Result<Record> parse_record(ByteView p) {
  if (p.empty()) return bad("empty record");
  const std::uint8_t* b = p.data() + 1;
  std::size_t n = p.size() - 1;
  switch (static_cast<RecordType>(p[0])) {
    case RecordType::bind: {
      if (n != 64) return bad("BIND record of wrong length");
      BindRecord r;
      std::copy_n(b, 64, r.signature.begin());
      return r;
    }
    case RecordType::offer: {
      if (n != 44) return bad("OFFER record of wrong length");
      OfferRecord r;
      r.digest = get_digest(b);
      r.total = (std::uint64_t{get_u32(b + 32)} << 32) | get_u32(b + 36);
      r.block_size = get_u32(b + 40);
      if (r.block_size == 0) return bad("OFFER with block size 0");
      return r;
    }
    case RecordType::status: {
      if (n < 36) return bad("STATUS record too short");
      StatusRecord r;
      r.digest = get_digest(b);
      if (b[32] > 2 || b[33] > 2) return bad("STATUS with unknown disposition or reason");
      r.disposition = static_cast<Disposition>(b[32]);
      r.reason = static_cast<RefuseReason>(b[33]);
      std::size_t count = get_u16(b + 34);
      if (n != 36 + count * 8) return bad("STATUS record of wrong length");
      for (std::size_t i = 0; i < count; ++i) r.held.push_back({get_u32(b + 36 + 8 * i), get_u32(b + 40 + 8 * i)});
      return r;
    }
    case RecordType::chunk: {
      if (n < 4) return bad("CHUNK record too short");
      return ChunkRecord{get_u32(b), p.subspan(kChunkOverhead)};
    }
    case RecordType::done: {
      if (n != 35) return bad("DONE record of wrong length");
      if (b[32] > 2) return bad("DONE with unknown result");
      return DoneRecord{get_digest(b), static_cast<DoneResult>(b[32]), static_cast<WireError>(get_u16(b + 33))};
    }
  }
  return bad("unknown record type");
}

}  // namespace kskline::proto
