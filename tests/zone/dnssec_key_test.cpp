#include <catch2/catch.hpp>

#include <random>

#include <openssl/evp.h>

#include "tests/zone/dnssec_test_util.hpp"
#include "zone/algorithm.hpp"
#include "zone/dnssec_key.hpp"
#include "zone/errc.hpp"
#include "zone/internal/openssl_key.hpp"

using namespace kskline;
using namespace kskline::zone;
using kskline::test::b64;

namespace {

// Each supported algorithm with the key size to generate (small RSA: fast).
struct AlgCase {
  std::uint8_t alg;
  unsigned bits;
  std::size_t sig_size;
  std::size_t public_size;
};
const AlgCase kAlgs[] = {
    {alg::RSASHA256, 1024, 128, 1 + 3 + 128}, {alg::RSASHA512, 1024, 128, 1 + 3 + 128},
    {alg::ECDSAP256SHA256, 0, 64, 64},         {alg::ECDSAP384SHA384, 0, 96, 96},
    {alg::ED25519, 0, 64, 32},                 {alg::ED448, 0, 114, 57},
};

const Bytes kMessage{'k', 's', 'k', 'l', 'i', 'n', 'e', ' ', 't', 'e', 's', 't'};

}  // namespace

TEST_CASE("dnssec_key: generated keys sign and verify with every supported algorithm", "[zone][dnssec_key]") {
  for (const auto& c : kAlgs) {
    INFO("algorithm " << int(c.alg));
    auto key = PrivateKey::generate(c.alg, c.bits);
    REQUIRE(key);
    CHECK(key->algorithm() == c.alg);
    auto field = key->public_key_field();
    REQUIRE(field);
    CHECK(field->size() == c.public_size);
    auto sig = key->sign(kMessage);
    REQUIRE(sig);
    CHECK(sig->size() == c.sig_size);

    // The public key travels through its DNSKEY form and still verifies.
    auto pub = PublicKey::from_dnskey(c.alg, *field);
    REQUIRE(pub);
    CHECK(*verify_data(*pub, kMessage, *sig));
    Bytes other = kMessage;
    other.back() ^= 1;
    CHECK_FALSE(*verify_data(*pub, other, *sig));

    // Another key of the same algorithm does not verify it.
    auto stranger = PrivateKey::generate(c.alg, c.bits);
    REQUIRE(stranger);
    CHECK_FALSE(*verify_data(stranger->public_key().value(), kMessage, *sig));
  }
}

TEST_CASE("dnssec_key: RSA public keys use the RFC 3110 layout", "[zone][dnssec_key]") {
  // RFC 5702 6.1: exponent length 3, exponent 65537 (AQAB), a 512-bit modulus.
  Bytes field = b64("AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3pexPGcnUFtR2Fh36BponcwtkZ4cAgtvd4Qs8PkxUdp6p/DlUmObdk=");
  REQUIRE(field[0] == 3);
  auto pub = PublicKey::from_dnskey(alg::RSASHA256, field);
  REQUIRE(pub);
  CHECK(pub->bits() == 512);

  // The three-octet length form (0, then 2 octets) is read too.
  Bytes long_form{0x00, 0x00, 0x03};
  long_form.insert(long_form.end(), field.begin() + 1, field.end());
  auto pub2 = PublicKey::from_dnskey(alg::RSASHA256, long_form);
  REQUIRE(pub2);
  CHECK(EVP_PKEY_eq(OpensslAccess::evp(*pub), OpensslAccess::evp(*pub2)) == 1);

  // Our own encoding of a generated key uses the short form for 65537.
  auto key = PrivateKey::generate(alg::RSASHA256, 1024);
  REQUIRE(key);
  auto ours = key->public_key_field();
  REQUIRE(ours);
  CHECK((*ours)[0] == 3);
  CHECK((*ours)[1] == 0x01);
  CHECK((*ours)[2] == 0x00);
  CHECK((*ours)[3] == 0x01);
  CHECK(key->bits() == 1024);
}

TEST_CASE("dnssec_key: malformed public keys are bad_key", "[zone][dnssec_key]") {
  Bytes rsa = b64("AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3pexPGcnUFtR2Fh36BponcwtkZ4cAgtvd4Qs8PkxUdp6p/DlUmObdk=");
  Bytes p256 = b64("GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==");
  Bytes ed = b64("l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=");

  auto expect_bad = [](std::uint8_t alg, const Bytes& field, const char* what) {
    INFO(what);
    auto r = PublicKey::from_dnskey(alg, field);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::bad_key);
  };
  expect_bad(alg::RSASHA256, Bytes{}, "empty");
  expect_bad(alg::RSASHA256, Bytes{0x03, 0x01, 0x00}, "exponent longer than the key");
  expect_bad(alg::RSASHA256, Bytes(rsa.begin(), rsa.begin() + 4), "truncated: no modulus");
  expect_bad(alg::RSASHA256, Bytes{0x00, 0x00}, "truncated long length");
  expect_bad(alg::RSASHA256, Bytes{0x00, 0x00, 0x00, 0x01, 0x02}, "exponent of length 0");
  Bytes leading_zero = rsa;
  leading_zero[4] = 0x00;  // first modulus octet
  expect_bad(alg::RSASHA256, leading_zero, "modulus with a leading zero");
  Bytes small(rsa.begin(), rsa.begin() + 4 + 32);  // a 256-bit modulus
  expect_bad(alg::RSASHA256, small, "modulus under 512 bits");
  Bytes big_exponent{0x09, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  big_exponent.insert(big_exponent.end(), rsa.begin() + 4, rsa.end());
  expect_bad(alg::RSASHA256, big_exponent, "exponent over 8 octets");

  expect_bad(alg::ECDSAP256SHA256, Bytes(p256.begin(), p256.end() - 1), "P-256 key one octet short");
  expect_bad(alg::ECDSAP384SHA384, p256, "P-256 key given as P-384");
  Bytes off_curve = p256;
  off_curve.back() ^= 0x01;  // y no longer matches x
  expect_bad(alg::ECDSAP256SHA256, off_curve, "point not on the curve");
  expect_bad(alg::ED25519, Bytes(ed.begin(), ed.end() - 1), "Ed25519 key one octet short");
  expect_bad(alg::ED448, ed, "Ed25519 key given as Ed448");

  auto rdata = PublicKey::from_dnskey_rdata(Bytes{0x01, 0x01, 0x03});
  REQUIRE_FALSE(rdata);
  CHECK(rdata.error().code == errc::bad_key);
}

TEST_CASE("dnssec_key: unsupported algorithms are reported as such", "[zone][dnssec_key]") {
  Bytes rsa = b64("AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3pexPGcnUFtR2Fh36BponcwtkZ4cAgtvd4Qs8PkxUdp6p/DlUmObdk=");
  for (std::uint8_t a : {1, 3, 5, 6, 7, 12, 0, 253, 255}) {
    INFO("algorithm " << int(a));
    CHECK_FALSE(algorithm_supported(a));
    auto pub = PublicKey::from_dnskey(a, rsa);
    REQUIRE_FALSE(pub);
    CHECK(pub.error().code == errc::unsupported_algorithm);
    auto gen = PrivateKey::generate(a);
    REQUIRE_FALSE(gen);
    CHECK(gen.error().code == errc::unsupported_algorithm);
  }
  for (const auto& c : kAlgs) CHECK(algorithm_supported(c.alg));
}

TEST_CASE("dnssec_key: key sizes are checked at generation", "[zone][dnssec_key]") {
  for (unsigned bits : {512u, 1000u, 8192u}) {
    auto r = PrivateKey::generate(alg::RSASHA256, bits);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::bad_key);
  }
  auto wrong_curve = PrivateKey::generate(alg::ECDSAP256SHA256, 384);
  REQUIRE_FALSE(wrong_curve);
  CHECK(wrong_curve.error().code == errc::bad_key);
  auto right_curve = PrivateKey::generate(alg::ECDSAP384SHA384, 384);
  REQUIRE(right_curve);
  CHECK(right_curve->bits() == 384);
  auto rsa_default = PrivateKey::generate(alg::RSASHA256);
  REQUIRE(rsa_default);
  CHECK(rsa_default->bits() == 2048);
}

TEST_CASE("dnssec_key: ECDSA signatures are fixed-width r||s, never DER", "[zone][dnssec_key]") {
  auto key = PrivateKey::generate(alg::ECDSAP256SHA256);
  REQUIRE(key);
  auto signer = Signer::create(*key);
  REQUIRE(signer);
  auto verifier = Verifier::create(key->public_key().value());
  REQUIRE(verifier);
  // Over many signatures r or s will have leading zero octets; every one must
  // still be exactly 64 octets and verify. A DER signature starts with 0x30
  // and would be 70..72 octets.
  for (int i = 0; i < 300; ++i) {
    Bytes msg = kMessage;
    msg.push_back(static_cast<std::uint8_t>(i));
    auto sig = signer->sign(msg);
    REQUIRE(sig);
    REQUIRE(sig->size() == 64);
    REQUIRE(verifier->verify(msg, *sig));
  }
  // A DER-encoded signature is not accepted in place of r||s.
  Bytes der{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};
  CHECK_FALSE(verifier->verify(kMessage, der));
}

TEST_CASE("dnssec_key: signatures of the wrong length never verify", "[zone][dnssec_key]") {
  for (const auto& c : kAlgs) {
    INFO("algorithm " << int(c.alg));
    auto key = PrivateKey::generate(c.alg, c.bits);
    REQUIRE(key);
    auto sig = key->sign(kMessage);
    REQUIRE(sig);
    auto verifier = Verifier::create(key->public_key().value());
    REQUIRE(verifier);
    Bytes shorter(sig->begin(), sig->end() - 1);
    Bytes longer = *sig;
    longer.push_back(0);
    CHECK(verifier->verify(kMessage, *sig));
    CHECK_FALSE(verifier->verify(kMessage, shorter));
    CHECK_FALSE(verifier->verify(kMessage, longer));
    CHECK_FALSE(verifier->verify(kMessage, Bytes{}));
    CHECK_FALSE(verifier->verify(kMessage, Bytes(c.sig_size, 0)));
    // After failures the verifier's contexts still work.
    CHECK(verifier->verify(kMessage, *sig));
  }
}

TEST_CASE("dnssec_key: a Signer reuses its contexts across many messages", "[zone][dnssec_key]") {
  for (const auto& c : kAlgs) {
    INFO("algorithm " << int(c.alg));
    auto key = PrivateKey::generate(c.alg, c.bits);
    REQUIRE(key);
    auto signer = Signer::create(*key);
    REQUIRE(signer);
    auto verifier = Verifier::create(key->public_key().value());
    REQUIRE(verifier);
    Bytes out;
    for (int i = 0; i < 20; ++i) {
      Bytes msg(static_cast<std::size_t>(i * 7), static_cast<std::uint8_t>(i));
      std::size_t before = out.size();
      REQUIRE(signer->sign(msg, out));
      ByteView sig(out.data() + before, out.size() - before);
      CHECK(verifier->verify(msg, sig));
      msg.push_back(1);
      CHECK_FALSE(verifier->verify(msg, sig));
    }
  }
}

TEST_CASE("dnssec_key: raw private keys are range-checked", "[zone][dnssec_key]") {
  auto zero = PrivateKey::from_raw(alg::ECDSAP256SHA256, Bytes(32, 0));
  REQUIRE_FALSE(zero);
  CHECK(zero.error().code == errc::bad_key);
  auto over_order = PrivateKey::from_raw(alg::ECDSAP256SHA256, Bytes(32, 0xff));
  REQUIRE_FALSE(over_order);
  CHECK(over_order.error().code == errc::bad_key);
  auto too_long = PrivateKey::from_raw(alg::ECDSAP256SHA256, Bytes(33, 1));
  REQUIRE_FALSE(too_long);
  CHECK(too_long.error().code == errc::bad_key);
  auto ed_short = PrivateKey::from_raw(alg::ED25519, Bytes(31, 1));
  REQUIRE_FALSE(ed_short);
  CHECK(ed_short.error().code == errc::bad_key);
  auto rsa = PrivateKey::from_raw(alg::RSASHA256, Bytes(32, 1));
  REQUIRE_FALSE(rsa);
  CHECK(rsa.error().code == errc::bad_key);

  // A short scalar (leading zero octets dropped, as some writers do) is padded.
  Bytes scalar(31, 0x11);
  auto padded = PrivateKey::from_raw(alg::ECDSAP256SHA256, scalar);
  REQUIRE(padded);
  auto raw = padded->raw_secret();
  REQUIRE(raw);
  REQUIRE(raw->size() == 32);
  CHECK(raw->bytes()[0] == 0);
  CHECK(raw->bytes()[1] == 0x11);
}

TEST_CASE("dnssec_key: secrets export and re-import to the same key", "[zone][dnssec_key]") {
  for (const auto& c : kAlgs) {
    INFO("algorithm " << int(c.alg));
    auto key = PrivateKey::generate(c.alg, c.bits);
    REQUIRE(key);
    Result<PrivateKey> again = tl::unexpected(Error{});
    if (c.alg == alg::RSASHA256 || c.alg == alg::RSASHA512) {
      auto s = key->rsa_secrets();
      REQUIRE(s);
      CHECK_FALSE(key->raw_secret());
      again = PrivateKey::from_rsa(c.alg, *s);
    } else {
      auto raw = key->raw_secret();
      REQUIRE(raw);
      CHECK_FALSE(key->rsa_secrets());
      again = PrivateKey::from_raw(c.alg, raw->bytes());
    }
    REQUIRE(again);
    CHECK(*again->public_key_field() == *key->public_key_field());
    auto sig = again->sign(kMessage);
    REQUIRE(sig);
    CHECK(*verify_data(key->public_key().value(), kMessage, *sig));
  }
}

TEST_CASE("dnssec_key: inconsistent RSA numbers are refused", "[zone][dnssec_key]") {
  auto key = PrivateKey::generate(alg::RSASHA256, 1024);
  REQUIRE(key);
  auto s = key->rsa_secrets();
  REQUIRE(s);
  // A different private exponent: OpenSSL accepts the numbers, but signing
  // and verifying once shows they do not belong together.
  auto other = PrivateKey::generate(alg::RSASHA256, 1024);
  REQUIRE(other);
  auto t = other->rsa_secrets();
  REQUIRE(t);
  RsaSecrets mixed{base::SecureBuffer(s->modulus.bytes()),     base::SecureBuffer(s->public_exponent.bytes()),
                   base::SecureBuffer(t->private_exponent.bytes()), base::SecureBuffer(t->prime1.bytes()),
                   base::SecureBuffer(t->prime2.bytes()),      base::SecureBuffer(t->exponent1.bytes()),
                   base::SecureBuffer(t->exponent2.bytes()),   base::SecureBuffer(t->coefficient.bytes())};
  auto r = PrivateKey::from_rsa(alg::RSASHA256, mixed);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::bad_key);

  RsaSecrets empty;
  auto e = PrivateKey::from_rsa(alg::RSASHA256, empty);
  REQUIRE_FALSE(e);
  CHECK(e.error().code == errc::bad_key);
}

TEST_CASE("dnssec_key: adopting an OpenSSL key checks its type and curve", "[zone][dnssec_key]") {
  auto p384 = PrivateKey::generate(alg::ECDSAP384SHA384);
  REQUIRE(p384);
  EVP_PKEY_up_ref(OpensslAccess::evp(*p384));
  auto as_p256 = OpensslAccess::adopt(alg::ECDSAP256SHA256, OpensslAccess::evp(*p384));
  REQUIRE_FALSE(as_p256);
  CHECK(as_p256.error().code == errc::bad_key);
  EVP_PKEY_up_ref(OpensslAccess::evp(*p384));
  auto as_rsa = OpensslAccess::adopt(alg::RSASHA256, OpensslAccess::evp(*p384));
  REQUIRE_FALSE(as_rsa);
  CHECK(as_rsa.error().code == errc::bad_key);
  EVP_PKEY_up_ref(OpensslAccess::evp(*p384));
  auto right = OpensslAccess::adopt(alg::ECDSAP384SHA384, OpensslAccess::evp(*p384));
  REQUIRE(right);
  CHECK(*right->public_key_field() == *p384->public_key_field());
}

TEST_CASE("dnssec_key: DNSKEY RDATA is split and built", "[zone][dnssec_key]") {
  Bytes key = make_dnskey_rdata(257, alg::ED25519, Bytes{1, 2, 3});
  CHECK(key == Bytes{0x01, 0x01, 0x03, 0x0f, 1, 2, 3});
  auto v = parse_dnskey(key);
  REQUIRE(v);
  CHECK(v->flags == 257);
  CHECK(v->protocol == 3);
  CHECK(v->algorithm == alg::ED25519);
  CHECK(v->public_key.size() == 3);
  CHECK_FALSE(parse_dnskey(Bytes{1, 1, 3}));
  CHECK_FALSE(parse_dnskey(Bytes{1, 1, 3, 15}));
}

TEST_CASE("dnssec_key: arbitrary public key octets are refused or usable, never a crash", "[zone][dnssec_key]") {
  std::mt19937 rng(20240601);
  Bytes p256 = b64("GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==");
  int accepted = 0;
  for (const auto& c : kAlgs) {
    for (int i = 0; i < 400; ++i) {
      // Random lengths around the right one, random octets, sometimes a
      // mutated real key.
      Bytes field(c.public_size + (rng() % 9) - 4);
      for (auto& b : field) b = static_cast<std::uint8_t>(rng());
      if (c.alg == alg::ECDSAP256SHA256 && i % 2 == 0) {
        field = p256;
        field[rng() % field.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
      }
      auto pub = PublicKey::from_dnskey(c.alg, field);
      if (!pub) {
        CHECK((pub.error().code == errc::bad_key || pub.error().code == errc::crypto_failed));
        continue;
      }
      ++accepted;
      Bytes sig(c.sig_size);
      for (auto& b : sig) b = static_cast<std::uint8_t>(rng());
      CHECK_FALSE(*verify_data(*pub, kMessage, sig));
    }
  }
  CHECK(accepted > 0);  // EdDSA takes any octets of the right length
}

TEST_CASE("dnssec_key: a key held elsewhere signs through its holder", "[zone][dnssec_key]") {
  for (std::uint8_t alg : {8, 13, 15}) {
    CAPTURE(alg);
    auto [key, holder] = test::held_elsewhere(alg);
    CHECK(key.algorithm() == alg);
    CHECK(key.bits() == holder->bits());
    auto field = key.public_key_field();
    REQUIRE(field);
    auto pub = PublicKey::from_dnskey(alg, *field);
    REQUIRE(pub);
    // The public half is made from the DNSKEY field the holder gives.
    auto half = key.public_key();
    REQUIRE(half);
    CHECK(half->algorithm() == alg);
    CHECK(half->bits() == pub->bits());

    // A Signer keeps one session for all its signatures, and outlives the key.
    auto signer = Signer::create(key);
    REQUIRE(signer);
    CHECK(signer->algorithm() == alg);
    CHECK(holder->sessions == 1);
    { PrivateKey gone = std::move(key); }
    for (int i = 0; i < 3; ++i) {
      auto sig = signer->sign(kMessage);
      REQUIRE(sig);
      CHECK(*verify_data(*pub, kMessage, *sig));
      CHECK(*verify_data(*half, kMessage, *sig));
    }
    CHECK(holder->sessions == 1);
  }
}

TEST_CASE("dnssec_key: a key held elsewhere gives no secret out", "[zone][dnssec_key]") {
  auto [key, holder] = test::held_elsewhere(alg::ECDSAP256SHA256);
  auto sig = key.sign(kMessage);
  REQUIRE(sig);
  CHECK(holder->sessions == 1);
  CHECK(*verify_data(key.public_key().value(), kMessage, *sig));
  auto raw = key.raw_secret();
  REQUIRE_FALSE(raw);
  CHECK(raw.error().code == errc::bad_key);
  auto [rsa, rsa_holder] = test::held_elsewhere(alg::RSASHA256);
  auto numbers = rsa.rsa_secrets();
  REQUIRE_FALSE(numbers);
  CHECK(numbers.error().code == errc::bad_key);
  CHECK(OpensslAccess::evp(key) == nullptr);
}

TEST_CASE("dnssec_key: from_holder refuses no holder and unsupported algorithms", "[zone][dnssec_key]") {
  auto none = PrivateKey::from_holder(nullptr);
  REQUIRE_FALSE(none);
  CHECK(none.error().code == errc::bad_key);

  struct Dsa final : PrivateKeyHolder {
    std::uint8_t algorithm() const override { return 3; }  // DSA/SHA-1
    unsigned bits() const override { return 1024; }
    Result<Bytes> public_key_field() const override { return Bytes{1}; }
    Result<std::unique_ptr<KeySession>> open_session() const override {
      return fail(errc::crypto_failed, "never opened");
    }
  };
  auto dsa = PrivateKey::from_holder(std::make_shared<const Dsa>());
  REQUIRE_FALSE(dsa);
  CHECK(dsa.error().code == errc::unsupported_algorithm);
}
