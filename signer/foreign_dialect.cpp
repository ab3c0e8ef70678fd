#include "signer/foreign_dialect.hpp"

#include <algorithm>
#include <ctime>
#include <optional>

#include "signer/errc.hpp"
#include "zone/algorithm.hpp"
#include "zone/dnssec_time.hpp"
#include "zone/key_tag.hpp"
#include "zone/master_file.hpp"
#include "zone/rdata.hpp"
#include "zone/rr_types.hpp"
#include "zone/rrsig.hpp"

namespace kskline::signer {
namespace {

constexpr std::string_view kRequestMagic = "KeySigningRequest";
constexpr std::string_view kResponseMagic = "SignedKeyResponse";
constexpr std::string_view kVersion = "1.0";
constexpr std::int64_t kLastSecond = 253402300799;  // 9999-12-31 23:59:59 UTC, the last 14-digit time

std::string where(std::string_view source, std::size_t line) {
  return std::string(source) + ":" + std::to_string(line);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim_left(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  return s.substr(i);
}

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_space(line[i])) ++i;
    if (i >= line.size()) break;
    std::size_t j = i;
    while (j < line.size() && !is_space(line[j])) ++j;
    out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A `;; <magic> <version> <rest...>` line (exactly two semicolons, the space
// after them optional, as keymgr reads it), split into words after `;;`.
std::optional<std::vector<std::string_view>> header_words(std::string_view trimmed) {
  if (trimmed.size() < 3 || trimmed[0] != ';' || trimmed[1] != ';' || trimmed[2] == ';') return std::nullopt;
  auto w = split_words(trimmed.substr(2));
  if (w.empty() || (w[0] != kRequestMagic && w[0] != kResponseMagic)) return std::nullopt;
  return w;
}

// Parses a header time: 14 digits (YYYYMMDDHHmmSS, UTC) or unix seconds.
Result<std::int64_t> header_time(std::string_view text) {
  if (text.size() == 14 && all_digits(text)) {
    auto t = zone::parse_utc_time(text);
    if (!t) return fail(errc::syntax, "header time " + std::string(text) + ": " + t.error().detail);
    return *t;
  }
  if (!all_digits(text) || text.size() > 12) {
    return fail(errc::syntax, "header time '" + std::string(text) +
                                  "' is neither unix seconds nor YYYYMMDDHHmmSS");
  }
  const auto seconds = static_cast<std::int64_t>(std::stoll(std::string(text)));
  if (seconds > kLastSecond) {
    return fail(errc::syntax, "header time " + std::string(text) + " is after the year 9999");
  }
  return seconds;
}

// Knot's footer time "2026-12-04T08:23:19Z" as seconds, or 0.
std::int64_t iso_time(std::string_view text) {
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text[19] != 'Z') {
    return 0;
  }
  std::string digits;
  for (std::size_t i = 0; i < 19; ++i) {
    if (text[i] >= '0' && text[i] <= '9') digits += text[i];
  }
  auto t = zone::parse_utc_time(digits);
  return t ? *t : 0;
}

// kskline's BIND footer time "Fri Jan  1 00:15:00 2027 UTC" (words after
// "at") as seconds, or 0: BIND's own footer gives local time without a zone.
std::int64_t ctime_utc(const std::vector<std::string_view>& w, std::size_t at) {
  if (w.size() < at + 6 || w[at + 5] != "UTC" || w[at + 3].size() != 8 || w[at + 4].size() != 4) return 0;
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::size_t month = 0;
  while (month < 12 && kMonths[month] != w[at + 1]) ++month;
  if (month == 12 || w[at + 2].empty() || w[at + 2].size() > 2) return 0;
  const auto hms = w[at + 3];
  if (hms[2] != ':' || hms[5] != ':') return 0;
  std::string digits = std::string(w[at + 4]) + (month < 9 ? "0" : "") + std::to_string(month + 1) +
                       (w[at + 2].size() == 1 ? "0" : "") + std::string(w[at + 2]) + std::string(hms.substr(0, 2)) +
                       std::string(hms.substr(3, 2)) + std::string(hms.substr(6, 2));
  if (!all_digits(digits)) return 0;
  auto t = zone::parse_utc_time(digits);
  return t ? *t : 0;
}

std::tm utc(std::int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  return tm;
}

// "2026-12-04T08:23:19Z", as keymgr prints times.
std::string format_iso(std::int64_t seconds) {
  std::tm tm = utc(seconds);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// "Fri Dec  4 08:23:19 2026 UTC", BIND's ctime form (which BIND prints in local time).
std::string format_ctime(std::int64_t seconds) {
  std::tm tm = utc(seconds);
  char buf[48];
  std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Y UTC", &tm);
  return buf;
}

// The change of parenthesis depth over a line, outside comments and quotes.
int paren_delta(std::string_view line) {
  int delta = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '\\') {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == ';') {
      break;
    } else if (!quoted && c == '(') {
      ++delta;
    } else if (!quoted && c == ')') {
      --delta;
    }
  }
  return delta;
}

std::uint16_t type_covered(const zone::Record& r) {
  return r.rdata.size() >= 2 ? static_cast<std::uint16_t>(r.rdata[0] << 8 | r.rdata[1]) : 0;
}

bool is_apex_type(std::uint16_t type) {
  return type == zone::rrtype::DNSKEY || type == zone::rrtype::CDS || type == zone::rrtype::CDNSKEY;
}

std::uint16_t dnskey_flags(const zone::Record& r) {
  return r.rdata.size() >= 2 ? static_cast<std::uint16_t>(r.rdata[0] << 8 | r.rdata[1]) : 0;
}

// The place of a record in a bundle as each peer writes it. Knot: DNSKEY,
// CDNSKEY, CDS, then RRSIGs over DNSKEY, CDS, CDNSKEY; BIND: DNSKEY, RRSIG
// DNSKEY, CDNSKEY, RRSIG CDNSKEY, CDS, RRSIG CDS.
int rank(Dialect dialect, const zone::Record& r) {
  const bool sig = r.type == zone::rrtype::RRSIG;
  const std::uint16_t t = sig ? type_covered(r) : r.type;
  if (dialect == Dialect::knot) {
    if (!sig) return t == zone::rrtype::DNSKEY ? 0 : t == zone::rrtype::CDNSKEY ? 1 : 2;
    return t == zone::rrtype::DNSKEY ? 3 : t == zone::rrtype::CDS ? 4 : 5;
  }
  const int base = t == zone::rrtype::DNSKEY ? 0 : t == zone::rrtype::CDNSKEY ? 2 : 4;
  return base + (sig ? 1 : 0);
}

// Records in the peer's order: Knot's DNSKEYs in canonical RDATA order,
// BIND's KSKs first; otherwise as given.
std::vector<zone::Record> ordered(Dialect dialect, std::vector<zone::Record> records) {
  std::stable_sort(records.begin(), records.end(), [dialect](const zone::Record& a, const zone::Record& b) {
    const int ra = rank(dialect, a), rb = rank(dialect, b);
    if (ra != rb) return ra < rb;
    if (a.type != zone::rrtype::DNSKEY || b.type != zone::rrtype::DNSKEY) return false;
    if (dialect == Dialect::knot) return a.rdata < b.rdata;
    return (dnskey_flags(a) & 1) > (dnskey_flags(b) & 1);
  });
  return records;
}

// Splits `text` into pieces of at most `width` characters.
std::vector<std::string> chunks(const std::string& text, std::size_t width) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < text.size(); i += width) out.push_back(text.substr(i, width));
  return out;
}

// How many leading RDATA fields precede the base64 or hex tail of a type
// (0: print on one line as is).
std::size_t fields_before_tail(std::uint16_t type) {
  if (type == zone::rrtype::DNSKEY || type == zone::rrtype::CDNSKEY) return 3;
  if (type == zone::rrtype::CDS || type == zone::rrtype::DS) return 3;
  if (type == zone::rrtype::RRSIG) return 8;
  return 0;
}

std::string join(const std::vector<std::string_view>& words, std::size_t from, std::size_t to,
                 std::string_view sep = " ") {
  std::string out;
  for (std::size_t i = from; i < to && i < words.size(); ++i) {
    if (i > from) out += sep;
    out += words[i];
  }
  return out;
}

// A DNSKEY's key size in bits as keymgr's comment shows it (0: unknown).
unsigned key_bits(const zone::Record& r) {
  if (r.rdata.size() < 5) return 0;
  switch (r.rdata[3]) {
    case zone::alg::ECDSAP256SHA256: return 256;
    case zone::alg::ECDSAP384SHA384: return 384;
    case zone::alg::ED25519: return 256;
    case zone::alg::ED448: return 456;
    default: break;
  }
  // RSA (RFC 3110): exponent length (one octet, or 0 and two), exponent, modulus.
  std::size_t i = 4;
  std::size_t exp_len = r.rdata[i++];
  if (exp_len == 0) {
    if (r.rdata.size() < i + 2) return 0;
    exp_len = static_cast<std::size_t>(r.rdata[i] << 8 | r.rdata[i + 1]);
    i += 2;
  }
  i += exp_len;
  while (i < r.rdata.size() && r.rdata[i] == 0) ++i;
  if (i >= r.rdata.size()) return 0;
  unsigned bits = static_cast<unsigned>(r.rdata.size() - i) * 8;
  for (std::uint8_t top = r.rdata[i]; (top & 0x80) == 0; top = static_cast<std::uint8_t>(top << 1)) --bits;
  return bits;
}

// A record as keymgr prints it: owner padded to 20 columns, TTL, type, no
// class; the key, digest or signature in 40-character lines in parentheses;
// a DNSKEY's comment naming its role, algorithm, size and key tag.
void append_knot_record(const zone::Record& r, std::string& out) {
  std::string owner = r.owner.to_string();
  if (owner.size() < 20) owner.resize(20, ' ');
  out += owner + "\t" + std::to_string(r.ttl) + " " + zone::type_to_string(r.type) + " ";
  const std::string rdata = zone::rdata_to_text(r.type, r.rdata);
  const auto w = split_words(rdata);
  const std::size_t head = fields_before_tail(r.type);
  if (head == 0 || w.size() <= head || w[0] == "\\#") {
    out += rdata + "\n";
    return;
  }
  const std::string indent = "\t\t\t\t";
  const std::size_t first_line = r.type == zone::rrtype::RRSIG ? 5 : head;
  out += join(w, 0, first_line) + " (\n";
  if (r.type == zone::rrtype::RRSIG) out += indent + join(w, 5, 8) + "\n";
  for (const auto& c : chunks(join(w, head, w.size(), ""), 40)) out += indent + c + "\n";
  out += indent + ")";
  if (r.type == zone::rrtype::DNSKEY || r.type == zone::rrtype::CDNSKEY) {
    const bool ksk = (dnskey_flags(r) & 1) != 0;
    out += std::string(" ; ") + (ksk ? "KSK" : "ZSK") + ", " + zone::algorithm_to_string(r.rdata.size() > 3 ? r.rdata[3] : 0) +
           (key_bits(r) != 0 ? " (" + std::to_string(key_bits(r)) + "b)" : std::string()) + ", id = " + std::to_string(zone::key_tag(r.rdata));
  }
  out += "\n";
}

// A record as dnssec-ksr prints it: one line, owner, TTL, class IN, type,
// a key's or signature's base64 in 56-character chunks.
void append_bind_record(const zone::Record& r, std::string& out) {
  out += r.owner.to_string() + " " + std::to_string(r.ttl) + " " + zone::class_to_string(r.rclass) + " " +
         zone::type_to_string(r.type) + " ";
  const std::string rdata = zone::rdata_to_text(r.type, r.rdata);
  const auto w = split_words(rdata);
  const bool base64 = r.type == zone::rrtype::DNSKEY || r.type == zone::rrtype::CDNSKEY || r.type == zone::rrtype::RRSIG;
  const std::size_t head = fields_before_tail(r.type);
  if (!base64 || w.size() <= head || w[0] == "\\#") {
    out += rdata + "\n";
    return;
  }
  out += join(w, 0, head);
  for (const auto& c : chunks(join(w, head, w.size(), ""), 56)) out += " " + c;
  out += "\n";
}

std::string header_line(Dialect dialect, std::string_view magic, std::int64_t time) {
  std::string out = ";; " + std::string(magic) + " " + std::string(kVersion) + " ";
  if (dialect == Dialect::knot) return out + std::to_string(time) + " (" + format_iso(time) + ") =========\n";
  return out + zone::format_utc_time(time) + " (" + format_ctime(time) + ")\n";
}

std::string footer_line(Dialect dialect, std::string_view magic, std::int64_t time, std::string_view generator) {
  return ";; " + std::string(magic) + " " + std::string(kVersion) + " generated at " +
         (dialect == Dialect::knot ? format_iso(time) : format_ctime(time)) + " by " +
         (generator.empty() ? std::string("kskline") : std::string(generator)) + "\n";
}

// A document's header fields, with no bundles yet.
ForeignDocument document(Dialect dialect, ForeignKind kind, const zone::Name& zone, std::int64_t generated,
                         std::string generator) {
  ForeignDocument out;
  out.dialect = dialect;
  out.kind = kind;
  out.zone = zone;
  out.generated = generated;
  out.generator = std::move(generator);
  return out;
}

}  // namespace

std::string_view dialect_name(Dialect dialect) noexcept {
  switch (dialect) {
    case Dialect::kskline: return "kskline";
    case Dialect::knot: return "knot";
    case Dialect::bind: return "bind";
  }
  return "?";
}

Result<Dialect> detect_dialect(std::string_view text, std::string_view source) {
  std::size_t pos = 0, line_no = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    std::string_view trimmed = trim_left(line);
    if (trimmed.empty()) continue;
    auto w = split_words(trimmed);
    if (w[0] == "kskline-request" || w[0] == "kskline-response") return Dialect::kskline;
    if (auto h = header_words(trimmed)) {
      if (h->size() < 3) return fail(errc::syntax, "a header without a time", where(source, line_no));
      if (h->back().find_first_not_of('=') == std::string_view::npos) return Dialect::knot;
      return (*h)[2].size() == 14 && all_digits((*h)[2]) ? Dialect::bind : Dialect::knot;
    }
    if (trimmed[0] == ';') continue;
    break;
  }
  return fail(errc::syntax,
              "not a key-signing request or response: expected 'kskline-request', 'kskline-response', "
              "';; KeySigningRequest' or ';; SignedKeyResponse'",
              where(source, line_no == 0 ? 1 : line_no));
}

Result<ForeignDocument> parse_foreign(std::string_view text, std::string_view source, ForeignKind kind,
                                      const zone::Name* zone) {
  auto dialect = detect_dialect(text, source);
  if (!dialect) return tl::unexpected(dialect.error());
  if (*dialect == Dialect::kskline) {
    return fail(errc::syntax, "a document in kskline's own dialect, not a Knot or BIND one", where(source, 1));
  }
  const std::string_view magic = kind == ForeignKind::request ? kRequestMagic : kResponseMagic;
  const std::string_view other = kind == ForeignKind::request ? kResponseMagic : kRequestMagic;
  ForeignDocument doc;
  doc.dialect = *dialect;
  doc.kind = kind;
  doc.generator.clear();

  std::string masked;
  masked.reserve(text.size());
  std::vector<std::size_t> header_lines;
  std::size_t footer_line_no = 0;
  std::size_t line_no = 0, pos = 0;
  int depth = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (depth > 0) {
      masked.append(line);
      masked += '\n';
      depth += paren_delta(line);
      continue;
    }
    std::string_view trimmed = trim_left(line);
    if (trimmed.empty() || trimmed[0] == ';') {
      masked += '\n';
      auto h = header_words(trimmed);
      if (!h) continue;  // a plain comment
      const auto& w = *h;
      if (w[0] == other) {
        return fail(errc::syntax,
                    "a " + std::string(other) + " header where a " + std::string(magic) + " was expected",
                    where(source, line_no));
      }
      if (w.size() < 2) return fail(errc::syntax, "a header without a version", where(source, line_no));
      if (w[1] != kVersion) {
        return fail(errc::unsupported_version,
                    "version " + std::string(w[1]) + "; kskline reads version " + std::string(kVersion),
                    where(source, line_no));
      }
      if (w.size() < 3) return fail(errc::syntax, "a header without a time", where(source, line_no));
      if (footer_line_no != 0) return fail(errc::syntax, "a header after the footer", where(source, line_no));
      if (w[2] == "generated") {
        footer_line_no = line_no;
        if (w.size() >= 5 && w[3] == "at") {
          doc.generated = doc.dialect == Dialect::knot ? iso_time(w[4]) : ctime_utc(w, 4);
        }
        for (std::size_t i = 3; i + 1 < w.size(); ++i) {
          if (w[i] == "by") {
            doc.generator = join(w, i + 1, w.size());
            break;
          }
        }
        continue;
      }
      auto t = header_time(w[2]);
      if (!t) return tl::unexpected(t.error().located(where(source, line_no)));
      if (!doc.bundles.empty() && *t <= doc.bundles.back().time) {
        return fail(errc::syntax, "bundle times must increase: " + zone::format_utc_time(*t) + " after " +
                                      zone::format_utc_time(doc.bundles.back().time),
                    where(source, line_no));
      }
      doc.bundles.push_back(ForeignBundle{*t, {}});
      header_lines.push_back(line_no);
      continue;
    }
    if (doc.bundles.empty()) {
      return fail(errc::syntax, "a record before the first ';; " + std::string(magic) + "' header",
                  where(source, line_no));
    }
    if (footer_line_no != 0) return fail(errc::syntax, "a record after the footer", where(source, line_no));
    masked.append(line);
    masked += '\n';
    depth += paren_delta(line);
  }
  if (doc.bundles.empty()) {
    return fail(errc::syntax, "no ';; " + std::string(magic) + "' bundle", where(source, line_no == 0 ? 1 : line_no));
  }

  zone::MasterOptions options;
  options.allow_include = false;
  if (doc.dialect == Dialect::knot) options.default_ttl = 0;  // keymgr's scanner default
  auto records = zone::read_master_text(masked, source, options);
  if (!records) return tl::unexpected(records.error());
  // After the records, so that a record cut short is named as such.
  if (footer_line_no == 0 && doc.dialect == Dialect::knot) {
    return fail(errc::syntax,
                "no footer ';; " + std::string(magic) +
                    " 1.0 generated at ...': keymgr needs it to end the last slot (is the file truncated?)",
                where(source, line_no));
  }

  std::size_t b = 0;
  if (zone != nullptr) {
    doc.zone = *zone;
  } else if (!records->records.empty()) {
    doc.zone = records->records.front().owner;
  }
  for (auto& r : records->records) {
    while (b + 1 < header_lines.size() && r.loc.line > header_lines[b + 1]) ++b;
    const std::string at = where(source, r.loc.line);
    if (!(r.owner == doc.zone)) {
      return fail(errc::syntax,
                  "record owner " + r.owner.to_string() + " is not the zone " + doc.zone.to_string() +
                      (zone == nullptr ? " (the first record's owner)" : ""),
                  at);
    }
    if (r.rclass != zone::kClassIN) return fail(errc::syntax, "a record of a class other than IN", at);
    const bool ok = kind == ForeignKind::request
                        ? r.type == zone::rrtype::DNSKEY
                        : is_apex_type(r.type) || (r.type == zone::rrtype::RRSIG && is_apex_type(type_covered(r)));
    if (!ok) {
      return fail(errc::syntax,
                  "a " + zone::type_to_string(r.type) + " record may not be in a " + std::string(magic) +
                      (kind == ForeignKind::request ? " (DNSKEY only)" : " (DNSKEY, CDS, CDNSKEY and their RRSIGs)"),
                  at);
    }
    doc.bundles[b].records.push_back(std::move(r));
  }
  for (std::size_t i = 0; i < doc.bundles.size(); ++i) {
    if (doc.bundles[i].records.empty()) {
      return fail(errc::syntax, "a bundle without records", where(source, header_lines[i]));
    }
  }
  return doc;
}

std::string format_foreign(const ForeignDocument& document) {
  const std::string_view magic = document.kind == ForeignKind::request ? kRequestMagic : kResponseMagic;
  std::string out;
  for (const auto& bundle : document.bundles) {
    out += header_line(document.dialect, magic, bundle.time);
    for (const auto& r : ordered(document.dialect, bundle.records)) {
      if (document.dialect == Dialect::knot) {
        append_knot_record(r, out);
      } else {
        append_bind_record(r, out);
      }
    }
  }
  out += footer_line(document.dialect, magic, document.generated, document.generator);
  return out;
}

KeyRequest to_key_request(const ForeignDocument& request) {
  KeyRequest out;
  out.zone = request.zone;
  out.created = request.generated;
  bool first = true;
  for (std::size_t i = 0; i < request.bundles.size(); ++i) {
    const auto& bundle = request.bundles[i];
    RequestSlot slot;
    slot.start = bundle.time;
    slot.end = i + 1 < request.bundles.size() ? request.bundles[i + 1].time : bundle.time;
    slot.zsks = bundle.records;
    for (const auto& r : bundle.records) {
      if (first || r.ttl < out.dnskey_ttl) out.dnskey_ttl = r.ttl;
      first = false;
    }
    out.slots.push_back(std::move(slot));
  }
  return out;
}

ForeignDocument from_key_request(const KeyRequest& request, Dialect dialect, std::string generator) {
  ForeignDocument out = document(dialect, ForeignKind::request, request.zone, request.created, std::move(generator));
  for (const auto& slot : request.slots) out.bundles.push_back(ForeignBundle{slot.start, slot.zsks});
  if (dialect == Dialect::knot && !request.slots.empty() && request.slots.back().end > request.slots.back().start) {
    out.bundles.push_back(ForeignBundle{request.slots.back().end, request.slots.back().zsks});
  }
  return out;
}

KeyResponse to_key_response(const ForeignDocument& response) {
  KeyResponse out;
  out.zone = response.zone;
  out.created = response.generated;
  for (std::size_t i = 0; i < response.bundles.size(); ++i) {
    const auto& bundle = response.bundles[i];
    ResponseSlot slot;
    slot.start = bundle.time;
    if (i + 1 < response.bundles.size()) {
      slot.end = response.bundles[i + 1].time;
    } else {
      std::optional<std::int64_t> earliest;
      for (const auto& r : bundle.records) {
        if (r.type != zone::rrtype::RRSIG) continue;
        auto sig = zone::parse_rrsig(r.rdata);
        if (!sig) continue;
        const std::int64_t e = zone::widen_time(sig->expiration, bundle.time);
        if (!earliest || e < *earliest) earliest = e;
      }
      slot.end = earliest.value_or(bundle.time);
    }
    slot.records = bundle.records;
    out.slots.push_back(std::move(slot));
  }
  return out;
}

ForeignDocument from_key_response(const KeyResponse& response, Dialect dialect, std::string generator) {
  ForeignDocument out = document(dialect, ForeignKind::response, response.zone, response.created, std::move(generator));
  for (const auto& slot : response.slots) out.bundles.push_back(ForeignBundle{slot.start, slot.records});
  return out;
}

}  // namespace kskline::signer
