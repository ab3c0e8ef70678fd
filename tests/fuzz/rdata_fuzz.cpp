// DNS wire data as it arrives in requests and answers: names, RDATA of every
// type in the type table, and the DNSSEC fields read from it. No crash; RDATA
// that validates prints to text that parses back to the same octets.
#include <cstdint>
#include <string>

#include "tests/fuzz/fuzz_input.hpp"
#include "zone/dnssec_key.hpp"
#include "zone/ds.hpp"
#include "zone/name.hpp"
#include "zone/rdata.hpp"
#include "zone/rrsig.hpp"
#include "zone/type_bitmap.hpp"
#include "zone/zonemd.hpp"

using namespace kskline;
using namespace kskline::zone;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput in(data, size);
  const std::uint16_t type = in.u16();
  ByteView rdata = in.rest();
  (void)Name::from_wire(rdata);
  (void)parse_rrsig(rdata);
  (void)read_type_bitmap(rdata);
  (void)parse_zonemd(rdata);
  (void)parse_ds(rdata);
  if (auto key = parse_dnskey(rdata)) (void)PublicKey::from_dnskey(key->algorithm, key->public_key);
  if (!validate_rdata(type, rdata)) return 0;
  static const Name root = *Name::parse(".");
  const std::string text = rdata_to_text(type, rdata);
  auto back = parse_rdata_text(type, text, root);
  if (!back || *back != Bytes(rdata.begin(), rdata.end())) fuzz::property_failed();
  return 0;
}
