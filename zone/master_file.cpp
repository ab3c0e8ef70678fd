#include "zone/master_file.hpp"

#include <algorithm>
#include <filesystem>

#include "base/atomic_file.hpp"
#include "base/text.hpp"
#include "zone/errc.hpp"
#include "zone/lexer.hpp"
#include "zone/rdata.hpp"

namespace kskline::zone {
namespace {

// The state that directives change, scoped to one file ($INCLUDE starts a copy).
struct FileState {
  Name origin;
  std::optional<std::uint32_t> default_ttl;  // $TTL
  std::optional<std::uint32_t> last_ttl;     // the TTL of the previous record
  std::optional<std::size_t> last_owner;     // index of the previous record of this file
};

class Reader {
 public:
  Reader(const MasterOptions& options, RecordList& out) : options_(options), out_(out) {}

  Result<void> read_path(const std::string& path, FileState state, int depth, const std::string& included_from);
  Result<void> read_buffer(std::string_view text, const std::string& source, const std::filesystem::path& dir,
                           FileState& state, int depth);

 private:
  Result<void> directive(Lexer& lexer, const Token& token, const std::filesystem::path& dir, FileState& state,
                         int depth);
  Result<void> record(Lexer& lexer, std::optional<Token> first, bool blank_start, std::uint32_t file,
                      FileState& state);

  const MasterOptions& options_;
  RecordList& out_;
  Bytes rdata_;  // scratch: RDATA is parsed here, then copied once at its size
};

tl::unexpected<Error> syntax(const Lexer& lexer, std::uint32_t line, std::string detail, errc code = errc::syntax) {
  return fail(code, std::move(detail), lexer.where(line));
}

Result<void> Reader::read_path(const std::string& path, FileState state, int depth,
                               const std::string& included_from) {
  auto text = base::read_file(path);
  if (!text) {
    if (included_from.empty()) return tl::unexpected(text.error());
    return fail(errc::include_failed, "cannot read '" + path + "': " + text.error().detail, included_from);
  }
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  return read_buffer(*text, path, dir, state, depth);
}

Result<void> Reader::read_buffer(std::string_view text, const std::string& source,
                                 const std::filesystem::path& dir, FileState& state, int depth) {
  auto file = static_cast<std::uint32_t>(out_.files.size());
  out_.files.push_back(source);
  // About one record per 40 octets of master file, never more than the limit.
  out_.records.reserve(out_.records.size() + std::min(text.size() / 40, options_.max_records - out_.records.size()));
  Lexer lexer(text, source);
  bool blank_start = false;
  while (true) {
    auto more = lexer.next_entry(blank_start);
    if (!more) return tl::unexpected(more.error());
    if (!*more) return {};
    auto first = lexer.next();
    if (!first) return tl::unexpected(first.error());
    const Token& token = **first;
    if (!blank_start && !token.quoted && !token.text.empty() && token.text[0] == '$') {
      if (auto r = directive(lexer, token, dir, state, depth); !r) return r;
      continue;
    }
    if (auto r = record(lexer, *first, blank_start, file, state); !r) return r;
  }
}

Result<void> Reader::directive(Lexer& lexer, const Token& token, const std::filesystem::path& dir,
                               FileState& state, int depth) {
  std::vector<Token> args;
  while (true) {
    auto t = lexer.next();
    if (!t) return tl::unexpected(t.error());
    if (!*t) break;
    args.push_back(**t);
  }
  std::uint32_t line = token.line;
  if (base::iequals(token.text, "$ORIGIN")) {
    if (args.size() != 1) return syntax(lexer, line, "$ORIGIN takes exactly one domain name");
    auto name = Name::parse(args[0].text, &state.origin);
    if (!name) return syntax(lexer, line, "$ORIGIN: " + name.error().detail, errc::bad_name);
    state.origin = std::move(*name);
    return {};
  }
  if (base::iequals(token.text, "$TTL")) {
    if (args.size() != 1) return syntax(lexer, line, "$TTL takes exactly one TTL");
    auto ttl = parse_ttl(args[0].text);
    if (!ttl) return syntax(lexer, line, "$TTL: " + ttl.error().detail, errc::bad_ttl);
    state.default_ttl = *ttl;
    return {};
  }
  if (base::iequals(token.text, "$INCLUDE")) {
    if (!options_.allow_include) {
      return syntax(lexer, line, "$INCLUDE is disabled for this file", errc::include_failed);
    }
    if (args.empty() || args.size() > 2) {
      return syntax(lexer, line, "$INCLUDE takes a file name and an optional origin");
    }
    if (depth + 1 > options_.max_include_depth) {
      return syntax(lexer, line,
                    "$INCLUDE nested deeper than " + std::to_string(options_.max_include_depth) + " levels",
                    errc::include_failed);
    }
    FileState inner = state;
    inner.last_owner.reset();
    if (args.size() == 2) {
      auto name = Name::parse(args[1].text, &state.origin);
      if (!name) return syntax(lexer, line, "$INCLUDE origin: " + name.error().detail, errc::bad_name);
      inner.origin = std::move(*name);
    }
    std::filesystem::path target(std::string(args[0].text));
    if (target.is_relative()) target = dir / target;
    return read_path(target.string(), std::move(inner), depth + 1, lexer.where(line));
  }
  if (base::iequals(token.text, "$GENERATE")) {
    return syntax(lexer, line, "$GENERATE is a BIND extension that kskline does not expand; expand it first");
  }
  return syntax(lexer, line, "unknown directive '" + std::string(token.text) + "'");
}

Result<void> Reader::record(Lexer& lexer, std::optional<Token> first, bool blank_start, std::uint32_t file,
                            FileState& state) {
  Record rec;
  rec.loc = SourceLoc{file, first->line};
  std::optional<Token> pending = first;
  if (blank_start) {
    if (!state.last_owner) return syntax(lexer, first->line, "no owner name, and no previous record to take it from");
    rec.owner = out_.records[*state.last_owner].owner;
  } else {
    if (first->quoted) return syntax(lexer, first->line, "owner name must not be quoted", errc::bad_name);
    auto owner = Name::parse(first->text, &state.origin);
    if (!owner) return tl::unexpected(Error{owner.error().code, lexer.where(first->line), owner.error().detail});
    rec.owner = std::move(*owner);
    pending.reset();
  }

  // [TTL] [class] type, or [class] [TTL] type.
  std::optional<std::uint32_t> ttl;
  bool class_seen = false;
  std::optional<std::uint16_t> type;
  while (!type) {
    if (!pending) {
      auto t = lexer.next();
      if (!t) return tl::unexpected(t.error());
      if (!*t) return syntax(lexer, lexer.line(), "missing RR type after '" + rec.owner.to_string() + "'");
      pending = **t;
    }
    Token t = *pending;
    pending.reset();
    if (t.quoted) return syntax(lexer, t.line, "unexpected quoted string '" + std::string(t.text) + "'");
    if (!class_seen) {
      if (auto rclass = parse_class(t.text)) {
        if (*rclass != kClassIN) {
          return syntax(lexer, t.line, "class " + std::string(t.text) + " is not IN; zones here are class IN",
                        errc::unknown_class);
        }
        class_seen = true;
        continue;
      }
    }
    if (!ttl && !t.text.empty() && t.text[0] >= '0' && t.text[0] <= '9') {
      auto value = parse_ttl(t.text);
      if (!value) return tl::unexpected(Error{errc::bad_ttl, lexer.where(t.line), value.error().detail});
      ttl = *value;
      continue;
    }
    type = parse_type(t.text);
    if (!type) return syntax(lexer, t.line, "unknown RR type '" + std::string(t.text) + "'", errc::unknown_type);
    if (*type == rrtype::OPT || *type == 0 || (*type >= 128 && *type <= 255)) {
      return syntax(lexer, t.line, type_to_string(*type) + " is a meta type and cannot be in a zone", errc::unknown_type);
    }
  }
  rec.type = *type;
  rdata_.clear();
  if (auto r = parse_rdata(rec.type, lexer, state.origin, rdata_); !r) return r;
  rec.rdata.assign(rdata_.begin(), rdata_.end());

  if (ttl) {
    rec.ttl = *ttl;
  } else if (state.default_ttl) {
    rec.ttl = *state.default_ttl;
  } else if (state.last_ttl) {
    rec.ttl = *state.last_ttl;
  } else if (rec.type == rrtype::SOA && rec.rdata.size() >= 4) {
    // No TTL anywhere yet: the SOA takes its MINIMUM field (RFC 2308 §4 legacy).
    rec.ttl = get_u32(rec.rdata.data() + rec.rdata.size() - 4);
  } else {
    return syntax(lexer, rec.loc.line, "no TTL for this record and no $TTL before it", errc::bad_ttl);
  }
  if (out_.records.size() >= options_.max_records) {
    return syntax(lexer, rec.loc.line,
                  "more than " + std::to_string(options_.max_records) + " records, the limit of one zone",
                  errc::zone_too_large);
  }
  state.last_ttl = rec.ttl;
  state.last_owner = out_.records.size();
  out_.records.push_back(std::move(rec));
  return {};
}

}  // namespace

Result<RecordList> read_master_file(const std::string& path, const MasterOptions& options) {
  RecordList out;
  Reader reader(options, out);
  FileState state{options.origin, options.default_ttl, std::nullopt, std::nullopt};
  if (auto r = reader.read_path(path, std::move(state), 0, ""); !r) return tl::unexpected(r.error());
  return out;
}

Result<RecordList> read_master_text(std::string_view text, std::string_view source_name,
                                    const MasterOptions& options) {
  RecordList out;
  Reader reader(options, out);
  FileState state{options.origin, options.default_ttl, std::nullopt, std::nullopt};
  if (auto r = reader.read_buffer(text, std::string(source_name), std::filesystem::path("."), state, 0); !r) {
    return tl::unexpected(r.error());
  }
  return out;
}

}  // namespace kskline::zone
