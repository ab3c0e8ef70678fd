#include <catch2/catch.hpp>

#include "signer/errc.hpp"
#include "signer/zone_config.hpp"

using namespace kskline;
using namespace kskline::signer;

TEST_CASE("zone_config: what format writes, parse reads back identically", "[signer][zone_config]") {
  ZoneConfig c;
  const zone::Name root;
  c.zone = *zone::Name::parse("example.org.", &root);
  c.zone_file = "/srv/zones/example.org \"quoted\"";
  c.algorithm = 8;
  c.rsa_bits = 3072;
  c.dnskey_ttl = 7200;
  c.zsk_lifetime = 90 * 86400 + 3600;
  c.slot_interval = 5 * 86400;
  c.link = "spool:/media/usb";
  c.warning = 10 * 86400;
  c.nsec3 = true;
  c.nsec3_iterations = 5;
  c.nsec3_salt = "abcd";
  c.zonemd = true;
  c.max_records = 5000;
  auto back = parse_zone_config(format_zone_config(c), "kskline-zone.toml");
  REQUIRE(back);
  CHECK(back->zone == c.zone);
  CHECK(back->zone_file == c.zone_file);
  CHECK(back->max_records == 5000);
  CHECK(back->algorithm == 8);
  CHECK(back->rsa_bits == 3072);
  CHECK(back->dnskey_ttl == 7200);
  CHECK(back->zsk_lifetime == c.zsk_lifetime);
  CHECK(back->slot_interval == c.slot_interval);
  CHECK(back->link == c.link);
  CHECK(back->warning == c.warning);
  CHECK(back->critical == c.critical);
  CHECK(back->nsec3);
  CHECK(back->nsec3_iterations == 5);
  CHECK(back->nsec3_salt == "abcd");
  CHECK_FALSE(back->nsec3_optout);
  CHECK(back->zonemd);
  CHECK(format_zone_config(*back) == format_zone_config(c));
}

TEST_CASE("zone_config: keys left out take defaults, durations are seconds or units", "[signer][zone_config]") {
  auto c = parse_zone_config("zone = \"example.org\"\n[keys]\nzsk_lifetime = 86400\nprepublish = \"2h\"\n"
                             "algorithm = \"ED25519\"\n",
                             "t.toml");
  REQUIRE(c);
  CHECK(c->zone.to_string() == "example.org.");
  CHECK(c->zsk_lifetime == 86400);
  CHECK(c->prepublish == 7200);
  CHECK(c->algorithm == 15);
  CHECK(c->slot_interval == ZoneConfig{}.slot_interval);
}

TEST_CASE("zone_config: malformed files and bad values are refused naming the key", "[signer][zone_config]") {
  auto check = [](const std::string& text, errc code, const std::string& where) {
    auto c = parse_zone_config(text, "t.toml");
    REQUIRE_FALSE(c);
    CHECK(c.error().code == code);
    CHECK(c.error().where.find(where) != std::string::npos);
  };
  check("zone = \"example.org.\"\nzone = \"x\"\n", errc::syntax, "t.toml:");
  check("zone = \n", errc::syntax, "t.toml:");
  check("zone_file = \"z\"\n", errc::bad_config, "zone");
  check("zone = \"example.org.\"\ncolour = 1\n", errc::bad_config, "colour");
  check("zone = \"example.org.\"\nmax_records = 0\n", errc::bad_config, "max_records");
  check("zone = \"example.org.\"\nmax_records = \"many\"\n", errc::bad_config, "max_records");
  check("zone = \"example.org.\"\n[keys]\nlifetime = 1\n", errc::bad_config, "keys.lifetime");
  check("zone = \"example.org.\"\n[keys]\nzsk_lifetime = \"soon\"\n", errc::bad_config, "keys.zsk_lifetime");
  check("zone = \"example.org.\"\n[keys]\nzsk_lifetime = -5\n", errc::bad_config, "keys.zsk_lifetime");
  check("zone = \"example.org.\"\n[keys]\nalgorithm = 5\n", errc::bad_config, "keys.algorithm");
  check("zone = \"example.org.\"\n[status]\nwarning = \"1d\"\ncritical = \"2d\"\n", errc::bad_config,
        "status.critical");
  check("zone = \"example.org.\"\n[keys]\nprepublish = \"40d\"\n", errc::bad_config, "keys.prepublish");
  check("zone = \"example.org.\"\n[link]\nauth = \"maybe\"\n", errc::bad_config, "link.auth");
  check("zone = \"example.org.\"\n[keys]\nprepublish = \"1h\"\n", errc::bad_config, "keys.prepublish");
  check("zone = \"example.org.\"\n[colours]\nx = 1\n", errc::bad_config, "colours");
  check("zone = \"example.org.\"\n[signing]\nnsec3 = \"yes\"\n", errc::bad_config, "signing.nsec3");
  check("zone = \"example.org.\"\n[signing]\nnsec3_iterations = 51\n", errc::bad_config, "signing.nsec3_iterations");
  check("zone = \"example.org.\"\n[signing]\nnsec3_salt = \"xyz\"\n", errc::bad_config, "signing.nsec3_salt");
}

TEST_CASE("zone_config: link.auth takes every policy word, another word names the accepted ones",
          "[signer][zone_config]") {
  for (const char* word : {"off", "optional", "required"}) {
    auto c = parse_zone_config(std::string("zone = \"example.org.\"\n[link]\nauth = \"") + word + "\"\n", "t.toml");
    REQUIRE(c);
    CHECK(c->link_auth == word);
  }
  // The zone side always knows whether it pins the KSK side: no "auto".
  auto c = parse_zone_config("zone = \"example.org.\"\n[link]\nauth = \"auto\"\n", "t.toml");
  REQUIRE_FALSE(c);
  CHECK(c.error().code == errc::bad_config);
  CHECK(c.error().where.find("link.auth") != std::string::npos);
  CHECK(c.error().detail == "'auto' is not an authentication policy: use off, optional or required");
}
