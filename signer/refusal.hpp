// The KSK side's refusal of a key-signing request, in kskline's dialect
// (docs/formats.md, "Refusal"): the payload of an error envelope (kind error,
// payload type text) that answers a request the KSK side will not sign.
//
//   kskline-refusal 1
//   code clock_skew
//   message request envelope: the request was made at ...
//
// `code` is the error's name: a signer::errc as errc_name writes it, or
// "<category>:<value>" for an error of another module.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "signer/errc.hpp"

namespace kskline::signer {

// A refusal as read.
struct Refusal {
  std::string code;          // the error's name as sent
  std::string message;       // what the KSK side said, one line
  std::optional<errc> known;  // the signer::errc `code` names, when this build has it
};

// The name a refusal gives an error: errc_name for a signer::errc, else
// "<category name>:<value>" ("kskline.zone:3").
std::string refusal_code(const Error& error);

// Writes the refusal of `error`: its name (refusal_code) and its message with
// line breaks turned into spaces.
std::string format_refusal(const Error& error);

// Reads a refusal: the magic line "kskline-refusal 1", then `code NAME` and
// `message TEXT` lines, each once. errc::syntax (where "refusal") when the
// magic, a field or the final line break is missing (a truncated payload) or
// a line is not one of these; errc::unsupported_version for another version.
// An unknown name is kept as `code` with `known` empty.
Result<Refusal> parse_refusal(std::string_view text);

// The refusal as the zone side reports it: the named signer::errc, or
// errc::refused for a name this build does not know; where "KSK side",
// detail "refused the request (<code>): <message>".
Error refusal_error(const Refusal& refusal);

}  // namespace kskline::signer
