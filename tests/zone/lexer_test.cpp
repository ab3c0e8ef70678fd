#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "zone/errc.hpp"
#include "zone/lexer.hpp"

using namespace kskline;
using namespace kskline::zone;

namespace {

struct Tok {
  std::string text;
  bool quoted;
  std::uint32_t line;
};

struct Entry {
  bool blank_start;
  std::vector<Tok> tokens;
};

// Lexes all of `text`; the error (if any) stops the walk.
Result<std::vector<Entry>> lex_all(std::string_view text) {
  Lexer lexer(text, "test.zone");
  std::vector<Entry> entries;
  while (true) {
    bool blank = false;
    auto more = lexer.next_entry(blank);
    if (!more) return tl::unexpected(more.error());
    if (!*more) return entries;
    Entry entry{blank, {}};
    while (true) {
      auto t = lexer.next();
      if (!t) return tl::unexpected(t.error());
      if (!*t) break;
      entry.tokens.push_back({std::string((*t)->text), (*t)->quoted, (*t)->line});
    }
    entries.push_back(std::move(entry));
  }
}

std::vector<std::string> texts(const Entry& e) {
  std::vector<std::string> out;
  for (const auto& t : e.tokens) out.push_back(t.text);
  return out;
}

std::vector<std::uint32_t> lines(const Entry& e) {
  std::vector<std::uint32_t> out;
  for (const auto& t : e.tokens) out.push_back(t.line);
  return out;
}

using Strings = std::vector<std::string>;
using Lines = std::vector<std::uint32_t>;

}  // namespace

TEST_CASE("lexer: an entry is one line of blank-separated tokens", "[zone][lexer]") {
  auto r = lex_all("a 1 IN\tA  1.2.3.4\nb\tTXT x\r\n");
  REQUIRE(r);
  REQUIRE(r->size() == 2);
  CHECK(texts((*r)[0]) == Strings{"a", "1", "IN", "A", "1.2.3.4"});
  CHECK(lines((*r)[0]) == Lines{1, 1, 1, 1, 1});
  CHECK(texts((*r)[1]) == Strings{"b", "TXT", "x"});  // \r is a blank
  CHECK(lines((*r)[1]) == Lines{2, 2, 2});
  CHECK_FALSE((*r)[0].tokens[0].quoted);
}

TEST_CASE("lexer: parentheses continue an entry over lines", "[zone][lexer]") {
  auto r = lex_all("@ SOA ns host (\n  1 ; serial\n  2 3\n  4 5 )\nnext A 1.2.3.4\n");
  REQUIRE(r);
  REQUIRE(r->size() == 2);
  CHECK(texts((*r)[0]) == Strings{"@", "SOA", "ns", "host", "1", "2", "3", "4", "5"});
  CHECK(lines((*r)[0]) == Lines{1, 1, 1, 1, 2, 3, 3, 4, 4});
  CHECK(texts((*r)[1]) == Strings{"next", "A", "1.2.3.4"});
  CHECK(lines((*r)[1]) == Lines{5, 5, 5});

  // Parentheses end tokens without blanks and may nest.
  auto tight = lex_all("a(b\n(c)\n)d\ne\n");
  REQUIRE(tight);
  REQUIRE(tight->size() == 2);
  CHECK(texts((*tight)[0]) == Strings{"a", "b", "c", "d"});
  CHECK(texts((*tight)[1]) == Strings{"e"});
  CHECK((*tight)[1].tokens[0].line == 4);
}

TEST_CASE("lexer: comments run to the end of the line, also inside parentheses", "[zone][lexer]") {
  auto r = lex_all("; leading comment ( not a paren\na 1 ; comment \" not a quote\n   ; only a comment\n\nb ( 1 ; ) not closing\n 2 )\n;last");
  REQUIRE(r);
  REQUIRE(r->size() == 2);
  CHECK(texts((*r)[0]) == Strings{"a", "1"});
  CHECK(lines((*r)[0]) == Lines{2, 2});
  CHECK(texts((*r)[1]) == Strings{"b", "1", "2"});
  CHECK(lines((*r)[1]) == Lines{5, 5, 6});
  // A semicolon inside a token is a comment start, unless escaped.
  auto inner = lex_all("a;b\nc\\;d e\n");
  REQUIRE(inner);
  REQUIRE(inner->size() == 2);
  CHECK(texts((*inner)[0]) == Strings{"a"});
  CHECK(texts((*inner)[1]) == Strings{"c\\;d", "e"});
}

TEST_CASE("lexer: quoted strings keep blanks, semicolons and escaped quotes", "[zone][lexer]") {
  auto r = lex_all("t TXT \"hello \\\"world\\\" ; (not) a comment\" \"\" x\"y z\"\n");
  REQUIRE(r);
  REQUIRE(r->size() == 1);
  const auto& e = (*r)[0];
  REQUIRE(e.tokens.size() == 5);
  CHECK(e.tokens[2].text == "hello \\\"world\\\" ; (not) a comment");  // escapes are left for the field parser
  CHECK(e.tokens[2].quoted);
  CHECK(e.tokens[3].text.empty());
  CHECK(e.tokens[3].quoted);
  // A quoted part inside a token belongs to the token (key="value with spaces").
  CHECK(e.tokens[4].text == "x\"y z\"");
  CHECK_FALSE(e.tokens[4].quoted);
  // A quoted string ends a token and starts a new one.
  auto joined = lex_all("\"a\"\"b\"\n");
  REQUIRE(joined);
  CHECK(texts((*joined)[0]) == Strings{"a", "b"});
}

TEST_CASE("lexer: escaped blanks and specials stay inside a token", "[zone][lexer]") {
  auto r = lex_all("a\\ b c\\(d\\)e f\\\"g \\0321\n");
  REQUIRE(r);
  REQUIRE(r->size() == 1);
  CHECK(texts((*r)[0]) == Strings{"a\\ b", "c\\(d\\)e", "f\\\"g", "\\0321"});
}

TEST_CASE("lexer: entries starting with a blank are marked", "[zone][lexer]") {
  auto r = lex_all("owner A 1.2.3.4\n  A 5.6.7.8\n\tTXT x\n\n   \n   ; comment only\nnext A 1.1.1.1\n");
  REQUIRE(r);
  REQUIRE(r->size() == 4);
  CHECK_FALSE((*r)[0].blank_start);
  CHECK((*r)[1].blank_start);
  CHECK((*r)[2].blank_start);
  CHECK_FALSE((*r)[3].blank_start);
  CHECK((*r)[3].tokens[0].line == 7);
}

TEST_CASE("lexer: an escaped newline inside quotes counts as a line", "[zone][lexer]") {
  // BIND and ldns take the newline into the string and count the line.
  auto r = lex_all("t TXT \"abc\\\ndef\"\nu TXT x\"a\\\nb\"\nv A 1.2.3.4\n");
  REQUIRE(r);
  REQUIRE(r->size() == 3);
  CHECK((*r)[0].tokens[2].text == "abc\\\ndef");
  CHECK((*r)[1].tokens[0].line == 3);
  CHECK((*r)[2].tokens[0].line == 5);
}

TEST_CASE("lexer: unbalanced parentheses are syntax errors at the right line", "[zone][lexer]") {
  auto open = lex_all("a A 1.2.3.4\nb SOA ( 1 2\n 3 4\n");
  REQUIRE_FALSE(open);
  CHECK(open.error().code == errc::syntax);
  CHECK(open.error().where == "test.zone:2");  // where the '(' was

  auto close = lex_all("a A 1.2.3.4\n\nb TXT x )\n");
  REQUIRE_FALSE(close);
  CHECK(close.error().code == errc::syntax);
  CHECK(close.error().where == "test.zone:3");

  auto close_at_start = lex_all(") a\n");
  REQUIRE_FALSE(close_at_start);
  CHECK(close_at_start.error().where == "test.zone:1");
}

TEST_CASE("lexer: unterminated quotes are syntax errors at the right line", "[zone][lexer]") {
  for (auto [text, where] : std::vector<std::pair<std::string, std::string>>{
           {"a TXT \"abc\nb A 1.2.3.4\n", "test.zone:1"},
           {"a A 1.2.3.4\nb TXT \"abc", "test.zone:2"},
           {"a A 1.2.3.4\n\nb SVCB 1 . alpn=\"h2\n", "test.zone:3"},
           {"a A 1.2.3.4\nb SVCB 1 . alpn=\"h2", "test.zone:2"},
           {"a TXT \"abc\\", "test.zone:1"},
           {"a TXT ( \"abc\n\" )\n", "test.zone:1"},
       }) {
    CAPTURE(text);
    auto r = lex_all(text);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::syntax);
    CHECK(r.error().where == where);
  }
}

TEST_CASE("lexer: a backslash at the end of a line outside quotes is refused", "[zone][lexer]") {
  for (std::string text : {"a TXT abc\\\nb A 1.2.3.4\n", "a TXT abc\\"}) {
    auto r = lex_all(text);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::syntax);
    CHECK(r.error().where == "test.zone:1");
  }
}

TEST_CASE("lexer: unget, at_end and skipping the rest of an entry", "[zone][lexer]") {
  Lexer lexer("a b c\nd\n", "x");
  bool blank = true;
  auto more = lexer.next_entry(blank);
  REQUIRE(more);
  REQUIRE(*more);
  CHECK_FALSE(blank);
  auto a = lexer.next();
  REQUIRE(a);
  REQUIRE(*a);
  CHECK((*a)->text == "a");
  lexer.unget(**a);
  auto again = lexer.next();
  REQUIRE(again);
  REQUIRE(*again);
  CHECK((*again)->text == "a");
  auto at_end = lexer.at_end();
  REQUIRE(at_end);
  CHECK_FALSE(*at_end);
  // Moving on drops "b c".
  more = lexer.next_entry(blank);
  REQUIRE(more);
  REQUIRE(*more);
  auto d = lexer.next();
  REQUIRE(d);
  REQUIRE(*d);
  CHECK((*d)->text == "d");
  CHECK((*d)->line == 2);
  CHECK(lexer.where(2) == "x:2");
  at_end = lexer.at_end();
  REQUIRE(at_end);
  CHECK(*at_end);
  more = lexer.next_entry(blank);
  REQUIRE(more);
  CHECK_FALSE(*more);
}

TEST_CASE("lexer: empty input and input without a final newline", "[zone][lexer]") {
  auto empty = lex_all("");
  REQUIRE(empty);
  CHECK(empty->empty());
  auto blanks = lex_all("  \n\t\n ; c\n");
  REQUIRE(blanks);
  CHECK(blanks->empty());
  auto last = lex_all("a b");
  REQUIRE(last);
  REQUIRE(last->size() == 1);
  CHECK(texts((*last)[0]) == Strings{"a", "b"});
}
