#include "zone/rrsig.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "zone/dnssec_time.hpp"
#include "zone/errc.hpp"
#include "zone/key_tag.hpp"
#include "zone/rdata.hpp"
#include "zone/rr_types.hpp"

namespace kskline::zone {
namespace {

constexpr std::size_t kRrsigFixed = 18;  // octets before the signer name

// Canonical RDATA order (RFC 4034 §6.3): octet strings compared left to
// right, a missing octet sorting before any present one.
bool rdata_less(ByteView a, ByteView b) {
  std::size_t n = std::min(a.size(), b.size());
  if (n > 0) {
    int c = std::memcmp(a.data(), b.data(), n);
    if (c != 0) return c < 0;
  }
  return a.size() < b.size();
}

bool rdata_equal(ByteView a, ByteView b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

// Appends the signed data; `validate` checks each RDATA before it is
// canonicalised (for RRsets that may come from untrusted input).
Result<void> build_signed_data(const Rrsig& rrsig, std::span<const Record> rrset, Bytes& out,
                               bool validate) {
  if (rrset.empty()) return fail(errc::bad_rdata, "cannot sign or verify an empty RRset");
  const Record& first = rrset.front();
  for (const Record& r : rrset) {
    if (r.type != first.type || r.rclass != first.rclass || !(r.owner == first.owner)) {
      return fail(errc::bad_rdata, "records of different owner, type or class in one RRset (" +
                                       first.owner.to_string() + " / " + r.owner.to_string() + ")");
    }
  }
  if (first.type != rrsig.type_covered) {
    return fail(errc::bad_rdata, "RRSIG covers " + type_to_string(rrsig.type_covered) + ", the RRset is " +
                                     type_to_string(first.type));
  }
  std::size_t owner_labels = first.owner.label_count();
  if (rrsig.labels > owner_labels) {
    return fail(errc::bad_rdata, "RRSIG Labels " + std::to_string(rrsig.labels) + " exceeds the " +
                                     std::to_string(owner_labels) + " labels of " + first.owner.to_string());
  }

  // RRSIG RDATA without the signature, signer name lowercased.
  put_u16(out, rrsig.type_covered);
  out.push_back(rrsig.algorithm);
  out.push_back(rrsig.labels);
  put_u32(out, rrsig.original_ttl);
  put_u32(out, rrsig.expiration);
  put_u32(out, rrsig.inception);
  put_u16(out, rrsig.key_tag);
  rrsig.signer.append_wire(out, true);

  // The owner in canonical form; a wildcard expansion becomes "*." + the
  // rightmost `labels` labels (RFC 4035 §5.3.2).
  thread_local Bytes owner_wire;
  owner_wire.clear();
  if (owner_labels > rrsig.labels) {
    auto wild = first.owner.strip_labels(owner_labels - rrsig.labels).prepend("*");
    if (!wild) return tl::unexpected(wild.error());
    wild->append_wire(owner_wire, true);
  } else {
    first.owner.append_wire(owner_wire, true);
  }

  // Canonical RDATA: copy and lowercase names only for types that need it.
  const RRTypeInfo* info = find_type(first.type);
  bool lower = info != nullptr && info->canonical_lowercase;
  thread_local Bytes store;
  thread_local std::vector<ByteView> views;
  views.clear();
  if (lower) {
    std::size_t total = 0;
    for (const Record& r : rrset) total += r.rdata.size();
    store.clear();
    store.reserve(total);
    for (const Record& r : rrset) {
      if (validate) {
        if (auto v = validate_rdata(r.type, r.rdata); !v) return tl::unexpected(v.error());
      }
      store.insert(store.end(), r.rdata.begin(), r.rdata.end());
    }
    std::size_t at = 0;
    for (const Record& r : rrset) {
      std::span<std::uint8_t> mine(store.data() + at, r.rdata.size());
      canonicalize_rdata(r.type, mine);
      views.emplace_back(mine.data(), mine.size());
      at += r.rdata.size();
    }
  } else {
    for (const Record& r : rrset) views.emplace_back(r.rdata.data(), r.rdata.size());
  }
  if (views.size() > 1) {
    std::sort(views.begin(), views.end(), rdata_less);
    views.erase(std::unique(views.begin(), views.end(), rdata_equal), views.end());
  }

  for (ByteView rd : views) {
    if (rd.size() > 0xffff) return fail(errc::bad_rdata, "RDATA longer than 65535 octets");
    out.insert(out.end(), owner_wire.begin(), owner_wire.end());
    put_u16(out, first.type);
    put_u16(out, first.rclass);
    put_u32(out, rrsig.original_ttl);
    put_u16(out, static_cast<std::uint16_t>(rd.size()));
    out.insert(out.end(), rd.begin(), rd.end());
  }
  return {};
}

Verification outcome(VerifyStatus status, std::string reason) { return {status, std::move(reason)}; }

}  // namespace

Result<Rrsig> parse_rrsig(ByteView rdata) {
  if (rdata.size() < kRrsigFixed + 1) return fail(errc::bad_rdata, "RRSIG RDATA truncated");
  Rrsig r;
  const std::uint8_t* p = rdata.data();
  r.type_covered = get_u16(p);
  r.algorithm = p[2];
  r.labels = p[3];
  r.original_ttl = get_u32(p + 4);
  r.expiration = get_u32(p + 8);
  r.inception = get_u32(p + 12);
  r.key_tag = get_u16(p + 16);
  std::size_t consumed = 0;
  auto signer = Name::from_wire(rdata.subspan(kRrsigFixed), &consumed);
  if (!signer) return fail(errc::bad_rdata, "RRSIG signer name: " + signer.error().message());
  r.signer = std::move(*signer);
  ByteView sig = rdata.subspan(kRrsigFixed + consumed);
  if (sig.empty()) return fail(errc::bad_rdata, "RRSIG without a signature");
  r.signature.assign(sig.begin(), sig.end());
  return r;
}

void append_rrsig_rdata(const Rrsig& r, Bytes& out) {
  put_u16(out, r.type_covered);
  out.push_back(r.algorithm);
  out.push_back(r.labels);
  put_u32(out, r.original_ttl);
  put_u32(out, r.expiration);
  put_u32(out, r.inception);
  put_u16(out, r.key_tag);
  r.signer.append_wire(out);
  out.insert(out.end(), r.signature.begin(), r.signature.end());
}

std::uint8_t rrsig_label_count(const Name& owner) {
  std::size_t n = owner.label_count();
  if (owner.is_wildcard()) --n;
  return static_cast<std::uint8_t>(n);  // at most 127 labels fit in 255 octets
}

Result<void> append_signed_data(const Rrsig& rrsig, std::span<const Record> rrset, Bytes& out) {
  return build_signed_data(rrsig, rrset, out, false);
}

Result<Bytes> sign_rrset(Signer& signer, const SignParams& params, std::span<const Record> rrset) {
  if (rrset.empty()) return fail(errc::bad_rdata, "cannot sign an empty RRset");
  const Record& first = rrset.front();
  if (!first.owner.is_subdomain_of(params.signer)) {
    return fail(errc::bad_rdata, first.owner.to_string() + " is not at or below the signer " +
                                     params.signer.to_string());
  }
  Rrsig r;
  r.type_covered = first.type;
  r.algorithm = signer.algorithm();
  r.labels = rrsig_label_count(first.owner);
  r.original_ttl = params.original_ttl.value_or(first.ttl);
  r.expiration = params.expiration;
  r.inception = params.inception;
  r.key_tag = params.key_tag;
  r.signer = params.signer;

  thread_local Bytes data;
  data.clear();
  if (auto b = build_signed_data(r, rrset, data, false); !b) return tl::unexpected(b.error());
  Bytes out;
  out.reserve(kRrsigFixed + r.signer.wire().size() + 128);
  append_rrsig_rdata(r, out);  // signature still empty
  if (auto s = signer.sign(data, out); !s) return tl::unexpected(s.error());
  return out;
}

Result<RrsigVerifier> RrsigVerifier::create(const Name& owner, ByteView dnskey) {
  auto key = parse_dnskey(dnskey);
  if (!key) return tl::unexpected(key.error());
  if (key->protocol != kDnskeyProtocol) {
    return fail(errc::bad_key, "DNSKEY protocol " + std::to_string(key->protocol) + " (must be 3)");
  }
  if ((key->flags & dnskey_flag::ZONE) == 0) {
    return fail(errc::bad_key, "DNSKEY without the Zone Key flag cannot verify RRSIGs (RFC 4035 §5.3.1)");
  }
  auto pub = PublicKey::from_dnskey(key->algorithm, key->public_key);
  if (!pub) return tl::unexpected(pub.error());
  auto verifier = Verifier::create(*pub);
  if (!verifier) return tl::unexpected(verifier.error());
  return RrsigVerifier(owner, zone::key_tag(dnskey), key->algorithm, std::move(*verifier));
}

Verification RrsigVerifier::verify(ByteView rrsig_rdata, std::span<const Record> rrset) {
  auto r = parse_rrsig(rrsig_rdata);
  if (!r) return outcome(VerifyStatus::indeterminate, "malformed RRSIG: " + r.error().message());
  return verify(*r, rrset);
}

Verification RrsigVerifier::verify(const Rrsig& rrsig, std::span<const Record> rrset) {
  if (rrsig.algorithm != algorithm_) {
    return outcome(VerifyStatus::indeterminate, "RRSIG algorithm " + std::to_string(rrsig.algorithm) +
                                                    " is not the key's algorithm " + std::to_string(algorithm_));
  }
  if (rrsig.key_tag != key_tag_) {
    return outcome(VerifyStatus::indeterminate, "RRSIG key tag " + std::to_string(rrsig.key_tag) +
                                                    " is not the key's tag " + std::to_string(key_tag_));
  }
  if (!(rrsig.signer == owner_)) {
    return outcome(VerifyStatus::indeterminate,
                   "RRSIG signer " + rrsig.signer.to_string() + " is not the key owner " + owner_.to_string());
  }
  if (rrset.empty()) return outcome(VerifyStatus::indeterminate, "empty RRset");
  if (!rrset.front().owner.is_subdomain_of(rrsig.signer)) {
    return outcome(VerifyStatus::indeterminate, "RRSIG signer " + rrsig.signer.to_string() +
                                                    " is not an ancestor of " + rrset.front().owner.to_string());
  }
  scratch_.clear();
  if (auto b = build_signed_data(rrsig, rrset, scratch_, true); !b) {
    return outcome(VerifyStatus::indeterminate, b.error().message());
  }
  if (!verifier_.verify(scratch_, rrsig.signature)) {
    return outcome(VerifyStatus::invalid, "signature does not verify with key tag " + std::to_string(key_tag_));
  }
  return outcome(VerifyStatus::valid, {});
}

Verification verify_rrsig(ByteView rrsig_rdata, std::span<const Record> rrset, const Name& key_owner,
                          ByteView dnskey) {
  auto v = RrsigVerifier::create(key_owner, dnskey);
  if (!v) return outcome(VerifyStatus::indeterminate, "unusable DNSKEY: " + v.error().message());
  return v->verify(rrsig_rdata, rrset);
}

TimeStatus rrsig_time_status(std::uint32_t inception, std::uint32_t expiration, std::int64_t now) {
  auto t = static_cast<std::uint32_t>(now);
  if (serial_lt(t, inception)) return TimeStatus::not_yet_valid;
  if (serial_lt(expiration, t)) return TimeStatus::expired;
  return TimeStatus::valid;
}

}  // namespace kskline::zone
