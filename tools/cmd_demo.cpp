// Placeholder while issue 5 is built; replaced by the real commands.
#include "tools/commands.hpp"

namespace kskline::tools {

void add_demo(Cli&) {}

}  // namespace kskline::tools
