// Whole files as messages (docs/link-files.md): the payload of a `file`
// envelope is a small record naming the file, then its bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "proto/envelope.hpp"

namespace kskline::transport {

// Magic and version of a file record.
inline constexpr std::string_view kFileRecordMagic = "KSKF";
inline constexpr std::uint8_t kFileRecordVersion = 1;

// A file as it crosses a link.
struct FileMessage {
  std::string name;  // the base name it is stored under
  ByteView content;  // views the bytes it was parsed from (or the caller's)
};

// Checks a name a receiver may create in its output directory: 1..255 bytes,
// no '/', NUL or other control character, and not starting with '.'
// (hidden and temporary names). errc::name_refused saying why.
Result<void> check_file_name(std::string_view name);

// Encodes the payload of a file message: "KSKF", version, name length (1),
// name, content. errc::name_refused when the name fails check_file_name.
Result<Bytes> encode_file_payload(std::string_view name, ByteView content);

// Decodes the payload of a file message; content views `payload`.
// proto::errc::malformed when it is not a file record of this version,
// errc::name_refused when its name fails check_file_name.
Result<FileMessage> decode_file_payload(ByteView payload);

// The payload type a file's bytes suggest: text for UTF-8 without NUL or
// other control characters than tab, CR and LF, octets otherwise.
proto::PayloadType guess_payload_type(ByteView content) noexcept;

}  // namespace kskline::transport
