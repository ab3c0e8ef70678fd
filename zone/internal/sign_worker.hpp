// A worker of the zone signer: signs and formats chunks of the plan's
// owners, each into text (and, with a ZONEMD, the digest's input), on one
// thread with its own ThreadSigner. Internal to zone/ (the zone signer).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "zone/internal/sign_plan.hpp"
#include "zone/internal/thread_signer.hpp"
#include "zone/name.hpp"
#include "zone/record.hpp"
#include "zone/rr_types.hpp"
#include "zone/rrsig.hpp"
#include "zone/sign_keys.hpp"

namespace kskline::zone::signing {

// One line of output at the current owner. Its text is made when the line
// is (it decides whether an RRset changed since the previous zone), or is a
// line of the previous zone; RRSIG lines carry their first 18 RDATA octets,
// which order them canonically.
struct Line {
  std::uint16_t type = 0;
  std::uint32_t ttl = 0;
  std::uint32_t text_at = 0;          // in the worker's text scratch, or
  std::uint32_t text_size = 0;
  const char* verbatim = nullptr;     // a line of the previous zone (kept RRSIG)
  const Record* record = nullptr;     // an input record, or
  std::uint32_t rdata_at = 0;         // RDATA made here, in the worker's arena
  std::uint32_t rdata_size = 0;
  std::array<std::uint8_t, 18> fixed{};  // RRSIG: type covered .. key tag
};

// An owner's lines with their RDATA owned, kept for the apex when its
// ZONEMD RRset is signed at the end.
struct OwnedLine {
  std::uint16_t type;
  std::uint32_t ttl;
  Bytes rdata;
  std::array<std::uint8_t, 18> fixed{};
};

// What a worker makes of one chunk of owners.
struct ChunkResult {
  std::string text;
  Bytes digest_input;                // with zonemd: what the digest takes of it
  std::vector<OwnedLine> apex_lines; // with zonemd: the apex's lines
  std::size_t names = 0, lines = 0, signatures = 0, reused = 0, denial = 0;
};

// The fixed fields of RRSIG RDATA (zeros when it is shorter).
std::array<std::uint8_t, 18> rrsig_fixed(ByteView rdata);

// Canonical order of lines at one owner: by type, RRSIGs by their RDATA,
// whose fixed fields decide unless two RRSIGs share them all (then the text).
template <class TextA, class TextB>
bool line_before(std::uint16_t ta, const std::array<std::uint8_t, 18>& fa, std::uint16_t tb,
                 const std::array<std::uint8_t, 18>& fb, const TextA& text_a, const TextB& text_b) {
  if (ta != tb) return ta < tb;
  if (ta != rrtype::RRSIG) return false;
  if (fa != fb) return fa < fb;
  return text_a() < text_b();
}

// Signs and formats owners of a plan, reusing its buffers from one owner to
// the next. One per thread; the plan must outlive it.
class Worker {
 public:
  Worker(const Plan& plan, ThreadSigner signer);

  // Signs and formats the owners items[begin, end).
  Result<void> run(std::size_t begin, std::size_t end, ChunkResult& out);

 private:
  // The text of a line: in the text scratch, or a previous zone's line.
  std::string_view text_of(const Line& l) const;
  // The RDATA of a line: an input record's, or made in the arena.
  ByteView rdata_of(const Line& l) const;

  // Adds a line whose text is printed now; returns its text.
  std::string_view add_line(std::uint16_t type, std::uint32_t ttl, ByteView rdata, const Record* record,
                            std::size_t rdata_at);

  // Signs one RRset with `keys`, keeping previous RRSIGs when allowed.
  Result<void> sign(const Name& owner, std::span<const Record> rrset, const std::vector<std::size_t>& keys,
                    bool unchanged, ChunkResult& out);

  // Adds a record the signer makes (NSEC, NSEC3) and signs it.
  Result<void> add_generated(const Name& owner, std::uint16_t type, ByteView rdata, ChunkResult& out);

  // Makes all lines of one owner: its RRsets and their RRSIGs, its NSEC or
  // NSEC3 record, and emits them.
  Result<void> owner(const Item& item, ChunkResult& out);

  // Orders the owner's lines canonically and appends their text.
  Result<void> emit(const Name& owner, bool apex, ChunkResult& out);

  const Plan& plan_;
  ThreadSigner signer_;
  Rrsig sig_;
  Bytes data_;              // the signed data of one RRSIG
  Bytes arena_;             // RDATA made for the current owner
  Bytes rdata_;
  std::string text_;        // the current owner's lines
  Record generated_;        // an NSEC or NSEC3 record as a one-record RRset
  std::vector<Line> lines_;
  std::string owner_text_;
  std::size_t prev_owner_ = PreviousZone::npos;
  std::size_t prev_hint_ = 0;
};

// A ThreadSigner holding the keys of `keys` in their order.
Result<ThreadSigner> make_thread_signer(const SigningKeys& keys);

}  // namespace kskline::zone::signing
