// `kskline demo`, the README's main job: the whole ceremony runs, prints its
// steps, and leaves (with --workdir) a signed zone the oracles accept.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using kskline::test::TempDir;
using kskline::test::shell_quote;
using kskline::test::spit;

TEST_CASE("demo: the whole ceremony runs and its signed zone passes every validator", "[tools][demo]") {
  TempDir tmp;
  const std::string work = tmp.file("work");
  auto demo = kskline::test::kskline("demo --workdir " + shell_quote(work));
  INFO(demo.out << demo.err);
  REQUIRE(demo.status == 0);
  for (const char* step : {"1. [KSK] ksk init", "2. [zone] zone init", "3. [zone] zone pregenerate",
                           "4. [zone] zone request", "5. [link] zone submit", "type yes: yes", "6. [zone] zone import",
                           "7. [zone] zone publish", "8. [zone] zone verify", "9. [zone] zone status",
                           "The ceremony is complete"}) {
    CHECK_THAT(demo.out, Catch::Contains(step));
  }
  CHECK(std::filesystem::is_directory(work + "/ksk/ledger"));
  CHECK(std::filesystem::is_directory(work + "/zone/responses"));
  const std::string zone = shell_quote(work + "/example.com.signed");
  for (const std::string& command : {"dnssec-verify -q -o example.com " + zone, "ldns-verify-zone " + zone,
                                    "kzonecheck -d on -o example.com. " + zone}) {
    auto r = kskline::test::run(command + " 2>&1");
    INFO(command << ": " << r.out);
    CHECK(r.status == 0);
  }
  // The state directories it leaves are real: the audit chain verifies and
  // the zone side's status is OK.
  CHECK(kskline::test::kskline("ksk audit verify --dir " + shell_quote(work + "/ksk")).status == 0);
  CHECK(kskline::test::kskline("zone status --dir " + shell_quote(work + "/zone")).status == 0);
}

TEST_CASE("demo: a --workdir that is not empty is refused and left alone", "[tools][demo]") {
  TempDir tmp;
  spit(tmp.file("keep.txt"), "operator data\n");
  auto demo = kskline::test::kskline("demo --workdir " + shell_quote(tmp.path()));
  CHECK(demo.status == 1);
  CHECK_THAT(demo.err, Catch::Contains("not empty"));
  CHECK(kskline::test::slurp(tmp.file("keep.txt")) == "operator data\n");
}
