// The KSK side's configuration file: defaults, every key, and refusals that
// name the key.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "signer/errc.hpp"
#include "signer/policy.hpp"

using namespace kskline;

namespace {

zone::Name name(const char* text) {
  auto n = zone::Name::parse(text);
  REQUIRE(n);
  return *n;
}

// Parses a config that must be refused with bad_config; returns the message.
std::string bad(const std::string& text) {
  auto c = signer::parse_config(text, "ksk.toml");
  REQUIRE_FALSE(c);
  INFO(c.error().message());
  CHECK(c.error().code == signer::make_error_code(signer::errc::bad_config));
  return c.error().message();
}

}  // namespace

TEST_CASE("policy: the text ksk init writes reads back as the defaults", "[signer][policy]") {
  std::string text = signer::default_config_text({name("example.com."), name("example.org.")}, 13, {2, 4});
  auto c = signer::parse_config(text, "ksk.toml");
  INFO((c ? std::string() : c.error().message()));
  REQUIRE(c);
  signer::Policy d;
  const auto& p = c->policy;
  CHECK(p.zones == std::vector<zone::Name>{name("example.com."), name("example.org.")});
  CHECK(c->algorithm == 13);
  CHECK(p.algorithms == d.algorithms);
  CHECK(p.rsa_min_bits == d.rsa_min_bits);
  CHECK(p.max_keys_per_slot == d.max_keys_per_slot);
  CHECK(p.min_overlap == d.min_overlap);
  CHECK(p.max_overlap == d.max_overlap);
  CHECK(p.max_validity == d.max_validity);
  CHECK(p.horizon == d.horizon);
  CHECK(p.max_clock_skew == d.max_clock_skew);
  CHECK(p.auto_approve == signer::AutoApprove::same_keys);
  CHECK(p.ds_digests == std::vector<std::uint8_t>{2, 4});
  CHECK(c->link.identity == "link.id");
  CHECK(c->link.auth == "auto");
  CHECK_FALSE(c->exec.only);
}

TEST_CASE("policy: ksk init --exec-only writes [exec] only = true, which reads back", "[signer][policy]") {
  auto c = signer::parse_config(signer::default_config_text({name("example.com.")}, 13, {2}, true), "ksk.toml");
  INFO((c ? std::string() : c.error().message()));
  REQUIRE(c);
  CHECK(c->exec.only);
  CHECK(c->exec.anchor.empty());
  auto pinned = signer::parse_config("zones = [\"example.com\"]\n[exec]\nonly = true\nanchor = \"keymgr.ds\"\n", "ksk.toml");
  REQUIRE(pinned);
  CHECK(pinned->exec.anchor == "keymgr.ds");
  auto bad = signer::parse_config("zones = [\"example.com\"]\n[exec]\nonly = \"yes\"\n", "ksk.toml");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().where == "ksk.toml:3");
  CHECK_THAT(bad.error().message(), Catch::Contains("exec.only"));
  auto typo = signer::parse_config("zones = [\"example.com\"]\n[exec]\nonyl = true\n", "ksk.toml");
  REQUIRE_FALSE(typo);
  CHECK(typo.error().code == signer::make_error_code(signer::errc::bad_config));
}

TEST_CASE("policy: every key is read", "[signer][policy]") {
  auto c = signer::parse_config(R"(zones = ["example.com"]
algorithm = 8
[policy]
algorithms = [13, "ED25519"]
rsa_min_bits = 3072
rsa_max_bits = 4096
max_keys_per_slot = 3
max_slots = 10
min_overlap = "2h"
max_overlap = 604800
min_validity = "2d"
max_validity = "4w"
horizon = "100d"
max_start_in_past = "30m"
dnskey_ttl_min = 600
dnskey_ttl_max = 7200
max_clock_skew = 120
require_proof = false
auto_approve = "always"
ds_digests = ["sha384"]
[link]
link = "serial:/dev/ttyUSB0"
identity = "/etc/kskline/link.id"
peer = "zone.pub"
auth = "required"
)", "ksk.toml");
  INFO((c ? std::string() : c.error().message()));
  REQUIRE(c);
  const auto& p = c->policy;
  CHECK(p.zones == std::vector<zone::Name>{name("example.com.")});
  CHECK(p.algorithms == std::vector<std::uint8_t>{13, 15});
  CHECK(p.rsa_min_bits == 3072);
  CHECK(p.max_keys_per_slot == 3);
  CHECK(p.max_slots == 10);
  CHECK(p.min_overlap == 7200);
  CHECK(p.max_overlap == 604800);
  CHECK(p.min_validity == 2 * 86400);
  CHECK(p.max_validity == 28 * 86400);
  CHECK(p.horizon == 100 * 86400);
  CHECK(p.max_start_in_past == 1800);
  CHECK(p.dnskey_ttl_min == 600);
  CHECK(p.dnskey_ttl_max == 7200);
  CHECK(p.max_clock_skew == 120);
  CHECK_FALSE(p.require_proof);
  CHECK(p.auto_approve == signer::AutoApprove::always);
  CHECK(p.ds_digests == std::vector<std::uint8_t>{4});
  CHECK(c->link.link == "serial:/dev/ttyUSB0");
  CHECK(c->link.identity == "/etc/kskline/link.id");
  CHECK(c->link.peer == "zone.pub");
  CHECK(c->link.auth == "required");
}

TEST_CASE("policy: bad values are refused naming the key and line", "[signer][policy]") {
  const std::string z = "zones = [\"example.com.\"]\n";
  CHECK(bad(z + "[policy]\nmax_slots = 0\n").find("policy.max_slots") != std::string::npos);
  CHECK(bad(z + "[policy]\nmax_slots = \"ten\"\n").find("ksk.toml:3") != std::string::npos);
  CHECK(bad(z + "[policy]\nhorizon = \"ten days\"\n").find("policy.horizon") != std::string::npos);
  CHECK(bad(z + "[policy]\nalgorithms = [5]\n").find("not supported") != std::string::npos);
  CHECK(bad(z + "[policy]\nalgorithms = [\"NOPE\"]\n").find("policy.algorithms") != std::string::npos);
  CHECK(bad(z + "[policy]\nauto_approve = \"sometimes\"\n").find("policy.auto_approve") != std::string::npos);
  CHECK(bad(z + "[policy]\nds_digests = [\"sha1\"]\n").find("policy.ds_digests") != std::string::npos);
  CHECK(bad(z + "[policy]\nmin_validity = \"10d\"\nmax_validity = \"5d\"\n").find("min_validity") != std::string::npos);
  CHECK(bad(z + "[policy]\nmax_validity = \"500d\"\n").find("policy.horizon") != std::string::npos);
  CHECK(bad(z + "[policy]\nrequire_proof = 1\n").find("policy.require_proof") != std::string::npos);
  CHECK(bad(z + "[link]\nauth = \"maybe\"\n").find("link.auth") != std::string::npos);
  CHECK(bad("zones = []\n").find("zones") != std::string::npos);
  CHECK(bad("algorithm = 13\n").find("zones") != std::string::npos);
  CHECK(bad("zones = [\"bad..name\"]\n").find("zones") != std::string::npos);
}

TEST_CASE("policy: link.auth takes auto and every policy word, another word names the accepted ones",
          "[signer][policy]") {
  const std::string z = "zones = [\"example.com.\"]\n[link]\nauth = ";
  for (const char* word : {"auto", "off", "optional", "required"}) {
    auto c = signer::parse_config(z + "\"" + word + "\"\n", "ksk.toml");
    REQUIRE(c);
    CHECK(c->link.auth == word);
  }
  CHECK(bad(z + "\"Off\"\n") ==
        "ksk.toml:3: link.auth: 'Off' is not an authentication policy: use auto, off, optional or required");
}

TEST_CASE("policy: an unknown key is a typo, not a default", "[signer][policy]") {
  auto m = bad("zones = [\"example.com.\"]\n[policy]\nmax_slot = 3\n");
  CHECK(m.find("policy.max_slot: unknown key") != std::string::npos);
  CHECK(m.find("ksk.toml:3") != std::string::npos);
  CHECK(bad("zones = [\"example.com.\"]\n[polcy]\n").find("polcy") != std::string::npos);
}

TEST_CASE("policy: text that is not TOML is a syntax error with its line", "[signer][policy]") {
  auto c = signer::parse_config("zones = [\"example.com.\"]\n[policy\n", "ksk.toml");
  REQUIRE_FALSE(c);
  CHECK(c.error().code == signer::make_error_code(signer::errc::syntax));
  CHECK(c.error().where == "ksk.toml:2");
}

TEST_CASE("policy: with_link_peer sets link.peer and leaves every other line as it was", "[signer][policy]") {
  const std::string key = "IHA9u3LGWDRjz/jS6e/xMMFsZpFSmLDTyxn4cY6lZYQ=";
  auto lines_of = [](const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  };
  auto peer_of = [](const std::string& text) {
    auto c = signer::parse_config(text, "ksk.toml");
    REQUIRE(c);
    return c->link.peer;
  };
  SECTION("the commented default line becomes the setting") {
    const std::string text = signer::default_config_text({name("example.com.")}, 13, {2});
    auto pinned = signer::with_link_peer(text, "ksk.toml", key);
    REQUIRE(pinned);
    CHECK(peer_of(*pinned) == key);
    const auto before = lines_of(text), after = lines_of(*pinned);
    REQUIRE(before.size() == after.size());
    std::size_t changed = 0;
    for (std::size_t i = 0; i < before.size(); ++i) {
      if (before[i] == after[i]) continue;
      ++changed;
      CHECK(before[i] == "# peer = \"zone-link.id.pub\"");
      CHECK(after[i] == "peer = \"" + key + "\"");
    }
    CHECK(changed == 1);
    // Pinning again, or another key, replaces the setting.
    auto again = signer::with_link_peer(*pinned, "ksk.toml", "zone.pub");
    REQUIRE(again);
    CHECK(peer_of(*again) == "zone.pub");
    CHECK(lines_of(*again).size() == before.size());
  }
  SECTION("a [link] table without a peer line gets one, a file without [link] gets the table") {
    const std::string zones = "zones = [\"example.com.\"]\n";
    auto with_table = signer::with_link_peer(zones + "[link]\nauth = \"auto\"\n", "ksk.toml", key);
    REQUIRE(with_table);
    CHECK(*with_table == zones + "[link]\npeer = \"" + key + "\"\nauth = \"auto\"\n");
    auto without = signer::with_link_peer(zones, "ksk.toml", key);
    REQUIRE(without);
    CHECK(peer_of(*without) == key);
  }
  SECTION("a peer key of another table is not taken for link's") {
    const std::string text = "zones = [\"example.com.\"]\n[link]\nauth = \"auto\"\n[policy]\n# peer = \"x\"\n";
    auto pinned = signer::with_link_peer(text, "ksk.toml", key);
    REQUIRE(pinned);
    CHECK(peer_of(*pinned) == key);
    CHECK(pinned->find("# peer = \"x\"") != std::string::npos);
  }
}
