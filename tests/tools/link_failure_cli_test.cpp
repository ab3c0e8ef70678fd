// Exit 3 when the link or the peer fails, in every command that uses a link
// (docs/exit-codes.md): no serial device, and a line with nobody at the other
// end. Refusals and usage errors keep their own codes.
#include <catch2/catch.hpp>

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "tests/tools/cli_process.hpp"
#include "tests/transport/transport_test_util.hpp"

using namespace kskline;
using kskline::test::Linesim;
using kskline::test::run;
using kskline::transport::testing::slurp;
using kskline::transport::testing::spit;
using kskline::transport::testing::TempDir;

namespace {

// A KSK state, a zone state pinned to it, a kskline request and a Knot KSR
// from that zone state, and a file to send.
struct Sides {
  TempDir dir;
  Sides() {
    auto init = run(dir, {"ksk", "init", "--zone", "example.com", "--dir", dir.file("ksk")});
    REQUIRE(init.status == 0);
    std::string anchor;
    const std::regex ds_line(".* IN DS .*\n");
    for (std::sregex_iterator it(init.out.begin(), init.out.end(), ds_line), end; it != end; ++it) {
      anchor += it->str();
    }
    REQUIRE(!anchor.empty());
    spit(dir.file("anchor.ds"), anchor);
    spit(dir.file("example.com.zone"),
         "$ORIGIN example.com.\n$TTL 3600\n@ SOA ns1 h 1 7200 3600 1209600 3600\n@ NS ns1\nns1 A 192.0.2.1\n");
    REQUIRE(run(dir, {"zone", "init", "--zone", "example.com", "--dir", dir.file("zone"), "--zone-file",
                      dir.file("example.com.zone"), "--trust-anchor", dir.file("anchor.ds"), "--peer",
                      dir.file("ksk/link.id.pub")})
                .status == 0);
    REQUIRE(run(dir, {"zone", "pregenerate", "--dir", dir.file("zone"), "--until", "+30d"}).status == 0);
    REQUIRE(run(dir, {"zone", "request", "--dir", dir.file("zone"), "--until", "+30d", "-o", dir.file("req.txt")})
                .status == 0);
    REQUIRE(run(dir, {"zone", "request", "--dir", dir.file("zone"), "--until", "+30d", "--format", "knot", "-o",
                      dir.file("k.ksr")})
                .status == 0);
    spit(dir.file("file"), "a file\n");
  }

  // Every command that uses a link, with everything but --link LINK.
  std::vector<std::vector<std::string>> commands() const {
    return {
        {"send", dir.file("file")},
        {"receive", "--output-dir", dir.file("in")},
        {"link-test"},
        {"zone", "submit", "--dir", dir.file("zone"), dir.file("req.txt")},
        {"zone", "relay", dir.file("k.ksr"), "-o", dir.file("k.skr"), "--trust-anchor", dir.file("anchor.ds")},
        {"ksk", "serve", "--dir", dir.file("ksk")},
    };
  }
};

std::string name_of(const std::vector<std::string>& cmd) {
  return cmd[0] == "zone" || cmd[0] == "ksk" ? cmd[0] + " " + cmd[1] : cmd[0];
}

}  // namespace

TEST_CASE("link failure: every command with a link exits 3 when the serial device is missing or no peer comes",
          "[tools][link_failure]") {
  Sides sides;
  Linesim line(sides.dir, "115200", {});
  std::set<std::string> covered;
  for (auto cmd : sides.commands()) {
    for (const std::string& link : {"serial:" + sides.dir.file("ttyUSB9"), "serial:" + line.a}) {
      auto args = cmd;
      args.insert(args.end(), {"--link", link, "--wait", "1", "--timeout", "1"});
      if (name_of(cmd) != "zone submit" && name_of(cmd) != "zone relay") args.resize(args.size() - 2);
      auto r = run(sides.dir, args, "failed");
      INFO(name_of(cmd) << " over " << link << "\n" << r.out << r.err);
      CHECK(r.status == 3);
      CHECK_THAT(r.err, Catch::Contains("kskline: "));
    }
    covered.insert(name_of(cmd));
  }
  CHECK_FALSE(std::filesystem::exists(sides.dir.file("k.skr")));
  // The table agrees: each of these has 3 in its link column, and these
  // are all the commands with a link that can be pointed at one (the demo's
  // link is inside the process).
  std::string doc = slurp(std::string(KSKLINE_SOURCE_DIR) + "/docs/exit-codes.md");
  std::regex row(R"(\n\| `kskline ([a-z -]+)` \|[^\n]*\| ([0-9-])[^|\n]* \|(?=\n))");
  std::set<std::string> with_link;
  for (std::sregex_iterator it(doc.begin(), doc.end(), row), end; it != end; ++it) {
    if ((*it)[2].str() == "3" && (*it)[1].str() != "demo" && (*it)[1].str() != "zone status") {
      with_link.insert((*it)[1].str());
    }
  }
  CHECK(with_link == covered);
}

TEST_CASE("link failure: a refusal on the link exits 1, not 3", "[tools][link_failure]") {
  Sides sides;
  REQUIRE(run(sides.dir, {"link-keygen", "-o", sides.dir.file("stranger")}).status == 0);
  REQUIRE(run(sides.dir, {"ksk", "pin", "--dir", sides.dir.file("ksk"), sides.dir.file("zone/link.id.pub")}).status == 0);
  Linesim line(sides.dir, "115200", {});
  // The zone side signs with a key the KSK side has not pinned: each side refuses the other's session.
  std::vector<std::string> ksk = {KSKLINE_BINARY, "ksk", "serve", "--dir", sides.dir.file("ksk"), "--link",
                                  "serial:" + line.b, "--wait", "10", "--count", "1", "--batch"};
  transport::testing::Process serve(ksk, sides.dir.file("serve.err"));
  auto sent = run(sides.dir, {"send", sides.dir.file("file"), "--link", "serial:" + line.a, "--identity",
                              sides.dir.file("stranger"), "--wait", "10"});
  INFO(sent.err);
  CHECK(sent.status == 1);
  CHECK_THAT(sent.err, Catch::Contains("the peer refused the session"));
  serve.signal(SIGTERM);
  serve.wait(5000);
}
