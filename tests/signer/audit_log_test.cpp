// The hash-chained audit log: appending, verifying, and finding every kind
// of tampering with the line it happened on.
#include <catch2/catch.hpp>

#include <sstream>
#include <vector>

#include "signer/audit_log.hpp"
#include "signer/errc.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"

using namespace kskline;

namespace {

const std::string kReq(64, 'a');
const std::string kResp(64, 'b');

// A log of `n` entries in `path`.
void write_log(const std::string& path, int n) {
  for (int i = 0; i < n; ++i) {
    auto e = signer::append_audit_entry(path, 1796083200 + i, kReq, i % 2 ? "refused" : "signed",
                                        i % 2 ? "clock_skew: too far" : "2 slots signed", i % 2 ? "-" : kResp);
    REQUIRE(e);
    CHECK(e->sequence == static_cast<std::uint64_t>(i + 1));
  }
}

std::vector<std::string> lines(const std::string& path) {
  std::istringstream in(test::slurp(path));
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

void write_lines(const std::string& path, const std::vector<std::string>& ls) {
  std::string text;
  for (const auto& l : ls) text += l + "\n";
  test::spit(path, text);
}

// Verifies a log that must be broken and returns where.
std::string broken_at(const std::string& path) {
  auto r = signer::verify_audit_log(path);
  REQUIRE_FALSE(r);
  INFO(r.error().message());
  CHECK(r.error().code == signer::make_error_code(signer::errc::audit_chain_broken));
  return r.error().where;
}

}  // namespace

TEST_CASE("audit_log: entries chain and verify", "[signer][audit_log]") {
  test::TempDir dir;
  std::string path = dir.file("audit.log");
  CHECK(signer::verify_audit_log(path) == std::size_t{0});  // none yet
  write_log(path, 4);
  CHECK(test::file_mode(path) == 0600);
  CHECK(signer::verify_audit_log(path) == std::size_t{4});
  auto ls = lines(path);
  REQUIRE(ls.size() == 4);
  auto first = signer::parse_audit_line(ls[0]);
  auto second = signer::parse_audit_line(ls[1]);
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first->previous == signer::kAuditGenesis);
  CHECK(second->previous == first->hash);
  CHECK(first->decision == "signed");
  CHECK(first->response_sha256 == kResp);
  CHECK(second->response_sha256 == "-");
  CHECK(second->reason == "clock_skew: too far");
  CHECK(first->time == 1796083200);
}

TEST_CASE("audit_log: tabs, newlines and length of a reason cannot forge fields or lines or block the log", "[signer][audit_log]") {
  test::TempDir dir;
  std::string path = dir.file("audit.log");
  auto e = signer::append_audit_entry(path, 1796083200, kReq, "refused", "bad\tthing\nsigned", "-");
  REQUIRE(e);
  CHECK(e->reason == "bad thing signed");
  auto long_reason = signer::append_audit_entry(path, 1796083200, kReq, "refused", std::string(100000, 'x'), "-");
  REQUIRE(long_reason);
  CHECK(long_reason->reason.size() == 2000);
  REQUIRE(signer::append_audit_entry(path, 1796083200, kReq, "refused", "after", "-"));
  CHECK(signer::verify_audit_log(path) == std::size_t{3});
}

TEST_CASE("audit_log: an edited line is found", "[signer][audit_log]") {
  test::TempDir dir;
  std::string path = dir.file("audit.log");
  write_log(path, 4);
  auto ls = lines(path);
  auto at = ls[2].find("refused");
  REQUIRE(at == std::string::npos);  // line 3 is "signed"
  ls[2].replace(ls[2].find("signed"), 6, "signed");
  at = ls[2].find("2 slots");
  ls[2].replace(at, 1, "9");
  write_lines(path, ls);
  CHECK(broken_at(path) == path + ":3");
}

TEST_CASE("audit_log: an edited line with its hash recomputed breaks the next link", "[signer][audit_log]") {
  test::TempDir dir;
  std::string path = dir.file("audit.log");
  write_log(path, 3);
  test::TempDir other;
  // Build the forged line 2 by appending an entry with another reason to a copy of line 1.
  auto ls = lines(path);
  write_lines(other.file("a.log"), {ls[0]});
  auto forged = signer::append_audit_entry(other.file("a.log"), 1796083201, kReq, "signed", "forged", kResp);
  REQUIRE(forged);
  ls[1] = lines(other.file("a.log"))[1];
  write_lines(path, ls);
  CHECK(broken_at(path) == path + ":3");
}

TEST_CASE("audit_log: a removed, reordered or inserted line is found", "[signer][audit_log]") {
  test::TempDir dir;
  std::string path = dir.file("audit.log");
  write_log(path, 4);
  auto ls = lines(path);
  SECTION("removed") {
    write_lines(path, {ls[0], ls[2], ls[3]});
    CHECK(broken_at(path) == path + ":2");
  }
  SECTION("the first removed") {
    write_lines(path, {ls[1], ls[2], ls[3]});
    CHECK(broken_at(path) == path + ":1");
  }
  SECTION("reordered") {
    write_lines(path, {ls[0], ls[2], ls[1], ls[3]});
    CHECK(broken_at(path) == path + ":2");
  }
  SECTION("duplicated") {
    write_lines(path, {ls[0], ls[1], ls[1], ls[2], ls[3]});
    CHECK(broken_at(path) == path + ":3");
  }
  SECTION("an incomplete last line") {
    std::string text = test::slurp(path);
    test::spit(path, text.substr(0, text.size() - 10));
    CHECK(broken_at(path) == path + ":4");
  }
}

TEST_CASE("audit_log: appending after a damaged last line is refused", "[signer][audit_log]") {
  test::TempDir dir;
  std::string path = dir.file("audit.log");
  write_log(path, 2);
  std::string text = test::slurp(path);
  text[text.size() - 3] = text[text.size() - 3] == '0' ? '1' : '0';
  test::spit(path, text);
  auto e = signer::append_audit_entry(path, 1796083300, kReq, "signed", "x", kResp);
  REQUIRE_FALSE(e);
  CHECK(e.error().code == signer::make_error_code(signer::errc::audit_chain_broken));
}
