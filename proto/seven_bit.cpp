#include "proto/seven_bit.hpp"

#include <array>

#include "proto/errc.hpp"

namespace kskline::proto::seven_bit {
namespace {

constexpr std::uint8_t kNone = 0xFF;

constexpr std::array<std::uint8_t, 256> make_digits() {
  std::array<std::uint8_t, 256> t{};
  for (auto& v : t) v = kNone;
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) t[static_cast<std::uint8_t>(kAlphabet[i])] = static_cast<std::uint8_t>(i);
  return t;
}

constexpr std::array<std::uint8_t, 256> kDigits = make_digits();
static_assert(kAlphabet.size() == 85);

constexpr std::uint64_t kPow85[5] = {52200625ull, 614125ull, 7225ull, 85ull, 1ull};

void put_group(std::uint32_t v, std::size_t digits, Bytes& out) {
  std::array<std::uint8_t, 5> d{};
  for (int i = 4; i >= 0; --i) {
    d[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(kAlphabet[v % 85]);
    v /= 85;
  }
  out.insert(out.end(), d.begin(), d.begin() + static_cast<std::ptrdiff_t>(digits));
}

}  // namespace

std::optional<std::uint8_t> digit_of(std::uint8_t c) noexcept {
  std::uint8_t d = kDigits[c];
  if (d == kNone) return std::nullopt;
  return d;
}

void encode(ByteView data, Bytes& out) {
  out.reserve(out.size() + encoded_size(data.size()));
  std::size_t i = 0;
  for (; i + 4 <= data.size(); i += 4) put_group(get_u32(data.data() + i), 5, out);
  std::size_t k = data.size() - i;
  if (k == 0) return;
  std::uint8_t tail[4] = {0, 0, 0, 0};
  for (std::size_t j = 0; j < k; ++j) tail[j] = data[i + j];
  put_group(get_u32(tail), k + 1, out);
}

bool StreamDecoder::push(std::uint8_t digit, Bytes& out) noexcept {
  value_ += digit * kPow85[count_];
  if (++count_ < 5) return true;
  std::uint64_t v = value_;
  reset();
  if (v > 0xFFFFFFFFull) return false;
  put_u32(out, static_cast<std::uint32_t>(v));
  return true;
}

bool StreamDecoder::finish(Bytes& out) noexcept {
  if (count_ == 0) return true;
  if (count_ == 1) {
    reset();
    return false;
  }
  int k = count_ - 1;
  std::uint64_t v = value_;
  for (int i = count_; i < 5; ++i) v += 84 * kPow85[i];
  reset();
  if (v > 0xFFFFFFFFull) return false;
  for (int j = 0; j < k; ++j) out.push_back(static_cast<std::uint8_t>(v >> (24 - 8 * j)));
  return true;
}

Result<void> decode(ByteView text, Bytes& out) {
  if (!decoded_size(text.size())) return fail(errc::malformed, "base85 text of impossible length");
  StreamDecoder d;
  out.reserve(out.size() + *decoded_size(text.size()));
  for (auto c : text) {
    auto digit = digit_of(c);
    if (!digit) return fail(errc::malformed, "character outside the base85 alphabet");
    if (!d.push(*digit, out)) return fail(errc::malformed, "base85 group above 2^32-1");
  }
  if (!d.finish(out)) return fail(errc::malformed, "base85 final group overflows");
  return {};
}

}  // namespace kskline::proto::seven_bit
