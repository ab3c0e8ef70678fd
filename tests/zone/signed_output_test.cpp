#include <catch2/catch.hpp>

#include <filesystem>
#include <random>
#include <thread>

#include <sys/stat.h>

#include "tests/support/files.hpp"
#include "tests/zone/dnssec_test_util.hpp"
#include "zone/rrsig.hpp"
#include "zone/signed_output.hpp"

using namespace kskline;
using namespace kskline::zone;
using kskline::test::name;

namespace {

// The line append_text writes for the same record.
std::string reference(const std::string& owner, std::uint32_t ttl, std::uint16_t type, const Bytes& rdata) {
  Record r;
  r.owner = name(owner);
  r.ttl = ttl;
  r.type = type;
  r.rdata = rdata;
  std::string out;
  append_text(r, out);
  return out;
}

std::string line(const std::string& owner, std::uint32_t ttl, std::uint16_t type, const Bytes& rdata) {
  std::string out = "prefix;";
  append_record_line(name(owner).to_string(), ttl, type, rdata, out);
  return out.substr(7);
}

}  // namespace

TEST_CASE("signed_output: record lines equal append_text's, RRSIGs included", "[zone][signed_output]") {
  std::mt19937_64 rng(7);
  const char* signers[] = {"example.org.", "EXAMPLE.org.", ".", "a-b_c.*.example.", "a\\.b.example.", "x\\@y.example.",
                           "sp\\032ace.example.", "\\255.example."};
  const std::uint32_t times[] = {0, 1, 86399, 86400, 951782400 /* 2000-02-29 */, 0x7fffffffu, 0x80000000u,
                                 4102444800u /* 2100-01-01 */, 0xffffffffu};
  for (int i = 0; i < 3000; ++i) {
    Rrsig r;
    r.type_covered = static_cast<std::uint16_t>(i % 7 == 0 ? rng() : rng() % 70);
    r.algorithm = static_cast<std::uint8_t>(rng());
    r.labels = static_cast<std::uint8_t>(rng());
    r.original_ttl = static_cast<std::uint32_t>(rng());
    r.expiration = i < 9 ? times[i] : static_cast<std::uint32_t>(rng());
    r.inception = static_cast<std::uint32_t>(rng());
    r.key_tag = static_cast<std::uint16_t>(rng());
    r.signer = name(signers[i % 8]);
    r.signature.resize(1 + rng() % 600);
    for (auto& b : r.signature) b = static_cast<std::uint8_t>(rng());
    Bytes rdata;
    append_rrsig_rdata(r, rdata);
    INFO(i);
    REQUIRE(line("www.example.org.", 3600, rrtype::RRSIG, rdata) == reference("www.example.org.", 3600, rrtype::RRSIG, rdata));
  }
  // Other types take the table's printer.
  for (auto [type, text] : std::vector<std::pair<std::uint16_t, std::string>>{
           {rrtype::A, "192.0.2.1"}, {rrtype::NSEC, "next.example.org. A NS RRSIG NSEC TYPE1234"},
           {rrtype::TXT, "\"a b\" \"c\\\"d\""}, {rrtype::DNSKEY, "256 3 13 AQID"}}) {
    Bytes rdata = test::rdata(type, text);
    CHECK(line("Mixed.Example.org.", 0, type, rdata) == reference("Mixed.Example.org.", 0, type, rdata));
  }
  // A malformed RRSIG (truncated signer) falls back to the generic form.
  Bytes broken{0, 1, 13, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 4, 7, 'e'};
  CHECK(line("a.example.", 1, rrtype::RRSIG, broken) == reference("a.example.", 1, rrtype::RRSIG, broken));
}

TEST_CASE("signed_output: a file appears only when committed", "[zone][signed_output]") {
  test::TempDir dir;
  const std::string path = dir.file("out.zone");
  {
    auto f = OutputFile::create(path);
    REQUIRE(f);
    REQUIRE(f->write("abc\n"));
    CHECK_FALSE(std::filesystem::exists(path));
  }  // not committed: the temporary is removed
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), std::filesystem::directory_iterator()) == 0);

  test::spit(path, "old\n");
  auto f = OutputFile::create(path);
  REQUIRE(f);
  REQUIRE(f->write("new "));
  REQUIRE(f->write("text\n"));
  CHECK(test::slurp(path) == "old\n");
  REQUIRE(f->commit());
  CHECK(test::slurp(path) == "new text\n");
  CHECK(test::file_mode(path) == 0644);
  CHECK_FALSE(f->write("more"));
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), std::filesystem::directory_iterator()) == 1);

  auto g = OutputFile::create(path);
  REQUIRE(g);
  CHECK(g->seekable());
  REQUIRE(g->write("0123456789\n"));
  CHECK_FALSE(g->overwrite_start("this is longer than what was written"));
  REQUIRE(g->overwrite_start("abc"));
  REQUIRE(g->write("tail\n"));
  REQUIRE(g->commit());
  CHECK(test::slurp(path) == "abc3456789\ntail\n");
  auto out = OutputFile::create("-");
  REQUIRE(out);
  CHECK_FALSE(out->seekable());
  CHECK_FALSE(out->overwrite_start(""));

  auto missing = OutputFile::create(dir.file("no/such/dir/out.zone"));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().where == dir.file("no/such/dir/out.zone"));
}

TEST_CASE("signed_output: a character device or FIFO is written through, never replaced", "[zone][signed_output]") {
  test::TempDir dir;
  const std::string fifo = dir.file("fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::string got;
  std::thread reader([&] { got = test::slurp(fifo); });
  {
    auto f = OutputFile::create(fifo);
    REQUIRE(f);
    CHECK_FALSE(f->seekable());
    REQUIRE(f->write("example.org.\t3600\tIN\tA\t192.0.2.1\n"));
    REQUIRE(f->commit());
  }
  reader.join();
  CHECK(got == "example.org.\t3600\tIN\tA\t192.0.2.1\n");
  CHECK(std::filesystem::is_fifo(fifo));

  const std::string node = dir.file("null");
  if (!test::make_null_device(node)) {
    WARN("mknod is not permitted here (not root); the character device case is checked in CI");
    return;
  }
  auto f = OutputFile::create(node);
  REQUIRE(f);
  REQUIRE(f->write("discarded\n"));
  REQUIRE(f->commit());
  CHECK(test::is_char_device(node));
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), std::filesystem::directory_iterator()) == 2);

  // A symlink to a regular file is refused by name, as every writer does.
  test::spit(dir.file("real.zone"), "old\n");
  std::filesystem::create_symlink(dir.file("real.zone"), dir.file("alias.zone"));
  auto aliased = OutputFile::create(dir.file("alias.zone"));
  REQUIRE_FALSE(aliased);
  CHECK(aliased.error().message().find("a symbolic link") != std::string::npos);
  CHECK(test::slurp(dir.file("real.zone")) == "old\n");
}
