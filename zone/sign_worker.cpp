#include "zone/internal/sign_worker.hpp"

#include <algorithm>
#include <utility>

#include "zone/internal/zonemd_stream.hpp"
#include "zone/nsec3_hash.hpp"
#include "zone/rdata.hpp"
#include "zone/sign_times.hpp"
#include "zone/signed_output.hpp"
#include "zone/zone_tree.hpp"

namespace kskline::zone::signing {

std::array<std::uint8_t, 18> rrsig_fixed(ByteView rdata) {
  std::array<std::uint8_t, 18> f{};
  std::copy_n(rdata.begin(), std::min<std::size_t>(rdata.size(), f.size()), f.begin());
  return f;
}

Worker::Worker(const Plan& plan, ThreadSigner signer) : plan_(plan), signer_(std::move(signer)) {
  sig_.signer = plan.options->origin;
}

Result<void> Worker::run(std::size_t begin, std::size_t end, ChunkResult& out) {
  for (std::size_t i = begin; i < end; ++i) {
    if (auto r = owner(plan_.items[i], out); !r) return r;
  }
  return {};
}

std::string_view Worker::text_of(const Line& l) const {
  if (l.verbatim != nullptr) return {l.verbatim, l.text_size};
  return std::string_view(text_).substr(l.text_at, l.text_size);
}

ByteView Worker::rdata_of(const Line& l) const {
  if (l.record != nullptr) return l.record->rdata;
  return {arena_.data() + l.rdata_at, l.rdata_size};
}

std::string_view Worker::add_line(std::uint16_t type, std::uint32_t ttl, ByteView rdata, const Record* record,
                          std::size_t rdata_at) {
  Line l;
  l.type = type;
  l.ttl = ttl;
  l.text_at = static_cast<std::uint32_t>(text_.size());
  append_record_line(owner_text_, ttl, type, rdata, text_);
  l.text_size = static_cast<std::uint32_t>(text_.size() - l.text_at);
  l.record = record;
  l.rdata_at = static_cast<std::uint32_t>(rdata_at);
  l.rdata_size = static_cast<std::uint32_t>(rdata.size());
  if (type == rrtype::RRSIG) l.fixed = rrsig_fixed(rdata);
  lines_.push_back(l);
  return std::string_view(text_).substr(l.text_at, l.text_size);
}

Result<void> Worker::sign(const Name& owner, std::span<const Record> rrset, const std::vector<std::size_t>& keys,
                  bool unchanged, ChunkResult& out) {
  const Record& first = rrset.front();
  const auto labels = rrsig_label_count(owner);
  for (std::size_t k : keys) {
    const KeyPair& key = plan_.keys->keys()[k];
    if (unchanged && plan_.previous->key_reusable(k)) {
      PreviousZone::Wanted w{first.type, key.algorithm(), key.key_tag, labels, first.ttl, plan_.now32,
                             plan_.keep_after};
      auto kept = plan_.previous->reusable_rrsig(prev_owner_, w);
      if (!kept.line.empty()) {
        Line l;
        l.type = rrtype::RRSIG;
        l.ttl = first.ttl;
        l.verbatim = kept.line.data();
        l.text_size = static_cast<std::uint32_t>(kept.line.size());
        l.fixed = kept.fixed;
        lines_.push_back(l);
        ++out.reused;
        continue;
      }
    }
    auto window = rrsig_window(plan_.options->timing, owner, first.type, key.key_tag);
    sig_.type_covered = first.type;
    sig_.algorithm = key.algorithm();
    sig_.labels = labels;
    sig_.original_ttl = first.ttl;
    sig_.expiration = window.expiration;
    sig_.inception = window.inception;
    sig_.key_tag = key.key_tag;
    data_.clear();
    if (auto d = append_signed_data(sig_, rrset, data_); !d) {
      return fail(d.error().code, d.error().detail, owner.to_string() + " " + type_to_string(first.type));
    }
    std::size_t at = arena_.size();
    append_rrsig_rdata(sig_, arena_);  // the signature is still empty
    if (auto s = signer_.sign(k, data_, arena_); !s) {
      return fail(s.error().code, s.error().detail, owner.to_string() + " " + type_to_string(first.type));
    }
    add_line(rrtype::RRSIG, first.ttl, ByteView(arena_).subspan(at), nullptr, at);
    ++out.signatures;
  }
  return {};
}

Result<void> Worker::add_generated(const Name& owner, std::uint16_t type, ByteView rdata, ChunkResult& out) {
  const std::uint32_t ttl = plan_.denial_ttl;
  std::size_t at = arena_.size();
  arena_.insert(arena_.end(), rdata.begin(), rdata.end());
  std::string_view text = add_line(type, ttl, ByteView(arena_).subspan(at), nullptr, at);
  ++out.denial;
  generated_.owner = owner;
  generated_.type = type;
  generated_.ttl = ttl;
  generated_.rdata.assign(rdata.begin(), rdata.end());
  bool unchanged = prev_owner_ != PreviousZone::npos && plan_.previous->same_lines(prev_owner_, type, text);
  return sign(owner, std::span<const Record>(&generated_, 1), plan_.keys->data_signers(), unchanged, out);
}

Result<void> Worker::owner(const Item& item, ChunkResult& out) {
  const ZoneTree& tree = *plan_.tree;
  const Name& owner = item.name != kNone ? tree.name(item.name) : plan_.nsec3[item.nsec3].owner;
  lines_.clear();
  arena_.clear();
  text_.clear();
  owner_text_ = owner.to_string();
  prev_owner_ = plan_.previous != nullptr ? plan_.previous->find_owner(owner, prev_hint_) : PreviousZone::npos;
  const bool apex = item.name != kNone && item.name == tree.apex();

  if (item.name != kNone) {
    for (const TreeRRset& set : tree.rrsets(item.name)) {
      auto rrset = tree.records_of(set);
      const std::size_t text_start = text_.size();
      for (const Record& r : rrset) add_line(r.type, r.ttl, r.rdata, &r, 0);
      if (!is_signed(set.role)) continue;
      if (apex && plan_.keyset && is_key_set_type(set.type)) continue;  // pre-signed
      // The ZONEMD placeholder is signed like the rest: its RRSIG has the
      // length of the final one, which replaces it at the end.
      bool unchanged = prev_owner_ != PreviousZone::npos &&
                       plan_.previous->same_lines(prev_owner_, set.type, std::string_view(text_).substr(text_start));
      if (auto r = sign(owner, rrset, plan_.keys->keys_for(set.type, apex), unchanged, out); !r) return r;
    }
    if (plan_.options->nsec3) {
      // NSEC3 records live at their hashed owners.
    } else if (std::uint32_t next = plan_.nsec_next[item.name]; next != kNone) {
      rdata_.clear();
      tree.name(next).append_wire(rdata_);
      Bytes bitmap = tree.denial_bitmap(item.name, Denial::nsec);
      rdata_.insert(rdata_.end(), bitmap.begin(), bitmap.end());
      if (auto r = add_generated(owner, rrtype::NSEC, rdata_, out); !r) return r;
    }
  }
  if (item.nsec3 != kNone) {
    const auto& chain = plan_.nsec3;
    const Nsec3Entry& e = chain[item.nsec3];
    const Nsec3Entry& next = chain[(item.nsec3 + 1) % chain.size()];
    Bytes rdata = make_nsec3_rdata(plan_.nsec3_params, next.hash, tree.denial_bitmap(e.name, Denial::nsec3));
    if (auto r = add_generated(owner, rrtype::NSEC3, rdata, out); !r) return r;
  }
  return emit(owner, apex, out);
}

Result<void> Worker::emit(const Name& owner, bool apex, ChunkResult& out) {
  std::stable_sort(lines_.begin(), lines_.end(), [&](const Line& a, const Line& b) {
    return line_before(a.type, a.fixed, b.type, b.fixed, [&] { return text_of(a); }, [&] { return text_of(b); });
  });
  for (const Line& l : lines_) out.text += text_of(l);
  out.names += 1;
  out.lines += lines_.size();
  if (plan_.zonemd) {
    for (const Line& l : lines_) {
      Bytes parsed;
      ByteView rdata;
      if (l.verbatim != nullptr) {
        // A kept RRSIG: its RDATA is the text after the fourth tab.
        std::string_view t = text_of(l);
        t.remove_suffix(1);
        for (int field = 0; field < 4; ++field) t.remove_prefix(t.find('\t') + 1);
        auto r = parse_rdata_text(rrtype::RRSIG, t, plan_.options->origin);
        if (!r) return fail(r.error().code, r.error().detail, owner.to_string() + " RRSIG");
        parsed = std::move(*r);
        rdata = parsed;
      } else {
        rdata = rdata_of(l);
      }
      append_zonemd_input(owner, apex, l.type, l.ttl, rdata, out.digest_input);
      if (apex) out.apex_lines.push_back({l.type, l.ttl, Bytes(rdata.begin(), rdata.end()), l.fixed});
    }
  }
  return {};
}

Result<ThreadSigner> make_thread_signer(const SigningKeys& keys) {
  std::vector<const PrivateKey*> ptrs;
  for (const auto& k : keys.keys()) ptrs.push_back(&k.key);
  return ThreadSigner::create(ptrs);
}

}  // namespace kskline::zone::signing
