// Keys in a real SoftHSM2 token: generated there, found again by label or
// URI, signing what their DNSKEY verifies, and the token's refusals named.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "tests/support/softhsm.hpp"
#include "zone/algorithm.hpp"
#include "zone/dnssec_key.hpp"
#include "zone/errc.hpp"
#include "zone/pkcs11_key.hpp"

using namespace kskline;

namespace {

zone::PinSource fixed_pin(const std::string& pin) {
  return [pin](std::string_view) -> Result<base::SecureBuffer> { return base::SecureBuffer(as_bytes(pin)); };
}

std::shared_ptr<zone::Pkcs11Token> open_token(const test::SoftHsm& hsm) {
  auto t = zone::Pkcs11Token::open(hsm.module(), hsm.label, fixed_pin(hsm.pin));
  INFO((t ? std::string() : t.error().message()));
  REQUIRE(t);
  return *t;
}

}  // namespace

TEST_CASE("pkcs11_key: a key generated in the token signs what its DNSKEY public key verifies",
          "[zone][pkcs11_key]") {
  test::SoftHsm hsm;
  auto token = open_token(hsm);
  for (std::uint8_t algorithm : {zone::alg::RSASHA256, zone::alg::ECDSAP256SHA256, zone::alg::ECDSAP384SHA384,
                                 zone::alg::ED25519}) {
    INFO("algorithm " << int(algorithm));
    auto made = token->generate_key("ksk-" + std::to_string(algorithm), algorithm);
    if (!made && made.error().code == zone::errc::unsupported_algorithm && algorithm == zone::alg::ED25519) {
      WARN("this SoftHSM2 does not offer EdDSA: " << made.error().message());
      continue;
    }
    INFO((made ? std::string() : made.error().message()));
    REQUIRE(made);
    CHECK(made->key.algorithm() == algorithm);
    CHECK(made->ref.id.size() == 16);
    auto field = made->key.public_key_field();
    REQUIRE(field);
    auto pub = zone::PublicKey::from_dnskey(algorithm, *field);
    REQUIRE(pub);
    const std::string text = "the DNSKEY RRset of example.com.";
    auto signer = zone::Signer::create(made->key);
    REQUIRE(signer);
    for (int i = 0; i < 3; ++i) {  // one session, many signatures
      auto sig = signer->sign(as_bytes(text));
      INFO((sig ? std::string() : sig.error().message()));
      REQUIRE(sig);
      if (algorithm == zone::alg::ECDSAP256SHA256) CHECK(sig->size() == 64);
      if (algorithm == zone::alg::ECDSAP384SHA384) CHECK(sig->size() == 96);
      CHECK(zone::verify_data(*pub, as_bytes(text), *sig).value_or(false));
      CHECK_FALSE(zone::verify_data(*pub, as_bytes(text + "!"), *sig).value_or(true));
    }
    // Found again by its label, it is the same key.
    auto found = token->find_key("ksk-" + std::to_string(algorithm));
    REQUIRE(found);
    CHECK(found->key.public_key_field().value() == *field);
    CHECK(found->ref.id == made->ref.id);
  }
}

TEST_CASE("pkcs11_key: an RFC 7512 URI names the key and comes back as it was written", "[zone][pkcs11_key]") {
  auto ref = zone::parse_pkcs11_uri(
      "pkcs11:token=My%20Token;object=ksk-2026;id=%01%ab;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so");
  REQUIRE(ref);
  CHECK(ref->token == "My Token");
  CHECK(ref->object == "ksk-2026");
  CHECK(ref->id == Bytes{0x01, 0xab});
  CHECK(ref->module == "/usr/lib/softhsm/libsofthsm2.so");
  auto again = zone::parse_pkcs11_uri(zone::format_pkcs11_uri(*ref));
  REQUIRE(again);
  CHECK(again->token == ref->token);
  CHECK(again->object == ref->object);
  CHECK(again->id == ref->id);
  CHECK(again->module == ref->module);
  CHECK(zone::parse_pkcs11_uri("pkcs11:object=k").error().code == zone::errc::bad_key);
  CHECK(zone::parse_pkcs11_uri("pkcs11:token=t").error().code == zone::errc::bad_key);
  CHECK(zone::parse_pkcs11_uri("pkcs11:token=t;object=%4").error().code == zone::errc::bad_key);
  CHECK(zone::parse_pkcs11_uri("file:token=t;object=k").error().code == zone::errc::bad_key);
}

TEST_CASE("pkcs11_key: a wrong PIN is refused as wrong_pin", "[zone][pkcs11_key]") {
  test::SoftHsm hsm;
  auto t = zone::Pkcs11Token::open(hsm.module(), hsm.label, fixed_pin("0000"));
  REQUIRE_FALSE(t);
  CHECK(t.error().code == zone::errc::wrong_pin);
  CHECK(std::string(zone::pkcs11_errc_name(t.error().code)) == "wrong_pin");
  // The right PIN still opens it.
  CHECK(zone::Pkcs11Token::open(hsm.module(), hsm.label, fixed_pin(hsm.pin)));
}

TEST_CASE("pkcs11_key: a token no slot holds is token_missing and asks for no PIN", "[zone][pkcs11_key]") {
  test::SoftHsm hsm;
  bool asked = false;
  auto t = zone::Pkcs11Token::open(hsm.module(), "no-such-token", [&](std::string_view) -> Result<base::SecureBuffer> {
    asked = true;
    return base::SecureBuffer(as_bytes(hsm.pin));
  });
  REQUIRE_FALSE(t);
  CHECK(t.error().code == zone::errc::token_missing);
  CHECK(t.error().message().find(hsm.label) != std::string::npos);  // the tokens present are listed
  CHECK_FALSE(asked);
}

TEST_CASE("pkcs11_key: a module that is not a PKCS#11 module is pkcs11_module", "[zone][pkcs11_key]") {
  auto t = zone::Pkcs11Token::open("/nonexistent/libnothing.so", "t", zone::environment_pin_source());
  REQUIRE_FALSE(t);
  CHECK(t.error().code == zone::errc::pkcs11_module);
}

TEST_CASE("pkcs11_key: a label the token lacks is key_not_found, and a kind of key is checked", "[zone][pkcs11_key]") {
  test::SoftHsm hsm;
  auto token = open_token(hsm);
  auto missing = token->find_key("nothing-here");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == zone::errc::key_not_found);
  REQUIRE(token->generate_key("ec", zone::alg::ECDSAP256SHA256));
  auto wrong = token->find_key("ec", {}, zone::alg::ECDSAP384SHA384);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code == zone::errc::bad_key);
}

TEST_CASE("pkcs11_key: the PIN comes from a file's first line, and an empty file is pin_required",
          "[zone][pkcs11_key]") {
  test::TempDir tmp;
  test::spit(tmp.file("pin"), "4321\nsecond line\n");
  auto pin = zone::read_pin_file(tmp.file("pin"));
  REQUIRE(pin);
  CHECK(std::string(pin->bytes().begin(), pin->bytes().end()) == "4321");
  test::spit(tmp.file("empty"), "\n");
  CHECK(zone::read_pin_file(tmp.file("empty")).error().code == zone::errc::pin_required);
  CHECK(zone::read_pin_file(tmp.file("absent")).error().code == base::errc::not_found);
}

TEST_CASE("pkcs11_key: a token that goes away mid-run is token_removed and signs nothing", "[zone][pkcs11_key]") {
  test::SoftHsm hsm;
  auto token = open_token(hsm);
  auto made = token->generate_key("ksk", zone::alg::ECDSAP256SHA256);
  REQUIRE(made);
  auto signer = zone::Signer::create(made->key);
  REQUIRE(signer);
  REQUIRE(signer->sign(as_bytes(std::string("before"))));
  // SoftHSM2's token is its directory: removing it is pulling the token out.
  std::filesystem::remove_all(hsm.tmp.file("tokens"));
  Bytes out;
  auto after = signer->sign(as_bytes(std::string("after")), out);
  REQUIRE_FALSE(after);
  INFO(after.error().message());
  CHECK(after.error().code == zone::errc::token_removed);
  CHECK(out.empty());
}
