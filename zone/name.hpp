// Domain names: wire form, presentation form, comparison and canonical order.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/error.hpp"

namespace kskline::zone {

// A fully qualified domain name held in uncompressed wire form (length-prefixed
// labels ending with the root label), case preserved. Valid by construction:
// labels of 1..63 octets, at most 255 octets in all.
class Name {
 public:
  // The root name ".".
  Name() : wire_(1, '\0') {}

  // Parses presentation form (`\.` and `\DDD` escapes). A name without a final
  // dot is relative and is completed with `origin`; "@" is the origin itself.
  // Relative names with a null origin are errc::bad_name.
  static Result<Name> parse(std::string_view text, const Name* origin = nullptr);

  // Reads an uncompressed wire-form name at the start of `data`; `consumed`
  // receives its length. errc::bad_name on truncation, a compression pointer or
  // another label type; errc::name_too_long for a name over 255 octets.
  static Result<Name> from_wire(ByteView data, std::size_t* consumed = nullptr);

  // The wire form, root label included.
  ByteView wire() const {
    return {reinterpret_cast<const std::uint8_t*>(wire_.data()), wire_.size()};
  }
  // The wire form as a string of octets.
  const std::string& wire_string() const { return wire_; }
  // Appends the wire form to out (lowercased when `lowercase`).
  void append_wire(Bytes& out, bool lowercase = false) const;

  // Presentation form, absolute with the final dot; escapes `.`, `\`, `"`,
  // `(`, `)`, `;`, `@`, `$`, and bytes outside 0x21..0x7e as \DDD.
  std::string to_string() const;
  // Presentation form relative to `origin` when below it ("@" when equal).
  std::string to_string_relative(const Name& origin) const;

  // Number of labels, not counting the root (the root has 0).
  std::size_t label_count() const;
  // Whether this is the root.
  bool is_root() const { return wire_.size() == 1; }
  // Whether the first label is "*".
  bool is_wildcard() const { return wire_.size() >= 2 && wire_[0] == 1 && wire_[1] == '*'; }
  // The name with the first label removed; the root's parent is the root.
  Name parent() const;
  // The name with the first `n` labels removed (n <= label_count()).
  Name strip_labels(std::size_t n) const;
  // This name with `label` (1..63 octets) prepended; errc::name_too_long if it
  // would exceed 255 octets.
  Result<Name> prepend(std::string_view label) const;
  // The first label's octets (empty for the root).
  std::string_view first_label() const;
  // The name lowercased (ASCII only, as DNS requires).
  Name lowercased() const;

  // Whether this name equals `other` or lies below it (case-insensitive).
  bool is_subdomain_of(const Name& other) const;

  // Case-insensitive equality.
  friend bool operator==(const Name& a, const Name& b);
  // Canonical DNS order (RFC 4034 §6.1).
  friend std::strong_ordering operator<=>(const Name& a, const Name& b);

  // An octet string whose bytewise order equals canonical order (labels from
  // the root down, lowercased, with an order-preserving escape of 0x00/0x01);
  // used for fast sorting and as a case-insensitive hash key.
  std::string canonical_key() const;
  // Appends canonical_key() to out.
  void append_canonical_key(std::string& out) const;

 private:
  explicit Name(std::string wire) : wire_(std::move(wire)) {}
  std::string wire_;
};

// Lowercases one ASCII octet (DNS case folding).
constexpr std::uint8_t dns_tolower(std::uint8_t c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<std::uint8_t>(c + 32) : c;
}

}  // namespace kskline::zone
