#include "zone/parallel_read.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <cstring>
#include <thread>
#include <vector>

#include "base/atomic_file.hpp"

namespace kskline::zone {
namespace {

// Below this size one thread reads faster than several start.
constexpr std::size_t kMinParallelSize = std::size_t{1} << 20;

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Octets that need a look inside a record line; all others are skipped.
enum Special : std::uint8_t { kPlain = 0, kNewline, kQuote, kEscape, kParen, kComment };

constexpr std::array<std::uint8_t, 256> kSpecial = [] {
  std::array<std::uint8_t, 256> t{};
  t['\n'] = kNewline;
  t['"'] = kQuote;
  t['\\'] = kEscape;
  t['('] = kParen;
  t[')'] = kParen;
  t[';'] = kComment;
  return t;
}();

// Checks the start of a line at `p` (before `end`): empty, a comment, or
// "owner TTL IN"; moves p past what it checked. False for anything else.
bool line_start(const char*& p, const char* end) {
  if (p == end || *p == '\n' || *p == ';') return true;
  if (is_blank(*p)) {
    while (p != end && is_blank(*p)) ++p;
    return p == end || *p == '\n' || *p == ';';  // only a comment may follow blanks
  }
  if (*p == '$' || *p == '"' || *p == '(' || *p == ')') return false;
  auto token = [&](std::string_view& out) {
    while (p != end && is_blank(*p)) ++p;
    const char* start = p;
    while (p != end && !is_blank(*p) && *p != '\n') {
      if (kSpecial[static_cast<unsigned char>(*p)] != kPlain && *p != ';') {
        if (*p != '\\' || p + 1 == end) return false;
        ++p;  // an escaped octet of the owner
      } else if (*p == ';') {
        break;
      }
      ++p;
    }
    out = std::string_view(start, static_cast<std::size_t>(p - start));
    return true;
  };
  std::string_view owner, ttl, rclass;
  if (!token(owner) || !token(ttl) || !token(rclass) || owner.empty() || ttl.empty()) return false;
  for (char c : ttl) {
    if (c < '0' || c > '9') return false;
  }
  return rclass.size() == 2 && (rclass[0] == 'I' || rclass[0] == 'i') && (rclass[1] == 'N' || rclass[1] == 'n');
}

// Counts the lines of a splittable text; nullopt when it is not splittable.
std::optional<std::size_t> count_simple_lines(std::string_view text) {
  const char* p = text.data();
  const char* end = p + text.size();
  std::size_t lines = 0;
  while (p != end) {
    if (!line_start(p, end)) return std::nullopt;
    bool quoted = false, comment = false;
    for (; p != end; ++p) {
      auto kind = kSpecial[static_cast<unsigned char>(*p)];
      if (kind == kPlain) continue;
      if (kind == kNewline) break;
      if (comment) continue;
      if (kind == kEscape) {
        if (++p == end || *p == '\n') return std::nullopt;
      } else if (kind == kQuote) {
        quoted = !quoted;
      } else if (!quoted) {
        if (kind == kParen) return std::nullopt;
        comment = true;  // ';'
      }
    }
    if (quoted) return std::nullopt;
    if (p != end) {
      ++p;
      ++lines;
    }
  }
  return lines;
}

}  // namespace

bool splittable(std::string_view text) { return count_simple_lines(text).has_value(); }

namespace {

// Reads splittable text on `threads` threads; nullopt when it is not
// splittable, may hold more records than options.max_records, or a piece has
// an error (the caller reads it serially then, for the error's usual wording).
std::optional<RecordList> read_pieces(std::string_view all, const std::string& source, const MasterOptions& options,
                                      unsigned threads) {
  // Pieces end at newlines. Each thread checks that its piece is splittable,
  // counts its lines and reads it; the line numbers are fixed up after.
  std::vector<std::string_view> pieces;
  for (std::size_t start = 0, t = 0; start < all.size(); ++t) {
    std::size_t end = t + 1 >= threads ? all.size() : std::max(start, all.size() * (t + 1) / threads);
    if (end < all.size()) {
      auto nl = all.find('\n', end);
      end = nl == std::string_view::npos ? all.size() : nl + 1;
    }
    pieces.push_back(all.substr(start, end - start));
    start = end;
  }
  struct Part {
    bool simple = false;
    std::size_t lines = 0;
    Result<RecordList> records = RecordList{};
  };
  std::vector<Part> parts(pieces.size());
  auto on_each_piece = [&](auto work) {
    std::vector<std::jthread> pool;
    for (std::size_t i = 1; i < pieces.size(); ++i) pool.emplace_back(work, i);
    work(0);
  };
  on_each_piece([&](std::size_t i) {
    auto lines = count_simple_lines(pieces[i]);
    parts[i].simple = lines.has_value();
    if (parts[i].simple) parts[i].lines = *lines;
  });
  std::size_t lines = 0;
  for (const auto& p : parts) {
    if (!p.simple) return std::nullopt;
    lines += p.lines;
  }
  // A record takes a line (the last one may lack its newline): text that may
  // hold more than the limit is read serially, which stops at the record
  // that goes over it, so the pieces never hold more than the limit together.
  if (lines + 1 > options.max_records) return std::nullopt;
  on_each_piece([&](std::size_t i) { parts[i].records = read_master_text(pieces[i], source, options); });
  for (const auto& p : parts) {
    if (!p.records) return std::nullopt;
  }
  RecordList out;
  out.files.push_back(source);
  std::size_t total = 0;
  for (const auto& p : parts) total += p.records->records.size();
  out.records.reserve(total);
  std::uint32_t line_offset = 0;
  for (auto& p : parts) {
    for (auto& r : p.records->records) {
      r.loc.file = 0;
      r.loc.line += line_offset;
      out.records.push_back(std::move(r));
    }
    line_offset += static_cast<std::uint32_t>(p.lines);
  }
  return out;
}

}  // namespace

Result<RecordList> read_master_file_parallel(const std::string& path, const MasterOptions& options,
                                             unsigned threads) {
  auto text = base::read_file(path);
  if (!text) return tl::unexpected(text.error());
  if (threads >= 2 && text->size() >= kMinParallelSize) {
    if (auto list = read_pieces(*text, path, options, threads)) return std::move(*list);
  }
  return read_master_file(path, options);
}

Result<RecordList> read_master_text_parallel(std::string_view text, const std::string& source,
                                             const MasterOptions& options, unsigned threads) {
  if (threads >= 2 && text.size() >= kMinParallelSize) {
    if (auto list = read_pieces(text, source, options, threads)) return std::move(*list);
  }
  return read_master_text(text, source, options);
}

}  // namespace kskline::zone
