#include "zone/lexer.hpp"

#include "zone/errc.hpp"

namespace kskline::zone {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

bool ends_token(char c) {
  return is_blank(c) || c == '\n' || c == '(' || c == ')' || c == ';';
}

}  // namespace

std::string Lexer::where(std::uint32_t line) const {
  return source_ + ":" + std::to_string(line);
}

tl::unexpected<Error> Lexer::syntax_error(std::uint32_t line, std::string detail) const {
  return fail(errc::syntax, std::move(detail), where(line));
}

Result<void> Lexer::skip_blank() {
  while (pos_ < buf_.size()) {
    char c = buf_[pos_];
    if (is_blank(c)) {
      ++pos_;
    } else if (c == ';') {
      while (pos_ < buf_.size() && buf_[pos_] != '\n') ++pos_;
    } else if (c == '\n' && paren_depth_ > 0) {
      ++pos_;
      ++line_;
    } else if (c == '(') {
      if (paren_depth_ == 0) paren_line_ = line_;
      ++paren_depth_;
      ++pos_;
    } else if (c == ')') {
      if (paren_depth_ == 0) return syntax_error(line_, "')' without a matching '('");
      --paren_depth_;
      ++pos_;
    } else {
      break;
    }
  }
  if (pos_ >= buf_.size() && paren_depth_ > 0) {
    return syntax_error(paren_line_, "'(' is never closed");
  }
  return {};
}

Result<void> Lexer::skip_quoted() {
  while (pos_ < buf_.size() && buf_[pos_] != '"') {
    if (buf_[pos_] == '\n') return syntax_error(token_line_, "quoted string runs past the end of the line");
    if (buf_[pos_] == '\\') {
      // An escaped newline belongs to the string (as BIND and ldns read it)
      // and still ends a physical line.
      if (pos_ + 1 < buf_.size() && buf_[pos_ + 1] == '\n') ++line_;
      ++pos_;
    }
    ++pos_;
  }
  if (pos_ >= buf_.size()) return syntax_error(token_line_, "quoted string is never closed");
  return {};
}

Result<bool> Lexer::next_entry(bool& blank_start) {
  pending_.reset();
  // Drop what is left of the current entry.
  while (in_entry_) {
    auto token = next();
    if (!token) return tl::unexpected(token.error());
  }
  while (pos_ < buf_.size()) {
    blank_start = is_blank(buf_[pos_]);
    token_line_ = line_;
    if (auto r = skip_blank(); !r) return tl::unexpected(r.error());
    if (pos_ >= buf_.size()) return false;
    if (buf_[pos_] == '\n') {
      ++pos_;
      ++line_;
      continue;
    }
    in_entry_ = true;
    return true;
  }
  return false;
}

Result<bool> Lexer::at_end() {
  if (pending_) return false;
  if (!in_entry_) return true;
  if (auto r = skip_blank(); !r) return tl::unexpected(r.error());
  return pos_ >= buf_.size() || buf_[pos_] == '\n';
}

Result<std::optional<Token>> Lexer::next() {
  if (pending_) {
    auto token = pending_;
    pending_.reset();
    return token;
  }
  if (!in_entry_) return std::optional<Token>();
  if (auto r = skip_blank(); !r) return tl::unexpected(r.error());
  if (pos_ >= buf_.size() || buf_[pos_] == '\n') {
    if (pos_ < buf_.size()) {
      ++pos_;
      ++line_;
    }
    in_entry_ = false;
    return std::optional<Token>();
  }
  token_line_ = line_;
  if (buf_[pos_] == '"') {
    std::size_t start = ++pos_;
    if (auto r = skip_quoted(); !r) return tl::unexpected(r.error());
    Token token{buf_.substr(start, pos_ - start), true, token_line_};
    ++pos_;
    return std::optional<Token>(token);
  }
  std::size_t start = pos_;
  while (pos_ < buf_.size() && !ends_token(buf_[pos_])) {
    if (buf_[pos_] == '\\') {
      if (pos_ + 1 >= buf_.size() || buf_[pos_ + 1] == '\n') {
        return syntax_error(token_line_, "'\\' at the end of a line");
      }
      pos_ += 2;
    } else if (buf_[pos_] == '"') {
      // A quoted part inside a token, as in key="value with spaces".
      ++pos_;
      if (auto r = skip_quoted(); !r) return tl::unexpected(r.error());
      ++pos_;
    } else {
      ++pos_;
    }
  }
  return std::optional<Token>(Token{buf_.substr(start, pos_ - start), false, token_line_});
}

}  // namespace kskline::zone
