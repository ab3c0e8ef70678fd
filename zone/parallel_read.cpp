#include "zone/parallel_read.hpp"

#include <algorithm>
#include <cstring>
#include <thread>
#include <vector>

#include "base/atomic_file.hpp"

namespace kskline::zone {
namespace {

// Below this size one thread reads faster than several start.
constexpr std::size_t kMinParallelSize = std::size_t{1} << 20;

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Whether one line (without its newline) is empty, a comment, or a one-line
// record with owner, decimal TTL and class IN.
bool simple_line(std::string_view line) {
  if (line.empty() || line[0] == ';') return true;
  if (is_blank(line[0])) {
    for (char c : line) {
      if (!is_blank(c)) return c == ';';  // only a comment may follow blanks
    }
    return true;
  }
  if (line[0] == '$') return false;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '\\') {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && (c == '(' || c == ')')) {
      return false;
    } else if (!quoted && c == ';') {
      break;
    }
  }
  if (quoted) return false;
  // owner, TTL, class.
  std::size_t pos = 0;
  auto token = [&]() -> std::string_view {
    while (pos < line.size() && is_blank(line[pos])) ++pos;
    std::size_t start = pos;
    while (pos < line.size() && !is_blank(line[pos])) {
      if (line[pos] == '\\') ++pos;
      ++pos;
    }
    return line.substr(start, std::min(pos, line.size()) - start);
  };
  std::string_view owner = token(), ttl = token(), rclass = token();
  if (owner.empty() || ttl.empty()) return false;
  for (char c : ttl) {
    if (c < '0' || c > '9') return false;
  }
  return rclass.size() == 2 && (rclass[0] == 'I' || rclass[0] == 'i') && (rclass[1] == 'N' || rclass[1] == 'n');
}

}  // namespace

bool splittable(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const char* nl = static_cast<const char*>(std::memchr(text.data() + pos, '\n', text.size() - pos));
    std::size_t end = nl == nullptr ? text.size() : static_cast<std::size_t>(nl - text.data());
    if (!simple_line(text.substr(pos, end - pos))) return false;
    pos = end + 1;
  }
  return true;
}

Result<RecordList> read_master_file_parallel(const std::string& path, const MasterOptions& options,
                                             unsigned threads) {
  auto text = base::read_file(path);
  if (!text) return tl::unexpected(text.error());
  if (threads < 2 || text->size() < kMinParallelSize) return read_master_file(path, options);
  // Pieces end at newlines. Each thread checks that its piece is splittable,
  // counts its lines and reads it; the line numbers are fixed up after.
  std::vector<std::string_view> pieces;
  std::string_view all = *text;
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
  auto work = [&](std::size_t i) {
    parts[i].simple = splittable(pieces[i]);
    if (!parts[i].simple) return;
    parts[i].lines = static_cast<std::size_t>(std::count(pieces[i].begin(), pieces[i].end(), '\n'));
    parts[i].records = read_master_text(pieces[i], path, options);
  };
  {
    std::vector<std::jthread> pool;
    for (std::size_t i = 1; i < pieces.size(); ++i) pool.emplace_back(work, i);
    work(0);
  }
  for (const auto& p : parts) {
    // Not splittable, or an error: the serial reader words errors as usual.
    if (!p.simple || !p.records) return read_master_file(path, options);
  }
  RecordList out;
  out.files.push_back(path);
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

}  // namespace kskline::zone
