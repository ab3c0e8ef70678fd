// A buffer for secrets: locked in memory (not swapped) and wiped when freed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace kskline::base {

// Fixed-size secret bytes in memory that is mlock()ed and zeroed on release
// (libsodium sodium_mlock/sodium_memzero). Move-only. Locking failure (e.g.
// RLIMIT_MEMLOCK) is not fatal: the bytes are still wiped; locked() tells.
class SecureBuffer {
 public:
  // An empty buffer.
  SecureBuffer() noexcept = default;
  // A zero-filled buffer of n bytes.
  explicit SecureBuffer(std::size_t n);
  // A buffer holding a copy of data.
  explicit SecureBuffer(std::span<const std::uint8_t> data);
  ~SecureBuffer();
  SecureBuffer(SecureBuffer&& other) noexcept;
  SecureBuffer& operator=(SecureBuffer&& other) noexcept;
  SecureBuffer(const SecureBuffer&) = delete;
  SecureBuffer& operator=(const SecureBuffer&) = delete;

  // Mutable access to the secret bytes.
  std::span<std::uint8_t> bytes() noexcept { return {data_, size_}; }
  // Read access to the secret bytes.
  std::span<const std::uint8_t> bytes() const noexcept { return {data_, size_}; }
  // Number of bytes held.
  std::size_t size() const noexcept { return size_; }
  // Whether the memory is locked against swapping.
  bool locked() const noexcept { return locked_; }

 private:
  void release() noexcept;
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  bool locked_ = false;
};

// Zeroes memory in a way the compiler may not optimise away.
void wipe(void* data, std::size_t n) noexcept;

}  // namespace kskline::base
