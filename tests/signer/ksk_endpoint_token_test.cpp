// The KSK side with its KSK in a real SoftHSM2 token: ksk init makes the key
// in the token and writes no private key, the endpoint signs through the
// token, the answer verifies against the DS init printed, a rollover to a
// second token key signs with both, and the token's refusals are named.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "signer/errc.hpp"
#include "signer/ksk_endpoint.hpp"
#include "tests/signer/ksk_test_util.hpp"
#include "tests/support/softhsm.hpp"
#include "zone/ds.hpp"
#include "zone/errc.hpp"
#include "zone/pkcs11_key.hpp"
#include "zone/rrsig.hpp"

using namespace kskline;
using namespace kskline::test::ksk;

namespace {

zone::PinSource fixed_pin(const std::string& pin) {
  return [pin](std::string_view) -> Result<base::SecureBuffer> { return base::SecureBuffer(as_bytes(pin)); };
}

// A KSK state whose KSK was made in a SoftHSM2 token by init_ksk_state.
struct TokenState {
  test::SoftHsm hsm;
  test::TempDir tmp{"kskline-ksk-token"};
  std::string dir = tmp.path() + "/ksk";
  signer::KskInitResult init;

  explicit TokenState(std::uint8_t algorithm = zone::alg::ECDSAP256SHA256) {
    signer::KskInitOptions o;
    o.zones.push_back(zone_name("example.com."));
    o.algorithm = algorithm;
    o.token = signer::KskTokenKey{hsm.module(), hsm.label, "ksk-2026", {}, false, 0, fixed_pin(hsm.pin)};
    auto r = signer::init_ksk_state(dir, o, kT0 - kDay);
    INFO((r ? std::string() : r.error().message()));
    REQUIRE(r);
    init = std::move(*r);
  }

  Result<signer::KskEndpoint> open(const std::string& pin) const {
    return signer::KskEndpoint::open(dir, "test", fixed_pin(pin));
  }
};

// The files of keys/ ending in `ext`.
std::vector<std::string> key_files(const std::string& dir, const std::string& ext) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/keys")) {
    if (e.path().extension() == ext) out.push_back(e.path().string());
  }
  return out;
}

// Signs a request for `zsk` and returns the first slot's DNSKEY records and their RRSIGs.
std::pair<std::vector<zone::Record>, std::vector<zone::Record>> sign_slot(signer::KskEndpoint& e,
                                                                         const zone::KeyPair& zsk) {
  auto q = make_request({&zsk});
  auto r = e.review(signer::format_request(q), "request.txt", kT0);
  INFO((r ? std::string() : r.error().message()));
  REQUIRE(r);
  auto s = e.sign(*r, kT0);
  INFO((s ? std::string() : s.error().message()));
  REQUIRE(s);
  auto response = signer::parse_response(*s, "response");
  REQUIRE(response);
  std::vector<zone::Record> dnskey, sigs;
  for (const auto& rec : response->slots.at(0).records) {
    if (rec.type == zone::rrtype::DNSKEY) dnskey.push_back(rec);
    if (rec.type == zone::rrtype::RRSIG) {
      auto p = zone::parse_rrsig(rec.rdata);
      if (p && p->type_covered == zone::rrtype::DNSKEY) sigs.push_back(rec);
    }
  }
  return {dnskey, sigs};
}

// Whether an RRSIG of `sigs` by the DNSKEY whose DS is `ds_line` ("zone. IN DS ...") verifies.
bool verifies_against_ds(const std::vector<zone::Record>& dnskey, const std::vector<zone::Record>& sigs,
                         const std::string& ds_line) {
  for (const auto& k : dnskey) {
    auto ds = zone::make_ds(k.owner, k.rdata, zone::ds_digest::SHA256);
    if (!ds || "example.com. IN DS " + zone::ds_rdata_text(*ds) != ds_line) continue;
    for (const auto& sig : sigs) {
      if (zone::verify_rrsig(sig.rdata, dnskey, k.owner, k.rdata).status == zone::VerifyStatus::valid) return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("ksk_endpoint_token: init makes the KSK in the token and keys/ holds no private key file",
          "[signer][ksk_endpoint_token]") {
  TokenState s;
  CHECK(key_files(s.dir, ".private").empty());
  auto uris = key_files(s.dir, ".pkcs11");
  REQUIRE(uris.size() == 1);
  REQUIRE(key_files(s.dir, ".key").size() == 1);
  auto ref = zone::parse_pkcs11_uri(test::slurp(uris[0]).substr(0, test::slurp(uris[0]).find('\n')));
  REQUIRE(ref);
  CHECK(ref->token == s.hsm.label);
  CHECK(ref->object == "ksk-2026");
  CHECK(ref->module == s.hsm.module());
  CHECK(ref->id.size() == 16);
  // Nothing in the state holds the PIN.
  for (const auto& e : std::filesystem::recursive_directory_iterator(s.dir)) {
    if (e.is_regular_file()) CHECK(test::slurp(e.path().string()).find(s.hsm.pin) == std::string::npos);
  }
  CHECK(s.init.ds_records.rfind("example.com. IN DS ", 0) == 0);
  CHECK(s.init.dnskey_records.find("DNSKEY\t257 3 13 ") != std::string::npos);
}

TEST_CASE("ksk_endpoint_token: the token KSK signs a request and the answer verifies against the DS init printed",
          "[signer][ksk_endpoint_token]") {
  for (std::uint8_t algorithm : {zone::alg::ECDSAP256SHA256, zone::alg::RSASHA256}) {
    INFO("algorithm " << int(algorithm));
    TokenState s(algorithm);
    auto e = s.open(s.hsm.pin);
    INFO((e ? std::string() : e.error().message()));
    REQUIRE(e);
    auto zsk = make_zsk();
    auto [dnskey, sigs] = sign_slot(*e, zsk);
    const std::string ds_line = s.init.ds_records.substr(0, s.init.ds_records.find('\n'));
    CHECK(verifies_against_ds(dnskey, sigs, ds_line));
    CHECK_FALSE(verifies_against_ds(dnskey, sigs, "example.com. IN DS 1 13 2 00"));
  }
}

TEST_CASE("ksk_endpoint_token: a rollover to a second KSK in the token signs with both", "[signer][ksk_endpoint_token]") {
  TokenState s;
  {
    // As keygen does for a file key: the new KSK's .key and .pkcs11 go into keys/.
    auto token = zone::Pkcs11Token::open(s.hsm.module(), s.hsm.label, fixed_pin(s.hsm.pin));
    REQUIRE(token);
    auto made = (*token)->generate_key("ksk-2027", zone::alg::ECDSAP256SHA256);
    REQUIRE(made);
    auto pair = zone::make_key_pair(zone_name("example.com."), 257, std::move(made->key));
    REQUIRE(pair);
    zone::KeyTimes times{kT0, kT0, kT0};
    REQUIRE(zone::write_pkcs11_key_pair(s.dir + "/keys", *pair, made->ref, times));
  }
  auto e = s.open(s.hsm.pin);
  INFO((e ? std::string() : e.error().message()));
  REQUIRE(e);
  REQUIRE(e->ksks(zone_name("example.com.")).size() == 2);
  auto zsk = make_zsk();
  auto [dnskey, sigs] = sign_slot(*e, zsk);
  CHECK(dnskey.size() == 3);
  REQUIRE(sigs.size() == 2);
  for (const auto* ksk : e->ksks(zone_name("example.com."))) {
    // (a structured binding is captured by name only from clang 16 on)
    bool valid = std::any_of(sigs.begin(), sigs.end(), [&, &rrset = dnskey](const zone::Record& sig) {
      return zone::verify_rrsig(sig.rdata, rrset, ksk->owner, ksk->dnskey_rdata).status == zone::VerifyStatus::valid;
    });
    CHECK(valid);
  }
  CHECK(key_files(s.dir, ".private").empty());
}

TEST_CASE("ksk_endpoint_token: a wrong PIN or a missing token refuses to open the state by name",
          "[signer][ksk_endpoint_token]") {
  TokenState s;
  auto wrong = s.open("9999");
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code == zone::errc::wrong_pin);
  // Another SoftHSM2 configuration, whose token directory lacks the token: the token is not there.
  test::SoftHsm other("another-token");
  auto missing = s.open(s.hsm.pin);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == zone::errc::token_missing);
}

TEST_CASE("ksk_endpoint_token: init refuses a label the token holds unless told to use it",
          "[signer][ksk_endpoint_token]") {
  TokenState s;
  test::TempDir tmp;
  signer::KskInitOptions o;
  o.zones.push_back(zone_name("example.com."));
  o.token = signer::KskTokenKey{s.hsm.module(), s.hsm.label, "ksk-2026", {}, false, 0, fixed_pin(s.hsm.pin)};
  auto again = signer::init_ksk_state(tmp.file("second"), o, kT0);
  REQUIRE_FALSE(again);
  CHECK(again.error().code == signer::errc::bad_state);
  o.token->use_existing = true;
  auto existing = signer::init_ksk_state(tmp.file("third"), o, kT0);
  INFO((existing ? std::string() : existing.error().message()));
  REQUIRE(existing);
  CHECK(existing->ds_records == s.init.ds_records);
  o.token->key_label = "no-such-key";
  auto absent = signer::init_ksk_state(tmp.file("fourth"), o, kT0);
  REQUIRE_FALSE(absent);
  CHECK(absent.error().code == zone::errc::key_not_found);
}

TEST_CASE("ksk_endpoint_token: an existing RSA key of the token is algorithm 8, or 10 when asked, never another",
          "[signer][ksk_endpoint_token]") {
  TokenState s(zone::alg::RSASHA256);
  test::TempDir tmp;
  for (std::uint8_t algorithm : {0, 8, 10, 13}) {
    signer::KskInitOptions o;
    o.zones.push_back(zone_name("example.com."));
    o.token = signer::KskTokenKey{s.hsm.module(), s.hsm.label, "ksk-2026", {}, true, algorithm, fixed_pin(s.hsm.pin)};
    const std::string dir = tmp.file("state-" + std::to_string(algorithm));
    auto r = signer::init_ksk_state(dir, o, kT0);
    INFO(int(algorithm) << ": " << (r ? std::string() : r.error().message()));
    if (algorithm == zone::alg::ECDSAP256SHA256) {
      REQUIRE_FALSE(r);
      CHECK(r.error().code == zone::errc::bad_key);
      CHECK(r.error().message().find("an RSA key (algorithm 8 or 10), not one of algorithm 13 (ECDSAP256SHA256)") !=
            std::string::npos);
      CHECK_FALSE(std::filesystem::exists(dir + "/ksk.toml"));
      continue;
    }
    REQUIRE(r);
    const std::string want = algorithm == zone::alg::RSASHA512 ? "DNSKEY\t257 3 10 " : "DNSKEY\t257 3 8 ";
    CHECK(r->dnskey_records.find(want) != std::string::npos);
  }
}
