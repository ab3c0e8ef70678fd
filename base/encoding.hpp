// Text encodings of binary data: hex (RFC 4648 §8), base64 (§4), base32hex (§7).
#pragma once

#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/error.hpp"

namespace kskline::base {

// Encodes bytes as lowercase hex.
std::string to_hex(ByteView data);
// Encodes bytes as uppercase hex (DS digests are conventionally uppercase).
std::string to_hex_upper(ByteView data);
// Appends the bytes of hex text (either case, no separators) to out;
// errc::bad_encoding on an odd length or a non-hex character.
Result<void> append_hex(std::string_view text, Bytes& out);
// Decodes hex text; see append_hex.
Result<Bytes> from_hex(std::string_view text);

// Encodes bytes as padded base64.
std::string to_base64(ByteView data);
// Appends the bytes of padded base64 text to out; errc::bad_encoding on a bad
// character, bad padding or a length that is not a multiple of 4.
Result<void> append_base64(std::string_view text, Bytes& out);
// Decodes padded base64 text; see append_base64.
Result<Bytes> from_base64(std::string_view text);

// Encodes bytes as unpadded lowercase base32hex (as in NSEC3 owner names).
std::string to_base32hex(ByteView data);
// Appends the bytes of unpadded base32hex text (either case) to out;
// errc::bad_encoding on a bad character or impossible length.
Result<void> append_base32hex(std::string_view text, Bytes& out);
// Decodes unpadded base32hex text; see append_base32hex.
Result<Bytes> from_base32hex(std::string_view text);

}  // namespace kskline::base
