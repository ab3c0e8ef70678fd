#include "signer/key_request.hpp"

#include <ctime>
#include <optional>

#include "base/digest.hpp"
#include "base/encoding.hpp"
#include "signer/errc.hpp"
#include "zone/dnssec_time.hpp"
#include "zone/master_file.hpp"
#include "zone/rdata.hpp"
#include "zone/rr_types.hpp"

namespace kskline::signer {
namespace {

constexpr std::string_view kRequestMagic = "kskline-request";
constexpr std::string_view kResponseMagic = "kskline-response";

std::string where(std::string_view source, std::size_t line) {
  return std::string(source) + ":" + std::to_string(line);
}

// The whitespace-separated words of a line, up to a ';' comment.
std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    if (i >= line.size() || line[i] == ';') break;
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r' && line[j] != ';') ++j;
    out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

// A directive line starts with a keyword; a record line with an absolute owner.
bool is_record_line(const std::vector<std::string_view>& w) {
  return !w.empty() && w.front().back() == '.';
}

bool is_hex(std::string_view text, std::size_t length) {
  if (text.size() != length) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// The type an RRSIG covers (its first two RDATA octets).
std::uint16_t type_covered(const zone::Record& r) {
  return r.rdata.size() >= 2 ? static_cast<std::uint16_t>(r.rdata[0] << 8 | r.rdata[1]) : 0;
}

bool allowed(std::initializer_list<std::uint16_t> types, std::uint16_t type) {
  for (auto t : types) {
    if (t == type) return true;
  }
  return false;
}

// The parts of a document shared by both kinds: header fields, slots with
// their directive words and the records that follow each.
struct ParsedSlot {
  std::size_t line = 0;
  std::vector<std::string> args;
  std::vector<zone::Record> records;
};

struct Document {
  std::vector<std::pair<std::string, std::string>> header;  // field, value, in order
  std::vector<std::size_t> header_lines;
  std::vector<ParsedSlot> slots;
};

// Reads a document: magic line with version, header fields in `fields`, then
// `slot ...` lines each followed by records, then `end`. Record lines are
// read with the master-file reader; `types` are the record types a slot may
// hold (and RRSIGs covering them), over the whole text (directive lines
// blanked) so that errors carry the exact line.
Result<Document> read_document(std::string_view text, std::string_view source, std::string_view magic,
                               std::initializer_list<std::string_view> fields, std::size_t slot_args,
                               std::initializer_list<std::uint16_t> types) {
  Document doc;
  std::string masked;
  masked.reserve(text.size());
  bool seen_magic = false, seen_end = false;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  std::vector<std::size_t> slot_lines;  // the line of each slot directive
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    auto w = words(line);
    if (w.empty()) {
      masked += '\n';
      continue;
    }
    if (seen_end) return fail(errc::syntax, "text after 'end'", where(source, line_no));
    if (is_record_line(w)) {
      if (doc.slots.empty()) return fail(errc::syntax, "a record before the first 'slot' line", where(source, line_no));
      masked.append(line);
      masked += '\n';
      continue;
    }
    masked += '\n';
    std::string_view key = w.front();
    if (!seen_magic) {
      if (key != magic) {
        return fail(errc::syntax, "expected '" + std::string(magic) + " " + std::to_string(kDialectVersion) +
                                      "' as the first line, got '" + std::string(key) + "'",
                    where(source, line_no));
      }
      if (w.size() != 2) return fail(errc::syntax, "expected one version number", where(source, line_no));
      if (w[1] != std::to_string(kDialectVersion)) {
        return fail(errc::unsupported_version,
                    "dialect version " + std::string(w[1]) + "; this kskline reads version " +
                        std::to_string(kDialectVersion),
                    where(source, line_no));
      }
      seen_magic = true;
      continue;
    }
    if (key == "slot") {
      if (w.size() != slot_args + 1) {
        return fail(errc::syntax, "'slot' takes " + std::to_string(slot_args) + " times", where(source, line_no));
      }
      ParsedSlot slot;
      slot.line = line_no;
      for (std::size_t i = 1; i < w.size(); ++i) slot.args.emplace_back(w[i]);
      doc.slots.push_back(std::move(slot));
      slot_lines.push_back(line_no);
      continue;
    }
    if (key == "end") {
      if (w.size() != 1) return fail(errc::syntax, "'end' takes nothing", where(source, line_no));
      seen_end = true;
      continue;
    }
    bool known = false;
    for (auto f : fields) known = known || f == key;
    if (!known) return fail(errc::syntax, "unknown line '" + std::string(key) + "'", where(source, line_no));
    if (!doc.slots.empty()) return fail(errc::syntax, "'" + std::string(key) + "' after the first slot", where(source, line_no));
    for (const auto& [f, v] : doc.header) {
      if (f == key) return fail(errc::syntax, "'" + std::string(key) + "' given twice", where(source, line_no));
    }
    if (w.size() != 2) return fail(errc::syntax, "'" + std::string(key) + "' takes one value", where(source, line_no));
    doc.header.emplace_back(std::string(key), std::string(w[1]));
    doc.header_lines.push_back(line_no);
  }
  if (!seen_magic) return fail(errc::syntax, "empty: not a kskline document", std::string(source));
  if (!seen_end) return fail(errc::syntax, "no 'end' line: the document is truncated", where(source, line_no));
  for (auto f : fields) {
    bool present = false;
    for (const auto& h : doc.header) present = present || h.first == f;
    if (!present) return fail(errc::syntax, "the header has no '" + std::string(f) + "'", std::string(source));
  }
  if (doc.slots.empty()) return fail(errc::syntax, "no slots", std::string(source));

  zone::MasterOptions options;
  options.allow_include = false;
  auto records = zone::read_master_text(masked, source, options);
  if (!records) return tl::unexpected(records.error());
  std::size_t s = 0;
  for (auto& r : records->records) {
    while (s + 1 < slot_lines.size() && r.loc.line > slot_lines[s + 1]) ++s;
    std::uint16_t type = r.type == zone::rrtype::RRSIG ? type_covered(r) : r.type;
    if (!allowed(types, type)) {
      return fail(errc::syntax, "a record of a type this document may not hold", where(source, r.loc.line));
    }
    doc.slots[s].records.push_back(std::move(r));
  }
  return doc;
}

const std::string& field(const Document& doc, std::string_view name) {
  for (const auto& [f, v] : doc.header) {
    if (f == name) return v;
  }
  static const std::string empty;
  return empty;
}

std::size_t field_line(const Document& doc, std::string_view name) {
  for (std::size_t i = 0; i < doc.header.size(); ++i) {
    if (doc.header[i].first == name) return doc.header_lines[i];
  }
  return 0;
}

// Reads the zone, created time, and checks that every record is at the apex.
Result<void> read_common(const Document& doc, std::string_view source, zone::Name& zone, std::int64_t& created) {
  const zone::Name root;
  auto z = zone::Name::parse(field(doc, "zone"), &root);
  if (!z) return fail(errc::syntax, "zone: " + z.error().message(), where(source, field_line(doc, "zone")));
  zone = std::move(*z);
  auto c = parse_time(field(doc, "created"), "created");
  if (!c) return tl::unexpected(c.error().located(where(source, field_line(doc, "created"))));
  created = *c;
  for (const auto& slot : doc.slots) {
    for (const auto& r : slot.records) {
      if (!(r.owner == zone)) {
        return fail(errc::syntax, "record owner " + r.owner.to_string() + " is not the zone " + zone.to_string(),
                    where(source, r.loc.line));
      }
    }
  }
  return {};
}

Result<std::int64_t> slot_time(const ParsedSlot& slot, std::size_t index, std::string_view what,
                               std::string_view source) {
  auto t = parse_time(slot.args[index], what);
  if (!t) return tl::unexpected(t.error().located(where(source, slot.line)));
  return *t;
}

void append_header(std::string& out, std::string_view magic) {
  out += magic;
  out += ' ';
  out += std::to_string(kDialectVersion);
  out += '\n';
}

void append_records(std::string& out, const std::vector<zone::Record>& records) {
  for (const auto& r : records) zone::append_text(r, out);
}

}  // namespace

Sha256 text_sha256(std::string_view text) {
  auto d = base::digest(base::DigestAlgorithm::sha256,
                        ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  Sha256 out{};
  std::copy(d.begin(), d.end(), out.begin());
  return out;
}

std::string format_time(std::int64_t seconds) { return zone::format_utc_time(seconds); }

Result<std::int64_t> parse_time(std::string_view text, std::string_view what) {
  auto seconds = zone::parse_utc_time(text);
  if (!seconds) return fail(errc::syntax, std::string(what) + ": " + seconds.error().detail);
  return *seconds;
}

std::string new_request_id(proto::Random& random) {
  std::array<std::uint8_t, 16> id{};
  random.fill(id);
  return base::to_hex(ByteView(id.data(), id.size()));
}

std::string format_request(const KeyRequest& request) {
  std::string out;
  append_header(out, kRequestMagic);
  out += "id " + request.id + "\n";
  out += "zone " + request.zone.to_string() + "\n";
  out += "created " + format_time(request.created) + "\n";
  out += "dnskey-ttl " + std::to_string(request.dnskey_ttl) + "\n";
  for (const auto& slot : request.slots) {
    out += "slot " + format_time(slot.start) + " " + format_time(slot.end) + " " + format_time(slot.inception) + " " +
           format_time(slot.expiration) + "\n";
    append_records(out, slot.zsks);
    append_records(out, slot.proofs);
  }
  out += "end\n";
  return out;
}

std::string format_response(const KeyResponse& response) {
  std::string out;
  append_header(out, kResponseMagic);
  out += "request-id " + response.request_id + "\n";
  out += "request-sha256 " + base::to_hex(ByteView(response.request_sha256.data(), response.request_sha256.size())) +
         "\n";
  out += "zone " + response.zone.to_string() + "\n";
  out += "created " + format_time(response.created) + "\n";
  for (const auto& slot : response.slots) {
    out += "slot " + format_time(slot.start) + " " + format_time(slot.end) + "\n";
    append_records(out, slot.records);
  }
  out += "end\n";
  return out;
}

Result<KeyRequest> parse_request(std::string_view text, std::string_view source) {
  auto doc = read_document(text, source, kRequestMagic, {"id", "zone", "created", "dnskey-ttl"}, 4,
                           {zone::rrtype::DNSKEY});
  if (!doc) return tl::unexpected(doc.error());
  KeyRequest request;
  if (auto c = read_common(*doc, source, request.zone, request.created); !c) return tl::unexpected(c.error());
  request.id = field(*doc, "id");
  if (!is_hex(request.id, 32)) {
    return fail(errc::syntax, "id must be 32 lowercase hex digits", where(source, field_line(*doc, "id")));
  }
  auto ttl = zone::parse_ttl(field(*doc, "dnskey-ttl"));
  if (!ttl) return fail(errc::syntax, "dnskey-ttl is not a TTL", where(source, field_line(*doc, "dnskey-ttl")));
  request.dnskey_ttl = *ttl;
  for (auto& parsed : doc->slots) {
    RequestSlot slot;
    const char* names[] = {"slot start", "slot end", "slot inception", "slot expiration"};
    std::int64_t* targets[] = {&slot.start, &slot.end, &slot.inception, &slot.expiration};
    for (std::size_t i = 0; i < 4; ++i) {
      auto t = slot_time(parsed, i, names[i], source);
      if (!t) return tl::unexpected(t.error());
      *targets[i] = *t;
    }
    for (auto& r : parsed.records) {
      (r.type == zone::rrtype::RRSIG ? slot.proofs : slot.zsks).push_back(std::move(r));
    }
    if (slot.zsks.empty()) return fail(errc::syntax, "a slot without ZSKs", where(source, parsed.line));
    request.slots.push_back(std::move(slot));
  }
  return request;
}

Result<KeyResponse> parse_response(std::string_view text, std::string_view source) {
  auto doc = read_document(text, source, kResponseMagic, {"request-id", "request-sha256", "zone", "created"}, 2,
                           {zone::rrtype::DNSKEY, zone::rrtype::CDS, zone::rrtype::CDNSKEY});
  if (!doc) return tl::unexpected(doc.error());
  KeyResponse response;
  if (auto c = read_common(*doc, source, response.zone, response.created); !c) return tl::unexpected(c.error());
  response.request_id = field(*doc, "request-id");
  if (!is_hex(response.request_id, 32)) {
    return fail(errc::syntax, "request-id must be 32 lowercase hex digits",
                where(source, field_line(*doc, "request-id")));
  }
  const auto& digest = field(*doc, "request-sha256");
  auto bytes = base::from_hex(digest);
  if (!is_hex(digest, 64) || !bytes) {
    return fail(errc::syntax, "request-sha256 must be 64 lowercase hex digits",
                where(source, field_line(*doc, "request-sha256")));
  }
  std::copy(bytes->begin(), bytes->end(), response.request_sha256.begin());
  for (auto& parsed : doc->slots) {
    ResponseSlot slot;
    auto start = slot_time(parsed, 0, "slot start", source);
    if (!start) return tl::unexpected(start.error());
    auto end = slot_time(parsed, 1, "slot end", source);
    if (!end) return tl::unexpected(end.error());
    slot.start = *start;
    slot.end = *end;
    slot.records = std::move(parsed.records);
    if (slot.records.empty()) return fail(errc::syntax, "a slot without records", where(source, parsed.line));
    response.slots.push_back(std::move(slot));
  }
  return response;
}

}  // namespace kskline::signer
