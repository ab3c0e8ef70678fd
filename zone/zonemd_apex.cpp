#include "zone/internal/zonemd_apex.hpp"

#include <algorithm>
#include <span>
#include <utility>

#include "zone/errc.hpp"
#include "zone/internal/sign_prepare.hpp"
#include "zone/record.hpp"
#include "zone/rr_types.hpp"
#include "zone/rrsig.hpp"
#include "zone/sign_times.hpp"
#include "zone/signed_output.hpp"
#include "zone/soa_serial.hpp"
#include "zone/zonemd.hpp"

namespace kskline::zone::signing {

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

}  // namespace kskline::zone::signing
