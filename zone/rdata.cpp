#include "zone/rdata.hpp"

#include <arpa/inet.h>

#include <vector>

#include "base/encoding.hpp"
#include "base/text.hpp"
#include "zone/algorithm.hpp"
#include "zone/dnssec_time.hpp"
#include "zone/errc.hpp"
#include "zone/internal/cert_types.hpp"
#include "zone/internal/presentation.hpp"
#include "zone/internal/svc_params.hpp"
#include "zone/rr_types.hpp"
#include "zone/type_bitmap.hpp"

namespace kskline::zone {
namespace {

using internal::append_quoted;
using internal::append_unescaped;
using internal::parse_address;
using internal::parse_decimal;

// ---------------------------------------------------------------------------
// Numbers with units (TTLs, SOA timers, periods).

// Parses decimal seconds or TTL units (w, d, h, m, s) up to `max`.
std::optional<std::uint64_t> parse_units(std::string_view text, std::uint64_t max) {
  if (text.empty()) return std::nullopt;
  if (auto plain = parse_decimal<std::uint64_t>(text)) {
    if (*plain > max) return std::nullopt;
    return plain;
  }
  std::uint64_t total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == start || i - start > 10 || i == text.size()) return std::nullopt;
    auto number = parse_decimal<std::uint64_t>(text.substr(start, i - start));
    std::uint64_t unit = 0;
    switch (base::ascii_lower(text[i])) {
      case 'w': unit = 604800; break;
      case 'd': unit = 86400; break;
      case 'h': unit = 3600; break;
      case 'm': unit = 60; break;
      case 's': unit = 1; break;
      default: return std::nullopt;
    }
    ++i;
    total += *number * unit;
    if (total > max) return std::nullopt;
  }
  return total;
}

// ---------------------------------------------------------------------------
// The field walker: splits valid wire RDATA into fields.

bool is_rest_kind(FieldKind kind) {
  switch (kind) {
    case FieldKind::char_strings: case FieldKind::base64_rest: case FieldKind::hex_rest:
    case FieldKind::type_bitmap: case FieldKind::string_rest: case FieldKind::svc_params:
      return true;
    default:
      return false;
  }
}

std::size_t fixed_size(FieldKind kind) {
  switch (kind) {
    case FieldKind::u8: case FieldKind::algorithm: return 1;
    case FieldKind::u16: case FieldKind::rr_type: case FieldKind::cert_type: return 2;
    case FieldKind::u32: case FieldKind::period: case FieldKind::time: case FieldKind::ipv4: return 4;
    case FieldKind::ipv6: return 16;
    case FieldKind::eui48: return 6;
    case FieldKind::eui64: return 8;
    default: return 0;
  }
}

// The length of the field of `kind` at the start of `data`, checking its
// structure; errc::bad_rdata when it does not fit.
Result<std::size_t> field_length(FieldKind kind, ByteView data) {
  if (std::size_t n = fixed_size(kind)) {
    if (data.size() < n) return fail(errc::bad_rdata, "RDATA too short");
    return n;
  }
  switch (kind) {
    case FieldKind::name: {
      std::size_t used = 0;
      if (auto n = Name::from_wire(data, &used); !n) return fail(errc::bad_rdata, n.error().detail);
      return used;
    }
    case FieldKind::char_string:
    case FieldKind::salt:
    case FieldKind::hash_b32:
    case FieldKind::caa_tag: {
      if (data.empty() || 1u + data[0] > data.size()) return fail(errc::bad_rdata, "truncated length-prefixed field");
      if ((kind == FieldKind::hash_b32 || kind == FieldKind::caa_tag) && data[0] == 0) {
        return fail(errc::bad_rdata, "empty length-prefixed field");
      }
      if (kind == FieldKind::caa_tag) {
        for (std::size_t i = 1; i <= data[0]; ++i) {
          auto c = data[i];
          bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
          if (!alnum) return fail(errc::bad_rdata, "CAA tag is not alphanumeric");
        }
      }
      return std::size_t{1} + data[0];
    }
    case FieldKind::char_strings: {
      if (data.empty()) return fail(errc::bad_rdata, "no character-string");
      std::size_t pos = 0;
      while (pos < data.size()) {
        if (pos + 1 + data[pos] > data.size()) return fail(errc::bad_rdata, "truncated character-string");
        pos += 1 + data[pos];
      }
      return pos;
    }
    case FieldKind::type_bitmap:
      if (auto r = validate_type_bitmap(data); !r) return tl::unexpected(r.error());
      return data.size();
    case FieldKind::svc_params:
      if (auto r = internal::validate_svc_params(data); !r) return tl::unexpected(r.error());
      return data.size();
    default:  // base64_rest, hex_rest, string_rest
      return data.size();
  }
}

// Calls visit(kind, field bytes) for each field of valid RDATA of a type row.
template <class Visit>
Result<void> walk_fields(const RRTypeInfo& info, ByteView rdata, Visit visit) {
  std::size_t pos = 0;
  for (auto kind : info.fields) {
    auto length = field_length(kind, rdata.subspan(pos));
    if (!length) return tl::unexpected(length.error());
    visit(kind, rdata.subspan(pos, *length), pos);
    pos += *length;
  }
  if (pos != rdata.size()) return fail(errc::bad_rdata, "trailing octets after the last field");
  return {};
}

// Whether a field's text form can be written; empty "rest" fields that need a
// token (and empty character-string lists) cannot, so the RDATA is printed in
// generic form instead.
bool has_text_form(FieldKind kind, ByteView field) {
  switch (kind) {
    case FieldKind::base64_rest: case FieldKind::hex_rest:
      return !field.empty();
    default:
      return true;
  }
}

void append_field_text(FieldKind kind, ByteView f, std::string& out) {
  switch (kind) {
    case FieldKind::u8:
    case FieldKind::algorithm:
      out += std::to_string(f[0]);
      break;
    case FieldKind::u16:
      out += std::to_string(get_u16(f.data()));
      break;
    case FieldKind::cert_type:
      out += internal::cert_type_to_string(get_u16(f.data()));
      break;
    case FieldKind::u32:
    case FieldKind::period:
      out += std::to_string(get_u32(f.data()));
      break;
    case FieldKind::time:
      out += format_dnssec_time(get_u32(f.data()));
      break;
    case FieldKind::rr_type:
      out += type_to_string(get_u16(f.data()));
      break;
    case FieldKind::name:
      out += Name::from_wire(f)->to_string();
      break;
    case FieldKind::ipv4:
    case FieldKind::ipv6: {
      char buf[INET6_ADDRSTRLEN];
      inet_ntop(kind == FieldKind::ipv4 ? AF_INET : AF_INET6, f.data(), buf, sizeof buf);
      out += buf;
      break;
    }
    case FieldKind::char_string:
      append_quoted(f.subspan(1), out);
      break;
    case FieldKind::char_strings:
      for (std::size_t pos = 0; pos < f.size(); pos += 1 + f[pos]) {
        if (pos > 0) out.push_back(' ');
        append_quoted(f.subspan(pos + 1, f[pos]), out);
      }
      break;
    case FieldKind::base64_rest:
      out += base::to_base64(f);
      break;
    case FieldKind::hex_rest:
      out += base::to_hex_upper(f);
      break;
    case FieldKind::salt:
      out += f[0] == 0 ? std::string("-") : base::to_hex_upper(f.subspan(1));
      break;
    case FieldKind::hash_b32:
      out += base::to_upper(base::to_base32hex(f.subspan(1)));
      break;
    case FieldKind::type_bitmap: {
      auto types = read_type_bitmap(f);  // valid: walk_fields checked it
      for (std::size_t i = 0; types && i < types->size(); ++i) {
        if (i > 0) out.push_back(' ');
        out += type_to_string((*types)[i]);
      }
      break;
    }
    case FieldKind::caa_tag:
      out.append(reinterpret_cast<const char*>(f.data() + 1), f[0]);
      break;
    case FieldKind::string_rest:
      append_quoted(f, out);
      break;
    case FieldKind::svc_params:
      internal::append_svc_params_text(f, out);
      break;
    case FieldKind::eui48:
    case FieldKind::eui64: {
      std::string hex = base::to_hex(f);
      for (std::size_t i = 0; i < hex.size(); i += 2) {
        if (i > 0) out.push_back('-');
        out.append(hex, i, 2);
      }
      break;
    }
  }
}

void append_generic(ByteView rdata, std::string& out) {
  out += "\\# ";
  out += std::to_string(rdata.size());
  if (!rdata.empty()) {
    out.push_back(' ');
    out += base::to_hex_upper(rdata);
  }
}

// ---------------------------------------------------------------------------
// Text to wire.

// Parses one field from the lexer's tokens, appending its wire form.
class FieldParser {
 public:
  FieldParser(Lexer& lexer, const Name& origin, Bytes& out) : lexer_(lexer), origin_(origin), out_(out) {}

  Result<void> parse(FieldKind kind, std::size_t index);

 private:
  Result<Token> need(std::size_t index);
  Result<std::vector<Token>> rest();
  tl::unexpected<Error> bad(const Token& t, std::string what) {
    return fail(errc::bad_rdata, std::move(what), lexer_.where(t.line));
  }

  Lexer& lexer_;
  const Name& origin_;
  Bytes& out_;
};

Result<Token> FieldParser::need(std::size_t index) {
  auto t = lexer_.next();
  if (!t) return tl::unexpected(t.error());
  if (!*t) return fail(errc::bad_rdata, "missing RDATA field " + std::to_string(index + 1), lexer_.where(lexer_.line()));
  return **t;
}

Result<std::vector<Token>> FieldParser::rest() {
  std::vector<Token> tokens;
  while (true) {
    auto t = lexer_.next();
    if (!t) return tl::unexpected(t.error());
    if (!*t) return tokens;
    tokens.push_back(**t);
  }
}

Result<void> FieldParser::parse(FieldKind kind, std::size_t index) {
  if (is_rest_kind(kind)) {
    auto tokens = rest();
    if (!tokens) return tl::unexpected(tokens.error());
    auto where = [&] { return lexer_.where(tokens->empty() ? lexer_.line() : tokens->front().line); };
    auto missing = [&]() { return fail(errc::bad_rdata, "missing RDATA field " + std::to_string(index + 1), where()); };
    switch (kind) {
      case FieldKind::char_strings:
        if (tokens->empty()) return missing();
        for (const auto& t : *tokens) {
          std::size_t at = out_.size();
          out_.push_back(0);
          if (auto r = append_unescaped(t.text, out_); !r) return bad(t, r.error().detail);
          std::size_t length = out_.size() - at - 1;
          if (length > 255) return bad(t, "character-string longer than 255 octets");
          out_[at] = static_cast<std::uint8_t>(length);
        }
        return {};
      case FieldKind::base64_rest:
      case FieldKind::hex_rest: {
        if (tokens->empty()) return missing();
        std::string joined;
        for (const auto& t : *tokens) joined += t.text;
        auto r = kind == FieldKind::base64_rest ? base::append_base64(joined, out_) : base::append_hex(joined, out_);
        if (!r) return fail(errc::bad_rdata, r.error().detail, where());
        return {};
      }
      case FieldKind::type_bitmap: {
        std::vector<std::uint16_t> types;
        for (const auto& t : *tokens) {
          auto type = parse_type(t.text);
          if (!type) return bad(t, "unknown type '" + std::string(t.text) + "' in type bitmap");
          types.push_back(*type);
        }
        append_type_bitmap(types, out_);
        return {};
      }
      case FieldKind::string_rest: {
        if (tokens->size() != 1) return fail(errc::bad_rdata, "expected one string as the last field", where());
        if (auto r = append_unescaped(tokens->front().text, out_); !r) return bad(tokens->front(), r.error().detail);
        return {};
      }
      case FieldKind::svc_params: {
        std::vector<internal::SvcParam> params;
        for (const auto& t : *tokens) {
          auto param = internal::parse_svc_param(t.text);
          if (!param) return bad(t, param.error().detail);
          params.push_back(std::move(*param));
        }
        if (auto r = internal::append_svc_params(std::move(params), out_); !r) {
          return fail(errc::bad_rdata, r.error().detail, where());
        }
        return {};
      }
      default:
        return missing();
    }
  }

  auto token = need(index);
  if (!token) return tl::unexpected(token.error());
  const Token& t = *token;
  switch (kind) {
    case FieldKind::u8: {
      auto v = parse_decimal<std::uint8_t>(t.text);
      if (!v) return bad(t, "'" + std::string(t.text) + "' is not a number in 0..255");
      out_.push_back(*v);
      return {};
    }
    case FieldKind::u16: {
      auto v = parse_decimal<std::uint16_t>(t.text);
      if (!v) return bad(t, "'" + std::string(t.text) + "' is not a number in 0..65535");
      put_u16(out_, *v);
      return {};
    }
    case FieldKind::cert_type: {
      auto v = internal::parse_cert_type(t.text);
      if (!v) return bad(t, "'" + std::string(t.text) + "' is not a certificate type (mnemonic or 0..65535)");
      put_u16(out_, *v);
      return {};
    }
    case FieldKind::u32: {
      auto v = parse_decimal<std::uint32_t>(t.text);
      if (!v) return bad(t, "'" + std::string(t.text) + "' is not a number in 0..4294967295");
      put_u32(out_, *v);
      return {};
    }
    case FieldKind::period: {
      auto v = parse_units(t.text, 0xffffffffULL);
      if (!v) return bad(t, "'" + std::string(t.text) + "' is not a time period");
      put_u32(out_, static_cast<std::uint32_t>(*v));
      return {};
    }
    case FieldKind::time: {
      auto v = parse_dnssec_time(t.text);
      if (!v) return bad(t, v.error().detail);
      put_u32(out_, *v);
      return {};
    }
    case FieldKind::rr_type: {
      auto v = parse_type(t.text);
      if (!v) return bad(t, "unknown type '" + std::string(t.text) + "'");
      put_u16(out_, *v);
      return {};
    }
    case FieldKind::algorithm: {
      auto v = parse_algorithm(t.text);
      if (!v) return bad(t, "unknown algorithm '" + std::string(t.text) + "'");
      out_.push_back(*v);
      return {};
    }
    case FieldKind::name: {
      auto name = Name::parse(t.text, &origin_);
      if (!name) return tl::unexpected(Error{name.error().code, lexer_.where(t.line), name.error().detail});
      name->append_wire(out_);
      return {};
    }
    case FieldKind::ipv4:
    case FieldKind::ipv6: {
      std::uint8_t addr[16];
      bool v4 = kind == FieldKind::ipv4;
      if (!parse_address(v4 ? AF_INET : AF_INET6, t.text, addr)) {
        return bad(t, "'" + std::string(t.text) + "' is not an " + (v4 ? "IPv4" : "IPv6") + " address");
      }
      out_.insert(out_.end(), addr, addr + (v4 ? 4 : 16));
      return {};
    }
    case FieldKind::char_string: {
      std::size_t at = out_.size();
      out_.push_back(0);
      if (auto r = append_unescaped(t.text, out_); !r) return bad(t, r.error().detail);
      std::size_t length = out_.size() - at - 1;
      if (length > 255) return bad(t, "character-string longer than 255 octets");
      out_[at] = static_cast<std::uint8_t>(length);
      return {};
    }
    case FieldKind::salt: {
      if (t.text == "-") {
        out_.push_back(0);
        return {};
      }
      Bytes salt;
      if (auto r = base::append_hex(t.text, salt); !r) return bad(t, "salt: " + r.error().detail);
      if (salt.size() > 255) return bad(t, "salt longer than 255 octets");
      out_.push_back(static_cast<std::uint8_t>(salt.size()));
      out_.insert(out_.end(), salt.begin(), salt.end());
      return {};
    }
    case FieldKind::hash_b32: {
      Bytes hash;
      if (auto r = base::append_base32hex(t.text, hash); !r) return bad(t, "next hashed owner: " + r.error().detail);
      if (hash.empty() || hash.size() > 255) return bad(t, "next hashed owner must be 1..255 octets");
      out_.push_back(static_cast<std::uint8_t>(hash.size()));
      out_.insert(out_.end(), hash.begin(), hash.end());
      return {};
    }
    case FieldKind::caa_tag: {
      if (t.text.empty() || t.text.size() > 255) return bad(t, "CAA tag must be 1..255 characters");
      for (char c : t.text) {
        bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alnum) return bad(t, "CAA tag '" + std::string(t.text) + "' is not alphanumeric");
      }
      out_.push_back(static_cast<std::uint8_t>(t.text.size()));
      out_.insert(out_.end(), t.text.begin(), t.text.end());
      return {};
    }
    case FieldKind::eui48:
    case FieldKind::eui64: {
      std::size_t octets = kind == FieldKind::eui48 ? 6 : 8;
      if (t.text.size() != octets * 3 - 1) return bad(t, "'" + std::string(t.text) + "' is not an EUI address");
      std::string hex;
      for (std::size_t i = 0; i < t.text.size(); ++i) {
        if (i % 3 == 2) {
          if (t.text[i] != '-') return bad(t, "'" + std::string(t.text) + "' is not an EUI address");
        } else {
          hex.push_back(t.text[i]);
        }
      }
      if (auto r = base::append_hex(hex, out_); !r) return bad(t, "'" + std::string(t.text) + "' is not an EUI address");
      return {};
    }
    default:
      return bad(t, "internal: unhandled field kind");
  }
}

// Parses the RFC 3597 generic form after its "\#" token.
Result<void> parse_generic(Lexer& lexer, Bytes& out) {
  auto length_token = lexer.next();
  if (!length_token) return tl::unexpected(length_token.error());
  if (!*length_token) return fail(errc::bad_rdata, "'\\#' without an RDATA length", lexer.where(lexer.line()));
  auto length = parse_decimal<std::uint16_t>((*length_token)->text);
  if (!length) return fail(errc::bad_rdata, "bad RDATA length after '\\#'", lexer.where(lexer.line()));
  std::string hex;
  while (true) {
    auto t = lexer.next();
    if (!t) return tl::unexpected(t.error());
    if (!*t) break;
    hex += (*t)->text;
  }
  std::size_t before = out.size();
  if (auto r = base::append_hex(hex, out); !r) {
    return fail(errc::bad_rdata, "generic RDATA: " + r.error().detail, lexer.where(lexer.line()));
  }
  if (out.size() - before != *length) {
    return fail(errc::bad_rdata,
                "generic RDATA has " + std::to_string(out.size() - before) + " octets, length says " + std::to_string(*length),
                lexer.where(lexer.line()));
  }
  return {};
}

}  // namespace

Result<std::uint32_t> parse_ttl(std::string_view text) {
  auto v = parse_units(text, 0x7fffffffULL);
  if (!v) return fail(errc::bad_ttl, "'" + std::string(text) + "' is not a TTL (0..2147483647 seconds, or units like 1h30m)");
  return static_cast<std::uint32_t>(*v);
}

Result<void> parse_rdata(std::uint16_t type, Lexer& lexer, const Name& origin, Bytes& out) {
  std::size_t start = out.size();
  auto first = lexer.next();
  if (!first) return tl::unexpected(first.error());
  const RRTypeInfo* info = find_type(type);
  if (*first && !(*first)->quoted && (*first)->text == "\\#") {
    if (auto r = parse_generic(lexer, out); !r) return r;
    if (out.size() - start > 65535) return fail(errc::bad_rdata, "RDATA longer than 65535 octets", lexer.where(lexer.line()));
    if (auto r = validate_rdata(type, ByteView(out).subspan(start)); !r) {
      return fail(errc::bad_rdata, type_to_string(type) + " in generic form: " + r.error().detail, lexer.where(lexer.line()));
    }
    return {};
  }
  if (info == nullptr) {
    return fail(errc::bad_rdata, type_to_string(type) + " has no text form here; write it as '\\# length hex'",
                lexer.where(lexer.line()));
  }
  if (*first) lexer.unget(**first);
  FieldParser parser(lexer, origin, out);
  for (std::size_t index = 0; index < info->fields.size(); ++index) {
    if (auto r = parser.parse(info->fields[index], index); !r) return r;
  }
  auto extra = lexer.next();
  if (!extra) return tl::unexpected(extra.error());
  if (*extra) {
    return fail(errc::bad_rdata, "unexpected '" + std::string((*extra)->text) + "' after the RDATA of " +
                std::string(info->mnemonic), lexer.where((*extra)->line));
  }
  if (out.size() - start > 65535) return fail(errc::bad_rdata, "RDATA longer than 65535 octets", lexer.where(lexer.line()));
  return {};
}

Result<Bytes> parse_rdata_text(std::uint16_t type, std::string_view text, const Name& origin) {
  Lexer lexer(text, "rdata");
  bool blank = false;
  auto has = lexer.next_entry(blank);
  if (!has) return tl::unexpected(has.error());
  Bytes out;
  if (auto r = parse_rdata(type, lexer, origin, out); !r) return tl::unexpected(r.error());
  bool more = false;
  auto another = lexer.next_entry(more);
  if (!another) return tl::unexpected(another.error());
  if (*another) return fail(errc::bad_rdata, "RDATA text spans more than one entry");
  return out;
}

Result<void> validate_rdata(std::uint16_t type, ByteView rdata) {
  const RRTypeInfo* info = find_type(type);
  if (info == nullptr) return {};
  return walk_fields(*info, rdata, [](FieldKind, ByteView, std::size_t) {});
}

void append_rdata_text(std::uint16_t type, ByteView rdata, std::string& out) {
  const RRTypeInfo* info = find_type(type);
  bool text_form = info != nullptr;
  if (text_form) {
    auto ok = walk_fields(*info, rdata, [&](FieldKind kind, ByteView field, std::size_t) {
      text_form = text_form && has_text_form(kind, field);
    });
    text_form = text_form && ok.has_value();
  }
  if (!text_form) {
    append_generic(rdata, out);
    return;
  }
  bool first = true;
  (void)walk_fields(*info, rdata, [&](FieldKind kind, ByteView field, std::size_t) {
    bool empty_list = (kind == FieldKind::type_bitmap || kind == FieldKind::svc_params) && field.empty();
    if (!first && !empty_list) out.push_back(' ');
    first = false;
    append_field_text(kind, field, out);
  });
}

std::string rdata_to_text(std::uint16_t type, ByteView rdata) {
  std::string out;
  append_rdata_text(type, rdata, out);
  return out;
}

void canonicalize_rdata(std::uint16_t type, std::span<std::uint8_t> rdata) {
  const RRTypeInfo* info = find_type(type);
  if (info == nullptr || !info->canonical_lowercase) return;
  (void)walk_fields(*info, rdata, [&](FieldKind kind, ByteView field, std::size_t offset) {
    if (kind != FieldKind::name) return;
    for (std::size_t i = 0; i < field.size(); ++i) rdata[offset + i] = dns_tolower(rdata[offset + i]);
  });
}

}  // namespace kskline::zone
