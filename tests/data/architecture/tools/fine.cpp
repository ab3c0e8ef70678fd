// A tools source that follows the rules.
#include "signer/errc.hpp"
#include "transport/link_spec.hpp"
