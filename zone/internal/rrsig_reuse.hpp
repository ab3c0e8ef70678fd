// Reusing the RRSIGs of a previous signed zone (--reuse): an RRSIG is kept
// when the RRset it covers is unchanged, its key still signs, and it stays
// valid beyond the refresh margin. It is not verified again.
//
// The previous zone is held as the text the signer writes (one record a line,
// "owner<TAB>ttl<TAB>IN<TAB>TYPE<TAB>rdata", canonical order), so that an
// unchanged RRset is recognised by its lines and a kept RRSIG is copied as its
// line, without decoding either. A previous zone in another form (another
// signer's, hand-edited) is read and written in that form first. The lines are
// made from the wire form by one printer, so equal lines mean equal owner
// (case included), TTL and RDATA.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "zone/name.hpp"
#include "zone/sign_keys.hpp"

namespace kskline::zone {

// The lines of a previous signed zone indexed by owner.
class PreviousZone {
 public:
  // An owner name that has no previous records.
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  // Indexes the master-file text of a previous signed zone of `origin`.
  // Text in the signer's own form is used as it is; other text is read
  // (errors name `source`: file:line) on up to `threads` threads, put in
  // canonical order and printed in that form. RRSIGs by key `i` of `keys`
  // are reusable only when the previous apex DNSKEY RRset holds exactly that
  // key's DNSKEY and no other DNSKEY of its algorithm and tag.
  static Result<PreviousZone> build(std::string text, const std::string& source, const Name& origin,
                                    const SigningKeys& keys, unsigned threads = 1);

  // The number of records (lines) held.
  std::size_t record_count() const { return lines_.size(); }
  // Whether the text was in the signer's own form already.
  bool own_form() const { return own_form_; }
  // Whether key `i` (an index into the SigningKeys given to build) may have
  // its previous RRSIGs reused.
  bool key_reusable(std::size_t i) const { return i < reusable_.size() && reusable_[i]; }

  // The index of `owner` among the previous owners, or npos. `hint` is where
  // the search starts (the index after the last owner found, when owners are
  // looked up in canonical order) and is updated.
  std::size_t find_owner(const Name& owner, std::size_t& hint) const;

  // Whether the lines of `type` at the owner with index `o`, each with its
  // newline, are exactly `lines` (as append_record_line writes them).
  bool same_lines(std::size_t o, std::uint16_t type, std::string_view lines) const;

  // What a reused RRSIG must match.
  struct Wanted {
    std::uint16_t type = 0;          // type covered
    std::uint8_t algorithm = 0;
    std::uint16_t key_tag = 0;
    std::uint8_t labels = 0;
    std::uint32_t original_ttl = 0;  // also the RRSIG's own TTL
    std::uint32_t now = 0;           // the inception must not be after it
    std::uint32_t keep_after = 0;    // the expiration must be after it (now + refresh)
  };
  // A kept RRSIG: its line (with the newline) and the first 18 octets of its
  // RDATA (type covered to key tag), which order RRSIGs canonically.
  struct Kept {
    std::string_view line;
    std::array<std::uint8_t, 18> fixed{};
  };
  // The RRSIG at owner `o` that matches `wanted` with signer `origin`; an
  // empty line when there is none.
  Kept reusable_rrsig(std::size_t o, const Wanted& wanted) const;

 private:
  struct Line {
    std::uint32_t begin;    // offset of the line in text_
    std::uint32_t length;   // with the newline
    std::uint16_t type;
    std::uint16_t covered;  // RRSIG: the type covered
  };
  struct Owner {
    std::uint32_t begin;  // lines [begin, end)
    std::uint32_t end;
  };
  static bool index(PreviousZone& z);
  std::string_view line(const Line& l) const { return {text_.data() + l.begin, l.length}; }

  Name origin_;
  std::string origin_text_;
  bool own_form_ = false;
  std::string text_;
  std::vector<Line> lines_;
  std::vector<Owner> owners_;
  std::vector<Name> owner_names_;
  std::vector<bool> reusable_;
};

}  // namespace kskline::zone
