#include <catch2/catch.hpp>

#include "proto/errc.hpp"
#include "transport/errc.hpp"
#include "transport/file_message.hpp"

using namespace kskline;
using namespace kskline::transport;

TEST_CASE("file_message: a file record round-trips its name and bytes", "[transport][file_message]") {
  Bytes content{0, 1, 2, 0xff, 'x'};
  auto payload = encode_file_payload("request.ksr", content);
  REQUIRE(payload);
  CHECK(std::string(payload->begin(), payload->begin() + 4) == "KSKF");
  auto back = decode_file_payload(*payload);
  REQUIRE(back);
  CHECK(back->name == "request.ksr");
  CHECK(Bytes(back->content.begin(), back->content.end()) == content);

  auto empty = encode_file_payload("empty", {});
  REQUIRE(empty);
  auto e = decode_file_payload(*empty);
  REQUIRE(e);
  CHECK(e->content.empty());
}

TEST_CASE("file_message: names a receiver could misuse are refused on both sides", "[transport][file_message]") {
  for (std::string bad : {std::string(), std::string("."), std::string(".."), std::string(".hidden"),
                          std::string("a/b"), std::string("../etc/passwd"), std::string("x\ny"),
                          std::string("nul\0x", 5), std::string(256, 'a'), std::string("del\x7f")}) {
    INFO(bad);
    auto r = encode_file_payload(bad, {});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::name_refused);
  }
  CHECK(check_file_name(std::string(255, 'a')));
  CHECK(check_file_name("Kexample.com.+013+12345.key"));
  CHECK(check_file_name("r\xc3\xa9ponse.txt"));

  // A decoder meets hostile names too.
  Bytes forged{'K', 'S', 'K', 'F', 1, 6, '.', '.', '/', 'e', 't', 'c'};
  auto r = decode_file_payload(forged);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::name_refused);
}

TEST_CASE("file_message: malformed records are refused", "[transport][file_message]") {
  CHECK(decode_file_payload(Bytes{}).error().code == proto::errc::malformed);
  CHECK(decode_file_payload(Bytes{'K', 'S', 'K', 'X', 1, 0}).error().code == proto::errc::malformed);
  CHECK(decode_file_payload(Bytes{'K', 'S', 'K', 'F', 1, 9, 'a'}).error().code == proto::errc::malformed);
  auto v2 = decode_file_payload(Bytes{'K', 'S', 'K', 'F', 2, 1, 'a'});
  REQUIRE_FALSE(v2);
  CHECK(v2.error().code == proto::errc::unsupported_version);
  CHECK_THAT(v2.error().message(), Catch::Contains("version 2"));
}

TEST_CASE("file_message: text or octets by content", "[transport][file_message]") {
  CHECK(guess_payload_type(as_bytes("example.com. 3600 IN DNSKEY 257 3 13 abc==\n\tx\r\n")) == proto::PayloadType::text);
  CHECK(guess_payload_type(as_bytes("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91")) == proto::PayloadType::text);
  CHECK(guess_payload_type(as_bytes("")) == proto::PayloadType::text);
  CHECK(guess_payload_type(as_bytes(std::string("a\0b", 3))) == proto::PayloadType::octets);
  CHECK(guess_payload_type(as_bytes("\xc3")) == proto::PayloadType::octets);
  CHECK(guess_payload_type(as_bytes("\xc0\x80")) == proto::PayloadType::octets);
  CHECK(guess_payload_type(as_bytes("\xff\xfe")) == proto::PayloadType::octets);
  CHECK(guess_payload_type(as_bytes("bell\x07")) == proto::PayloadType::octets);
}
