#include <catch2/catch.hpp>

#include <set>

#include "tests/zone/dnssec_test_util.hpp"
#include "zone/errc.hpp"
#include "zone/sign_times.hpp"

using namespace kskline;
using namespace kskline::zone;
using kskline::test::name;

namespace {
SignatureTiming timing() {
  SignatureTiming t;
  t.now = 1717200000;
  t.backdate = 3600;
  t.validity = 14 * 86400;
  t.jitter = 86400;
  t.refresh = 86400;
  return t;
}
}  // namespace

TEST_CASE("sign_times: inception is backdated and expiration lies within the jitter", "[zone][sign_times]") {
  auto t = timing();
  for (const char* owner : {"example.org.", "www.example.org.", "*.wild.example.org."}) {
    auto w = rrsig_window(t, name(owner), 1, 12345);
    CHECK(w.inception == 1717200000u - 3600);
    CHECK(w.expiration <= 1717200000u + 14 * 86400);
    CHECK(w.expiration >= 1717200000u + 13 * 86400);
  }
  t.jitter = 0;
  CHECK(rrsig_window(t, name("a.example.org."), 1, 1).expiration == 1717200000u + 14 * 86400);
}

TEST_CASE("sign_times: jitter is deterministic, case-blind and spread", "[zone][sign_times]") {
  const std::uint32_t j = 86400;
  CHECK(rrsig_jitter(name("WWW.Example.org."), 1, 7, j) == rrsig_jitter(name("www.example.org."), 1, 7, j));
  std::set<std::uint32_t> seen;
  for (int i = 0; i < 200; ++i) {
    auto v = rrsig_jitter(name("host" + std::to_string(i) + ".example.org."), 1, 7, j);
    CHECK(v <= j);
    seen.insert(v);
  }
  CHECK(seen.size() > 190);  // practically all different
  // Type and key tag take part.
  CHECK(rrsig_jitter(name("a.example.org."), 1, 7, j) != rrsig_jitter(name("a.example.org."), 28, 7, j));
  CHECK(rrsig_jitter(name("a.example.org."), 1, 7, j) != rrsig_jitter(name("a.example.org."), 1, 8, j));
  CHECK(rrsig_jitter(name("a.example.org."), 1, 7, 0) == 0);
  // Fixed values (computed independently from the definition: FNV-1a over
  // the lowercased wire owner, type and tag, then splitmix64's finaliser), so
  // that a change of the hash, and of every signed zone's expirations, shows.
  CHECK(rrsig_jitter(name("EXAMPLE.ORG."), 6, 12345, 1000000) == 184108);
  CHECK(rrsig_jitter(name("example.org."), 1, 1, 86400) == 83132);
}

TEST_CASE("sign_times: impossible timings are refused naming the option", "[zone][sign_times]") {
  CHECK(check_timing(timing()));
  auto t = timing();
  t.jitter = t.validity;
  auto r = check_timing(t);
  REQUIRE_FALSE(r);
  CHECK(r.error().where == "--jitter");
  t = timing();
  t.refresh = t.validity - t.jitter;
  r = check_timing(t);
  REQUIRE_FALSE(r);
  CHECK(r.error().where == "--refresh");
  t = timing();
  t.validity = 0;
  t.jitter = 0;
  t.refresh = 0;
  CHECK(check_timing(t).error().where == "--validity");
  t = timing();
  t.now = 100;
  CHECK(check_timing(t).error().where == "--now");
  t = timing();
  t.validity = 0x7fffffffu;
  CHECK(check_timing(t).error().where == "--validity");
}
