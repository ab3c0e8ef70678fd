// Key files as an operator might be handed them: BIND private-key text,
// timing metadata and PEM private keys. No crash, no key from nonsense.
#include <cstdint>
#include <string>

#include <sys/mman.h>
#include <unistd.h>

#include "tests/fuzz/fuzz_input.hpp"
#include "zone/key_file.hpp"

using namespace kskline;
using namespace kskline::zone;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  (void)parse_private_key_text(text, "fuzz.private");
  (void)parse_key_times_text(text, "fuzz.key");
  // The PEM reader takes a path: the input as an in-memory regular file.
  static const int fd = ::memfd_create("kskline-fuzz-pem", MFD_CLOEXEC);
  if (fd < 0) return 0;
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) return 0;
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  for (std::uint8_t algorithm : {8, 13, 14, 15, 16}) (void)read_pem_private_key(path, algorithm);
  return 0;
}
