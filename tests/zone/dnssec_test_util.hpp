// Shared helpers of the DNSSEC tests: RFC example keys and record builders;
// it also brings in the temporary directory, command running and file helpers
// of tests/support/ that the DNSSEC tests use to run the installed oracle tools.
#pragma once

#include <atomic>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "base/encoding.hpp"
#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "zone/dnssec_key.hpp"
#include "zone/name.hpp"
#include "zone/rdata.hpp"
#include "zone/record.hpp"
#include "zone/rr_types.hpp"

namespace kskline::test {

// A name that must parse.
inline zone::Name name(const std::string& text) {
  auto n = zone::Name::parse(text);
  if (!n) throw std::runtime_error("bad test name " + text);
  return *n;
}

// RDATA of `type` from presentation text (absolute names).
inline Bytes rdata(std::uint16_t type, const std::string& text) {
  auto r = zone::parse_rdata_text(type, text, zone::Name());
  if (!r) throw std::runtime_error("bad test RDATA '" + text + "': " + r.error().message());
  return *r;
}

// A record from its parts.
inline zone::Record record(const std::string& owner, std::uint16_t type, std::uint32_t ttl,
                           const std::string& text) {
  zone::Record r;
  r.owner = name(owner);
  r.type = type;
  r.ttl = ttl;
  r.rdata = rdata(type, text);
  return r;
}

// Bytes from base64 that must decode.
inline Bytes b64(const std::string& text) {
  auto r = base::from_base64(text);
  if (!r) throw std::runtime_error("bad test base64");
  return *r;
}

// Splits text into whitespace-separated words.
inline std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// ------------------------------------------------------------------ RFC keys
// The examples of RFC 5702 §6, RFC 6605 §6 and RFC 8080 §6 (with verified
// erratum 4935, which corrects the RFC 8080 RRSIGs), private keys written as
// the one-line-per-field files the RFCs describe.

// One RFC example: a private key file, its DNSKEY, DS and an RRSIG over one RR.
struct RfcExample {
  const char* label;
  const char* private_text;
  const char* zone;
  const char* dnskey;  // DNSKEY RDATA text
  std::uint16_t key_tag;
  const char* ds;      // DS RDATA text
  const char* owner;   // the signed RR
  std::uint16_t type;
  const char* rr;      // its RDATA text
  const char* rrsig;   // RRSIG RDATA text
  bool deterministic;  // whether our signature must equal the RFC's
};

inline const std::vector<RfcExample>& rfc_examples() {
  static const std::vector<RfcExample> examples = {
      {"RFC 5702 6.1 RSA/SHA-256",
       "Private-key-format: v1.2\n"
       "Algorithm:       8 (RSASHA256)\n"
       "Modulus:         wVwaxrHF2CK64aYKRUibLiH30KpPuPBjel7E8ZydQW1HYWHfoGmidzC2RnhwCC293hCzw+TFR2nqn8OVSY5t2Q==\n"
       "PublicExponent:  AQAB\n"
       "PrivateExponent: UR44xX6zB3eaeyvTRzmskHADrPCmPWnr8dxsNwiDGHzrMKLN+i/HAam+97HxIKVWNDH2ba9Mf1SA8xu9dcHZAQ==\n"
       "Prime1:          4c8IvFu1AVXGWeFLLFh5vs7fbdzdC6U82fduE6KkSWk=\n"
       "Prime2:          2zZpBE8ZXVnL74QjG4zINlDfH+EOEtjJJ3RtaYDugvE=\n"
       "Exponent1:       G2xAPFfK0KGxGANDVNxd1K1c9wOmmJ51mGbzKFFNMFk=\n"
       "Exponent2:       GYxP1Pa7CAwtHm8SAGX594qZVofOMhgd6YFCNyeVpKE=\n"
       "Coefficient:     icQdNRjlZGPmuJm2TIadubcO8X7V4y07aVhX464tx8Q=\n",
       "example.net.",
       "256 3 8 AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3pexPGcnUFtR2Fh36BponcwtkZ4cAgtvd4Qs8PkxUdp6p/DlUmObdk=",
       9033, nullptr, "www.example.net.", zone::rrtype::A, "192.0.2.91",
       "A 8 3 3600 20300101000000 20000101000000 9033 example.net. "
       "kRCOH6u7l0QGy9qpC9l1sLncJcOKFLJ7GhiUOibu4teYp5VE9RncriShZNz85mwlMgNEacFYK/lPtPiVYP4bwg==",
       true},
      {"RFC 5702 6.2 RSA/SHA-512",
       "Private-key-format: v1.2\n"
       "Algorithm:       10 (RSASHA512)\n"
       "Modulus:         0eg1M5b563zoq4k5ZEOnWmd2/BvpjzedJVdfIsDcMuuhE5SQ3pfQ7qmdaeMlC6Nf8DKGoUPGPXe06cP27/"
       "WRODtxXquSUytkO0kJDk8KX8PtA0+yBWwy7UnZDyCkynO00Uuk8HPVtZeMO1pHtlAGVnc8VjXZlNKdyit99waaE4s=\n"
       "PublicExponent:  AQAB\n"
       "PrivateExponent: rFS1IPbJllFFgFc33B5DDlC1egO8e81P4fFadODbp56V7sphKa6AZQCx8NYAew6VXFFPAKTw41QdHnK5kIYOwxvf"
       "FDjDcUGza88qbjyrDPSJenkeZbISMUSSqy7AMFzEolkk6WSn6k3thUVRgSlqDoOV3SEIAsrB043XzGrKIVE=\n"
       "Prime1:          8mbtsu9Tl9v7tKSHdCIeprLIQXQLzxlSZun5T1n/OjvXSUtvD7xnZJ+LHqaBj1dIgMbCq2U8O04QVcK3TS9GiQ==\n"
       "Prime2:          3a6gkfs74d0Jb7yL4j4adAif4fcp7ZrGt7G5NRVDDY/Mv4TERAKMa0TKN3okKE0A7X+Rv2K84mhT4QLDlllEcw==\n"
       "Exponent1:       v3D5A9uuCn5rgVR7wgV8ba0/KSpsdSiLgsoA42GxiB1gvvs7gJMMmVTDu/ZG1p1ZnpLbhh/S/Qd/MSwyNlxC+Q==\n"
       "Exponent2:       m+ezf9dsDvYQK+gzjOLWYeKq5xWYBEYFGa3BLocMiF4oxkzOZ3JPZSWU/h1Fjp5RV7aPP0Vmx+hNjYMPIQ8Y5w==\n"
       "Coefficient:     Je5YhYpUron/WdOXjxNAxDubAp3i5X7UOUfhJcyIggqwY86IE0Q/Bk0Dw4SC9zxnsimmdBXW2Izd8Lwuk8FQcQ==\n",
       "example.net.",
       "256 3 10 AwEAAdHoNTOW+et86KuJOWRDp1pndvwb6Y83nSVXXyLA3DLroROUkN6X0O6pnWnjJQujX/AyhqFDxj13tOnD9u/"
       "1kTg7cV6rklMrZDtJCQ5PCl/D7QNPsgVsMu1J2Q8gpMpztNFLpPBz1bWXjDtaR7ZQBlZ3PFY12ZTSncorffcGmhOL",
       3740, nullptr, "www.example.net.", zone::rrtype::A, "192.0.2.91",
       "A 10 3 3600 20300101000000 20000101000000 3740 example.net. "
       "tsb4wnjRUDnB1BUi+t6TMTXThjVnG+eCkWqjvvjhzQL1d0YRoOe0CbxrVDYd0xDtsuJRaeUw1ep94PzEWzr0iGYgZBWm/"
       "zpq+9fOuagYJRfDqfReKBzMweOLDiNa8iP5g9vMhpuv6OPlvpXwm9Sa9ZXIbNl1MBGk0fthPgxdDLw=",
       true},
      {"RFC 6605 6.1 ECDSA P-256",
       "Private-key-format: v1.2\n"
       "Algorithm: 13 (ECDSAP256SHA256)\n"
       "PrivateKey: GU6SnQ/Ou+xC5RumuIUIuJZteXT2z0O/ok1s38Et6mQ=\n",
       "example.net.",
       "257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==",
       55648, "55648 13 2 b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17", "www.example.net.",
       zone::rrtype::A, "192.0.2.1",
       "A 13 3 3600 20100909100439 20100812100439 55648 example.net. "
       "qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw==",
       false},
      {"RFC 6605 6.2 ECDSA P-384",
       "Private-key-format: v1.2\n"
       "Algorithm: 14 (ECDSAP384SHA384)\n"
       "PrivateKey: WURgWHCcYIYUPWgeLmiPY2DJJk02vgrmTfitxgqcL4vwW7BOrbawVmVe0d9V94SR\n",
       "example.net.",
       "257 3 14 xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/egsXvSADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8/"
       "uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40",
       10771,
       "10771 14 4 72d7b62976ce06438e9c0bf319013cf801f09ecc84b8d7e9495f27e305c6a9b0563a9b5f4d288405c3008a946df983d6",
       "www.example.net.", zone::rrtype::A, "192.0.2.1",
       "A 14 3 3600 20100909102025 20100812102025 10771 example.net. "
       "/L5hDKIvGDyI1fcARX3z65qrmPsVz73QD1Mr5CEqOiLP95hxQouuroGCeZOvzFaxsT8Glr74hbavRKayJNuydCuzWTSSPdz7wnqXL5bdcJzus"
       "dnI0RSMROxxwGipWcJm",
       false},
      {"RFC 8080 6.1 Ed25519 #1",
       "Private-key-format: v1.2\n"
       "Algorithm: 15 (ED25519)\n"
       "PrivateKey: ODIyNjAzODQ2MjgwODAxMjI2NDUxOTAyMDQxNDIyNjI=\n",
       "example.com.", "257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=", 3613,
       "3613 15 2 3aa5ab37efce57f737fc1627013fee07bdf241bd10f3b1964ab55c78e79a304b", "example.com.",
       zone::rrtype::MX, "10 mail.example.com.",
       "MX 15 2 3600 1440021600 1438207200 3613 example.com. "
       "oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg==",
       true},
      {"RFC 8080 6.1 Ed25519 #2",
       "Private-key-format: v1.2\n"
       "Algorithm: 15 (ED25519)\n"
       "PrivateKey: DSSF3o0s0f+ElWzj9E/Osxw8hLpk55chkmx0LYN5WiY=\n",
       "example.com.", "257 3 15 zPnZ/QwEe7S8C5SPz2OfS5RR40ATk2/rYnE9xHIEijs=", 35217,
       "35217 15 2 401781b934e392de492ec77ae2e15d70f6575a1c0bc59c5275c04ebe80c6614c", "example.com.",
       zone::rrtype::MX, "10 mail.example.com.",
       "MX 15 2 3600 1440021600 1438207200 35217 example.com. "
       "zXQ0bkYgQTEFyfLyi9QoiY6D8ZdYo4wyUhVioYZXFdT410QPRITQSqJSnzQoSm5poJ7gD7AQR0O7KuI5k2pcBg==",
       true},
      {"RFC 8080 6.2 Ed448 #1",
       "Private-key-format: v1.2\n"
       "Algorithm: 16 (ED448)\n"
       "PrivateKey: xZ+5Cgm463xugtkY5B0Jx6erFTXp13rYegst0qRtNsOYnaVpMx0Z/c5EiA9x8wWbDDct/U3FhYWA\n",
       "example.com.", "257 3 16 3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPhpj/OiBVHHSfPodx1FYYUcJKm1MDpJtIA", 9713,
       "9713 16 2 6ccf18d5bc5d7fc2fceb1d59d17321402f2aa8d368048db93dd811f5cb2b19c7", "example.com.",
       zone::rrtype::MX, "10 mail.example.com.",
       "MX 16 2 3600 1440021600 1438207200 9713 example.com. "
       "3cPAHkmlnxcDHMyg7vFC34l0blBhuG1qpwLmjInI8w1CMB29FkEAIJUA0amxWndkmnBZ6SKiwZSAxGILn/NBtOXft0+Gj7FSvOKxE/"
       "07+4RQvE581N3Aj/JtIyaiYVdnYtyMWbSNyGEY2213WKsJlwEA",
       true},
      {"RFC 8080 6.2 Ed448 #2",
       "Private-key-format: v1.2\n"
       "Algorithm: 16 (ED448)\n"
       "PrivateKey: WEykD3ht3MHkU8iH4uVOLz8JLwtRBSqiBoM6fF72+Mrp/u5gjxuB1DV6NnPO2BlZdz4hdSTkOdOA\n",
       "example.com.", "257 3 16 kkreGWoccSDmUBGAe7+zsbG6ZAFQp+syPmYUurBRQc3tDjeMCJcVMRDmgcNLp5HlHAMy12VoISsA", 38353,
       "38353 16 2 645ff078b3568f5852b70cb60e8e696cc77b75bfaaffc118cf79cbda1ba28af4", "example.com.",
       zone::rrtype::MX, "10 mail.example.com.",
       "MX 16 2 3600 1440021600 1438207200 38353 example.com. "
       "E1/oLjSGIbmLny/4fcgM1z4oL6aqo+izT3urCyHyvEp4Sp8Syg1eI+lJ57CSnZqjJP41O/9l4m0AsQ4f7qI1gVnML8vWWiyW2KXhT9kuAICUSx"
       "v5OWbf81Rq7Yu60npabODB0QFPb/rkW3kUZmQ0YQUA",
       true},
  };
  return examples;
}

// A private key as kskline sees one held outside its memory (the shape of a
// PKCS#11 token): it signs only through its holder and gives no secret out.
// A real in-memory key, kept to itself, does the signing.
class HeldElsewhere final : public zone::PrivateKeyHolder {
 public:
  explicit HeldElsewhere(zone::PrivateKey inner) : inner_(std::move(inner)) {}

  std::uint8_t algorithm() const override { return inner_.algorithm(); }
  unsigned bits() const override { return inner_.bits(); }
  Result<Bytes> public_key_field() const override { return inner_.public_key_field(); }
  Result<std::unique_ptr<zone::KeySession>> open_session() const override {
    ++sessions;
    auto signer = zone::Signer::create(inner_);
    if (!signer) return tl::unexpected(signer.error());
    return std::unique_ptr<zone::KeySession>(std::make_unique<Session>(std::move(*signer)));
  }

  // The number of sessions opened.
  mutable std::atomic<int> sessions{0};

 private:
  struct Session final : zone::KeySession {
    explicit Session(zone::Signer s) : signer(std::move(s)) {}
    Result<void> sign(ByteView data, Bytes& out) override { return signer.sign(data, out); }
    zone::Signer signer;
  };
  zone::PrivateKey inner_;
};

// A fresh key of `algorithm` held elsewhere, and its holder.
inline std::pair<zone::PrivateKey, std::shared_ptr<const HeldElsewhere>> held_elsewhere(std::uint8_t algorithm) {
  auto inner = zone::PrivateKey::generate(algorithm, algorithm == 8 || algorithm == 10 ? 1024 : 0);
  if (!inner) throw std::runtime_error("key generation failed: " + inner.error().message());
  auto holder = std::make_shared<const HeldElsewhere>(std::move(*inner));
  auto key = zone::PrivateKey::from_holder(holder);
  if (!key) throw std::runtime_error("from_holder failed: " + key.error().message());
  return {std::move(*key), holder};
}

}  // namespace kskline::test
