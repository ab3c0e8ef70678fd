// The master-file tokenizer (RFC 1035 §5.1): entries, tokens, parentheses,
// comments, quoted strings, escapes; it tracks line numbers for errors.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/error.hpp"

namespace kskline::zone {

// A token of an entry. `text` points into the lexer's buffer: for a quoted
// token it is the text between the quotes; otherwise the raw token, which may
// contain backslash escapes (and, inside it, quoted parts like alpn="h2,h3").
struct Token {
  std::string_view text;
  bool quoted = false;
  std::uint32_t line = 0;
};

// Splits a master file held in memory into entries (logical lines, which
// parentheses may continue over physical lines) and tokens.
class Lexer {
 public:
  // Lexes `buffer`, which must outlive the lexer.
  explicit Lexer(std::string_view buffer) : buf_(buffer) {}

  // Moves to the next entry that has a token; false at the end of input.
  // `blank_start` tells whether the entry starts with white space (the owner
  // is then inherited). Any tokens left in the current entry are skipped.
  Result<bool> next_entry(bool& blank_start);

  // The next token of the current entry, or nullopt at its end.
  // errc::syntax on an unterminated quote or unbalanced parentheses.
  Result<std::optional<Token>> next();

  // Whether the current entry has no more tokens (skips blanks and comments).
  Result<bool> at_end();

  // The line of the last token returned (or of the entry start).
  std::uint32_t line() const { return token_line_; }

 private:
  Result<void> skip_blank();  // skips blanks, comments and, inside parens, newlines
  std::string_view buf_;
  std::size_t pos_ = 0;
  std::uint32_t line_ = 1;        // current physical line
  std::uint32_t token_line_ = 1;  // line of the last token
  int paren_depth_ = 0;
  std::uint32_t paren_line_ = 0;  // where the open parenthesis was
  bool in_entry_ = false;
};

}  // namespace kskline::zone
