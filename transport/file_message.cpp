#include "transport/file_message.hpp"

#include "proto/errc.hpp"
#include "transport/errc.hpp"

namespace kskline::transport {

Result<void> check_file_name(std::string_view name) {
  auto refuse = [&](const char* why) {
    std::string shown;
    for (char c : name.substr(0, 64)) shown += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
    return fail(errc::name_refused, "file name '" + shown + "' " + why);
  };
  if (name.empty()) return refuse("is empty");
  if (name.size() > 255) return refuse("is longer than 255 bytes");
  if (name.front() == '.') return refuse("starts with '.' (hidden and temporary names are refused)");
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (c == '/') return refuse("contains '/'");
    if (u < 0x20 || u == 0x7f) return refuse("contains a control character");
  }
  return {};
}

Result<Bytes> encode_file_payload(std::string_view name, ByteView content) {
  if (auto ok = check_file_name(name); !ok) return tl::unexpected(ok.error());
  Bytes out;
  out.reserve(6 + name.size() + content.size());
  out.insert(out.end(), kFileRecordMagic.begin(), kFileRecordMagic.end());
  out.push_back(kFileRecordVersion);
  out.push_back(static_cast<std::uint8_t>(name.size()));
  out.insert(out.end(), name.begin(), name.end());
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

Result<FileMessage> decode_file_payload(ByteView payload) {
  auto malformed = [](std::string detail) { return fail(proto::errc::malformed, std::move(detail)); };
  if (payload.size() < 6 || !std::equal(kFileRecordMagic.begin(), kFileRecordMagic.end(), payload.begin())) {
    return malformed("the payload is not a file record (no KSKF header)");
  }
  if (payload[4] != kFileRecordVersion) {
    return fail(proto::errc::unsupported_version,
                "file record version " + std::to_string(payload[4]) + " is not supported (this build reads 1)");
  }
  std::size_t n = payload[5];
  if (payload.size() < 6 + n) return malformed("the file record is shorter than its name");
  FileMessage m;
  m.name.assign(reinterpret_cast<const char*>(payload.data() + 6), n);
  if (auto ok = check_file_name(m.name); !ok) return tl::unexpected(ok.error());
  m.content = payload.subspan(6 + n);
  return m;
}

proto::PayloadType guess_payload_type(ByteView content) noexcept {
  std::size_t i = 0;
  while (i < content.size()) {
    std::uint8_t c = content[i];
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) return proto::PayloadType::octets;
      ++i;
      continue;
    }
    std::size_t extra = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : 0;
    if (extra == 0 || c == 0xC0 || c == 0xC1 || c > 0xF4) return proto::PayloadType::octets;
    for (std::size_t k = 1; k <= extra; ++k) {
      if (i + k >= content.size() || (content[i + k] & 0xC0) != 0x80) return proto::PayloadType::octets;
    }
    i += extra + 1;
  }
  return proto::PayloadType::text;
}

}  // namespace kskline::transport
