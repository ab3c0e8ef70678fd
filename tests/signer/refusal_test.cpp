// The KSK side's refusal answer: written from an Error, read back with its
// code, and garbled payloads refused.
#include <catch2/catch.hpp>

#include <string>

#include "proto/errc.hpp"
#include "signer/errc.hpp"
#include "signer/refusal.hpp"
#include "zone/errc.hpp"

using namespace kskline;
using namespace kskline::signer;

namespace {

Error refusal_read_error(const std::string& text) {
  auto r = parse_refusal(text);
  REQUIRE_FALSE(r);
  return r.error();
}

}  // namespace

TEST_CASE("refusal: every signer error reads back as itself", "[signer][refusal]") {
  for (int value = 1; value <= static_cast<int>(errc::refused); ++value) {
    auto code = static_cast<errc>(value);
    INFO(errc_name(code));
    Error error{code, "request envelope", "what went wrong"};
    auto text = format_refusal(error);
    CHECK(text == std::string("kskline-refusal 1\ncode ") + errc_name(code) +
                      "\nmessage request envelope: what went wrong\n");
    auto back = parse_refusal(text);
    REQUIRE(back);
    CHECK(back->code == errc_name(code));
    CHECK(back->message == "request envelope: what went wrong");
    REQUIRE(back->known);
    CHECK(*back->known == code);
    Error reported = refusal_error(*back);
    CHECK(reported.code == make_error_code(code));
    CHECK(reported.where == "KSK side");
    CHECK(reported.detail == std::string("refused the request (") + errc_name(code) +
                                 "): request envelope: what went wrong");
  }
}

TEST_CASE("refusal: a message on several lines travels as one", "[signer][refusal]") {
  Error error{errc::clock_skew, "r", "first\nsecond\r\nthird"};
  auto back = parse_refusal(format_refusal(error));
  REQUIRE(back);
  CHECK(back->message == "r: first second  third");
}

TEST_CASE("refusal: an unknown name is kept as sent and reported as refused", "[signer][refusal]") {
  // An error of another module is named by its category and value.
  Error zone_error{zone::errc::syntax, "request envelope:7", "bad owner"};
  auto text = format_refusal(zone_error);
  std::string name = std::string(zone::category().name()) + ":" + std::to_string(static_cast<int>(zone::errc::syntax));
  CHECK(text.find("\ncode " + name + "\n") != std::string::npos);
  auto back = parse_refusal(text);
  REQUIRE(back);
  CHECK(back->code == name);
  CHECK_FALSE(back->known);
  Error reported = refusal_error(*back);
  CHECK(reported.code == make_error_code(errc::refused));
  CHECK(reported.detail == "refused the request (" + name + "): request envelope:7: bad owner");
  // A name a newer KSK side may send.
  auto newer = parse_refusal("kskline-refusal 1\ncode moon_phase\nmessage not tonight\n");
  REQUIRE(newer);
  CHECK_FALSE(newer->known);
  CHECK(refusal_error(*newer).message() == "KSK side: refused the request (moon_phase): not tonight");
  CHECK(std::string(errc_name(errc::refused)) == "refused");
}

TEST_CASE("refusal: truncated and garbled payloads are refused", "[signer][refusal]") {
  const std::string good = format_refusal(Error{errc::operator_declined, "", "no"});
  REQUIRE(parse_refusal(good));
  // Every cut short of the whole text is truncated.
  for (std::size_t n = 0; n < good.size(); ++n) {
    INFO(n);
    CHECK(refusal_read_error(good.substr(0, n)).code == make_error_code(errc::syntax));
  }
  CHECK(refusal_read_error("kskline-response 1\ncode syntax\nmessage x\n").code == make_error_code(errc::syntax));
  CHECK(refusal_read_error("kskline-refusal 1\nmessage x\n").detail == "no 'code' line");
  CHECK(refusal_read_error("kskline-refusal 1\ncode syntax\n").detail == "no 'message' line");
  CHECK(refusal_read_error("kskline-refusal 1\ncode syntax\ncode bad_config\nmessage x\n").code ==
        make_error_code(errc::syntax));
  CHECK(refusal_read_error("kskline-refusal 1\ncode \nmessage x\n").code == make_error_code(errc::syntax));
  CHECK(refusal_read_error("kskline-refusal 1\ncode syntax\nmessage x\nextra line\n").code ==
        make_error_code(errc::syntax));
  CHECK(refusal_read_error(good + std::string(1, '\0')).code == make_error_code(errc::syntax));
  CHECK(refusal_read_error("kskline-refusal 2\ncode syntax\nmessage x\n").code ==
        make_error_code(errc::unsupported_version));
  CHECK(refusal_read_error("garbage").where == "refusal");
}
