// What the KSK side reads when a Knot or BIND zone signer sends a KSR, and
// what the zone side reads back from keymgr or dnssec-ksr: no crash; a KSR or
// SKR that parses formats to text that parses and formats again to the same
// text, in its own dialect and in the other one.
#include <cstdint>
#include <string>

#include "signer/foreign_dialect.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace kskline;
using namespace kskline::signer;

namespace {

void round_trip(ForeignDocument doc) {
  const std::string once = format_foreign(doc);
  auto again = parse_foreign(once, "fuzz-formatted", doc.kind);
  if (!again || format_foreign(*again) != once) fuzz::property_failed();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  (void)detect_dialect(text, "fuzz");
  for (auto kind : {ForeignKind::request, ForeignKind::response}) {
    auto doc = parse_foreign(text, "fuzz", kind);
    if (!doc) continue;
    round_trip(*doc);
    doc->dialect = doc->dialect == Dialect::knot ? Dialect::bind : Dialect::knot;
    round_trip(*doc);
    if (kind == ForeignKind::request) {
      (void)to_key_request(*doc);
    } else {
      (void)to_key_response(*doc);
    }
  }
  return 0;
}
