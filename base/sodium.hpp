// libsodium's one initialisation, shared by every module that calls it.
#pragma once

namespace kskline::base {

// Initialises libsodium once per process; every user of libsodium calls it
// before its first libsodium call (cheap after the first, thread-safe).
// Throws std::runtime_error when libsodium cannot initialise (no usable
// entropy source): nothing safe is possible then, and the tools/ boundary
// reports it as an internal error.
void init_sodium();

}  // namespace kskline::base
