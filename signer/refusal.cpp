#include "signer/refusal.hpp"

#include <string>

namespace kskline::signer {
namespace {

constexpr std::string_view kMagic = "kskline-refusal";
constexpr std::string_view kVersion = "1";

tl::unexpected<Error> garbled(std::string detail) { return fail(errc::syntax, std::move(detail), "refusal"); }

}  // namespace

std::string refusal_code(const Error& error) {
  if (error.code.category() == category()) return errc_name(static_cast<errc>(error.code.value()));
  return error.code.category().name() + std::string(":") + std::to_string(error.code.value());
}

std::string format_refusal(const Error& error) {
  std::string message = error.message();
  for (char& c : message) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return std::string(kMagic) + " " + std::string(kVersion) + "\ncode " + refusal_code(error) + "\nmessage " +
         message + "\n";
}

Result<Refusal> parse_refusal(std::string_view text) {
  Refusal refusal;
  bool seen_magic = false, seen_code = false, seen_message = false;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) return garbled("the last line has no line break: the refusal is truncated");
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    std::size_t space = line.find(' ');
    std::string_view key = line.substr(0, space);
    std::string_view value = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
    if (!seen_magic) {
      if (key != kMagic) return garbled("not a refusal: the first line is not '" + std::string(kMagic) + " 1'");
      if (value != kVersion) {
        return fail(errc::unsupported_version,
                    "refusal version '" + std::string(value) + "'; this kskline reads version " +
                        std::string(kVersion),
                    "refusal");
      }
      seen_magic = true;
    } else if (key == "code" && !seen_code && !value.empty()) {
      refusal.code = value;
      seen_code = true;
    } else if (key == "message" && !seen_message) {
      refusal.message = value;
      seen_message = true;
    } else {
      return garbled("unexpected line '" + std::string(line.substr(0, 40)) + "'");
    }
  }
  if (!seen_magic) return garbled("empty: not a refusal");
  if (!seen_code) return garbled("no 'code' line");
  if (!seen_message) return garbled("no 'message' line");
  refusal.known = errc_from_name(refusal.code);
  return refusal;
}

Error refusal_error(const Refusal& refusal) {
  return Error{refusal.known.value_or(errc::refused), "KSK side",
               "refused the request (" + refusal.code + "): " + refusal.message};
}

}  // namespace kskline::signer
