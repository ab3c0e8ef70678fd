// Tests of a kskline zone side whose KSK side is Knot's keymgr or BIND's
// dnssec-ksr: `zone request --format knot|bind` writes their KSR, the real
// program signs it, `zone import` checks the SKR against the pinned anchor
// and `zone publish` writes a zone dnssec-verify and kzonecheck accept.
// Refused SKRs exit 1 and change nothing.
#include <catch2/catch.hpp>

#include <ctime>
#include <filesystem>
#include <map>
#include <string>

#include "signer/fingerprint.hpp"
#include "signer/foreign_dialect.hpp"
#include "signer/key_request.hpp"
#include "tests/signer/test_ksk.hpp"
#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/knot_conf.hpp"
#include "tests/support/trixie.hpp"
#include "tests/support/trixie_peers.hpp"

using namespace kskline;
using kskline::test::shell_quote;
using kskline::test::slurp;
using kskline::test::spit;

namespace {

test::CommandResult cli(const std::string& args) { return test::kskline(args); }

// Every file of a directory but the lock, with its content.
std::map<std::string, std::string> snapshot(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.path().filename() == ".lock") continue;
    out[e.path().string()] = e.is_regular_file() ? slurp(e.path().string()) : "<dir>";
  }
  return out;
}

// A Knot KSK side for example.org. (keymgr, offline-ksk, an active KSK) in `dir`.
struct KnotKsk {
  std::string conf;

  explicit KnotKsk(const std::string& dir) : conf(dir + "/knot.conf") {
    std::filesystem::create_directories(dir + "/keys");
    spit(conf, test::knot_offline_conf(dir + "/keys", "example.org.", test::kKnotKskSide));
    auto made = keymgr("generate ksk=yes algorithm=13 publish=-1d ready=-1d active=-1d");
    INFO(made.err);
    REQUIRE(made.status == 0);
  }
  test::CommandResult keymgr(const std::string& args) const {
    return test::run("keymgr -c " + shell_quote(conf) + " example.org. " + args);
  }
};

// A kskline zone state for example.org. in `tmp`/state pinned to `anchor`
// (DS or DNSKEY lines), with ZSKs for 60 days.
struct ZoneSide {
  std::string state;
  std::string d;  // " --dir <state>"

  ZoneSide(const test::TempDir& tmp, const std::string& anchor) : state(tmp.file("state")), d(" --dir " + shell_quote(state)) {
    spit(tmp.file("anchor.db"), anchor);
    spit(tmp.file("zone.db"), test::small_zone());
    auto init = cli("zone init --zone example.org" + d + " --zone-file " + shell_quote(tmp.file("zone.db")) +
                    " --signed-file " + shell_quote(tmp.file("zone.signed")) + " --trust-anchor " +
                    shell_quote(tmp.file("anchor.db")));
    INFO(init.err);
    REQUIRE(init.status == 0);
    auto pre = cli("zone pregenerate" + d + " --until +60d");
    INFO(pre.err);
    REQUIRE(pre.status == 0);
  }

  // zone request --format `format` into `file` for `period` (options; default the next 20 days): the stored request's id.
  std::string request(const std::string& format, const std::string& file,
                      const std::string& period = " --until +20d") const {
    auto req = cli("zone request" + d + " --format " + format + period + " -o " + shell_quote(file));
    INFO(req.err);
    REQUIRE(req.status == 0);
    const auto at = req.out.find("KSR of request ");
    REQUIRE(at != std::string::npos);
    const auto id = req.out.substr(at + 15, 32);
    CHECK(slurp(state + "/requests/" + id + ".dialect") == format + "\n");
    const auto digest = signer::text_sha256(slurp(file));
    CHECK(req.out.find("sha256      " + signer::hex_groups(digest) + "\n") != std::string::npos);
    return id;
  }

  // zone import of `file`, refused with exit 1 naming `words`, the state as it was.
  void refused(const std::string& file, const std::string& words) const {
    const auto before = snapshot(state);
    auto r = cli("zone import" + d + " " + shell_quote(file));
    INFO(r.out << r.err);
    CHECK(r.status == 1);
    CHECK(r.err.find(words) != std::string::npos);
    CHECK(snapshot(state) == before);
  }

  // zone import of `file` from a spool's to-zone/ (moved to to-zone/done/)
  // and publish; dnssec-verify and kzonecheck accept the zone.
  void import_and_publish(const std::string& file, const std::string& id, const std::string& dialect_words,
                          const std::string& signed_file) const {
    const auto inbox = std::filesystem::path(file).parent_path() / "stick" / "to-zone";
    const auto name = std::filesystem::path(file).filename();
    std::filesystem::create_directories(inbox);
    std::filesystem::copy_file(file, inbox / name);
    auto imported = cli("zone import" + d + " " + shell_quote((inbox / name).string()));
    INFO(imported.out << imported.err);
    REQUIRE(imported.status == 0);
    CHECK(imported.out.find(dialect_words + " SKR answering request " + id + " imported: ") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(inbox / name));
    CHECK(slurp((inbox / "done" / name).string()) == slurp(file));
    auto again = cli("zone import" + d + " " + shell_quote(file));
    INFO(again.out << again.err);
    CHECK(again.status == 0);
    CHECK(again.out.find("skipped: already imported") != std::string::npos);
    auto published = cli("zone publish" + d);
    INFO(published.err);
    REQUIRE(published.status == 0);
    auto status = cli("zone status" + d);
    INFO(status.out);
    CHECK(status.status == 0);
    for (const auto& command : {"dnssec-verify -q -o example.org. " + shell_quote(signed_file),
                                "kzonecheck -d on -o example.org. " + shell_quote(signed_file)}) {
      auto r = test::run(command + " 2>&1");
      INFO(command << "\n" << r.out << slurp(signed_file));
      CHECK(r.status == 0);
    }
  }
};

}  // namespace

TEST_CASE("zone_foreign_cli: a Knot KSR from zone request, signed by keymgr sign-ksr, imports and publishes a valid zone",
          "[tools][zone_foreign_cli][knot]") {
  if (!test::have_tool("keymgr")) {
    WARN("keymgr not installed: skipped");
    return;
  }
  test::TempDir tmp{"kskline-zone-knot"};
  KnotKsk knot(tmp.file("ksk"));
  auto ds = knot.keymgr("ds");
  INFO(ds.err);
  REQUIRE(ds.status == 0);
  ZoneSide zone(tmp, ds.out);
  // Two requests for the same period: the SKR answers both, and the newer one wins.
  const auto now = std::time(nullptr);
  const auto period = " --from " + std::to_string(now) + " --until " + std::to_string(now + 20 * 86400);
  const auto older = zone.request("knot", tmp.file("older.ksr"), period);
  const auto id = zone.request("knot", tmp.file("req.ksr"), period + " --now +1m");
  REQUIRE(older != id);
  auto ksr = signer::parse_foreign(slurp(tmp.file("req.ksr")), "req.ksr", signer::ForeignKind::request);
  REQUIRE(ksr);
  CHECK(ksr->dialect == signer::Dialect::knot);

  auto skr = knot.keymgr("sign-ksr " + shell_quote(tmp.file("req.ksr")));
  INFO(skr.err);
  REQUIRE(skr.status == 0);
  spit(tmp.file("knot.skr"), skr.out);

  // Signed by a KSK that is not the anchor.
  KnotKsk other(tmp.file("other"));
  auto forged = other.keymgr("sign-ksr " + shell_quote(tmp.file("req.ksr")));
  REQUIRE(forged.status == 0);
  spit(tmp.file("other.skr"), forged.out);
  zone.refused(tmp.file("other.skr"), "kskline: untrusted_key: ");
  // For ZSKs this state never asked for: keymgr's own ZSK side's KSR, signed by the anchored KSK.
  std::filesystem::create_directories(tmp.file("zsk/keys"));
  spit(tmp.file("zsk/knot.conf"), slurp(knot.conf).replace(slurp(knot.conf).find(tmp.file("ksk/keys")),
                                                            tmp.file("ksk/keys").size(), tmp.file("zsk/keys")));
  auto zsk_side = [&](const std::string& args) {
    return test::run("keymgr -c " + shell_quote(tmp.file("zsk/knot.conf")) + " example.org. " + args);
  };
  REQUIRE(zsk_side("generate zsk=yes algorithm=13").status == 0);
  auto their_ksr = zsk_side("generate-ksr +0 +20d");
  REQUIRE(their_ksr.status == 0);
  spit(tmp.file("their.ksr"), their_ksr.out);
  auto theirs = knot.keymgr("sign-ksr " + shell_quote(tmp.file("their.ksr")));
  REQUIRE(theirs.status == 0);
  spit(tmp.file("their.skr"), theirs.out);
  zone.refused(tmp.file("their.skr"), "answers no request of this state: none has its bundle times and ZSKs");
  // Truncated: Knot's footer ends the last slot.
  spit(tmp.file("short.skr"), skr.out.substr(0, skr.out.size() / 2));
  zone.refused(tmp.file("short.skr"), "short.skr:");

  zone.import_and_publish(tmp.file("knot.skr"), id, "Knot", tmp.file("zone.signed"));
}

TEST_CASE("zone_foreign_cli: a BIND KSR from zone request, signed by dnssec-ksr 9.20, imports and publishes a valid zone",
          "[tools][zone_foreign_cli][trixie]") {
  test::require_trixie();
  test::TempDir tmp{"kskline-zone-bind"};
  test::TrixieDir bind;
  spit(bind.outside("policy.conf"), test::kBindPolicy);
  auto ksk_side = [&](const std::string& dir) {
    std::filesystem::create_directories(bind.outside(dir));
    auto made = bind.run("dnssec-keygen -q -K " + dir + " -f KSK -a ECDSAP256SHA256 -L 3600 example.org");
    INFO(made.err);
    REQUIRE(made.status == 0);
  };
  auto sign = [&](const std::string& dir, const std::string& ksr) {
    auto skr = bind.run("dnssec-ksr -k offline -l policy.conf -K " + dir + " -f " + ksr + " -i -1h -e +30d sign example.org");
    INFO(skr.err);
    REQUIRE(skr.status == 0);
    return skr.out;
  };
  ksk_side("ksk");
  auto ds = bind.run("dnssec-dsfromkey -a SHA-256 ksk/*.key");
  INFO(ds.err);
  REQUIRE(ds.status == 0);
  ZoneSide zone(tmp, ds.out);
  const auto id = zone.request("bind", tmp.file("req.ksr"));
  std::filesystem::copy_file(tmp.file("req.ksr"), bind.outside("req.ksr"));
  spit(tmp.file("bind.skr"), sign("ksk", "req.ksr"));
  auto skr = signer::parse_foreign(slurp(tmp.file("bind.skr")), "bind.skr", signer::ForeignKind::response);
  if (!skr) FAIL(skr.error().message());
  CHECK(skr->dialect == signer::Dialect::bind);

  // Signed by a KSK that is not the anchor.
  ksk_side("other");
  spit(tmp.file("other.skr"), sign("other", "req.ksr"));
  zone.refused(tmp.file("other.skr"), "kskline: untrusted_key: ");
  // For ZSKs this state never asked for: dnssec-ksr's own ZSK side, signed by the anchored KSK.
  std::filesystem::create_directories(bind.outside("zsk"));
  REQUIRE(bind.run("dnssec-ksr -k offline -l policy.conf -K zsk -i now -e +20d keygen example.org").status == 0);
  auto theirs = bind.run("dnssec-ksr -k offline -l policy.conf -K zsk -i now -e +20d request example.org");
  REQUIRE(theirs.status == 0);
  spit(bind.outside("their.ksr"), theirs.out);
  spit(tmp.file("their.skr"), sign("ksk", "their.ksr"));
  zone.refused(tmp.file("their.skr"), "answers no request of this state: none has its bundle times and ZSKs");
  // Truncated inside a record.
  const auto text = slurp(tmp.file("bind.skr"));
  spit(tmp.file("short.skr"), text.substr(0, text.find(" IN RRSIG ", text.size() / 2) + 10));
  zone.refused(tmp.file("short.skr"), "short.skr:");

  zone.import_and_publish(tmp.file("bind.skr"), id, "BIND", tmp.file("zone.signed"));
}
