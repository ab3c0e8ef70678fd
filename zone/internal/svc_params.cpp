#include "zone/internal/svc_params.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <optional>

#include "base/encoding.hpp"
#include "zone/errc.hpp"
#include "zone/internal/presentation.hpp"

namespace kskline::zone::internal {
namespace {

struct SvcKeyName {
  std::uint16_t key;
  std::string_view name;
};
constexpr SvcKeyName kSvcKeys[] = {{0, "mandatory"}, {1, "alpn"},     {2, "no-default-alpn"},
                                   {3, "port"},      {4, "ipv4hint"}, {5, "ech"},
                                   {6, "ipv6hint"},  {7, "dohpath"},  {8, "ohttp"}};

std::optional<std::uint16_t> parse_svc_key(std::string_view text) {
  for (const auto& k : kSvcKeys) {
    if (k.name == text) return k.key;
  }
  if (text.size() > 3 && text.substr(0, 3) == "key") {
    auto v = parse_decimal<unsigned>(text.substr(3));
    if (v && *v < 65535 && !(text.size() > 4 && text[3] == '0')) return static_cast<std::uint16_t>(*v);
  }
  return std::nullopt;
}

// Whether a key has a registered name (and so a defined value format).
bool is_known_svc_key(std::uint16_t key) {
  return std::any_of(std::begin(kSvcKeys), std::end(kSvcKeys), [&](const SvcKeyName& k) { return k.key == key; });
}

std::string svc_key_name(std::uint16_t key) {
  for (const auto& k : kSvcKeys) {
    if (k.key == key) return std::string(k.name);
  }
  return "key" + std::to_string(key);
}

// Splits a decoded SvcParam value on unescaped commas (RFC 9460 Appendix A.1:
// value lists are decoded after the character-string escapes, and inside an
// item only "\," and "\\" are escapes). Empty items are refused.
Result<std::vector<Bytes>> split_value_list(ByteView value) {
  std::vector<Bytes> items(1);
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto c = value[i];
    if (c == ',') {
      if (items.back().empty()) return fail(errc::bad_rdata, "empty item in SvcParam value list");
      items.emplace_back();
    } else if (c == '\\') {
      if (i + 1 >= value.size() || (value[i + 1] != ',' && value[i + 1] != '\\')) {
        return fail(errc::bad_rdata, "only '\\,' and '\\\\' may be escaped inside a SvcParam value list item");
      }
      items.back().push_back(value[++i]);
    } else {
      items.back().push_back(c);
    }
  }
  if (items.back().empty()) return fail(errc::bad_rdata, "empty item in SvcParam value list");
  return items;
}

std::string as_text(const Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

// Converts the presentation value of one SvcParam (the text after '=', with
// its character-string escapes and optional quotes) to its wire value.
Result<Bytes> parse_svc_value(std::uint16_t key, std::string_view text, bool has_value) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') text = text.substr(1, text.size() - 2);
  Bytes value;
  if (auto r = append_unescaped(text, value); !r) return tl::unexpected(r.error());
  Bytes out;
  bool needs_value = key != 2 && key != 8 && is_known_svc_key(key);
  if (needs_value && value.empty()) {
    return fail(errc::bad_rdata, "SvcParam " + svc_key_name(key) + " needs a value");
  }
  switch (key) {
    case 0: {  // mandatory
      auto items = split_value_list(value);
      if (!items) return tl::unexpected(items.error());
      std::vector<std::uint16_t> keys;
      for (const auto& item : *items) {
        auto k = parse_svc_key(as_text(item));
        if (!k) return fail(errc::bad_rdata, "unknown key '" + as_text(item) + "' in SvcParam mandatory");
        if (*k == 0) return fail(errc::bad_rdata, "SvcParam mandatory must not list itself");
        keys.push_back(*k);
      }
      std::sort(keys.begin(), keys.end());
      if (std::adjacent_find(keys.begin(), keys.end()) != keys.end()) {
        return fail(errc::bad_rdata, "duplicate key in SvcParam mandatory");
      }
      for (auto k : keys) put_u16(out, k);
      return out;
    }
    case 1: {  // alpn
      auto items = split_value_list(value);
      if (!items) return tl::unexpected(items.error());
      for (const auto& item : *items) {
        if (item.size() > 255) return fail(errc::bad_rdata, "alpn id longer than 255 octets");
        out.push_back(static_cast<std::uint8_t>(item.size()));
        out.insert(out.end(), item.begin(), item.end());
      }
      return out;
    }
    case 2:  // no-default-alpn
    case 8:  // ohttp
      if (has_value) return fail(errc::bad_rdata, "SvcParam " + svc_key_name(key) + " takes no value");
      return out;
    case 3: {  // port
      auto port = parse_decimal<std::uint16_t>(as_text(value));
      if (!port) return fail(errc::bad_rdata, "SvcParam port must be 0..65535");
      put_u16(out, *port);
      return out;
    }
    case 4:    // ipv4hint
    case 6: {  // ipv6hint
      auto items = split_value_list(value);
      if (!items) return tl::unexpected(items.error());
      for (const auto& item : *items) {
        std::string address = as_text(item);
        std::uint8_t addr[16];
        if (!parse_address(key == 4 ? AF_INET : AF_INET6, address, addr)) {
          return fail(errc::bad_rdata, "bad address '" + address + "' in SvcParam " + svc_key_name(key));
        }
        out.insert(out.end(), addr, addr + (key == 4 ? 4 : 16));
      }
      return out;
    }
    case 5:  // ech
      if (auto r = base::append_base64(as_text(value), out); !r) return fail(errc::bad_rdata, "bad base64 in SvcParam ech");
      return out;
    default:  // dohpath and unknown keys: the value's octets
      return value;
  }
}

// Appends the items of a value list, escaping ',' and '\' inside each item.
void append_value_list_item(ByteView item, std::string& out) {
  for (auto b : item) {
    if (b == ',' || b == '\\') out.push_back('\\');
    out.push_back(static_cast<char>(b));
  }
}

Result<void> validate_svc_value(std::uint16_t key, ByteView v) {
  auto bad = [&](const char* what) { return fail(errc::bad_rdata, "SvcParam " + svc_key_name(key) + ": " + what); };
  switch (key) {
    case 0:
      if (v.empty() || v.size() % 2 != 0) return bad("length must be a positive multiple of 2");
      for (std::size_t i = 2; i < v.size(); i += 2) {
        if (get_u16(&v[i - 2]) >= get_u16(&v[i])) return bad("keys must be strictly increasing");
      }
      return {};
    case 1:
      if (v.empty()) return bad("empty value");
      for (std::size_t pos = 0; pos < v.size();) {
        if (v[pos] == 0 || pos + 1 + v[pos] > v.size()) return bad("malformed alpn list");
        pos += 1 + v[pos];
      }
      return {};
    case 2:
    case 8:
      if (!v.empty()) return bad("must be empty");
      return {};
    case 3:
      if (v.size() != 2) return bad("length must be 2");
      return {};
    case 4:
      if (v.empty() || v.size() % 4 != 0) return bad("length must be a positive multiple of 4");
      return {};
    case 6:
      if (v.empty() || v.size() % 16 != 0) return bad("length must be a positive multiple of 16");
      return {};
    case 5:
    case 7:
      if (v.empty()) return bad("empty value");
      return {};
    default:
      return {};
  }
}

}  // namespace

Result<SvcParam> parse_svc_param(std::string_view text) {
  auto eq = text.find('=');
  auto key = parse_svc_key(text.substr(0, eq));
  if (!key) return fail(errc::bad_rdata, "unknown SvcParam key in '" + std::string(text) + "'");
  std::string_view value = eq == std::string_view::npos ? std::string_view() : text.substr(eq + 1);
  auto wire = parse_svc_value(*key, value, eq != std::string_view::npos);
  if (!wire) return tl::unexpected(wire.error());
  if (wire->size() > 65535) return fail(errc::bad_rdata, "SvcParam value too long");
  return SvcParam{*key, std::move(*wire)};
}

Result<void> append_svc_params(std::vector<SvcParam> params, Bytes& out) {
  std::sort(params.begin(), params.end(), [](const SvcParam& a, const SvcParam& b) { return a.key < b.key; });
  for (std::size_t i = 1; i < params.size(); ++i) {
    if (params[i].key == params[i - 1].key) {
      return fail(errc::bad_rdata, "SvcParam " + svc_key_name(params[i].key) + " given twice");
    }
  }
  std::size_t at = out.size();
  for (const auto& [key, value] : params) {
    put_u16(out, key);
    put_u16(out, static_cast<std::uint16_t>(value.size()));
    out.insert(out.end(), value.begin(), value.end());
  }
  // The rules that span parameters (mandatory keys present, ...).
  return validate_svc_params(ByteView(out).subspan(at));
}

Result<void> validate_svc_params(ByteView data) {
  std::size_t pos = 0;
  int last = -1;
  std::vector<std::uint16_t> present;
  ByteView mandatory;
  while (pos < data.size()) {
    if (pos + 4 > data.size()) return fail(errc::bad_rdata, "truncated SvcParam");
    std::uint16_t key = get_u16(&data[pos]);
    std::uint16_t length = get_u16(&data[pos + 2]);
    if (key == 65535) return fail(errc::bad_rdata, "SvcParam key 65535 is reserved");
    if (static_cast<int>(key) <= last) return fail(errc::bad_rdata, "SvcParam keys out of order or repeated");
    if (pos + 4 + length > data.size()) return fail(errc::bad_rdata, "truncated SvcParam value");
    if (auto r = validate_svc_value(key, data.subspan(pos + 4, length)); !r) return r;
    if (key == 0) mandatory = data.subspan(pos + 4, length);
    present.push_back(key);
    last = key;
    pos += 4 + length;
  }
  // RFC 9460 §8: mandatory never lists itself, and every key it lists is present.
  for (std::size_t i = 0; i < mandatory.size(); i += 2) {
    std::uint16_t key = get_u16(&mandatory[i]);
    if (key == 0) return fail(errc::bad_rdata, "SvcParam mandatory must not list itself");
    if (!std::binary_search(present.begin(), present.end(), key)) {
      return fail(errc::bad_rdata, "SvcParam mandatory lists " + svc_key_name(key) + ", which is missing");
    }
  }
  return {};
}

void append_svc_params_text(ByteView data, std::string& out) {
  std::size_t pos = 0;
  while (pos + 4 <= data.size()) {
    std::uint16_t key = get_u16(&data[pos]);
    std::uint16_t length = get_u16(&data[pos + 2]);
    ByteView v = data.subspan(pos + 4, length);
    if (pos > 0) out.push_back(' ');
    pos += 4 + length;
    out += svc_key_name(key);
    if (key == 2 || key == 8 || (v.empty() && !is_known_svc_key(key))) continue;
    out.push_back('=');
    switch (key) {
      case 0:
        for (std::size_t i = 0; i < v.size(); i += 2) {
          if (i > 0) out.push_back(',');
          out += svc_key_name(get_u16(&v[i]));
        }
        break;
      case 1: {
        // Escape ',' and '\' inside each id for the value list, then the
        // whole list as a character-string (RFC 9460 Appendix A.1).
        std::string list;
        for (std::size_t i = 0; i < v.size(); i += 1 + v[i]) {
          if (i > 0) list.push_back(',');
          append_value_list_item(v.subspan(i + 1, v[i]), list);
        }
        append_quoted(as_bytes(list), out);
        break;
      }
      case 3:
        out += std::to_string(get_u16(v.data()));
        break;
      case 4:
      case 6: {
        std::size_t step = key == 4 ? 4 : 16;
        for (std::size_t i = 0; i < v.size(); i += step) {
          char buf[INET6_ADDRSTRLEN];
          inet_ntop(key == 4 ? AF_INET : AF_INET6, v.data() + i, buf, sizeof buf);
          if (i > 0) out.push_back(',');
          out += buf;
        }
        break;
      }
      case 5:
        out += base::to_base64(v);
        break;
      default:
        append_quoted(v, out);
        break;
    }
  }
}

}  // namespace kskline::zone::internal
