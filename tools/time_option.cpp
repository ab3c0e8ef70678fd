#include "tools/time_option.hpp"

#include <chrono>
#include <stdexcept>

#include "signer/errc.hpp"
#include "signer/key_request.hpp"
#include "signer/config_text.hpp"

namespace kskline::tools {

std::int64_t system_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Result<std::int64_t> parse_when(const std::string& flag, const std::string& text, std::int64_t now) {
  if (text.empty() || text == "now") return now;
  if (text.front() == '+') {
    auto d = signer::parse_duration(text.substr(1), flag);
    if (!d) return tl::unexpected(d.error());
    return now + *d;
  }
  if (text.size() == 14) {
    auto t = signer::parse_time(text, flag);
    if (!t) return fail(signer::errc::syntax, "'" + text + "' is not YYYYMMDDHHmmSS", flag);
    return *t;
  }
  try {
    std::size_t used = 0;
    long long v = std::stoll(text, &used);
    if (used == text.size() && v >= 0) return static_cast<std::int64_t>(v);
  } catch (const std::exception&) {
  }
  return fail(signer::errc::syntax,
              "'" + text + "' is not a time (YYYYMMDDHHmmSS, seconds since 1970, now or +DURATION such as +90d)", flag);
}

}  // namespace kskline::tools
