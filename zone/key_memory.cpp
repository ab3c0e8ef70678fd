#include "zone/key_memory.hpp"

#include <sys/resource.h>

#include <openssl/crypto.h>

namespace kskline::zone {

bool protect_key_memory(std::size_t heap_size) {
  rlimit none{0, 0};
  ::setrlimit(RLIMIT_CORE, &none);
  if (CRYPTO_secure_malloc_initialized() == 0) CRYPTO_secure_malloc_init(heap_size, 32);
  return CRYPTO_secure_malloc_initialized() != 0;
}

}  // namespace kskline::zone
