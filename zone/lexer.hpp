// The master-file tokenizer (RFC 1035 §5.1): entries, tokens, parentheses,
// comments, quoted strings, escapes; it tracks line numbers for errors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
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
  // Lexes `buffer`, which must outlive the lexer; `source` names it in errors.
  Lexer(std::string_view buffer, std::string_view source) : buf_(buffer), source_(source) {}

  // Moves to the next entry that has a token; false at the end of input.
  // `blank_start` tells whether the entry starts with white space (the owner
  // is then inherited). Any tokens left in the current entry are skipped.
  Result<bool> next_entry(bool& blank_start);

  // The next token of the current entry, or nullopt at its end.
  // errc::syntax on an unterminated quote or unbalanced parentheses.
  Result<std::optional<Token>> next();

  // Returns `token` (just taken from next()) to be taken again by next().
  void unget(const Token& token) { pending_ = token; }

  // Whether the current entry has no more tokens (skips blanks and comments).
  Result<bool> at_end();

  // The line of the last token returned (or of the entry start).
  std::uint32_t line() const { return token_line_; }

  // "source:line" for a line of this buffer, as errors carry it in `where`.
  std::string where(std::uint32_t line) const;

 private:
  Result<void> skip_blank();  // skips blanks, comments and, inside parens, newlines
  Result<void> skip_quoted(); // moves pos_ to the closing quote of a quoted part
  tl::unexpected<Error> syntax_error(std::uint32_t line, std::string detail) const;
  std::string_view buf_;
  std::string source_;
  std::size_t pos_ = 0;
  std::uint32_t line_ = 1;        // current physical line
  std::uint32_t token_line_ = 1;  // line of the last token
  int paren_depth_ = 0;
  std::uint32_t paren_line_ = 0;  // where the open parenthesis was
  bool in_entry_ = false;
  std::optional<Token> pending_;  // a token given back by unget()
};

}  // namespace kskline::zone
