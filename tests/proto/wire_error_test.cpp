#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <system_error>

#include "proto/errc.hpp"
#include "proto/record.hpp"
#include "proto/wire_error.hpp"

using namespace kskline;
using namespace kskline::proto;

namespace {

// Every proto::errc, from the first value to the last.
std::vector<errc> all_errc() {
  std::vector<errc> out;
  for (int v = static_cast<int>(errc::malformed); v <= static_cast<int>(errc::closed); ++v) out.push_back(static_cast<errc>(v));
  return out;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("wire_error: every proto error has its own code and comes back as itself", "[proto][wire_error]") {
  std::set<WireError> seen;
  for (errc e : all_errc()) {
    CAPTURE(static_cast<int>(e));
    WireError w = to_wire(e);
    CHECK(w != WireError::none);
    CHECK(w != WireError::receiver_failed);
    CHECK(seen.insert(w).second);
    CHECK(to_wire(make_error_code(e)) == w);
    CHECK(from_wire(w) == e);
    CHECK(wire_reason(w) == make_error_code(e).message());
  }
  CHECK(seen.size() == 20);
}

TEST_CASE("wire_error: proto errors keep the numbers version 1 peers send", "[proto][wire_error]") {
  // Version 1 sent the errc value; the numbers stay, so old and new peers agree.
  for (errc e : all_errc()) {
    CAPTURE(static_cast<int>(e));
    CHECK(static_cast<int>(to_wire(e)) == static_cast<int>(e));
  }
  CHECK(static_cast<int>(WireError::auth_unsigned) == 6);
  CHECK(static_cast<int>(WireError::receiver_failed) == 256);
}

TEST_CASE("wire_error: an error of another category is sent as the receiver's own failure", "[proto][wire_error]") {
  // base::errc::io_error is 1 (proto: malformed); std::errc::no_such_device_or_address
  // is 6 (proto: auth_unsigned), as transport::errc::io_error is: neither is read as a proto error.
  for (std::error_code foreign : {make_error_code(base::errc::io_error),
                                  std::make_error_code(std::errc::no_such_device_or_address)}) {
    CAPTURE(foreign.category().name(), foreign.value());
    CHECK(to_wire(foreign) == WireError::receiver_failed);
  }
  CHECK_FALSE(from_wire(WireError::receiver_failed));
  Error reported = rejection_error(WireError::receiver_failed);
  CHECK(reported.code == errc::message_rejected);
  CHECK(contains(reported.message(), "the peer rejected the message: the receiver failed on its side"));
}

TEST_CASE("wire_error: an unknown code is reported as unknown, naming its number", "[proto][wire_error]") {
  for (std::uint16_t number : {std::uint16_t{21}, std::uint16_t{255}, std::uint16_t{257}, std::uint16_t{65535}}) {
    CAPTURE(number);
    auto w = static_cast<WireError>(number);
    CHECK_FALSE(from_wire(w));
    CHECK(wire_reason(w) == "unknown reason code " + std::to_string(number));
    Error reported = rejection_error(w);
    CHECK(reported.code == errc::message_rejected);
    CHECK(contains(reported.message(), "unknown reason code " + std::to_string(number)));
  }
  CHECK_FALSE(from_wire(WireError::none));
  CHECK(wire_reason(WireError::none) == "no reason given");
}

TEST_CASE("wire_error: a DONE record carries any code, known or not, unchanged", "[proto][wire_error]") {
  Sha256 d{};
  d[0] = 1;
  for (std::uint16_t number : {std::uint16_t{6}, std::uint16_t{256}, std::uint16_t{999}}) {
    CAPTURE(number);
    Bytes bytes = encode_record(DoneRecord{d, DoneResult::rejected, static_cast<WireError>(number)});
    CHECK(bytes[34] == number >> 8);
    CHECK(bytes[35] == (number & 0xFF));
    auto parsed = parse_record(bytes);
    REQUIRE(parsed);
    CHECK(static_cast<std::uint16_t>(std::get<DoneRecord>(*parsed).code) == number);
  }
}
