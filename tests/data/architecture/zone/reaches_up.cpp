// A zone source that breaks every rule tests/architecture.cmake enforces.
#include "proto/frame.hpp"
#include "base/internal/anything.hpp"
#include <boost/asio/io_context.hpp>
