// Keeping private keys out of places they should not reach: core dumps and
// swap. Private key material kskline holds itself sits in SecureBuffer
// (sodium_mlock, which also excludes it from core dumps); keys held by
// OpenSSL go to OpenSSL's secure heap once this is called.
#pragma once

#include <cstddef>

namespace kskline::zone {

// Starts OpenSSL's secure heap (`heap_size` octets, locked in memory and
// left out of core dumps; private key numbers are allocated there) and sets
// this process's core file size limit to 0. Call before any key is loaded.
// Returns whether the secure heap is active (it is not when the process may
// not lock that much memory; keys then live in ordinary memory, still not
// written to a core file).
bool protect_key_memory(std::size_t heap_size = std::size_t{1} << 20);

}  // namespace kskline::zone
