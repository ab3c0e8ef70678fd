#include "zone/zone_verifier.hpp"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <bitset>
#include <map>
#include <optional>
#include <thread>

#include "base/encoding.hpp"
#include "zone/algorithm.hpp"
#include "zone/dnssec_key.hpp"
#include "zone/dnssec_time.hpp"
#include "zone/ds.hpp"
#include "zone/key_tag.hpp"
#include "zone/nsec3_hash.hpp"
#include "zone/rr_types.hpp"
#include "zone/rrsig.hpp"
#include "zone/type_bitmap.hpp"
#include "zone/zone_check.hpp"
#include "zone/zone_tree.hpp"
#include "zone/zonemd.hpp"

namespace kskline::zone {
namespace {

constexpr std::size_t kNoRecord = static_cast<std::size_t>(-1);
constexpr std::size_t kNamesPerBlock = 256;  // work unit of the signature threads

// "13 (ECDSAP256SHA256)".
std::string algorithm_text(std::uint8_t alg) {
  const auto* info = find_algorithm(alg);
  if (info == nullptr) return std::to_string(alg);
  return std::to_string(alg) + " (" + std::string(info->mnemonic) + ")";
}

// "A RRSIG NSEC".
std::string types_text(const std::vector<std::uint16_t>& types) {
  if (types.empty()) return "(none)";
  std::string out;
  for (auto t : types) {
    if (!out.empty()) out.push_back(' ');
    out += type_to_string(t);
  }
  return out;
}

// What an unsigned RRset is, for messages.
const char* role_text(RRsetRole role) {
  switch (role) {
    case RRsetRole::delegation_ns: return "the NS RRset of a delegation";
    case RRsetRole::glue: return "glue";
    case RRsetRole::occluded: return "occluded or out-of-zone data";
    default: return "an RRset that is not signed";
  }
}

// A DNSKEY of the apex DNSKEY RRset.
struct ZoneKey {
  std::size_t record = 0;
  std::uint16_t tag = 0;
  std::uint8_t algorithm = 0;
  bool usable = false;  // a zone key we can verify with
};

// What the signature threads share, read-only.
struct Context {
  const RecordList& list;
  const std::vector<Record>& records;
  const ZoneTree& tree;
  const Name& origin;
  std::vector<ZoneKey> keys;
  std::vector<std::uint8_t> algorithms;  // usable algorithms of the apex set
  std::int64_t now = 0;
};

// Collects problems with their place.
class ProblemSink {
 public:
  explicit ProblemSink(const RecordList& list) : list_(list) {}
  void add(const Name& owner, std::uint16_t type, std::string reason, std::size_t record = kNoRecord) {
    VerifyProblem p;
    p.owner = owner;
    p.type = type;
    p.reason = std::move(reason);
    if (record != kNoRecord) p.where = list_.where(list_.records[record].loc);
    items.push_back(std::move(p));
  }
  std::vector<VerifyProblem> items;

 private:
  const RecordList& list_;
};

// A parsed RRSIG at the name being checked.
struct Sig {
  Rrsig rrsig;
  std::size_t record = 0;
  bool matched = false;
};

// The per-thread state of signature checking.
struct Worker {
  explicit Worker(const Context& ctx) : problems(ctx.list) {
    for (const auto& key : ctx.keys) {
      std::optional<RrsigVerifier> v;
      if (key.usable) {
        auto made = RrsigVerifier::create(ctx.origin, ctx.records[key.record].rdata);
        if (made) v.emplace(std::move(*made));
      }
      verifiers.push_back(std::move(v));
    }
  }
  std::vector<std::optional<RrsigVerifier>> verifiers;  // one per ZoneKey
  ProblemSink problems;
  std::vector<Sig> sigs;
  std::size_t signatures = 0;
  std::vector<std::size_t> dnskey_signers;  // keys with a valid RRSIG over the apex DNSKEY RRset
};

// Checks the RRSIGs over one RRset that must be signed.
void check_signed_rrset(const Context& ctx, Worker& w, std::size_t name_index, const TreeRRset& set) {
  const auto rrset = ctx.tree.records_of(set);
  const Name& owner = rrset.front().owner;
  const std::uint32_t ttl = rrset.front().ttl;
  const auto labels = rrsig_label_count(owner);
  std::bitset<256> covered, seen;
  bool any = false;
  for (auto& sig : w.sigs) {
    const Rrsig& r = sig.rrsig;
    if (r.type_covered != set.type) continue;
    sig.matched = true;
    any = true;
    seen.set(r.algorithm);
    const std::string who = "RRSIG (algorithm " + std::to_string(r.algorithm) + ", key tag " +
                            std::to_string(r.key_tag) + ")";
    if (!(r.signer == ctx.origin)) {
      w.problems.add(owner, set.type, who + ": signer " + r.signer.to_string() + " is not the zone apex", sig.record);
      continue;
    }
    if (r.labels != labels) {
      w.problems.add(owner, set.type,
                     who + ": Labels field is " + std::to_string(r.labels) + ", the owner needs " +
                         std::to_string(labels),
                     sig.record);
      continue;
    }
    if (r.original_ttl != ttl) {
      w.problems.add(owner, set.type,
                     who + ": original TTL " + std::to_string(r.original_ttl) + " differs from the RRset TTL " +
                         std::to_string(ttl),
                     sig.record);
    }
    if (ctx.records[sig.record].ttl != ttl) {
      w.problems.add(owner, set.type,
                     who + ": RRSIG TTL " + std::to_string(ctx.records[sig.record].ttl) +
                         " differs from the RRset TTL " + std::to_string(ttl) + " (RFC 4034 §3)",
                     sig.record);
    }
    switch (rrsig_time_status(r.inception, r.expiration, ctx.now)) {
      case TimeStatus::expired:
        w.problems.add(owner, set.type,
                       who + ": expired at " + format_dnssec_time(r.expiration, ctx.now), sig.record);
        continue;
      case TimeStatus::not_yet_valid:
        w.problems.add(owner, set.type,
                       who + ": not yet valid, inception " + format_dnssec_time(r.inception, ctx.now),
                       sig.record);
        continue;
      case TimeStatus::valid:
        break;
    }
    bool found = false, valid = false, checked = false;
    std::string why;
    for (std::size_t k = 0; k < ctx.keys.size() && !valid; ++k) {
      const auto& key = ctx.keys[k];
      if (key.tag != r.key_tag || key.algorithm != r.algorithm) continue;
      found = true;
      if (!w.verifiers[k]) continue;
      checked = true;
      ++w.signatures;
      auto v = w.verifiers[k]->verify(r, rrset);
      if (v.status == VerifyStatus::valid) {
        valid = true;
        if (set.type == rrtype::DNSKEY && name_index == ctx.tree.apex()) w.dnskey_signers.push_back(k);
      } else if (why.empty() || v.status == VerifyStatus::invalid) {
        why = v.status == VerifyStatus::invalid ? "signature does not verify (bogus)" : v.reason;
      }
    }
    if (valid) {
      covered.set(r.algorithm);
    } else if (!found) {
      w.problems.add(owner, set.type, who + ": no DNSKEY of the apex DNSKEY set has this key tag and algorithm",
                     sig.record);
    } else if (checked) {
      w.problems.add(owner, set.type, who + ": " + why, sig.record);
    }
    // A key we cannot use was reported once at the apex.
  }
  for (auto alg : ctx.algorithms) {
    if (covered.test(alg)) continue;
    if (!any) {
      w.problems.add(owner, set.type, "no RRSIG: the RRset is not signed", set.begin);
      break;
    }
    if (!seen.test(alg)) {
      w.problems.add(owner, set.type,
                     "no RRSIG of algorithm " + algorithm_text(alg) +
                         ", which the apex DNSKEY set uses (RFC 4035 §2.2)",
                     set.begin);
    }
  }
}

// Checks every RRSIG at a name and the signatures of its RRsets.
void check_name_signatures(const Context& ctx, Worker& w, std::size_t i) {
  const auto sets = ctx.tree.rrsets(i);
  if (sets.empty()) return;
  const Name& owner = ctx.tree.name(i);
  w.sigs.clear();
  if (const auto* sigset = ctx.tree.find_rrset(i, rrtype::RRSIG)) {
    for (std::size_t k = sigset->begin; k < sigset->end; ++k) {
      auto parsed = parse_rrsig(ctx.records[k].rdata);
      if (!parsed) {
        w.problems.add(owner, rrtype::RRSIG, "malformed RRSIG: " + parsed.error().message(), k);
        continue;
      }
      w.sigs.push_back(Sig{std::move(*parsed), k, false});
    }
  }
  for (const auto& set : sets) {
    if (set.type == rrtype::RRSIG) continue;
    if (is_signed(set.role)) {
      check_signed_rrset(ctx, w, i, set);
      continue;
    }
    for (auto& sig : w.sigs) {
      if (sig.rrsig.type_covered != set.type) continue;
      sig.matched = true;
      w.problems.add(owner, set.type,
                     std::string("RRSIG over ") + role_text(set.role) + ", which must not be signed (RFC 4035 §2.2)",
                     sig.record);
    }
  }
  for (const auto& sig : w.sigs) {
    if (sig.matched) continue;
    w.problems.add(owner, sig.rrsig.type_covered,
                   "RRSIG covers " + type_to_string(sig.rrsig.type_covered) + ", which has no RRset at this name",
                   sig.record);
  }
}

// Reads the apex DNSKEY set: the zone keys and the algorithms to cover.
void collect_keys(Context& ctx, ProblemSink& problems) {
  const auto* set = ctx.tree.find_rrset(ctx.tree.apex(), rrtype::DNSKEY);
  if (set == nullptr) {
    problems.add(ctx.origin, rrtype::DNSKEY, "no DNSKEY RRset at the apex: the zone is not signed");
    return;
  }
  for (std::size_t k = set->begin; k < set->end; ++k) {
    const auto& rdata = ctx.records[k].rdata;
    auto view = parse_dnskey(rdata);
    if (!view) {
      problems.add(ctx.origin, rrtype::DNSKEY, "malformed DNSKEY: " + view.error().message(), k);
      continue;
    }
    if (!(view->flags & dnskey_flag::ZONE)) continue;  // cannot sign zone data (RFC 4034 §2.1.1)
    ZoneKey key;
    key.record = k;
    key.tag = key_tag(rdata);
    key.algorithm = view->algorithm;
    const std::string who = "DNSKEY key tag " + std::to_string(key.tag) + " algorithm " +
                            algorithm_text(view->algorithm);
    if (view->protocol != kDnskeyProtocol) {
      problems.add(ctx.origin, rrtype::DNSKEY, who + ": protocol is not 3", k);
    } else if (!algorithm_supported(view->algorithm)) {
      problems.add(ctx.origin, rrtype::DNSKEY, who + ": algorithm not supported, signatures by it cannot be checked",
                   k);
    } else if (auto v = RrsigVerifier::create(ctx.origin, rdata); !v) {
      problems.add(ctx.origin, rrtype::DNSKEY, who + ": unusable key: " + v.error().message(), k);
    } else {
      key.usable = true;
      ctx.algorithms.push_back(view->algorithm);
    }
    ctx.keys.push_back(key);
  }
  std::sort(ctx.algorithms.begin(), ctx.algorithms.end());
  ctx.algorithms.erase(std::unique(ctx.algorithms.begin(), ctx.algorithms.end()), ctx.algorithms.end());
}

// Checks that a key matching a trust anchor validly signs the DNSKEY RRset.
void check_trust_anchor(const Context& ctx, const std::vector<Record>& anchors,
                        const std::vector<std::size_t>& dnskey_signers, ProblemSink& problems) {
  std::vector<std::size_t> anchored;
  bool usable_anchor = false;
  for (std::size_t k = 0; k < ctx.keys.size(); ++k) {
    const auto& dnskey = ctx.records[ctx.keys[k].record].rdata;
    for (const auto& anchor : anchors) {
      if (!(anchor.owner == ctx.origin)) continue;
      bool match = false;
      if (anchor.type == rrtype::DNSKEY) {
        usable_anchor = true;
        match = anchor.rdata == dnskey;
      } else if (anchor.type == rrtype::DS) {
        auto m = ds_matches(ctx.origin, dnskey, anchor.rdata);
        if (m) usable_anchor = true;
        match = m && *m;
      }
      if (match) {
        anchored.push_back(k);
        break;
      }
    }
  }
  if (!usable_anchor) {
    problems.add(ctx.origin, rrtype::DNSKEY,
                 "the trust anchors hold no usable DS (digest type 1, 2 or 4) or DNSKEY for " + ctx.origin.to_string());
    return;
  }
  if (anchored.empty()) {
    problems.add(ctx.origin, rrtype::DNSKEY, "no DNSKEY of the apex DNSKEY set matches the trust anchor");
    return;
  }
  for (auto k : anchored) {
    if (std::find(dnskey_signers.begin(), dnskey_signers.end(), k) != dnskey_signers.end()) return;
  }
  std::string tags;
  for (auto k : anchored) tags += (tags.empty() ? "" : ", ") + std::to_string(ctx.keys[k].tag);
  problems.add(ctx.origin, rrtype::DNSKEY,
               "the DNSKEY RRset has no valid RRSIG by a key matching the trust anchor (key tag " + tags + ")");
}

// Why a name that is not in the chain must not have an NSEC.
const char* stray_nsec_reason(NameKind kind) {
  switch (kind) {
    case NameKind::occluded: return "NSEC at a glue or occluded name (below a zone cut or DNAME)";
    case NameKind::empty_non_terminal: return "NSEC at an empty non-terminal";
    case NameKind::denial_only: return "NSEC at a name that has no other data (extra NSEC)";
    case NameKind::out_of_zone: return "NSEC out of zone";
    default: return "NSEC at a name that must not have one";
  }
}

// Checks the NSEC chain: presence, closure, bitmaps, and no strays.
std::size_t check_nsec(const Context& ctx, ProblemSink& problems) {
  const auto& tree = ctx.tree;
  std::vector<std::size_t> chain;
  for (std::size_t i = 0; i < tree.name_count(); ++i) {
    if (tree.in_nsec_chain(i)) chain.push_back(i);
  }
  std::size_t nsec_count = 0;
  for (std::size_t c = 0; c < chain.size(); ++c) {
    const std::size_t i = chain[c];
    const Name& owner = tree.name(i);
    const auto* set = tree.find_rrset(i, rrtype::NSEC);
    if (set == nullptr) {
      problems.add(owner, rrtype::NSEC, "missing NSEC: the name is in the NSEC chain",
                   tree.rrsets(i).empty() ? kNoRecord : tree.rrsets(i).front().begin);
      continue;
    }
    ++nsec_count;
    if (set->end - set->begin > 1) problems.add(owner, rrtype::NSEC, "more than one NSEC record", set->begin + 1);
    const auto& rdata = ctx.records[set->begin].rdata;
    std::size_t used = 0;
    auto next = Name::from_wire(rdata, &used);
    if (!next) {
      problems.add(owner, rrtype::NSEC, "malformed NSEC: " + next.error().message(), set->begin);
      continue;
    }
    const Name& want_next = tree.name(chain[(c + 1) % chain.size()]);
    if (!(*next == want_next)) {
      problems.add(owner, rrtype::NSEC,
                   "NSEC next name is " + next->to_string() + ", expected " + want_next.to_string() +
                       " (the chain is broken)",
                   set->begin);
    }
    auto types = read_type_bitmap(ByteView(rdata).subspan(used));
    const auto want = tree.denial_types(i, Denial::nsec);
    if (!types) {
      problems.add(owner, rrtype::NSEC, "malformed NSEC type bitmap: " + types.error().message(), set->begin);
    } else if (*types != want) {
      problems.add(owner, rrtype::NSEC,
                   "NSEC type bitmap lists " + types_text(*types) + ", expected " + types_text(want), set->begin);
    }
  }
  for (std::size_t i = 0; i < tree.name_count(); ++i) {
    if (tree.in_nsec_chain(i)) continue;
    if (const auto* set = tree.find_rrset(i, rrtype::NSEC)) {
      problems.add(tree.name(i), rrtype::NSEC, stray_nsec_reason(tree.kind(i)), set->begin);
    }
  }
  return nsec_count;
}

// One NSEC3 record of the chain.
struct Nsec3Entry {
  Nsec3Hash hash{};
  std::size_t record = 0;
  bool opt_out = false;
  bool used = false;
  Bytes next;
  ByteView bitmap;
};

std::string params_text(const Nsec3Params& p) {
  return std::to_string(p.algorithm) + " " + std::to_string(p.iterations) + " " +
         (p.salt.empty() ? std::string("-") : base::to_hex(p.salt));
}

// Checks the NSEC3 chain against NSEC3PARAM and the names of the zone.
std::size_t check_nsec3(const Context& ctx, ProblemSink& problems) {
  const auto& tree = ctx.tree;
  const auto apex = tree.apex();
  std::optional<Nsec3Params> params;
  if (const auto* set = tree.find_rrset(apex, rrtype::NSEC3PARAM)) {
    if (set->end - set->begin > 1) {
      problems.add(ctx.origin, rrtype::NSEC3PARAM, "more than one NSEC3PARAM: kskline verifies one NSEC3 chain",
                   set->begin + 1);
    }
    auto p = parse_nsec3param(ctx.records[set->begin].rdata);
    if (!p) {
      problems.add(ctx.origin, rrtype::NSEC3PARAM, "malformed NSEC3PARAM: " + p.error().message(), set->begin);
    } else {
      if (p->flags != 0) {
        problems.add(ctx.origin, rrtype::NSEC3PARAM, "NSEC3PARAM flags must be 0 (RFC 5155 §4.1.2)", set->begin);
      }
      params = std::move(*p);
    }
  } else {
    problems.add(ctx.origin, rrtype::NSEC3PARAM, "NSEC3 records but no NSEC3PARAM at the apex");
  }

  // The NSEC3 records, by hash.
  std::vector<Nsec3Entry> entries;
  for (const auto& set : tree.all_rrsets()) {
    if (set.type != rrtype::NSEC3) continue;
    const Name& owner = tree.name(set.name);
    if (set.end - set.begin > 1) problems.add(owner, rrtype::NSEC3, "more than one NSEC3 record", set.begin + 1);
    const auto& rdata = ctx.records[set.begin].rdata;
    auto view = parse_nsec3(rdata);
    if (!view) {
      problems.add(owner, rrtype::NSEC3, "malformed NSEC3: " + view.error().message(), set.begin);
      continue;
    }
    if (!params) params = view->params;  // no usable NSEC3PARAM: take the first record's
    if (view->params.algorithm != params->algorithm || view->params.iterations != params->iterations ||
        view->params.salt != params->salt) {
      problems.add(owner, rrtype::NSEC3,
                   "NSEC3 parameters " + params_text(view->params) + " differ from NSEC3PARAM " + params_text(*params),
                   set.begin);
      continue;
    }
    auto hash = parse_nsec3_hash_label(owner.first_label());
    if (!(owner.parent() == ctx.origin) || !hash) {
      problems.add(owner, rrtype::NSEC3, "NSEC3 owner is not a base32hex SHA-1 hash label directly below the apex",
                   set.begin);
      continue;
    }
    Nsec3Entry e;
    e.hash = *hash;
    e.record = set.begin;
    e.opt_out = view->params.flags & kNsec3OptOut;
    e.next.assign(view->next_hash.begin(), view->next_hash.end());
    e.bitmap = view->type_bitmap;
    entries.push_back(std::move(e));
  }
  if (!params) return 0;
  if (params->algorithm != kNsec3Sha1) {
    problems.add(ctx.origin, rrtype::NSEC3PARAM,
                 "NSEC3 hash algorithm " + std::to_string(params->algorithm) + " is not supported");
    return entries.size();
  }
  std::sort(entries.begin(), entries.end(), [](const Nsec3Entry& a, const Nsec3Entry& b) { return a.hash < b.hash; });
  auto owner_of = [&](const Nsec3Entry& e) -> const Name& { return ctx.records[e.record].owner; };

  // The chain is closed: each next hash is the following owner's hash.
  for (std::size_t k = 0; k < entries.size(); ++k) {
    const auto& e = entries[k];
    const auto& following = entries[(k + 1) % entries.size()];
    if (!std::equal(e.next.begin(), e.next.end(), following.hash.begin(), following.hash.end())) {
      problems.add(owner_of(e), rrtype::NSEC3,
                   "NSEC3 next hashed owner is " +
                       (e.next.size() == kNsec3HashSize ? nsec3_hash_label([&] {
                         Nsec3Hash h{};
                         std::copy(e.next.begin(), e.next.end(), h.begin());
                         return h;
                       }())
                                                        : std::string("of the wrong length")) +
                       ", expected " + nsec3_hash_label(following.hash) + " (the chain is broken)",
                   e.record);
    }
  }

  // Every name that needs an NSEC3 has one, with the exact bitmap.
  Nsec3Hasher hasher(*params);
  for (std::size_t i = 0; i < tree.name_count(); ++i) {
    if (!tree.in_nsec3_chain(i, false)) continue;
    const Name& name = tree.name(i);
    const auto h = hasher.hash(name);
    auto it = std::lower_bound(entries.begin(), entries.end(), h,
                               [](const Nsec3Entry& e, const Nsec3Hash& v) { return e.hash < v; });
    if (it != entries.end() && it->hash == h) {
      if (it->used) {
        problems.add(name, rrtype::NSEC3, "NSEC3 hash collision with another name of the zone", it->record);
        continue;
      }
      it->used = true;
      auto types = read_type_bitmap(it->bitmap);
      const auto want = tree.denial_types(i, Denial::nsec3);
      if (!types) {
        problems.add(owner_of(*it), rrtype::NSEC3,
                     "malformed NSEC3 type bitmap (for " + name.to_string() + "): " + types.error().message(),
                     it->record);
      } else if (*types != want) {
        problems.add(owner_of(*it), rrtype::NSEC3,
                     "NSEC3 type bitmap (for " + name.to_string() + ") lists " + types_text(*types) + ", expected " +
                         types_text(want),
                     it->record);
      }
      continue;
    }
    const std::string label = nsec3_hash_label(h);
    if (tree.in_nsec3_chain(i, true)) {
      problems.add(name, rrtype::NSEC3, "missing NSEC3 for this name (hash " + label + ")",
                   tree.rrsets(i).empty() ? kNoRecord : tree.rrsets(i).front().begin);
      continue;
    }
    // An insecure delegation (or an empty non-terminal only above such):
    // it may be left out only under an Opt-Out NSEC3 that covers its hash.
    const Nsec3Entry* cover = nullptr;
    if (!entries.empty()) cover = it == entries.begin() ? &entries.back() : &*(it - 1);
    if (cover == nullptr || !cover->opt_out) {
      problems.add(name, rrtype::NSEC3,
                   "missing NSEC3 for this name (hash " + label + ") and no Opt-Out NSEC3 covers it",
                   tree.rrsets(i).empty() ? kNoRecord : tree.rrsets(i).front().begin);
    }
  }
  for (const auto& e : entries) {
    if (!e.used) {
      problems.add(owner_of(e), rrtype::NSEC3,
                   "NSEC3 hash matches no name of the zone that needs one (wrong hash or extra NSEC3)", e.record);
    }
  }
  return entries.size();
}

// Checks the denial of existence the zone uses.
void check_denial(const Context& ctx, ProblemSink& problems, VerifyStats& stats) {
  bool has_nsec = false, has_nsec3 = false;
  for (const auto& set : ctx.tree.all_rrsets()) {
    has_nsec |= set.type == rrtype::NSEC;
    has_nsec3 |= set.type == rrtype::NSEC3;
  }
  has_nsec3 |= ctx.tree.find_rrset(ctx.tree.apex(), rrtype::NSEC3PARAM) != nullptr;
  if (has_nsec3) {
    stats.denial = "NSEC3";
    stats.denial_records = check_nsec3(ctx, problems);
    if (has_nsec) {
      for (const auto& set : ctx.tree.all_rrsets()) {
        if (set.type == rrtype::NSEC) {
          problems.add(ctx.tree.name(set.name), rrtype::NSEC, "NSEC in a zone that uses NSEC3", set.begin);
        }
      }
    }
  } else if (has_nsec) {
    stats.denial = "NSEC";
    stats.denial_records = check_nsec(ctx, problems);
  } else {
    problems.add(ctx.origin, 0, "no NSEC or NSEC3 records: the zone has no authenticated denial of existence");
  }
}

// Checks the apex ZONEMD RRset, if any (RFC 8976 §4).
void check_zonemd(const Context& ctx, ProblemSink& problems, VerifyStats& stats) {
  const auto* set = ctx.tree.find_rrset(ctx.tree.apex(), rrtype::ZONEMD);
  if (set == nullptr) return;
  const auto serial = ctx.tree.soa_serial();
  std::map<std::pair<std::uint8_t, std::uint8_t>, int> seen;
  std::map<std::uint8_t, Bytes> digests;
  bool supported = false;
  for (std::size_t k = set->begin; k < set->end; ++k) {
    auto z = parse_zonemd(ctx.records[k].rdata);
    if (!z) {
      problems.add(ctx.origin, rrtype::ZONEMD, "malformed ZONEMD: " + z.error().message(), k);
      continue;
    }
    if (++seen[{z->scheme, z->hash_algorithm}] == 2) {
      problems.add(ctx.origin, rrtype::ZONEMD, "more than one ZONEMD with one scheme and hash algorithm", k);
    }
    if (z->scheme != zonemd::SIMPLE || zonemd_digest_size(z->hash_algorithm) == 0) continue;
    supported = true;
    if (!serial || z->serial != *serial) {
      problems.add(ctx.origin, rrtype::ZONEMD,
                   "ZONEMD serial " + std::to_string(z->serial) + " differs from the SOA serial" +
                       (serial ? " " + std::to_string(*serial) : std::string()),
                   k);
      continue;
    }
    auto& digest = digests[z->hash_algorithm];
    if (digest.empty()) {
      auto d = zonemd_digest(ctx.records, ctx.origin, z->hash_algorithm);
      if (d) digest = std::move(*d);
    }
    if (!std::equal(digest.begin(), digest.end(), z->digest.begin(), z->digest.end())) {
      problems.add(ctx.origin, rrtype::ZONEMD,
                   std::string("ZONEMD digest (") + (z->hash_algorithm == zonemd::SHA384 ? "SHA-384" : "SHA-512") +
                       ") does not match the zone: " + base::to_hex(digest).substr(0, 16) + "... computed",
                   k);
    }
  }
  if (!supported) {
    problems.add(ctx.origin, rrtype::ZONEMD, "no ZONEMD record with a supported scheme and hash algorithm",
                 set->begin);
  }
  stats.zonemd = supported;
}

// The CPUs this process may run on (its affinity mask), at least 1.
unsigned available_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) {
    return static_cast<unsigned>(CPU_COUNT(&set));
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

VerifyReport verify_zone(RecordList& list, const Name& origin, const VerifyOptions& options) {
  VerifyReport report;
  auto checked = check_zone(list, origin, static_cast<std::size_t>(-1));
  for (auto& e : checked.problems) {
    VerifyProblem p;
    p.reason = e.detail.empty() ? e.message() : e.detail;
    p.where = e.where;
    report.problems.push_back(std::move(p));
  }
  auto tree = ZoneTree::build(list.records, origin);
  if (!tree) {
    VerifyProblem p;
    p.reason = tree.error().message();
    report.problems.push_back(std::move(p));
    return report;
  }
  Context ctx{list, list.records, *tree, origin, {}, {}, options.now};
  ProblemSink main_problems(list);
  collect_keys(ctx, main_problems);

  auto& stats = report.stats;
  for (std::size_t i = 0; i < tree->name_count(); ++i) {
    if (!tree->rrsets(i).empty()) ++stats.names;
  }
  stats.records = list.records.size();
  for (const auto& set : tree->all_rrsets()) {
    if (set.type == rrtype::RRSIG) continue;
    ++stats.rrsets;
    if (is_signed(set.role)) ++stats.signed_rrsets;
  }

  // Signatures, in parallel over blocks of names; denial and ZONEMD on this
  // thread meanwhile.
  unsigned threads = options.threads != 0 ? options.threads : available_cpus();
  threads = static_cast<unsigned>(
      std::min<std::size_t>(threads, std::max<std::size_t>(1, tree->name_count() / kNamesPerBlock)));
  std::vector<Worker> workers;
  workers.reserve(threads);
  for (unsigned t = 0; t < threads; ++t) workers.emplace_back(ctx);
  std::atomic<std::size_t> next_block{0};
  auto work = [&](Worker& w) {
    for (;;) {
      const std::size_t begin = next_block.fetch_add(kNamesPerBlock);
      if (begin >= tree->name_count()) return;
      const std::size_t end = std::min(begin + kNamesPerBlock, tree->name_count());
      for (std::size_t i = begin; i < end; ++i) check_name_signatures(ctx, w, i);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(work, std::ref(workers[t]));
  check_denial(ctx, main_problems, stats);
  check_zonemd(ctx, main_problems, stats);
  for (auto& th : pool) th.join();

  std::vector<std::size_t> dnskey_signers;
  for (auto& w : workers) {
    stats.signatures += w.signatures;
    dnskey_signers.insert(dnskey_signers.end(), w.dnskey_signers.begin(), w.dnskey_signers.end());
  }
  if (!options.trust_anchors.empty() && !ctx.keys.empty()) {
    check_trust_anchor(ctx, options.trust_anchors, dnskey_signers, main_problems);
  }

  std::vector<VerifyProblem> found = std::move(main_problems.items);
  for (auto& w : workers) {
    std::move(w.problems.items.begin(), w.problems.items.end(), std::back_inserter(found));
  }
  std::stable_sort(found.begin(), found.end(), [](const VerifyProblem& a, const VerifyProblem& b) {
    const auto order = *a.owner <=> *b.owner;
    if (order != 0) return order < 0;
    return a.type < b.type;
  });
  std::move(found.begin(), found.end(), std::back_inserter(report.problems));
  return report;
}

std::string format_problem(const VerifyProblem& problem) {
  std::string out;
  if (!problem.where.empty()) out += problem.where + ": ";
  if (problem.owner) {
    out += problem.owner->to_string();
    if (problem.type != 0) out += " " + type_to_string(problem.type);
    out += ": ";
  }
  out += problem.reason;
  return out;
}

}  // namespace kskline::zone
