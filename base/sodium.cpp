#include "base/sodium.hpp"

#include <stdexcept>

#include <sodium.h>

namespace kskline::base {

void init_sodium() {
  // A function-local static: initialised once, thread-safe; a failure is
  // retried (and thrown again) by the next call.
  static const bool ready = [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium cannot initialise (no usable entropy source)");
    return true;
  }();
  (void)ready;
}

}  // namespace kskline::base
