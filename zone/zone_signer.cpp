#include "zone/zone_signer.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>

#include "base/digest.hpp"
#include "zone/algorithm.hpp"
#include "zone/canonical.hpp"
#include "zone/errc.hpp"
#include "zone/keyset.hpp"
#include "zone/nsec3_hash.hpp"
#include "zone/rdata.hpp"
#include "zone/rr_types.hpp"
#include "zone/rrsig.hpp"
#include "zone/internal/rrsig_reuse.hpp"
#include "zone/sign_keys.hpp"
#include "zone/signed_output.hpp"
#include "zone/internal/thread_signer.hpp"
#include "zone/zone_check.hpp"
#include "zone/zone_tree.hpp"
#include "zone/zonemd.hpp"
#include "zone/internal/zonemd_stream.hpp"

namespace kskline::zone {
namespace {

constexpr std::uint32_t kNone = 0xffffffffu;
// Owners per unit of work: small enough to spread the work and start writing
// early, large enough that handing chunks over costs nothing.
constexpr std::size_t kChunkItems = 256;
// Chunks signed ahead of the writer per worker, bounding memory.
constexpr std::size_t kWindowPerWorker = 8;

// ------------------------------------------------------------------ preparing

// What the input holds that the signer drops and makes anew.
bool regenerated_type(std::uint16_t type) {
  return type == rrtype::RRSIG || type == rrtype::NSEC || type == rrtype::NSEC3 || type == rrtype::NSEC3PARAM;
}

Error problem(errc code, std::string detail, std::string where = {}) {
  return Error{code, std::move(where), std::move(detail)};
}

// Sets every RRset's TTL to its lowest; `records` sorted canonically.
std::size_t normalize_ttls(std::vector<Record>& records) {
  std::size_t changed = 0;
  for (const auto& set : group_rrsets(records)) {
    std::uint32_t low = records[set.begin].ttl;
    for (std::size_t i = set.begin; i < set.end; ++i) low = std::min(low, records[i].ttl);
    for (std::size_t i = set.begin; i < set.end; ++i) {
      if (records[i].ttl != low) {
        records[i].ttl = low;
        ++changed;
      }
    }
  }
  return changed;
}

// Inserts apex records into a canonically sorted zone whose first records
// are the apex's (everything is at or below the origin).
void merge_apex(std::vector<Record>& records, std::vector<Record> extra, const Name& origin) {
  if (extra.empty()) return;
  std::size_t apex_end = 0;
  while (apex_end < records.size() && records[apex_end].owner == origin) ++apex_end;
  std::vector<Record> apex(std::make_move_iterator(records.begin()),
                           std::make_move_iterator(records.begin() + static_cast<std::ptrdiff_t>(apex_end)));
  for (auto& r : extra) apex.push_back(std::move(r));
  sort_canonical(apex);
  remove_duplicates(apex);
  records.erase(records.begin(), records.begin() + static_cast<std::ptrdiff_t>(apex_end));
  records.insert(records.begin(), std::make_move_iterator(apex.begin()), std::make_move_iterator(apex.end()));
}

// The TTL of the apex RRset of `type`, if any.
std::optional<std::uint32_t> apex_ttl(const std::vector<Record>& records, const Name& origin, std::uint16_t type) {
  for (const Record& r : records) {
    if (!(r.owner == origin)) break;
    if (r.type == type) return r.ttl;
  }
  return std::nullopt;
}

const Record* apex_record(const std::vector<Record>& records, const Name& origin, std::uint16_t type) {
  for (const Record& r : records) {
    if (!(r.owner == origin)) break;
    if (r.type == type) return &r;
  }
  return nullptr;
}

// ------------------------------------------------------------------ the plan

// One owner of the output: a name of the tree, the owner of an NSEC3 record,
// or both (when a name of the zone equals a hashed owner).
struct Item {
  std::uint32_t name = kNone;
  std::uint32_t nsec3 = kNone;
};

// One NSEC3 record: the hash of a name of the tree and its owner.
struct Nsec3Entry {
  Nsec3Hash hash;
  std::uint32_t name = 0;
  Name owner;
};

// Everything the workers read; immutable while they run.
struct Plan {
  const SignOptions* options = nullptr;
  const SigningKeys* keys = nullptr;
  const ZoneTree* tree = nullptr;
  const PreviousZone* previous = nullptr;
  std::vector<Item> items;
  std::vector<std::uint32_t> nsec_next;  // NSEC: the next name in the chain, per tree name
  std::vector<Nsec3Entry> nsec3;         // NSEC3: sorted by hash
  Nsec3Params nsec3_params;
  std::uint32_t denial_ttl = 0;
  bool keyset = false;        // the key RRsets come pre-signed
  bool zonemd = false;        // a ZONEMD is digested as the zone is written
  std::uint32_t now32 = 0;
  std::uint32_t keep_after = 0;
};

// Builds the NSEC3 chain: hashes in parallel, sorts, refuses collisions.
Result<void> plan_nsec3(Plan& plan, unsigned threads) {
  const ZoneTree& tree = *plan.tree;
  const auto& s = *plan.options->nsec3;
  std::vector<std::uint32_t> chain;
  for (std::size_t i = 0; i < tree.name_count(); ++i) {
    if (tree.in_nsec3_chain(i, s.opt_out)) chain.push_back(static_cast<std::uint32_t>(i));
  }
  plan.nsec3.resize(chain.size());
  std::vector<Error> errors(threads);
  std::vector<std::thread> pool;
  std::atomic<bool> failed{false};
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      Nsec3Hasher hasher(s.salt, s.iterations);
      for (std::size_t k = t; k < chain.size() && !failed; k += threads) {
        auto& e = plan.nsec3[k];
        e.name = chain[k];
        e.hash = hasher.hash(tree.name(chain[k]));
        auto owner = Name::parse(nsec3_hash_label(e.hash), &tree.origin());
        if (!owner) {
          errors[t] = owner.error();
          failed = true;
          return;
        }
        e.owner = std::move(*owner);
      }
    });
  }
  for (auto& th : pool) th.join();
  for (auto& e : errors) {
    if (e.code) return tl::unexpected(e);
  }
  std::sort(plan.nsec3.begin(), plan.nsec3.end(),
            [](const Nsec3Entry& a, const Nsec3Entry& b) { return a.hash < b.hash; });
  for (std::size_t k = 1; k < plan.nsec3.size(); ++k) {
    if (plan.nsec3[k].hash == plan.nsec3[k - 1].hash) {
      return fail(errc::zone_invalid, "NSEC3 hash collision between " + tree.name(plan.nsec3[k - 1].name).to_string() +
                                          " and " + tree.name(plan.nsec3[k].name).to_string() +
                                          "; choose another salt");
    }
  }
  return {};
}

// Lists the output's owners in canonical order: the tree's names that hold
// records, merged with the NSEC3 owners.
void plan_items(Plan& plan) {
  const ZoneTree& tree = *plan.tree;
  std::size_t k = 0;
  for (std::size_t i = 0; i < tree.name_count(); ++i) {
    if (tree.rrsets(i).empty()) continue;
    const Name& name = tree.name(i);
    while (k < plan.nsec3.size() && plan.nsec3[k].owner < name) {
      plan.items.push_back({kNone, static_cast<std::uint32_t>(k)});
      ++k;
    }
    Item item{static_cast<std::uint32_t>(i), kNone};
    if (k < plan.nsec3.size() && plan.nsec3[k].owner == name) item.nsec3 = static_cast<std::uint32_t>(k++);
    plan.items.push_back(item);
  }
  for (; k < plan.nsec3.size(); ++k) plan.items.push_back({kNone, static_cast<std::uint32_t>(k)});
}

void plan_nsec(Plan& plan) {
  const ZoneTree& tree = *plan.tree;
  plan.nsec_next.assign(tree.name_count(), kNone);
  std::uint32_t first = kNone, last = kNone;
  for (std::size_t i = 0; i < tree.name_count(); ++i) {
    if (!tree.in_nsec_chain(i)) continue;
    if (last == kNone) {
      first = static_cast<std::uint32_t>(i);
    } else {
      plan.nsec_next[last] = static_cast<std::uint32_t>(i);
    }
    last = static_cast<std::uint32_t>(i);
  }
  if (last != kNone) plan.nsec_next[last] = first;
}

// ------------------------------------------------------------------ workers

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
std::array<std::uint8_t, 18> rrsig_fixed(ByteView rdata) {
  std::array<std::uint8_t, 18> f{};
  std::copy_n(rdata.begin(), std::min<std::size_t>(rdata.size(), f.size()), f.begin());
  return f;
}

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

class Worker {
 public:
  Worker(const Plan& plan, ThreadSigner signer) : plan_(plan), signer_(std::move(signer)) {
    sig_.signer = plan.options->origin;
  }

  // Signs and formats the owners items[begin, end).
  Result<void> run(std::size_t begin, std::size_t end, ChunkResult& out) {
    for (std::size_t i = begin; i < end; ++i) {
      if (auto r = owner(plan_.items[i], out); !r) return r;
    }
    return {};
  }

 private:
  std::string_view text_of(const Line& l) const {
    if (l.verbatim != nullptr) return {l.verbatim, l.text_size};
    return std::string_view(text_).substr(l.text_at, l.text_size);
  }

  ByteView rdata_of(const Line& l) const {
    if (l.record != nullptr) return l.record->rdata;
    return {arena_.data() + l.rdata_at, l.rdata_size};
  }

  // Adds a line whose text is printed now; returns its text.
  std::string_view add_line(std::uint16_t type, std::uint32_t ttl, ByteView rdata, const Record* record,
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

  // Signs one RRset with `keys`, keeping previous RRSIGs when allowed.
  Result<void> sign(const Name& owner, std::span<const Record> rrset, const std::vector<std::size_t>& keys,
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

  // Adds a record the signer makes (NSEC, NSEC3) and signs it.
  Result<void> add_generated(const Name& owner, std::uint16_t type, ByteView rdata, ChunkResult& out) {
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

  Result<void> owner(const Item& item, ChunkResult& out) {
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

  // Orders the owner's lines canonically and appends their text.
  Result<void> emit(const Name& owner, bool apex, ChunkResult& out) {
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

Result<ThreadSigner> make_thread_signer(const SigningKeys& keys) {
  std::vector<const PrivateKey*> ptrs;
  for (const auto& k : keys.keys()) ptrs.push_back(&k.key);
  return ThreadSigner::create(ptrs);
}

// ------------------------------------------------------------------ pipeline

// Receives each chunk's result in order, on the thread that runs the pool.
using ChunkSink = std::function<Result<void>(std::size_t, ChunkResult&)>;

// The worker threads. They start as soon as the keys are known: each makes
// its ThreadSigner and, while the calling thread reads and checks the zone,
// all but one compute ECDSA nonces ahead (the calling thread keeps a core).
// run() then hands them the plan: they sign chunks of owners, and the
// calling thread writes each chunk as soon as it and all before it are done.
class WorkerPool {
 public:
  // `precompute`: whether nonces are worth computing ahead (not when most
  // RRSIGs will be reused).
  WorkerPool(const SigningKeys& keys, unsigned threads, bool precompute) : keys_(keys), threads_(threads) {
    for (std::size_t k : precompute ? keys.data_signers() : std::vector<std::size_t>{}) {
      auto a = keys.keys()[k].algorithm();
      if (a == 13 || a == 14) ecdsa_keys_.push_back(k);
    }
    for (unsigned t = 0; t < threads; ++t) pool_.emplace_back([this, t] { main(t); });
  }

  ~WorkerPool() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
      if (!error_) error_ = Error{errc::zone_invalid, {}, "stopped"};
    }
    go_ = true;
    cv_.notify_all();
  }

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // The nonces computed ahead.
  std::size_t precomputed() const { return precomputed_; }

  // Signs the plan's owners and gives each chunk to `sink` in order.
  Result<void> run(const Plan& plan, const ChunkSink& sink) {
    // Chunk 0 is the apex alone (it is the first owner), so that it can be
    // finished apart when a ZONEMD is signed at the end.
    bounds_ = {0};
    if (!plan.items.empty()) bounds_.push_back(1);
    for (std::size_t b = 1; b < plan.items.size();) {
      b = std::min(plan.items.size(), b + kChunkItems);
      bounds_.push_back(b);
    }
    const std::size_t chunks = bounds_.size() - 1;
    window_ = kWindowPerWorker * threads_;
    results_.assign(chunks, ChunkResult{});
    ready_.assign(chunks, 0);
    {
      std::lock_guard lock(mutex_);
      plan_ = &plan;
    }
    go_ = true;
    cv_.notify_all();

    for (std::size_t c = 0; c < chunks; ++c) {
      ChunkResult result;
      {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return error_ || ready_[c]; });
        if (error_) break;
        result = std::move(results_[c]);
      }
      auto r = sink(c, result);
      std::lock_guard lock(mutex_);
      if (!r && !error_) error_ = r.error();
      if (error_) break;
      ++written_;
      cv_.notify_all();
    }
    std::lock_guard lock(mutex_);
    if (error_) {
      cv_.notify_all();
      return tl::unexpected(*error_);
    }
    return {};
  }

 private:
  void stop_with(Error e) {
    std::lock_guard lock(mutex_);
    if (!error_) error_ = std::move(e);
    cv_.notify_all();
  }

  void main(unsigned t) {
    auto signer = make_thread_signer(keys_);
    if (!signer) return stop_with(signer.error());
    // Nonces ahead, in small batches so that the plan is taken up at once.
    if (t + 1 < threads_ && !ecdsa_keys_.empty()) {
      std::size_t made = 0;
      while (!go_ && made < kMaxPrecomputed) {
        for (std::size_t k : ecdsa_keys_) made += signer->precompute(k, 16);
      }
      precomputed_ += made;
    }
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return plan_ != nullptr || stop_ || error_; });
      if (plan_ == nullptr || error_) return;
    }
    Worker worker(*plan_, std::move(*signer));
    const std::size_t chunks = bounds_.size() - 1;
    while (true) {
      std::size_t c = next_.fetch_add(1);
      if (c >= chunks) return;
      {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return error_ || c < written_ + window_; });
        if (error_) return;
      }
      ChunkResult result;
      if (auto r = worker.run(bounds_[c], bounds_[c + 1], result); !r) return stop_with(r.error());
      std::lock_guard lock(mutex_);
      results_[c] = std::move(result);
      ready_[c] = 1;
      cv_.notify_all();
    }
  }

  // Nonces computed ahead per thread at most (about 150 octets each).
  static constexpr std::size_t kMaxPrecomputed = std::size_t{1} << 18;

  const SigningKeys& keys_;
  const unsigned threads_;
  std::vector<std::size_t> ecdsa_keys_;
  std::atomic<bool> go_{false};
  std::atomic<std::size_t> precomputed_{0};

  std::mutex mutex_;
  std::condition_variable cv_;
  const Plan* plan_ = nullptr;
  bool stop_ = false;
  std::optional<Error> error_;
  std::vector<std::size_t> bounds_;
  std::size_t window_ = 0;
  std::vector<ChunkResult> results_;
  std::vector<char> ready_;
  std::size_t written_ = 0;
  std::atomic<std::size_t> next_{0};

  std::vector<std::jthread> pool_;  // last: joined first when destroyed
};

// ------------------------------------------------------------------ ZONEMD

// Puts the digest into the apex's ZONEMD line, signs the ZONEMD RRset and
// formats the apex again.
Result<std::string> finish_zonemd(const Plan& plan, ChunkResult& apex, ByteView digest, std::size_t& signatures) {
  const Name& origin = plan.options->origin;
  const Record* soa = apex_record(plan.tree->records(), origin, rrtype::SOA);
  auto serial = soa_serial(soa->rdata);
  if (!serial) return tl::unexpected(serial.error());
  Bytes rdata = make_zonemd_rdata(*serial, zonemd::SIMPLE, zonemd::SHA384, digest);

  // The placeholder's RRSIGs go; the ZONEMD takes its digest and is signed.
  Record zonemd = make_record(origin, rrtype::ZONEMD, soa->ttl, rdata);
  std::erase_if(apex.apex_lines, [](const OwnedLine& l) {
    return l.type == rrtype::RRSIG && l.rdata.size() >= 2 && get_u16(l.rdata.data()) == rrtype::ZONEMD;
  });
  for (auto& l : apex.apex_lines) {
    if (l.type != rrtype::ZONEMD) continue;
    if (l.rdata.size() != rdata.size()) return fail(errc::zone_invalid, "the ZONEMD placeholder has another length");
    l.rdata = rdata;
    zonemd.ttl = l.ttl;
  }
  auto signer = make_thread_signer(*plan.keys);
  if (!signer) return tl::unexpected(signer.error());
  Rrsig sig;
  sig.signer = origin;
  Bytes data;
  for (std::size_t k : plan.keys->data_signers()) {
    const KeyPair& key = plan.keys->keys()[k];
    auto window = rrsig_window(plan.options->timing, origin, rrtype::ZONEMD, key.key_tag);
    sig.type_covered = rrtype::ZONEMD;
    sig.algorithm = key.algorithm();
    sig.labels = rrsig_label_count(origin);
    sig.original_ttl = zonemd.ttl;
    sig.inception = window.inception;
    sig.expiration = window.expiration;
    sig.key_tag = key.key_tag;
    data.clear();
    if (auto d = append_signed_data(sig, std::span<const Record>(&zonemd, 1), data); !d) return tl::unexpected(d.error());
    Bytes out;
    append_rrsig_rdata(sig, out);
    if (auto s = signer->sign(k, data, out); !s) return tl::unexpected(s.error());
    auto fixed = rrsig_fixed(out);
    apex.apex_lines.push_back({rrtype::RRSIG, zonemd.ttl, std::move(out), fixed});
    ++signatures;
  }
  std::stable_sort(apex.apex_lines.begin(), apex.apex_lines.end(), [](const OwnedLine& a, const OwnedLine& b) {
    return line_before(a.type, a.fixed, b.type, b.fixed, [&] { return a.rdata; }, [&] { return b.rdata; });
  });
  std::string text;
  std::string owner = origin.to_string();
  for (const auto& l : apex.apex_lines) append_record_line(owner, l.ttl, l.type, l.rdata, text);
  return text;
}

// ------------------------------------------------------------------ checks

struct Prepared {
  std::vector<Record> records;
  std::uint32_t serial = 0;
};

// Checks the zone and builds the record vector the tree is made of.
Result<void> prepare(SignInput& input, const SignOptions& options, const SigningKeys& keys, Prepared& out,
                     SignReport& report) {
  const Name& origin = options.origin;
  RecordList& list = input.zone;

  // Drop what is made anew.
  std::size_t dropped = 0, dropped_zonemd = 0, replaced_keys = 0;
  std::erase_if(list.records, [&](const Record& r) {
    if (regenerated_type(r.type)) return ++dropped, true;
    if (r.type == rrtype::ZONEMD && r.owner == origin) return ++dropped_zonemd, true;
    if (input.keyset && r.owner == origin && is_key_set_type(r.type)) return ++replaced_keys, true;
    return false;
  });
  if (dropped > 0) {
    report.notes.push_back("dropped " + std::to_string(dropped) +
                           " RRSIG/NSEC/NSEC3/NSEC3PARAM records of the input; they are made anew");
  }
  if (dropped_zonemd > 0 && !options.zonemd) {
    report.notes.push_back("dropped the input's apex ZONEMD RRset: signing changes the zone's digest (use --zonemd)");
  }
  if (replaced_keys > 0) {
    report.notes.push_back("the keyset replaces the input's " + std::to_string(replaced_keys) +
                           " apex DNSKEY/CDS/CDNSKEY records");
  }

  if (options.normalize_ttl) {
    sort_canonical(list.records);
    remove_duplicates(list.records);
    if (std::size_t n = normalize_ttls(list.records); n > 0) {
      report.notes.push_back("set the TTL of " + std::to_string(n) + " records to the lowest TTL of their RRset");
    }
  }
  auto check = check_zone(list, origin);
  report.problems = std::move(check.problems);
  if (check.summary.duplicates > 0) {
    report.notes.push_back("removed " + std::to_string(check.summary.duplicates) + " duplicate records");
  }
  for (const Record& r : list.records) {
    if (r.type == rrtype::DS && r.owner == origin) {
      report.problems.push_back(problem(errc::zone_invalid,
                                        "DS at the apex " + origin.to_string() + "; DS records belong in the parent zone",
                                        list.where(r.loc)));
    }
  }
  if (!report.problems.empty()) return fail(errc::zone_invalid, "the zone was refused");

  auto& records = list.records;
  std::vector<Record> extra;

  // The SOA serial.
  const Record* soa = apex_record(records, origin, rrtype::SOA);
  auto current = soa_serial(soa->rdata);
  if (!current) return fail(errc::zone_invalid, "the SOA RDATA is malformed", list.where(soa->loc));
  out.serial = next_serial(options.serial, *current, options.timing.now);
  for (Record& r : records) {
    if (!(r.owner == origin)) break;
    if (r.type == rrtype::SOA) (void)set_soa_serial(r.rdata, out.serial);
  }
  const std::uint32_t soa_ttl = soa->ttl;
  const std::uint32_t soa_minimum = get_u32(soa->rdata.data() + soa->rdata.size() - 4);
  const std::uint32_t denial_ttl = std::min(soa_ttl, soa_minimum);

  // Keys: the keyset's RRsets, or the DNSKEYs of the keys when missing.
  if (input.keyset) {
    std::vector<const KeyPair*> zsks;
    for (std::size_t k : keys.data_signers()) zsks.push_back(&keys.keys()[k]);
    auto ks = check_keyset(std::move(*input.keyset), origin, zsks, options.timing.now,
                           options.timing.validity, report.notes);
    if (!ks) {
      report.problems.push_back(ks.error());
      return tl::unexpected(ks.error());
    }
    for (auto& r : *ks) {
      r.loc = SourceLoc{static_cast<std::uint32_t>(list.files.size()), 0};
      extra.push_back(std::move(r));
    }
  } else {
    auto ttl = apex_ttl(records, origin, rrtype::DNSKEY);
    for (const KeyPair& k : keys.keys()) {
      bool present = false;
      for (const Record& r : records) {
        if (!(r.owner == origin)) break;
        if (r.type == rrtype::DNSKEY && r.rdata == k.dnskey_rdata) present = true;
      }
      if (present) continue;
      if (!ttl) ttl = k.ttl.value_or(soa_ttl);
      extra.push_back(make_record(origin, rrtype::DNSKEY, *ttl, k.dnskey_rdata));
    }
  }
  if (options.nsec3) {
    Nsec3Params p;
    p.iterations = options.nsec3->iterations;
    p.salt = options.nsec3->salt;
    extra.push_back(make_record(origin, rrtype::NSEC3PARAM, denial_ttl, make_nsec3param_rdata(p)));
  }
  if (options.zonemd) {
    auto placeholder = make_zonemd_placeholder(out.serial, zonemd::SHA384);
    if (!placeholder) return tl::unexpected(placeholder.error());
    extra.push_back(make_record(origin, rrtype::ZONEMD, soa_ttl, std::move(*placeholder)));
  }
  merge_apex(records, std::move(extra), origin);
  out.records = std::move(records);
  return {};
}

// Notes about algorithms of the DNSKEY RRset that sign nothing.
void note_unused_algorithms(const std::vector<Record>& records, const Name& origin, const SigningKeys& keys,
                            SignReport& report) {
  for (const Record& r : records) {
    if (!(r.owner == origin)) break;
    if (r.type != rrtype::DNSKEY || r.rdata.size() < 4) continue;
    std::uint8_t a = r.rdata[3];
    bool used = std::any_of(keys.data_signers().begin(), keys.data_signers().end(),
                            [&](std::size_t k) { return keys.keys()[k].algorithm() == a; });
    if (!used) {
      report.notes.push_back("the DNSKEY RRset has a key of algorithm " + algorithm_to_string(a) +
                             " but no key of it signs the zone; validators may find the zone bogus (RFC 4035 §2.2)");
      return;
    }
  }
}

}  // namespace

// Records the wall time since the last mark as a phase.
class PhaseClock {
 public:
  explicit PhaseClock(SignSummary& s) : summary_(s), last_(std::chrono::steady_clock::now()) {}
  void mark(const char* phase) {
    auto now = std::chrono::steady_clock::now();
    summary_.phases.emplace_back(phase, std::chrono::duration<double>(now - last_).count());
    last_ = now;
  }

 private:
  SignSummary& summary_;
  std::chrono::steady_clock::time_point last_;
};

SignReport sign_zone(SignInput input, const SignOptions& options, const SignedZoneSink& sink) {
  SignReport report;
  PhaseClock clock(report.summary);
  const Name& origin = options.origin;
  if (options.nsec3) {
    if (options.nsec3->iterations > kMaxNsec3Iterations) {
      report.problems.push_back(problem(
          errc::zone_invalid,
          std::to_string(options.nsec3->iterations) + " NSEC3 iterations refused: at most " +
              std::to_string(kMaxNsec3Iterations) +
              " (BIND 9.20's limit; validators treat more than 150 as insecure; RFC 9276 asks for 0)",
          "--nsec3-iterations"));
    }
    if (options.nsec3->salt.size() > 255) {
      report.problems.push_back(problem(errc::zone_invalid, "an NSEC3 salt is at most 255 octets", "--nsec3-salt"));
    }
  }
  if (auto t = check_timing(options.timing); !t) report.problems.push_back(t.error());
  if (!report.problems.empty()) return report;

  auto keys = SigningKeys::assign(std::move(input.keys), origin, input.keyset.has_value());
  if (!keys) {
    report.problems.push_back(keys.error());
    return report;
  }
  const unsigned threads = options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  WorkerPool workers(*keys, threads, !input.previous.has_value());
  // The previous zone is indexed on another thread while the zone is checked.
  std::optional<Result<PreviousZone>> prev;
  double index_seconds = 0;
  std::jthread indexer;
  if (input.previous) {
    indexer = std::jthread([&, previous = std::move(*input.previous)]() mutable {
      auto start = std::chrono::steady_clock::now();
      prev = PreviousZone::build(std::move(previous.text), previous.source, origin, *keys, threads);
      index_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    });
    input.previous.reset();
  }

  Prepared prepared;
  if (auto p = prepare(input, options, *keys, prepared, report); !p) {
    if (report.problems.empty()) report.problems.push_back(p.error());
    return report;
  }
  note_unused_algorithms(prepared.records, origin, *keys, report);
  clock.mark("check");

  auto tree = ZoneTree::build(prepared.records, origin);
  if (!tree) {
    report.problems.push_back(tree.error());
    return report;
  }
  clock.mark("tree");
  if (indexer.joinable()) {
    indexer.join();
    clock.mark("wait for the previous zone's index");
    report.summary.phases.emplace_back("index previous (beside check)", index_seconds);
    if (!*prev) {
      report.problems.push_back(prev->error());
      return report;
    }
  }

  Plan plan;
  plan.options = &options;
  plan.keys = &*keys;
  plan.tree = &*tree;
  plan.previous = prev ? &**prev : nullptr;
  plan.denial_ttl = *tree->denial_ttl();
  plan.keyset = input.keyset.has_value();
  plan.zonemd = options.zonemd;
  plan.now32 = static_cast<std::uint32_t>(options.timing.now);
  plan.keep_after = static_cast<std::uint32_t>(options.timing.now + options.timing.refresh);
  if (options.nsec3) {
    plan.nsec3_params.iterations = options.nsec3->iterations;
    plan.nsec3_params.salt = options.nsec3->salt;
    plan.nsec3_params.flags = options.nsec3->opt_out ? kNsec3OptOut : 0;
    if (auto r = plan_nsec3(plan, threads); !r) {
      report.problems.push_back(r.error());
      return report;
    }
  } else {
    plan_nsec(plan);
  }
  plan_items(plan);
  clock.mark(options.nsec3 ? "nsec3 chain" : "nsec chain");

  SignSummary& s = report.summary;
  s.serial = prepared.serial;
  s.threads = threads;
  // With a ZONEMD: the digest is taken chunk by chunk; the apex chunk is
  // kept to be written again, and the rest too when the output cannot be
  // rewritten.
  const bool hold = options.zonemd && !sink.overwrite_start;
  base::Digest digest(base::DigestAlgorithm::sha384);
  ChunkResult apex_chunk;
  std::size_t apex_length = 0;
  std::vector<std::string> held;
  ChunkResult totals;
  auto take = [&](std::size_t c, ChunkResult& chunk) -> Result<void> {
    totals.names += chunk.names;
    totals.lines += chunk.lines;
    totals.signatures += chunk.signatures;
    totals.reused += chunk.reused;
    totals.denial += chunk.denial;
    if (options.zonemd) {
      digest.update(chunk.digest_input);
      chunk.digest_input = Bytes();
      if (c == 0) {
        apex_length = chunk.text.size();
        apex_chunk.apex_lines = std::move(chunk.apex_lines);
      }
    }
    if (hold) {
      held.push_back(std::move(chunk.text));
      return {};
    }
    return sink.write(chunk.text);
  };
  if (auto r = workers.run(plan, take); !r) {
    report.problems.push_back(r.error());
    return report;
  }
  clock.mark("sign and write");
  s.nonces_ahead = workers.precomputed();
  if (options.zonemd) {
    Bytes value = digest.finish();
    std::size_t zonemd_signatures = 0;
    auto apex_text = finish_zonemd(plan, apex_chunk, value, zonemd_signatures);
    if (!apex_text) {
      report.problems.push_back(apex_text.error());
      return report;
    }
    // The placeholder's RRSIGs were counted as made; the final ones replace them.
    if (apex_text->size() != apex_length) {
      report.problems.push_back(problem(errc::crypto_failed, "the apex changed length when its ZONEMD was signed"));
      return report;
    }
    Result<void> w = hold ? Result<void>{} : sink.overwrite_start(*apex_text);
    if (hold && !held.empty()) held.front() = std::move(*apex_text);
    for (auto& t : held) {
      if (!w) break;
      w = sink.write(t);
      t = std::string();
    }
    if (!w) {
      report.problems.push_back(w.error());
      return report;
    }
    clock.mark("zonemd");
  }
  s.names = totals.names;
  s.records = totals.lines;
  s.signatures = totals.signatures;
  s.reused = totals.reused;
  s.denial = totals.denial;
  return report;
}

}  // namespace kskline::zone
