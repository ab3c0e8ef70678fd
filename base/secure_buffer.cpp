#include "base/secure_buffer.hpp"

#include <algorithm>
#include <cstdint>
#include <new>
#include <utility>

#include <sodium.h>
#include <unistd.h>

#include "base/sodium.hpp"

namespace kskline::base {
namespace {

// Secrets get whole pages of their own: mlock()/munlock() act on pages and do
// not nest, so two buffers sharing a page would unlock each other on release.
std::size_t page_size() noexcept {
  static const std::size_t size = [] {
    long v = ::sysconf(_SC_PAGESIZE);
    return v > 0 ? static_cast<std::size_t>(v) : std::size_t{4096};
  }();
  return size;
}

// The allocation size for n bytes: n rounded up to whole pages. The caller
// has checked that n is not within a page of SIZE_MAX.
std::size_t rounded(std::size_t n) noexcept {
  std::size_t page = page_size();
  return (n + page - 1) / page * page;
}

}  // namespace

SecureBuffer::SecureBuffer(std::size_t n) {
  if (n == 0) return;
  init_sodium();
  if (n > SIZE_MAX - page_size()) throw std::bad_alloc();
  std::size_t capacity = rounded(n);
  data_ = static_cast<std::uint8_t*>(::operator new(capacity, std::align_val_t{page_size()}));
  size_ = n;
  locked_ = sodium_mlock(data_, capacity) == 0;
  sodium_memzero(data_, capacity);
}

SecureBuffer::SecureBuffer(std::span<const std::uint8_t> data) : SecureBuffer(data.size()) {
  if (!data.empty()) std::copy(data.begin(), data.end(), data_);
}

SecureBuffer::~SecureBuffer() { release(); }

SecureBuffer::SecureBuffer(SecureBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      locked_(std::exchange(other.locked_, false)) {}

SecureBuffer& SecureBuffer::operator=(SecureBuffer&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    locked_ = std::exchange(other.locked_, false);
  }
  return *this;
}

void SecureBuffer::release() noexcept {
  if (data_ == nullptr) return;
  std::size_t capacity = rounded(size_);
  sodium_memzero(data_, capacity);
  if (locked_) sodium_munlock(data_, capacity);  // also zeroes, harmlessly again
  ::operator delete(data_, std::align_val_t{page_size()});
  data_ = nullptr;
  size_ = 0;
  locked_ = false;
}

void wipe(void* data, std::size_t n) noexcept {
  if (data != nullptr && n > 0) sodium_memzero(data, n);
}

}  // namespace kskline::base
