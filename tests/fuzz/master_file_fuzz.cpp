// The master-file reader on arbitrary text ($INCLUDE off, as for files that
// arrive from elsewhere): no crash, and what it reads, written back one record
// a line, reads again to the same records.
#include <cstdint>
#include <string>

#include "tests/fuzz/fuzz_input.hpp"
#include "zone/master_file.hpp"
#include "zone/record.hpp"

using namespace kskline;
using namespace kskline::zone;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Name origin = *Name::parse("example.com.");
  MasterOptions options;
  options.origin = origin;
  options.allow_include = false;
  auto list = read_master_text(fuzz::as_text(data, size), "fuzz", options);
  if (!list) return 0;
  std::string written;
  for (const auto& r : list->records) append_text(r, written);
  auto again = read_master_text(written, "fuzz-written", options);
  if (!again || again->records.size() != list->records.size()) fuzz::property_failed();
  std::string rewritten;
  for (const auto& r : again->records) append_text(r, rewritten);
  if (rewritten != written) fuzz::property_failed();
  return 0;
}
