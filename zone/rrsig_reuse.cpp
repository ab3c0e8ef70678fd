#include "zone/internal/rrsig_reuse.hpp"

#include <algorithm>
#include <charconv>

#include "base/text.hpp"
#include "zone/canonical.hpp"
#include "zone/dnssec_time.hpp"
#include "zone/errc.hpp"
#include "zone/key_tag.hpp"
#include "zone/parallel_read.hpp"
#include "zone/rdata.hpp"
#include "zone/rr_types.hpp"
#include "zone/signed_output.hpp"

namespace kskline::zone {
namespace {

// Splits `text` at the first `sep`: returns what is before and moves `text`
// past the separator; nullopt-like empty result with ok = false when absent.
bool cut(std::string_view& text, char sep, std::string_view& head) {
  auto at = text.find(sep);
  if (at == std::string_view::npos) return false;
  head = text.substr(0, at);
  text.remove_prefix(at + 1);
  return true;
}

// Whether offsets into the text fit the index's 32-bit fields.
bool text_fits(const std::string& text) { return text.size() < 0xffffffffu; }

template <class T>
bool number(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

void put16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

void put32(std::uint8_t* p, std::uint32_t v) {
  put16(p, static_cast<std::uint16_t>(v >> 16));
  put16(p + 2, static_cast<std::uint16_t>(v));
}

}  // namespace

bool PreviousZone::index(PreviousZone& z) {
  const Name root;
  std::string_view rest = z.text_;
  std::size_t at = 0;
  std::string_view current_owner;
  while (!rest.empty()) {
    std::string_view line, owner, ttl, rclass, type;
    if (!cut(rest, '\n', line)) return false;  // the last line lacks its newline
    const auto begin = static_cast<std::uint32_t>(at);
    const auto length = static_cast<std::uint32_t>(line.size() + 1);
    at += length;
    std::uint32_t ttl_value = 0;
    if (!cut(line, '\t', owner) || !cut(line, '\t', ttl) || !cut(line, '\t', rclass) || !cut(line, '\t', type) ||
        owner.empty() || !number(ttl, ttl_value) || rclass != "IN") {
      return false;
    }
    auto code = parse_type(type);
    if (!code) return false;
    std::uint16_t covered = 0;
    if (*code == rrtype::RRSIG) {
      std::string_view covered_text;
      auto c = cut(line, ' ', covered_text) ? parse_type(covered_text) : std::nullopt;
      if (!c) return false;
      covered = *c;
    }
    if (z.owners_.empty() || owner != current_owner) {
      auto name = Name::parse(owner, &root);
      if (!name || (!z.owner_names_.empty() && !(z.owner_names_.back() < *name))) return false;
      z.owner_names_.push_back(std::move(*name));
      z.owners_.push_back({static_cast<std::uint32_t>(z.lines_.size()), static_cast<std::uint32_t>(z.lines_.size())});
      current_owner = owner;
    } else if (z.lines_.back().type > *code) {
      return false;  // types out of order at one owner
    }
    z.lines_.push_back({begin, length, *code, covered});
    z.owners_.back().end = static_cast<std::uint32_t>(z.lines_.size());
  }
  return true;
}

Result<PreviousZone> PreviousZone::build(std::string text, const std::string& source, const Name& origin,
                                         const SigningKeys& keys, unsigned threads) {
  PreviousZone z;
  z.origin_ = origin;
  z.origin_text_ = origin.to_string();
  z.text_ = std::move(text);
  z.own_form_ = text_fits(z.text_) && index(z);
  if (!z.own_form_) {
    MasterOptions options;
    options.origin = origin;
    auto list = read_master_text_parallel(z.text_, source, options, threads);
    if (!list) return tl::unexpected(list.error());
    z.text_.clear();
    z.text_.shrink_to_fit();
    sort_canonical(list->records);
    remove_duplicates(list->records);
    std::string out;
    std::string owner_text;
    const Name* last = nullptr;
    for (const Record& r : list->records) {
      // One text per owner, as the signer writes it, whatever case each record had.
      if (last == nullptr || !(r.owner == *last)) {
        owner_text = r.owner.to_string();
        last = &r.owner;
      }
      append_record_line(owner_text, r.ttl, r.type, r.rdata, out);
    }
    list->records.clear();
    z.text_ = std::move(out);
    z.lines_.clear();
    z.owners_.clear();
    z.owner_names_.clear();
    if (!text_fits(z.text_) || !index(z)) {
      return fail(errc::zone_invalid, "the previous zone cannot be indexed after it was read", source);
    }
  }

  // Which keys' RRSIGs may be kept: the previous DNSKEY RRset must hold the
  // key itself and no other key that shares its algorithm and tag.
  std::size_t hint = 0;
  const std::size_t apex = z.find_owner(origin, hint);
  std::vector<Bytes> dnskeys;
  if (apex != npos) {
    for (std::uint32_t i = z.owners_[apex].begin; i < z.owners_[apex].end; ++i) {
      if (z.lines_[i].type != rrtype::DNSKEY) continue;
      std::string_view l = z.line(z.lines_[i]);
      l.remove_suffix(1);
      std::string_view skip;
      for (int field = 0; field < 4; ++field) cut(l, '\t', skip);
      if (auto rdata = parse_rdata_text(rrtype::DNSKEY, l, origin)) dnskeys.push_back(std::move(*rdata));
    }
  }
  for (const KeyPair& key : keys.keys()) {
    bool exact = false, other = false;
    for (const Bytes& d : dnskeys) {
      if (d == key.dnskey_rdata) {
        exact = true;
      } else if (d.size() >= 4 && d[3] == key.algorithm() && key_tag(d) == key.key_tag) {
        other = true;
      }
    }
    z.reusable_.push_back(exact && !other);
  }
  return z;
}

std::size_t PreviousZone::find_owner(const Name& owner, std::size_t& hint) const {
  if (hint < owner_names_.size()) {
    auto order = owner_names_[hint] <=> owner;
    if (order == 0) return hint++;
    if (order > 0 && (hint == 0 || owner_names_[hint - 1] < owner)) return npos;
  }
  auto it = std::lower_bound(owner_names_.begin(), owner_names_.end(), owner);
  hint = static_cast<std::size_t>(it - owner_names_.begin());
  if (it == owner_names_.end() || !(*it == owner)) return npos;
  return hint++;
}

bool PreviousZone::same_lines(std::size_t o, std::uint16_t type, std::string_view lines) const {
  const Owner& w = owners_[o];
  std::uint32_t b = w.begin;
  while (b < w.end && lines_[b].type != type) ++b;
  std::uint32_t e = b;
  while (e < w.end && lines_[e].type == type) ++e;
  if (b == e) return false;
  const std::size_t start = lines_[b].begin;
  const std::size_t stop = lines_[e - 1].begin + lines_[e - 1].length;
  return std::string_view(text_).substr(start, stop - start) == lines;
}

PreviousZone::Kept PreviousZone::reusable_rrsig(std::size_t o, const Wanted& w) const {
  const Owner& owner = owners_[o];
  for (std::uint32_t i = owner.begin; i < owner.end; ++i) {
    const Line& l = lines_[i];
    if (l.type != rrtype::RRSIG || l.covered != w.type) continue;
    std::string_view rest = line(l);
    rest.remove_suffix(1);
    std::string_view owner_text, ttl, rclass, type, covered, alg, labels, ottl, exp, inc, tag, signer;
    std::uint32_t ttl_v = 0, ottl_v = 0;
    unsigned alg_v = 0, labels_v = 0, tag_v = 0;
    if (!cut(rest, '\t', owner_text) || !cut(rest, '\t', ttl) || !cut(rest, '\t', rclass) || !cut(rest, '\t', type) ||
        !cut(rest, ' ', covered) || !cut(rest, ' ', alg) || !cut(rest, ' ', labels) || !cut(rest, ' ', ottl) ||
        !cut(rest, ' ', exp) || !cut(rest, ' ', inc) || !cut(rest, ' ', tag) || !cut(rest, ' ', signer) ||
        rest.empty() || !number(ttl, ttl_v) || !number(alg, alg_v) || !number(labels, labels_v) ||
        !number(ottl, ottl_v) || !number(tag, tag_v)) {
      continue;
    }
    if (alg_v != w.algorithm || labels_v != w.labels || ottl_v != w.original_ttl || ttl_v != w.original_ttl ||
        tag_v != w.key_tag || !base::iequals(signer, origin_text_)) {
      continue;
    }
    auto expiration = parse_dnssec_time(exp);
    auto inception = parse_dnssec_time(inc);
    if (!expiration || !inception || serial_lt(w.now, *inception) || !serial_lt(w.keep_after, *expiration)) continue;
    Kept k;
    k.line = line(l);
    put16(k.fixed.data(), w.type);
    k.fixed[2] = w.algorithm;
    k.fixed[3] = w.labels;
    put32(k.fixed.data() + 4, w.original_ttl);
    put32(k.fixed.data() + 8, *expiration);
    put32(k.fixed.data() + 12, *inception);
    put16(k.fixed.data() + 16, w.key_tag);
    return k;
  }
  return {};
}

}  // namespace kskline::zone
