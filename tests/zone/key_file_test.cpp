#include <catch2/catch.hpp>

#include <ctime>
#include <filesystem>
#include <random>
#include <regex>

#include <sys/stat.h>

#include "base/error.hpp"
#include "tests/zone/dnssec_test_util.hpp"
#include "zone/algorithm.hpp"
#include "zone/ds.hpp"
#include "zone/errc.hpp"
#include "zone/key_file.hpp"
#include "zone/key_tag.hpp"

using namespace kskline;
using namespace kskline::zone;
using kskline::test::name;
using kskline::test::rdata;

namespace {

const Bytes kMessage{'o', 'r', 'a', 'c', 'l', 'e'};

KeyPair generated_pair(std::uint8_t alg, std::uint16_t flags, unsigned bits = 0,
                       std::optional<std::uint32_t> ttl = std::nullopt) {
  auto key = PrivateKey::generate(alg, bits);
  REQUIRE(key);
  auto pair = make_key_pair(name("example.com."), flags, std::move(*key), ttl);
  REQUIRE(pair);
  return std::move(*pair);
}

// Writes a pair and returns the path without extension.
std::string write_pair(const test::TempDir& dir, const KeyPair& pair) {
  KeyTimes times{1764464400, 1764464400, 1764464400};
  auto base = write_key_pair(dir.path(), pair, times);
  if (!base) FAIL(base.error().message());
  return dir.file(*base);
}

// The DS RDATA in the last four words of a tool's DS line.
Bytes ds_from_tool_output(const std::string& out) {
  auto w = test::words(out);
  REQUIRE(w.size() >= 4);
  std::string text = w[w.size() - 4] + " " + w[w.size() - 3] + " " + w[w.size() - 2] + " " + w[w.size() - 1];
  return rdata(rrtype::DS, text);
}

// Checks everything we know about a key pair made by another tool.
void check_foreign_pair(const std::string& base, std::uint16_t flags) {
  INFO(base);
  auto pair = read_key_pair(base);
  if (!pair) FAIL(pair.error().message());
  CHECK(pair->flags == flags);
  // The tag in the file name is ours too.
  std::smatch m;
  std::string file = std::filesystem::path(base).filename().string();
  REQUIRE(std::regex_match(file, m, std::regex(R"(Kexample\.com\.\+(\d{3})\+(\d{5}))")));
  CHECK(std::stoi(m[1].str()) == pair->algorithm());
  CHECK(std::stoi(m[2].str()) == pair->key_tag);
  CHECK(key_tag(pair->dnskey_rdata) == pair->key_tag);
  // Our DS equals BIND's and ldns's.
  for (auto [ours_type, bind_opt, ldns_opt] :
       {std::tuple{ds_digest::SHA256, "-2", "-2"}, std::tuple{ds_digest::SHA384, "-a SHA-384", "-4"}}) {
    auto ds = make_ds(pair->owner, pair->dnskey_rdata, ours_type);
    REQUIRE(ds);
    auto bind = test::run(std::string("dnssec-dsfromkey ") + bind_opt + " " + test::shell_quote(base + ".key"));
    REQUIRE(bind.status == 0);
    CHECK(ds_from_tool_output(bind.out) == *ds);
    auto ldns = test::run(std::string("ldns-key2ds -n -f ") + ldns_opt + " " + test::shell_quote(base + ".key"));
    REQUIRE(ldns.status == 0);
    CHECK(ds_from_tool_output(ldns.out) == *ds);
  }
  // The private key signs, and the DNSKEY's public key verifies it.
  auto sig = pair->key.sign(kMessage);
  REQUIRE(sig);
  auto pub = PublicKey::from_dnskey_rdata(pair->dnskey_rdata);
  REQUIRE(pub);
  CHECK(*verify_data(*pub, kMessage, *sig));
}

// The tools' mnemonics of our algorithms.
const std::pair<std::uint8_t, const char*> kToolAlgs[] = {
    {alg::RSASHA256, "RSASHA256"},       {alg::RSASHA512, "RSASHA512"}, {alg::ECDSAP256SHA256, "ECDSAP256SHA256"},
    {alg::ECDSAP384SHA384, "ECDSAP384SHA384"}, {alg::ED25519, "ED25519"},   {alg::ED448, "ED448"},
};

void expect_error(const Result<KeyPair>& r, std::error_code code, const std::string& must_mention) {
  REQUIRE_FALSE(r);
  INFO(r.error().message());
  CHECK(r.error().code == code);
  CHECK(r.error().message().find(must_mention) != std::string::npos);
}

}  // namespace

TEST_CASE("key_file: reads the RFC example private keys (v1.2)", "[zone][key_file]") {
  for (const auto& ex : test::rfc_examples()) {
    INFO(ex.label);
    auto key = parse_private_key_text(ex.private_text, ex.label);
    REQUIRE(key);
    Bytes dnskey = rdata(rrtype::DNSKEY, ex.dnskey);
    CHECK(key->algorithm() == dnskey[3]);
    CHECK(*key->public_key_field() == Bytes(dnskey.begin() + 4, dnskey.end()));
  }
}

TEST_CASE("key_file: writes a v1.3 pair and reads it back by any of its names", "[zone][key_file]") {
  for (auto [a, bits] : {std::pair{alg::ECDSAP256SHA256, 0u}, std::pair{alg::RSASHA256, 1024u},
                         std::pair{alg::ED448, 0u}}) {
    INFO("algorithm " << int(a));
    test::TempDir dir;
    KeyPair pair = generated_pair(a, 257, bits, 3600);
    std::string base = write_pair(dir, pair);
    char expected_name[64];
    std::snprintf(expected_name, sizeof expected_name, "Kexample.com.+%03d+%05d", a, pair.key_tag);
    CHECK(base == dir.file(expected_name));
    CHECK(test::file_mode(base + ".private") == 0600);
    CHECK(test::file_mode(base + ".key") == 0644);

    std::string priv = test::slurp(base + ".private");
    CHECK(priv.rfind("Private-key-format: v1.3\nAlgorithm: " + std::to_string(a) + " (" + algorithm_to_string(a) +
                         ")\n",
                     0) == 0);
    CHECK(priv.find("\nCreated: 20251130010000\nPublish: 20251130010000\nActivate: 20251130010000\n") !=
          std::string::npos);
    std::string pub = test::slurp(base + ".key");
    CHECK(pub.rfind("; This is a key-signing key, keyid " + std::to_string(pair.key_tag) + ", for example.com.\n",
                    0) == 0);
    CHECK(pub.find("; Created: 20251130010000 (Sun Nov 30 01:00:00 2025)\n") != std::string::npos);
    CHECK(pub.find("\nexample.com. 3600 IN DNSKEY 257 3 " + std::to_string(a) + " ") != std::string::npos);

    for (const std::string& path : {base, base + ".key", base + ".private"}) {
      auto back = read_key_pair(path);
      REQUIRE(back);
      CHECK(back->owner == pair.owner);
      CHECK(back->flags == 257);
      CHECK(back->ttl == std::optional<std::uint32_t>(3600));
      CHECK(back->key_tag == pair.key_tag);
      CHECK(back->dnskey_rdata == pair.dnskey_rdata);
    }
  }
}

TEST_CASE("key_file: a zone-signing key without TTL", "[zone][key_file]") {
  test::TempDir dir;
  KeyPair pair = generated_pair(alg::ED25519, 256);
  std::string base = write_pair(dir, pair);
  std::string pub = test::slurp(base + ".key");
  CHECK(pub.rfind("; This is a zone-signing key, keyid ", 0) == 0);
  CHECK(pub.find("\nexample.com. IN DNSKEY 256 3 15 ") != std::string::npos);
  auto back = read_key_pair(base);
  REQUIRE(back);
  CHECK_FALSE(back->ttl.has_value());
  CHECK(back->flags == 256);
}

TEST_CASE("key_file: a private key file that group or others may read is refused, naming it and its mode", "[zone][key_file]") {
  test::TempDir dir;
  std::string base = write_pair(dir, generated_pair(alg::ECDSAP256SHA256, 257));
  CHECK(read_key_pair(base));
  for (mode_t mode : {0640, 0604, 0620}) {
    ::chmod((base + ".private").c_str(), mode);
    auto r = read_key_pair(base);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == base::errc::secret_exposed);
    CHECK_THAT(r.error().message(), Catch::Contains(base + ".private") && Catch::Contains("chmod 600"));
  }
  ::chmod((base + ".private").c_str(), 0400);
  CHECK(read_key_pair(base));  // read-only for the owner is fine
}

TEST_CASE("key_file: errors about a private key file never show its secret values", "[zone][key_file]") {
  test::TempDir dir;
  std::string base = write_pair(dir, generated_pair(alg::ECDSAP256SHA256, 257));
  std::string good = test::slurp(base + ".private");
  const std::string key_line = good.substr(good.find("PrivateKey: "));
  const std::string secret = key_line.substr(12, 40);  // the first characters of the key's base64
  for (const std::string& text :
       {good.substr(0, good.find("PrivateKey: ")) + "PrivateKey: " + secret + "$$\n",  // bad base64
        good + key_line,                                                               // the key twice
        good + "Engine: " + secret + "\n",                                            // an HSM line
        good + secret + "\n"}) {                                                      // not a field
    test::spit(base + ".private", text);
    auto r = read_key_pair(base);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message(), Catch::Contains(base + ".private"));
    CHECK_THAT(r.error().message(), !Catch::Contains(secret.substr(0, 12)));
  }
}

TEST_CASE("key_file: never overwrites an existing key file", "[zone][key_file]") {
  test::TempDir dir;
  KeyPair pair = generated_pair(alg::ECDSAP256SHA256, 256);
  std::string base = write_pair(dir, pair);
  std::string before = test::slurp(base + ".private");
  auto again = write_key_pair(dir.path(), pair, KeyTimes{});
  REQUIRE_FALSE(again);
  CHECK(test::slurp(base + ".private") == before);

  // Only the .private exists: the write fails and leaves no .key behind.
  std::filesystem::remove(base + ".key");
  auto half = write_key_pair(dir.path(), pair, KeyTimes{});
  REQUIRE_FALSE(half);
  CHECK_FALSE(std::filesystem::exists(base + ".key"));
  CHECK(test::slurp(base + ".private") == before);

  // Only the .key exists: nothing is written.
  std::filesystem::remove(base + ".private");
  test::spit(base + ".key", "x");
  auto other = write_key_pair(dir.path(), pair, KeyTimes{});
  REQUIRE_FALSE(other);
  CHECK_FALSE(std::filesystem::exists(base + ".private"));
}

TEST_CASE("key_file: errors in key files name the file", "[zone][key_file]") {
  test::TempDir dir;
  KeyPair pair = generated_pair(alg::ECDSAP256SHA256, 257);
  std::string base = write_pair(dir, pair);
  std::string good_private = test::slurp(base + ".private");
  std::string good_public = test::slurp(base + ".key");
  auto with_private = [&](const std::string& text) {
    test::spit(base + ".private", text);
    return read_key_pair(base);
  };

  SECTION("bad base64") {
    expect_error(with_private("Private-key-format: v1.3\nAlgorithm: 13 (ECDSAP256SHA256)\nPrivateKey: ab$d\n"),
                 errc::bad_key, base + ".private:3");
  }
  SECTION("missing field") {
    expect_error(with_private("Private-key-format: v1.3\nAlgorithm: 13 (ECDSAP256SHA256)\n"), errc::bad_key,
                 "missing field PrivateKey");
  }
  SECTION("repeated field") {
    expect_error(with_private(good_private + good_private.substr(good_private.find("PrivateKey:"))), errc::bad_key,
                 "given twice");
  }
  SECTION("no format line") {
    expect_error(with_private("Algorithm: 13 (ECDSAP256SHA256)\nPrivateKey: AAAA\n"), errc::bad_key,
                 "Private-key-format");
  }
  SECTION("unknown format version") {
    expect_error(with_private("Private-key-format: v2.0\n" + good_private.substr(good_private.find("Algorithm"))),
                 errc::bad_key, "v2.0");
  }
  SECTION("an HSM key") {
    expect_error(with_private(good_private + "Engine: pkcs11\nLabel: foo\n"), errc::bad_key, "HSM");
  }
  SECTION("a line that is not a field") {
    expect_error(with_private(good_private + "garbage\n"), errc::bad_key, base + ".private:");
  }
  SECTION("unsupported algorithm 5") {
    expect_error(with_private("Private-key-format: v1.2\nAlgorithm: 5 (RSASHA1)\nModulus: AQAB\n"),
                 errc::unsupported_algorithm, base + ".private");
  }
  SECTION("the private key of another key") {
    KeyPair other = generated_pair(alg::ECDSAP256SHA256, 257);
    test::TempDir dir2;
    std::string other_base = write_pair(dir2, other);
    expect_error(with_private(test::slurp(other_base + ".private")), errc::bad_key, "does not match");
    expect_error(read_key_pair(base), errc::bad_key, base + ".private");
  }
  SECTION("the private key of another algorithm") {
    KeyPair other = generated_pair(alg::ED25519, 257);
    test::TempDir dir2;
    expect_error(with_private(test::slurp(write_pair(dir2, other) + ".private")), errc::bad_key, "algorithm 15");
  }
  SECTION("a missing .private") {
    std::filesystem::remove(base + ".private");
    expect_error(read_key_pair(base + ".key"), base::errc::not_found, base + ".private");
  }
  SECTION("a missing .key") {
    std::filesystem::remove(base + ".key");
    expect_error(read_key_pair(base + ".private"), base::errc::not_found, base + ".key");
  }
  SECTION("a .key with two DNSKEYs") {
    test::spit(base + ".key", good_public + good_public);
    expect_error(read_key_pair(base), errc::bad_key, base + ".key");
  }
  SECTION("a .key with another record type") {
    test::spit(base + ".key", "example.com. IN A 192.0.2.1\n");
    expect_error(read_key_pair(base), errc::bad_key, base + ".key");
  }
  SECTION("a .key with a syntax error") {
    test::spit(base + ".key", "; comment\nexample.com. IN DNSKEY 257 3 13 !!!\n");
    expect_error(read_key_pair(base), errc::bad_rdata, base + ".key:2");
  }
  SECTION("a .key whose RSA public key is truncated") {
    test::TempDir dir2;
    std::string rsa = write_pair(dir2, generated_pair(alg::RSASHA256, 257, 1024));
    // Exponent length 3, exponent 65537, and no modulus.
    test::spit(rsa + ".key", "example.com. IN DNSKEY 257 3 8 AwEAAQ==\n");
    expect_error(read_key_pair(rsa), errc::bad_key, rsa + ".key: RSA public key truncated");
  }
  SECTION("a .key of an unsupported algorithm") {
    test::spit(base + ".key", "example.com. IN DNSKEY 257 3 5 AwEAAQ==\n");
    expect_error(read_key_pair(base), errc::unsupported_algorithm, base + ".key");
  }
  SECTION("a .key that includes another file") {
    test::spit(base + ".key", "$INCLUDE /etc/passwd\n");
    expect_error(read_key_pair(base), errc::include_failed, base + ".key");
  }
}

TEST_CASE("key_file: inconsistent RSA private files are refused", "[zone][key_file]") {
  const auto& ex = test::rfc_examples()[0];  // RFC 5702 RSA/SHA-256
  std::string text = ex.private_text;
  // Prime1 of the RFC 5702 SHA-512 key in place of the right one.
  std::string prime1 = "4c8IvFu1AVXGWeFLLFh5vs7fbdzdC6U82fduE6KkSWk=";
  auto at = text.find(prime1);
  REQUIRE(at != std::string::npos);
  std::string broken = text;
  broken.replace(at, prime1.size(), "8mbtsu9Tl9v7tKSHdCIeprLIQXQLzxlSZun5T1n/OjvXSUtvD7xnZJ+LHqaBj1dIgMbCq2U8O04QVcK3TS9GiQ==");
  auto r = parse_private_key_text(broken, "rsa.private");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::bad_key);
  CHECK(r.error().where == "rsa.private");
  // Without Prime2.
  std::string no_prime2 = text;
  auto p2 = no_prime2.find("Prime2:");
  no_prime2.erase(p2, no_prime2.find('\n', p2) - p2 + 1);
  auto m = parse_private_key_text(no_prime2, "rsa.private");
  REQUIRE_FALSE(m);
  CHECK(m.error().message().find("missing field Prime2") != std::string::npos);
}

TEST_CASE("key_file: key file basenames", "[zone][key_file]") {
  CHECK(*key_basename(name("Example.COM."), 13, 1234) == "Kexample.com.+013+01234");
  CHECK(*key_basename(name("."), 8, 20326) == "K.+008+20326");
  CHECK(*key_basename(name("_dmarc.x-y.example."), 15, 7) == "K_dmarc.x-y.example.+015+00007");
  auto slash = key_basename(*Name::parse("a/b.example."), 13, 1);
  REQUIRE_FALSE(slash);
  CHECK(slash.error().code == errc::bad_name);
  CHECK_FALSE(key_basename(*Name::parse("a\\032b.example."), 13, 1));
}

TEST_CASE("key_file: PKCS#8 PEM keys are written 0600 and read back", "[zone][key_file]") {
  test::TempDir dir;
  for (auto [a, bits] : {std::pair{alg::ECDSAP384SHA384, 0u}, std::pair{alg::RSASHA512, 1024u},
                         std::pair{alg::ED25519, 0u}}) {
    INFO("algorithm " << int(a));
    KeyPair pair = generated_pair(a, 257, bits);
    std::string path = dir.file("key" + std::to_string(a) + ".pem");
    REQUIRE(write_pem_private_key(path, pair.key));
    CHECK(test::file_mode(path) == 0600);
    CHECK(test::slurp(path).rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0);
    auto back = read_pem_key_pair(path, name("example.com."), 257, a);
    REQUIRE(back);
    CHECK(back->dnskey_rdata == pair.dnskey_rdata);
    CHECK(back->key_tag == pair.key_tag);
    // Never overwritten.
    CHECK_FALSE(write_pem_private_key(path, pair.key));
  }
  // The wrong algorithm for the key in the file.
  auto wrong = read_pem_private_key(dir.file("key14.pem"), alg::ECDSAP256SHA256);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code == errc::bad_key);
  CHECK(wrong.error().message().find("key14.pem") != std::string::npos);
  auto wrong_type = read_pem_private_key(dir.file("key15.pem"), alg::ED448);
  REQUIRE_FALSE(wrong_type);
  CHECK(wrong_type.error().code == errc::bad_key);
  // Not PEM at all.
  test::spit(dir.file("junk.pem"), "hello\n");
  auto junk = read_pem_private_key(dir.file("junk.pem"), alg::ED25519);
  REQUIRE_FALSE(junk);
  CHECK(junk.error().message().find("junk.pem") != std::string::npos);
}

TEST_CASE("key_file: PEM keys made by openssl, encrypted ones refused", "[zone][key_file][oracle]") {
  if (!test::have_tool("openssl")) {
    WARN("openssl not installed; skipped");
    return;
  }
  test::TempDir dir;
  std::string plain = dir.file("p256.pem"), locked = dir.file("locked.pem");
  REQUIRE(test::run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
                    test::shell_quote(plain) + " 2>/dev/null")
              .status == 0);
  auto key = read_pem_private_key(plain, alg::ECDSAP256SHA256);
  REQUIRE(key);
  // Same public key as openssl prints (the last 64 octets of the DER SPKI).
  auto der = test::run("openssl pkey -in " + test::shell_quote(plain) + " -pubout -outform DER | od -An -v -tx1");
  REQUIRE(der.status == 0);
  std::string hex;
  for (const auto& w : test::words(der.out)) hex += w;
  CHECK(hex.substr(hex.size() - 128) == base::to_hex(*key->public_key_field()));

  REQUIRE(test::run("openssl genpkey -algorithm ED25519 -aes-256-cbc -pass pass:secret -out " +
                    test::shell_quote(locked) + " 2>/dev/null")
              .status == 0);
  auto enc = read_pem_private_key(locked, alg::ED25519);  // must not prompt
  REQUIRE_FALSE(enc);
  CHECK(enc.error().code == errc::bad_key);
}

TEST_CASE("key_file: keys from dnssec-keygen are read, tagged and hashed as BIND does", "[zone][key_file][oracle]") {
  if (!test::have_tool("dnssec-keygen") || !test::have_tool("dnssec-dsfromkey") || !test::have_tool("ldns-key2ds")) {
    WARN("BIND or ldns tools not installed; skipped");
    return;
  }
  test::TempDir dir;
  for (auto [a, mnemonic] : kToolAlgs) {
    for (bool ksk : {false, true}) {
      INFO(mnemonic << (ksk ? " KSK" : " ZSK"));
      // One default-size RSA key (2048 bits); the others small, for speed.
      std::string size = (a == alg::RSASHA512 || (a == alg::RSASHA256 && ksk)) ? " -b 1024" : "";
      auto r = test::run("dnssec-keygen -q -K " + test::shell_quote(dir.path()) + " -a " + mnemonic + size +
                         (ksk ? " -f KSK" : "") + " example.com 2>&1");
      REQUIRE(r.status == 0);
      auto w = test::words(r.out);
      REQUIRE(w.size() == 1);
      std::string base = dir.file(w[0]);
      CHECK(test::slurp(base + ".private").rfind("Private-key-format: v1.3\n", 0) == 0);
      check_foreign_pair(base, ksk ? 257 : 256);
    }
  }
}

TEST_CASE("key_file: keys from ldns-keygen (v1.2) are read, tagged and hashed as ldns does", "[zone][key_file][oracle]") {
  if (!test::have_tool("ldns-keygen") || !test::have_tool("dnssec-dsfromkey") || !test::have_tool("ldns-key2ds")) {
    WARN("BIND or ldns tools not installed; skipped");
    return;
  }
  // ldnsutils 1.8.3 on Debian 12 generates all six algorithms, ED448 included
  // (checked: `ldns-keygen -a list`); none is skipped.
  test::TempDir dir;
  for (auto [a, mnemonic] : kToolAlgs) {
    for (bool ksk : {false, true}) {
      INFO(mnemonic << (ksk ? " KSK" : " ZSK"));
      std::string size = (a == alg::RSASHA256 || a == alg::RSASHA512) ? " -b 1024" : "";
      auto r = test::run("cd " + test::shell_quote(dir.path()) + " && ldns-keygen -a " + mnemonic + size +
                         (ksk ? " -k" : "") + " example.com");
      REQUIRE(r.status == 0);
      auto w = test::words(r.out);
      REQUIRE(w.size() == 1);
      std::string base = dir.file(w[0]);
      CHECK(test::slurp(base + ".private").rfind("Private-key-format: v1.2\n", 0) == 0);
      check_foreign_pair(base, ksk ? 257 : 256);
    }
  }
}

TEST_CASE("key_file: keys we write are used by dnssec-signzone and ldns-signzone", "[zone][key_file][oracle]") {
  const bool bind = test::have_tool("dnssec-signzone") && test::have_tool("dnssec-dsfromkey");
  const bool ldns = test::have_tool("ldns-signzone") && test::have_tool("ldns-verify-zone");
  if (!bind && !ldns) {
    WARN("BIND and ldns tools not installed; skipped");
    return;
  }
  for (auto [a, mnemonic] : kToolAlgs) {
    INFO(mnemonic);
    test::TempDir dir;
    unsigned bits = (a == alg::RSASHA256 || a == alg::RSASHA512) ? 1024 : 0;
    KeyPair ksk = generated_pair(a, 257, bits), zsk = generated_pair(a, 256, bits);
    std::string ksk_base = write_pair(dir, ksk), zsk_base = write_pair(dir, zsk);
    std::string zone = dir.file("zone");
    test::spit(zone,
               "example.com. 3600 IN SOA ns.example.net. h.example.com. 1 7200 3600 1209600 3600\n"
               "example.com. 3600 IN NS ns.example.net.\n"
               "www.example.com. 3600 IN A 192.0.2.1\n" +
                   test::slurp(ksk_base + ".key") + test::slurp(zsk_base + ".key"));
    if (bind) {
      auto ds = test::run("dnssec-dsfromkey -2 " + test::shell_quote(ksk_base + ".key"));
      REQUIRE(ds.status == 0);
      CHECK(ds_from_tool_output(ds.out) == *make_ds(ksk.owner, ksk.dnskey_rdata, ds_digest::SHA256));
      // BIND reads our v1.3 .private files, signs, and verifies its result.
      auto r = test::run("cd " + test::shell_quote(dir.path()) + " && dnssec-signzone -q -K . -o example.com -f bind.out zone " +
                         test::shell_quote(std::filesystem::path(ksk_base).filename().string()) + " " +
                         test::shell_quote(std::filesystem::path(zsk_base).filename().string()) + " 2>&1");
      INFO(r.out);
      CHECK(r.status == 0);
    }
    if (ldns) {
      auto r = test::run("cd " + test::shell_quote(dir.path()) + " && ldns-signzone -f ldns.out zone " +
                         test::shell_quote(std::filesystem::path(ksk_base).filename().string()) + " " +
                         test::shell_quote(std::filesystem::path(zsk_base).filename().string()) +
                         " 2>&1 && ldns-verify-zone ldns.out 2>&1");
      INFO(r.out);
      CHECK(r.status == 0);
    }
  }
}

TEST_CASE("key_file: mutated private key files are refused or read, never a crash", "[zone][key_file]") {
  std::mt19937 rng(5702);
  const auto& examples = test::rfc_examples();
  int refused = 0;
  for (int i = 0; i < 1500; ++i) {
    std::string text = examples[static_cast<std::size_t>(i) % examples.size()].private_text;
    for (int j = 0; j < 1 + i % 3; ++j) {
      std::size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0: text[at] = static_cast<char>(rng()); break;
        case 1: text.erase(at, 1 + rng() % 8); break;
        default: text.insert(at, 1, "\n: =+/A0"[rng() % 8]); break;
      }
    }
    auto key = parse_private_key_text(text, "fuzz.private");
    if (!key) {
      ++refused;
      CHECK(key.error().message().find("fuzz.private") != std::string::npos);
    }
  }
  CHECK(refused > 0);
}

TEST_CASE("key_file: Inactive and Delete times are written and all timing lines read back", "[zone][key_file]") {
  test::TempDir dir;
  auto pair = generated_pair(alg::ECDSAP256SHA256, 256);
  KeyTimes times{1796083200, 1796083200, 1796169600, 1798675200, 1798848000};
  auto base = write_key_pair(dir.path(), pair, times);
  REQUIRE(base);
  auto text = test::slurp(dir.file(*base + ".private"));
  CHECK(text.find("Inactive: 20261231000000\n") != std::string::npos);
  CHECK(text.find("Delete: 20270102000000\n") != std::string::npos);
  CHECK(test::slurp(dir.file(*base + ".key")).find("; Delete: 20270102000000 (") != std::string::npos);
  for (const std::string& path : {dir.file(*base), dir.file(*base + ".key"), dir.file(*base + ".private")}) {
    auto back = read_key_times(path);
    REQUIRE(back);
    CHECK(back->created == times.created);
    CHECK(back->publish == times.publish);
    CHECK(back->activate == times.activate);
    CHECK(back->inactive == times.inactive);
    CHECK(back->remove == times.remove);
  }
  auto none = parse_key_times_text("Private-key-format: v1.3\nAlgorithm: 13 (ECDSAP256SHA256)\n", "x");
  REQUIRE(none);
  CHECK_FALSE(none->publish);
  CHECK_FALSE(none->remove);
  auto bad = parse_key_times_text("Publish: 2026120100000\n", "x.private");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == errc::bad_key);
  CHECK(bad.error().where == "x.private:1");
  auto twice = parse_key_times_text("Delete: 20261201000000\nDelete: 20261201000000\n", "x.private");
  REQUIRE_FALSE(twice);
  CHECK(twice.error().where == "x.private:2");
  CHECK(read_key_times(dir.file("Kmissing")).error().code == base::errc::not_found);
}

TEST_CASE("key_file: timing lines agree with dnssec-keygen and dnssec-settime", "[zone][key_file][oracle]") {
  if (!test::have_tool("dnssec-keygen") || !test::have_tool("dnssec-settime")) {
    WARN("BIND tools not installed; skipped");
    return;
  }
  test::TempDir dir;
  // BIND writes them; we read them.
  auto r = test::run("dnssec-keygen -q -K " + test::shell_quote(dir.path()) +
                     " -a ECDSAP256SHA256 -P 20261201000000 -A 20261202000000 -I 20261231000000"
                     " -D 20270102000000 example.com 2>&1");
  REQUIRE(r.status == 0);
  auto w = test::words(r.out);
  REQUIRE(w.size() == 1);
  auto times = read_key_times(dir.file(w[0]));
  REQUIRE(times);
  CHECK(times->publish == 1796083200);
  CHECK(times->activate == 1796169600);
  CHECK(times->inactive == 1798675200);
  CHECK(times->remove == 1798848000);
  // We write them; BIND reads them.
  auto pair = generated_pair(alg::ECDSAP256SHA256, 256);
  auto base = write_key_pair(dir.path(), pair, KeyTimes{1796083200, 1796083200, 1796169600, 1798675200, 1798848000});
  REQUIRE(base);
  auto p = test::run("dnssec-settime -u -p all " + test::shell_quote(dir.file(*base)) + " 2>&1");
  INFO(p.out);
  REQUIRE(p.status == 0);
  CHECK(p.out.find("Publish: 1796083200") != std::string::npos);
  CHECK(p.out.find("Activate: 1796169600") != std::string::npos);
  CHECK(p.out.find("Inactive: 1798675200") != std::string::npos);
  CHECK(p.out.find("Delete: 1798848000") != std::string::npos);
}

TEST_CASE("key_file: timing lines follow the strict time rule and name file:line", "[zone][key_file]") {
  // Impossible dates and a leap second were once read (normalised by timegm).
  for (const char* bad : {"20250231000000", "20250431000000", "20261201000060", "19691231235959"}) {
    CAPTURE(bad);
    std::string text = "Private-key-format: v1.3\nCreated: 20261201000000\nPublish: " + std::string(bad) + "\n";
    auto r = parse_key_times_text(text, "K.private");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::bad_key);
    CHECK(r.error().where == "K.private:3");
    CHECK(r.error().detail.find("Publish") != std::string::npos);
    CHECK(r.error().detail.find(bad) != std::string::npos);
  }
  auto good = parse_key_times_text("Publish: 20240229235959\n", "K.private");
  REQUIRE(good);
  CHECK(good->publish == 1709251199);
}

TEST_CASE("key_file: a key held elsewhere has a DNSKEY but is never written to a file", "[zone][key_file]") {
  test::TempDir dir;
  auto [key, holder] = test::held_elsewhere(alg::ECDSAP256SHA256);
  auto field = key.public_key_field();
  REQUIRE(field);
  auto pair = make_key_pair(name("example.com."), 257, std::move(key));
  REQUIRE(pair);
  CHECK(pair->dnskey_rdata == make_dnskey_rdata(257, alg::ECDSAP256SHA256, *field));
  CHECK(pair->key_tag == key_tag(pair->dnskey_rdata));

  auto text = format_private_key_text(pair->key, KeyTimes{});
  REQUIRE_FALSE(text);
  CHECK(text.error().code == errc::bad_key);
  auto written = write_key_pair(dir.path(), *pair, KeyTimes{});
  REQUIRE_FALSE(written);
  CHECK(written.error().code == errc::bad_key);
  const std::string pem = dir.file("held.pem");
  auto pem_written = write_pem_private_key(pem, pair->key);
  REQUIRE_FALSE(pem_written);
  CHECK(pem_written.error().code == errc::bad_key);
  CHECK_FALSE(std::filesystem::exists(pem));
}
