// Reliable records, one per DATA frame: session binding and message
// transfer with resume (docs/protocol.md §4).
#pragma once

#include <cstdint>
#include <variant>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "proto/envelope.hpp"
#include "proto/identity.hpp"
#include "proto/wire_error.hpp"

namespace kskline::proto {

// The record type, first byte of a DATA payload.
enum class RecordType : std::uint8_t { bind = 1, offer = 2, status = 3, chunk = 4, done = 5 };

// The size of a CHUNK record before its data: type and offset.
inline constexpr std::size_t kChunkOverhead = 5;

// BIND: the sender's signature over the session transcript.
struct BindRecord {
  Signature signature{};
};

// OFFER: the sender is about to send the message with this digest.
struct OfferRecord {
  Sha256 digest{};
  std::uint64_t total = 0;
  std::uint32_t block_size = 0;
};

// What a receiver does with an offered message.
enum class Disposition : std::uint8_t { accepting = 0, complete = 1, refused = 2 };
// Why a receiver refused an offer.
enum class RefuseReason : std::uint8_t { none = 0, too_large = 1, cannot_store = 2 };

// A run of blocks [first, first + count).
struct BlockRange {
  std::uint32_t first = 0;
  std::uint32_t count = 0;
  bool operator==(const BlockRange&) const = default;
};

// STATUS: the receiver's answer to an OFFER, with the blocks it already holds.
struct StatusRecord {
  Sha256 digest{};
  Disposition disposition = Disposition::accepting;
  RefuseReason reason = RefuseReason::none;
  std::vector<BlockRange> held;
};

// CHUNK: bytes of the current message at an offset; data views the payload.
struct ChunkRecord {
  std::uint32_t offset = 0;
  ByteView data;
};

// How a receiver ended a message.
enum class DoneResult : std::uint8_t { delivered = 0, corrupted = 1, rejected = 2 };

// DONE: the receiver finished with a message; for `rejected`, code is the
// reason as a wire code (WireError::none otherwise). A parsed record keeps
// whatever number arrived, known or not.
struct DoneRecord {
  Sha256 digest{};
  DoneResult result = DoneResult::delivered;
  WireError code = WireError::none;
};

// Any record.
using Record = std::variant<BindRecord, OfferRecord, StatusRecord, ChunkRecord, DoneRecord>;

// Encodes a record as a DATA payload (a ChunkRecord copies its data).
Bytes encode_record(const Record& r);
// Encodes a CHUNK record.
Bytes encode_chunk(std::uint32_t offset, ByteView data);
// Decodes a DATA payload; a ChunkRecord views `payload`, which must outlive
// it. errc::malformed on an unknown type or wrong length.
Result<Record> parse_record(ByteView payload);

}  // namespace kskline::proto
