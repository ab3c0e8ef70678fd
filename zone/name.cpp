#include "zone/name.hpp"

#include <algorithm>

#include "zone/errc.hpp"

namespace kskline::zone {
namespace {

constexpr std::size_t kMaxLabel = 63;
constexpr std::size_t kMaxName = 255;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Whether an octet needs escaping in presentation form.
bool needs_escape(std::uint8_t c) {
  switch (c) {
    case '.': case '\\': case '"': case '(': case ')': case ';': case '@': case '$':
      return true;
    default:
      return c < 0x21 || c > 0x7e;
  }
}

}  // namespace

Result<Name> Name::parse(std::string_view text, const Name* origin) {
  if (text.empty()) return fail(errc::bad_name, "empty domain name");
  if (text == "@") {
    if (origin == nullptr) return fail(errc::bad_name, "'@' used without an origin");
    return *origin;
  }
  if (text == ".") return Name();

  // The wire form is built in a fixed buffer: a name never exceeds 255 octets,
  // and a longer one is refused as soon as it is seen.
  char wire[kMaxName + 1];
  std::size_t size = 1;
  std::size_t label_start = 0;
  wire[0] = '\0';
  bool absolute = false;
  auto quoted = [&] { return "'" + std::string(text) + "'"; };
  auto close_label = [&]() -> Result<void> {
    std::size_t len = size - label_start - 1;
    if (len == 0) return fail(errc::bad_name, "empty label in " + quoted());
    wire[label_start] = static_cast<char>(len);
    return {};
  };

  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      if (auto r = close_label(); !r) return tl::unexpected(r.error());
      if (i + 1 == text.size()) {
        absolute = true;
        break;
      }
      if (size >= kMaxName) return fail(errc::name_too_long, "name longer than 255 octets: " + quoted());
      label_start = size;
      wire[size++] = '\0';
      continue;
    }
    if (c == '\\') {
      if (i + 1 >= text.size()) return fail(errc::bad_name, "dangling '\\' in " + quoted());
      if (is_digit(text[i + 1])) {
        if (i + 3 >= text.size() || !is_digit(text[i + 2]) || !is_digit(text[i + 3])) {
          return fail(errc::bad_name, "\\DDD escape needs three digits in " + quoted());
        }
        int v = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
        if (v > 255) return fail(errc::bad_name, "\\DDD escape over 255 in " + quoted());
        c = static_cast<char>(v);
        i += 3;
      } else {
        c = text[++i];
      }
    }
    if (size - label_start > kMaxLabel) {
      return fail(errc::label_too_long, "label longer than 63 octets in " + quoted());
    }
    if (size >= kMaxName) return fail(errc::name_too_long, "name longer than 255 octets: " + quoted());
    wire[size++] = c;
  }

  std::string out;
  if (!absolute) {
    if (auto r = close_label(); !r) return tl::unexpected(r.error());
    if (origin == nullptr) {
      return fail(errc::bad_name, "relative name " + quoted() + " without an origin");
    }
    if (size + origin->wire_.size() > kMaxName) {
      return fail(errc::name_too_long, "name of " + std::to_string(size + origin->wire_.size()) +
                                           " octets (max 255): " + quoted());
    }
    out.reserve(size + origin->wire_.size());
    out.append(wire, size);
    out.append(origin->wire_);
  } else {
    if (size + 1 > kMaxName) return fail(errc::name_too_long, "name longer than 255 octets: " + quoted());
    wire[size++] = '\0';
    out.assign(wire, size);
  }
  return Name(std::move(out));
}

Result<Name> Name::from_wire(ByteView data, std::size_t* consumed) {
  std::size_t pos = 0;
  while (true) {
    if (pos >= data.size()) return fail(errc::bad_name, "truncated name in wire data");
    std::uint8_t len = data[pos];
    if (len == 0) break;
    if (len > kMaxLabel) return fail(errc::bad_name, "compression pointer or bad label length in wire name");
    pos += 1 + len;
    if (pos + 1 > kMaxName) return fail(errc::name_too_long, "wire name over 255 octets");
  }
  ++pos;
  if (consumed != nullptr) *consumed = pos;
  return Name(std::string(reinterpret_cast<const char*>(data.data()), pos));
}

void Name::append_wire(Bytes& out, bool lowercase) const {
  auto w = wire();
  if (!lowercase) {
    out.insert(out.end(), w.begin(), w.end());
    return;
  }
  std::size_t pos = 0;
  while (pos < w.size()) {
    std::uint8_t len = w[pos];
    out.push_back(len);
    for (std::size_t i = 1; i <= len; ++i) out.push_back(dns_tolower(w[pos + i]));
    pos += 1 + len;
    if (len == 0) break;
  }
}

std::string Name::to_string() const {
  if (is_root()) return ".";
  std::string out;
  out.reserve(wire_.size() + 4);
  std::size_t pos = 0;
  while (true) {
    auto len = static_cast<std::uint8_t>(wire_[pos]);
    if (len == 0) break;
    for (std::size_t i = 1; i <= len; ++i) {
      auto c = static_cast<std::uint8_t>(wire_[pos + i]);
      if (!needs_escape(c)) {
        out.push_back(static_cast<char>(c));
      } else if (c >= 0x21 && c <= 0x7e) {
        out.push_back('\\');
        out.push_back(static_cast<char>(c));
      } else {
        out.push_back('\\');
        out.push_back(static_cast<char>('0' + c / 100));
        out.push_back(static_cast<char>('0' + c / 10 % 10));
        out.push_back(static_cast<char>('0' + c % 10));
      }
    }
    out.push_back('.');
    pos += 1 + len;
  }
  return out;
}

std::string Name::to_string_relative(const Name& origin) const {
  if (*this == origin) return "@";
  if (!is_subdomain_of(origin)) return to_string();
  // Keep the labels above the origin and print them as a name of their own.
  std::size_t keep = label_count() - origin.label_count();
  std::size_t pos = 0;
  for (std::size_t i = 0; i < keep; ++i) pos += 1 + static_cast<std::uint8_t>(wire_[pos]);
  std::string head = wire_.substr(0, pos);
  head.push_back('\0');
  std::string text = Name(std::move(head)).to_string();
  text.pop_back();  // drop the final dot
  return text;
}

std::size_t Name::label_count() const {
  std::size_t count = 0;
  std::size_t pos = 0;
  while (wire_[pos] != 0) {
    ++count;
    pos += 1 + static_cast<std::uint8_t>(wire_[pos]);
  }
  return count;
}

Name Name::parent() const {
  if (is_root()) return *this;
  return Name(wire_.substr(1 + static_cast<std::uint8_t>(wire_[0])));
}

Name Name::strip_labels(std::size_t n) const {
  std::size_t pos = 0;
  for (std::size_t i = 0; i < n && wire_[pos] != 0; ++i) pos += 1 + static_cast<std::uint8_t>(wire_[pos]);
  return Name(wire_.substr(pos));
}

Result<Name> Name::prepend(std::string_view label) const {
  if (label.empty()) return fail(errc::bad_name, "empty label");
  if (label.size() > kMaxLabel) return fail(errc::label_too_long, "label longer than 63 octets");
  if (wire_.size() + 1 + label.size() > kMaxName) return fail(errc::name_too_long, "name longer than 255 octets");
  std::string wire;
  wire.reserve(wire_.size() + 1 + label.size());
  wire.push_back(static_cast<char>(label.size()));
  wire.append(label);
  wire.append(wire_);
  return Name(std::move(wire));
}

std::string_view Name::first_label() const {
  return std::string_view(wire_).substr(1, static_cast<std::uint8_t>(wire_[0]));
}

Name Name::lowercased() const {
  std::string wire = wire_;
  for (auto& c : wire) c = static_cast<char>(dns_tolower(static_cast<std::uint8_t>(c)));
  // Length octets are <= 63 and therefore never in 'A'..'Z' (65..90).
  return Name(std::move(wire));
}

bool Name::is_subdomain_of(const Name& other) const {
  if (other.wire_.size() > wire_.size()) return false;
  // Walk our labels until the remaining suffix has the other's length.
  std::size_t pos = 0;
  std::size_t want = wire_.size() - other.wire_.size();
  while (pos < want) pos += 1 + static_cast<std::uint8_t>(wire_[pos]);
  if (pos != want) return false;
  for (std::size_t i = 0; i < other.wire_.size(); ++i) {
    if (dns_tolower(static_cast<std::uint8_t>(wire_[pos + i])) !=
        dns_tolower(static_cast<std::uint8_t>(other.wire_[i]))) {
      return false;
    }
  }
  return true;
}

bool operator==(const Name& a, const Name& b) {
  if (a.wire_.size() != b.wire_.size()) return false;
  for (std::size_t i = 0; i < a.wire_.size(); ++i) {
    if (dns_tolower(static_cast<std::uint8_t>(a.wire_[i])) !=
        dns_tolower(static_cast<std::uint8_t>(b.wire_[i]))) {
      return false;
    }
  }
  return true;
}

std::strong_ordering operator<=>(const Name& a, const Name& b) {
  // Label offsets, root first.
  auto offsets = [](const std::string& w, std::size_t* out) {
    std::size_t n = 0;
    std::size_t pos = 0;
    while (w[pos] != 0) {
      out[n++] = pos;
      pos += 1 + static_cast<std::uint8_t>(w[pos]);
    }
    return n;
  };
  std::size_t oa[128], ob[128];
  std::size_t na = offsets(a.wire_, oa), nb = offsets(b.wire_, ob);
  while (na > 0 && nb > 0) {
    --na;
    --nb;
    const auto* la = reinterpret_cast<const std::uint8_t*>(a.wire_.data() + oa[na]);
    const auto* lb = reinterpret_cast<const std::uint8_t*>(b.wire_.data() + ob[nb]);
    std::size_t len = std::min(la[0], lb[0]);
    for (std::size_t i = 1; i <= len; ++i) {
      auto ca = dns_tolower(la[i]), cb = dns_tolower(lb[i]);
      if (ca != cb) return ca <=> cb;
    }
    if (la[0] != lb[0]) return la[0] <=> lb[0];
  }
  return na <=> nb;
}

std::string Name::canonical_key() const {
  std::string key;
  append_canonical_key(key);
  return key;
}

void Name::append_canonical_key(std::string& key) const {
  std::size_t offsets[128];
  std::size_t n = 0;
  std::size_t pos = 0;
  while (wire_[pos] != 0) {
    offsets[n++] = pos;
    pos += 1 + static_cast<std::uint8_t>(wire_[pos]);
  }
  while (n > 0) {
    std::size_t at = offsets[--n];
    auto len = static_cast<std::uint8_t>(wire_[at]);
    for (std::size_t i = 1; i <= len; ++i) {
      auto c = dns_tolower(static_cast<std::uint8_t>(wire_[at + i]));
      // 0x00 -> 01 01 and 0x01 -> 01 02 keep 0x00 free as the label separator.
      if (c <= 1) {
        key.push_back('\x01');
        key.push_back(static_cast<char>(c + 1));
      } else {
        key.push_back(static_cast<char>(c));
      }
    }
    key.push_back('\0');
  }
}

}  // namespace kskline::zone
