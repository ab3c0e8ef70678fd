// Link specs: the one syntax every command uses to name a link.
//
//   serial:PATH[,baud=N][,flow=none|xonxoff|rtscts][,parity=none|even|odd][,bits=7|8][,stop=1|2]
//   spool:DIR
//   loopback[,ber=X][,drop=X][,dup=X][,baud=N][,seed=N]
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "base/error.hpp"

namespace kskline::transport {

// Flow control of a serial line.
enum class Flow : std::uint8_t { none, xonxoff, rtscts };
// Parity of a serial line.
enum class Parity : std::uint8_t { none, even, odd };

// The settings of a serial line. Defaults: 115200 baud, 8N1, no flow control.
struct SerialSettings {
  std::uint32_t baud = 115200;
  std::uint8_t data_bits = 8;  // 7 or 8
  Parity parity = Parity::none;
  std::uint8_t stop_bits = 1;  // 1 or 2
  Flow flow = Flow::none;

  // Bit times one character takes on the wire: start + data + parity + stop.
  std::uint32_t bits_per_char() const noexcept;
  // Characters per second the line carries (baud / bits_per_char()).
  std::uint32_t bytes_per_second() const noexcept;
};

// A serial device and its settings.
struct SerialLink {
  std::string path;
  SerialSettings settings;
};

// A spool directory (a USB stick): DIR/to-ksk and DIR/to-zone.
struct SpoolLink {
  std::string dir;
};

// An in-process impaired byte pipe joining two endpoints of one process.
struct LoopbackLink {
  double ber = 0;           // probability that each data bit flips
  double drop = 0;          // probability that a byte is lost
  double dup = 0;           // probability that a byte arrives twice
  std::uint32_t baud = 0;   // line speed, 10 bit times a byte; 0: unlimited
  std::uint64_t seed = 1;   // impairments are reproducible from it
};

// Any link.
using LinkSpec = std::variant<SerialLink, SpoolLink, LoopbackLink>;

// Parses a link spec. errc::bad_link_spec naming the offending part: an
// unknown kind or option, a repeated option, a value out of range (baud
// 50..4000000, probabilities 0..1), an empty path or directory.
Result<LinkSpec> parse_link_spec(std::string_view text);

// Formats a link spec back into the syntax above (every option spelled out).
std::string to_string(const LinkSpec& spec);

// The names of flow, parity values as the spec spells them.
std::string_view to_string(Flow flow) noexcept;
std::string_view to_string(Parity parity) noexcept;

}  // namespace kskline::transport
