#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "base/digest.hpp"
#include "proto/envelope.hpp"
#include "proto/errc.hpp"
#include "transport/disk_replay_ledger.hpp"
#include "transport/errc.hpp"
#include "transport/exchange.hpp"
#include "transport/file_transfer.hpp"
#include "transport/sodium_random.hpp"
#include "transport/spool.hpp"
#include "transport_test_util.hpp"

using namespace kskline;
using namespace kskline::transport;
using testing::TempDir;

namespace {

struct Fixture {
  TempDir dir;
  SodiumRandom random;
  proto::LinkIdentity zone_id = proto::LinkIdentity::generate(random);
  proto::LinkIdentity ksk_id = proto::LinkIdentity::generate(random);
  proto::LinkIdentity stranger = proto::LinkIdentity::generate(random);
  Spool zone = Spool::open(dir.path(), Side::zone).value();
  Spool ksk = Spool::open(dir.path(), Side::ksk).value();
  std::unique_ptr<DiskReplayLedger> ledger = DiskReplayLedger::open(dir.file("ksk-state")).value();
  proto::PinnedKeys pinned{{zone_id.public_key()}};
  std::uint64_t counter = 1000;

  Bytes envelope(const std::string& text, const proto::LinkIdentity* signer, std::uint64_t c = 0) {
    proto::EnvelopeSpec spec;
    spec.kind = proto::Kind::request;
    spec.payload_type = proto::PayloadType::text;
    random.fill(spec.id);
    spec.counter = c != 0 ? c : ++counter;
    return proto::build_envelope(spec, as_bytes(text), signer).value();
  }

  SpoolScan scan(proto::AuthPolicy policy, std::vector<Bytes>* acted = nullptr) {
    SpoolRules rules;
    rules.policy = policy;
    rules.pinned = &pinned;
    auto act = [&](const proto::Envelope&, ByteView bytes) -> Result<void> {
      if (acted) acted->emplace_back(bytes.begin(), bytes.end());
      return {};
    };
    auto r = ksk.receive(rules, *ledger, act);
    REQUIRE(r);
    return std::move(*r);
  }

  std::string inbound(const std::string& sub = "") const { return dir.path() + "/to-ksk" + sub; }
};

std::string reason_of(const SpoolRejected& r) { return testing::slurp(r.file + ".reason"); }

std::string text(const Bytes& b) { return std::string(b.begin(), b.end()); }

// Whether `s` holds a byte a terminal could take as a control (all but the
// final newline of a line counted).
bool has_control(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u >= 0x7f;
  });
}

// The peak resident size of this process, in KiB.
long peak_kib() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

// A tmpfs of `size` mounted on a new folder for the life of the object;
// `mounted` is false where this process may not mount (not root).
struct TinyFs {
  std::string path;
  bool mounted = false;
  TinyFs(std::string p, const std::string& size) : path(std::move(p)) {
    std::filesystem::create_directory(path);
    mounted = ::mount("tmpfs", path.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
  }
  ~TinyFs() {
    if (mounted) ::umount2(path.c_str(), MNT_DETACH);
  }
  TinyFs(const TinyFs&) = delete;
  TinyFs& operator=(const TinyFs&) = delete;

  // Writes FILE until the file system is full; true when it ended in ENOSPC.
  bool fill(const std::string& file) const {
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    std::string block(4096, 'F');
    int err = 0;
    for (;;) {
      if (::write(fd, block.data(), block.size()) < 0) {
        err = errno;
        break;
      }
    }
    ::close(fd);
    return err == ENOSPC;
  }
};

}  // namespace

TEST_CASE("spool: each side writes its outbound folder, a posted envelope is verified and moved to done/", "[transport][spool]") {
  Fixture f;
  CHECK(f.zone.outbound() == f.dir.path() + "/to-ksk");
  CHECK(f.ksk.outbound() == f.dir.path() + "/to-zone");
  for (const char* sub : {"/to-ksk/done", "/to-ksk/rejected", "/to-zone/done", "/to-zone/rejected"}) {
    CHECK(std::filesystem::is_directory(f.dir.path() + sub));
  }
  Bytes env = f.envelope("hello", &f.zone_id);
  auto path = f.zone.post(env);
  REQUIRE(path);
  CHECK(testing::slurp(*path) == std::string(env.begin(), env.end()));
  CHECK(std::filesystem::path(*path).filename().string().rfind("0000000000000000100", 0) == 0);
  std::vector<Bytes> acted;
  auto scan = f.scan(proto::AuthPolicy::required, &acted);
  REQUIRE(scan.accepted.size() == 1);
  CHECK(scan.rejected.empty());
  CHECK(acted.at(0) == env);
  CHECK(scan.accepted[0].auth == proto::AuthStatus::authenticated);
  CHECK(scan.accepted[0].file.find("/to-ksk/done/") != std::string::npos);
  CHECK(std::filesystem::exists(scan.accepted[0].file));
  CHECK_FALSE(std::filesystem::exists(*path));
  // A second pass finds nothing new.
  CHECK(f.scan(proto::AuthPolicy::required).accepted.empty());
}

TEST_CASE("spool: truncated, bit-flipped, padded and foreign files are rejected with a reason", "[transport][spool]") {
  Fixture f;
  Bytes env = f.envelope("payload to damage", nullptr);
  std::string s(env.begin(), env.end());
  testing::spit(f.inbound("/1-truncated.kske"), s.substr(0, s.size() - 10));
  testing::spit(f.inbound("/2-header-only.kske"), s.substr(0, 50));
  std::string flipped = s;
  flipped[75] ^= 0x04;
  testing::spit(f.inbound("/3-flipped.kske"), flipped);
  testing::spit(f.inbound("/4-padded.kske"), s + "x");
  testing::spit(f.inbound("/5-not-an-envelope.txt"), "hello, world, this is not an envelope at all, but long enough to read a header from it");
  std::string big = s;
  big[64] = 0x7f;  // payload length near 2^63: refused from the header alone
  testing::spit(f.inbound("/6-huge.kske"), big);
  std::vector<Bytes> acted;
  auto scan = f.scan(proto::AuthPolicy::off, &acted);
  CHECK(scan.accepted.empty());
  CHECK(acted.empty());
  REQUIRE(scan.rejected.size() == 6);
  CHECK_THAT(reason_of(scan.rejected[0]), Catch::Contains("truncated, padded or half-written"));
  CHECK(scan.rejected[1].error.code == proto::errc::malformed);
  CHECK(scan.rejected[2].error.code == proto::errc::digest_mismatch);
  CHECK_THAT(reason_of(scan.rejected[3]), Catch::Contains("announces"));
  CHECK(scan.rejected[4].error.code == proto::errc::bad_magic);
  CHECK(scan.rejected[5].error.code == proto::errc::too_large);
  for (const auto& r : scan.rejected) {
    CHECK(r.file.find("/to-ksk/rejected/") != std::string::npos);
    CHECK(std::filesystem::exists(r.file));
    CHECK_THAT(reason_of(r), Catch::StartsWith("kskline: rejected "));
  }
  CHECK(testing::list_dir(f.inbound()) == std::vector<std::string>{"done", "rejected"});
}

TEST_CASE("spool: temporary (half-written) files are left alone until renamed", "[transport][spool]") {
  Fixture f;
  Bytes env = f.envelope("in progress", nullptr);
  std::string s(env.begin(), env.end());
  std::string tmp = f.inbound("/.00000000000000001001-abc.kske.tmp.123.feedface");
  testing::spit(tmp, s.substr(0, 40));
  auto scan = f.scan(proto::AuthPolicy::off);
  CHECK(scan.accepted.empty());
  CHECK(scan.rejected.empty());
  CHECK(std::filesystem::exists(tmp));
  testing::spit(tmp, s);
  std::filesystem::rename(tmp, f.inbound("/00000000000000001001-abc.kske"));
  CHECK(f.scan(proto::AuthPolicy::off).accepted.size() == 1);
}

TEST_CASE("spool: a replayed file is refused, even under another name", "[transport][spool]") {
  Fixture f;
  Bytes env = f.envelope("once only", &f.zone_id);
  REQUIRE(f.zone.post(env));
  REQUIRE(f.scan(proto::AuthPolicy::required).accepted.size() == 1);
  testing::spit(f.inbound("/again.kske"), std::string(env.begin(), env.end()));
  auto scan = f.scan(proto::AuthPolicy::required);
  CHECK(scan.accepted.empty());
  REQUIRE(scan.rejected.size() == 1);
  CHECK(scan.rejected[0].error.code == proto::errc::replayed);
  // An old message (counter far below the newest accepted) is refused too.
  Bytes newer = f.envelope("newer", &f.zone_id, 100000);
  REQUIRE(f.zone.post(newer));
  REQUIRE(f.scan(proto::AuthPolicy::required).accepted.size() == 1);
  Bytes stale = f.envelope("stale", &f.zone_id, 2000);
  REQUIRE(f.zone.post(stale));
  auto old = f.scan(proto::AuthPolicy::required);
  REQUIRE(old.rejected.size() == 1);
  CHECK(old.rejected[0].error.code == proto::errc::replayed);
  CHECK_THAT(old.rejected[0].error.message(), Catch::Contains("too far below"));
}

TEST_CASE("spool: forged, unsigned and downgraded files are refused by policy", "[transport][spool]") {
  Fixture f;
  // Signed by a key nobody pinned.
  REQUIRE(f.zone.post(f.envelope("from a stranger", &f.stranger)));
  auto unknown = f.scan(proto::AuthPolicy::required);
  REQUIRE(unknown.rejected.size() == 1);
  CHECK(unknown.rejected[0].error.code == proto::errc::auth_unknown_key);
  // A pinned signer's envelope with its payload altered and the digest recomputed:
  // the signature no longer verifies.
  Bytes env = f.envelope("transfer 10 keys", &f.zone_id);
  env[72] ^= 1;
  auto digest = base::digest(base::DigestAlgorithm::sha256, ByteView(env).first(env.size() - 32));
  std::copy(digest.begin(), digest.end(), env.end() - 32);
  testing::spit(f.inbound("/forged.kske"), std::string(env.begin(), env.end()));
  auto forged = f.scan(proto::AuthPolicy::optional);
  REQUIRE(forged.rejected.size() == 1);
  CHECK(forged.rejected[0].error.code == proto::errc::auth_bad_signature);
  // Unsigned under required.
  REQUIRE(f.zone.post(f.envelope("unsigned", nullptr)));
  auto unsigned_ = f.scan(proto::AuthPolicy::required);
  REQUIRE(unsigned_.rejected.size() == 1);
  CHECK(unsigned_.rejected[0].error.code == proto::errc::auth_unsigned);
  // Under optional, unsigned is accepted until the pinned key has signed once;
  // after that it is a downgrade.
  REQUIRE(f.zone.post(f.envelope("unsigned but fine", nullptr)));
  CHECK(f.scan(proto::AuthPolicy::optional).accepted.size() == 1);
  REQUIRE(f.zone.post(f.envelope("signed", &f.zone_id)));
  CHECK(f.scan(proto::AuthPolicy::optional).accepted.size() == 1);
  REQUIRE(f.zone.post(f.envelope("unsigned again", nullptr)));
  auto downgrade = f.scan(proto::AuthPolicy::optional);
  REQUIRE(downgrade.rejected.size() == 1);
  CHECK(downgrade.rejected[0].error.code == proto::errc::auth_downgrade);
}

TEST_CASE("spool: symlinks and special files are not followed but rejected", "[transport][spool]") {
  Fixture f;
  Bytes env = f.envelope("behind a link", nullptr);
  std::string target = f.dir.file("outside.kske");
  testing::spit(target, std::string(env.begin(), env.end()));
  std::filesystem::create_symlink(target, f.inbound("/link.kske"));
  std::filesystem::create_symlink("/etc/passwd", f.inbound("/passwd.kske"));
  REQUIRE(::mkfifo(f.inbound("/fifo.kske").c_str(), 0600) == 0);
  std::filesystem::create_directory(f.inbound("/subdir"));
  std::vector<Bytes> acted;
  auto scan = f.scan(proto::AuthPolicy::off, &acted);
  CHECK(acted.empty());
  CHECK(scan.accepted.empty());
  REQUIRE(scan.rejected.size() == 4);
  for (const auto& r : scan.rejected) CHECK(r.error.code == errc::not_a_file);
  CHECK_THAT(reason_of(scan.rejected[1]), Catch::Contains("symbolic link"));
  // The links themselves moved, their targets untouched.
  CHECK(std::filesystem::is_symlink(f.inbound("/rejected/link.kske")));
  CHECK(testing::slurp(target) == std::string(env.begin(), env.end()));
  CHECK(std::filesystem::exists("/etc/passwd"));
}

TEST_CASE("spool: nothing in done/ or rejected/ is ever overwritten", "[transport][spool]") {
  Fixture f;
  testing::spit(f.inbound("/done/x.kske"), "earlier");
  testing::spit(f.inbound("/rejected/y.kske"), "earlier");
  testing::spit(f.inbound("/rejected/y.kske.reason"), "earlier");
  Bytes env = f.envelope("new", nullptr);
  testing::spit(f.inbound("/x.kske"), std::string(env.begin(), env.end()));
  testing::spit(f.inbound("/y.kske"), "garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage");
  auto scan = f.scan(proto::AuthPolicy::off);
  REQUIRE(scan.accepted.size() == 1);
  REQUIRE(scan.rejected.size() == 1);
  CHECK(scan.accepted[0].file == f.inbound("/done/x.kske.1"));
  CHECK(scan.rejected[0].file == f.inbound("/rejected/y.kske.1"));
  CHECK(testing::slurp(f.inbound("/done/x.kske")) == "earlier");
  CHECK(testing::slurp(f.inbound("/rejected/y.kske")) == "earlier");
  CHECK(testing::slurp(f.inbound("/rejected/y.kske.reason")) == "earlier");
  CHECK(std::filesystem::exists(f.inbound("/rejected/y.kske.1.reason")));
}

TEST_CASE("spool: a failed action leaves the file for the next pass and records nothing", "[transport][spool]") {
  Fixture f;
  Bytes env = f.envelope("retry me", &f.zone_id);
  auto path = f.zone.post(env);
  REQUIRE(path);
  SpoolRules rules;
  rules.policy = proto::AuthPolicy::required;
  rules.pinned = &f.pinned;
  auto failing = [](const proto::Envelope&, ByteView) -> Result<void> {
    return fail(errc::io_error, "disk full");
  };
  auto r = f.ksk.receive(rules, *f.ledger, failing);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message(), Catch::Contains("disk full"));
  CHECK(std::filesystem::exists(*path));
  CHECK(f.scan(proto::AuthPolicy::required).accepted.size() == 1);
}

TEST_CASE("spool: send and receive files through the spool", "[transport][spool]") {
  Fixture f;
  testing::spit(f.dir.file("request.ksr"), "example.com. IN DNSKEY 256 3 13 abc\n");
  testing::spit(f.dir.file("blob.bin"), testing::random_text(5000, 3));
  TransferOptions send;
  send.link = SpoolLink{f.dir.path()};
  send.side = Side::zone;
  send.identity = &f.zone_id;
  send.handle_signals = false;
  auto sent = send_files(send, {f.dir.file("request.ksr"), f.dir.file("blob.bin")});
  REQUIRE(sent);
  CHECK(sent->files_ok == 2);
  CHECK(sent->ok());
  TransferOptions receive = send;
  receive.side = Side::ksk;
  receive.identity = nullptr;
  receive.pinned = f.pinned;
  receive.auth = proto::AuthPolicy::required;
  auto got = receive_files(receive, f.dir.file("out"), 2);
  REQUIRE(got);
  CHECK(got->ok());
  CHECK(got->files_ok == 2);
  CHECK(testing::slurp(f.dir.file("out/request.ksr")) == testing::slurp(f.dir.file("request.ksr")));
  CHECK(testing::slurp(f.dir.file("out/blob.bin")) == testing::slurp(f.dir.file("blob.bin")));
  // Waiting for a file that never comes ends in a clear error.
  receive.wait = proto::Duration(300'000);
  auto none = receive_files(receive, f.dir.file("out"), 1);
  REQUIRE(none);
  CHECK_FALSE(none->ok());
  CHECK(none->errors.at(0).code == errc::timed_out);
}

TEST_CASE("spool: SIGTERM ends a receive that waits for files, as it ends live jobs", "[transport][spool]") {
  Fixture f;
  // The test's own listener keeps the process alive should the signal come
  // before the receiver listens.
  boost::asio::io_context test_io;
  boost::asio::signal_set guard(test_io, SIGTERM);
  TransferOptions receive;
  receive.link = SpoolLink{f.dir.path()};
  receive.side = Side::ksk;
  receive.wait.reset();  // forever: only the signal ends it
  std::thread killer([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    ::kill(::getpid(), SIGTERM);
  });
  auto start = std::chrono::steady_clock::now();
  auto got = receive_files(receive, f.dir.file("out"), 1);
  killer.join();
  REQUIRE(got);
  CHECK(got->files_ok == 0);
  REQUIRE(got->errors.size() == 1);
  CHECK(got->errors[0].code == errc::interrupted);
  CHECK(stop_requested());
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("spool: a signal between two jobs is kept and ends the next one at its start", "[transport][spool]") {
  Fixture f;
  TransferOptions receive;
  receive.link = SpoolLink{f.dir.path()};
  receive.side = Side::ksk;
  receive.wait = proto::Duration(100'000);  // the first job ends by itself, with nothing received
  auto first = receive_files(receive, f.dir.file("out"), 1);
  REQUIRE(first);
  CHECK(first->files_ok == 0);
  // No job runs now (as in ksk serve between two sessions): the signal
  // neither kills the process nor goes missing.
  REQUIRE(::raise(SIGTERM) == 0);
  CHECK(stop_requested());
  receive.wait.reset();  // forever: only the kept signal can end it
  auto start = std::chrono::steady_clock::now();
  auto second = receive_files(receive, f.dir.file("out"), 1);
  REQUIRE(second);
  REQUIRE(second->errors.size() == 1);
  CHECK(second->errors[0].code == errc::interrupted);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("spool: the reply already posted to a request is found, in the outbound folder or its done/", "[transport][spool]") {
  Fixture f;
  Bytes request = f.envelope("request", &f.zone_id);
  auto request_digest = proto::trailing_digest(request);
  REQUIRE(request_digest);
  CHECK_FALSE(f.ksk.posted_reply(*request_digest));

  proto::EnvelopeSpec spec;
  spec.kind = proto::Kind::response;
  spec.payload_type = proto::PayloadType::text;
  f.random.fill(spec.id);
  spec.counter = 7;
  spec.in_reply_to = *request_digest;
  auto answer = f.ksk.post(proto::build_envelope(spec, as_bytes(std::string("answer")), &f.ksk_id).value());
  REQUIRE(answer);
  CHECK(f.ksk.posted_reply(*request_digest) == *answer);
  // Once the zone side has taken it (moved to done/), it is still the reply.
  const std::string taken = f.ksk.outbound() + "/done/" + std::filesystem::path(*answer).filename().string();
  std::filesystem::rename(*answer, taken);
  CHECK(f.ksk.posted_reply(*request_digest) == taken);
  // Another request has no reply.
  auto other = proto::trailing_digest(f.envelope("another request", &f.zone_id));
  REQUIRE(other);
  CHECK_FALSE(f.ksk.posted_reply(*other));
}

TEST_CASE("spool: an inbound folder with more files than one run reads is refused before anything is read",
          "[transport][spool]") {
  Fixture f;
  for (std::size_t i = 0; i <= kMaxInboundEntries; ++i) testing::spit(f.inbound("/junk-" + std::to_string(i)), "x");
  SpoolRules rules;
  rules.policy = proto::AuthPolicy::required;
  rules.pinned = &f.pinned;
  bool acted = false;
  auto r = f.ksk.receive(rules, *f.ledger, [&](const proto::Envelope&, ByteView) -> Result<void> {
    acted = true;
    return {};
  });
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::too_many_files);
  CHECK(r.error().where == f.inbound());
  CHECK_FALSE(acted);
  CHECK(testing::list_dir(f.inbound("/rejected")).empty());
  // One file fewer is read (and each is rejected, as junk).
  std::filesystem::remove(f.inbound("/junk-0"));
  auto scan = f.scan(proto::AuthPolicy::required);
  CHECK(scan.rejected.size() == kMaxInboundEntries);
}

TEST_CASE("spool: a hard link is rejected by name, its other name untouched, and none in done/ or rejected/ is overwritten",
          "[transport][spool]") {
  Fixture f;
  Bytes env = f.envelope("also named outside the spool", nullptr);
  std::string outside = f.dir.file("outside.kske");
  testing::spit(outside, text(env));
  REQUIRE(::link(outside.c_str(), f.inbound("/linked.kske").c_str()) == 0);
  // Hard links planted in done/ and rejected/ under the names the reader moves to.
  std::string precious = f.dir.file("precious");
  testing::spit(precious, "not to be overwritten");
  REQUIRE(::link(precious.c_str(), f.inbound("/done/plain.kske").c_str()) == 0);
  REQUIRE(::link(precious.c_str(), f.inbound("/rejected/junk.kske").c_str()) == 0);
  Bytes plain = f.envelope("plain", nullptr);
  testing::spit(f.inbound("/plain.kske"), text(plain));
  testing::spit(f.inbound("/junk.kske"), "garbage garbage garbage garbage garbage garbage garbage garbage garbage");
  std::vector<Bytes> acted;
  auto scan = f.scan(proto::AuthPolicy::off, &acted);
  REQUIRE(acted.size() == 1);
  CHECK(acted[0] == plain);
  REQUIRE(scan.accepted.size() == 1);
  CHECK(scan.accepted[0].file == f.inbound("/done/plain.kske.1"));
  REQUIRE(scan.rejected.size() == 2);
  CHECK(scan.rejected[0].file == f.inbound("/rejected/junk.kske.1"));
  CHECK(scan.rejected[1].file == f.inbound("/rejected/linked.kske"));
  CHECK(scan.rejected[1].error.code == errc::not_a_file);
  CHECK_THAT(reason_of(scan.rejected[1]), Catch::Contains("a hard link (2 names)"));
  // The file outside keeps its name and bytes; the planted links their bytes.
  CHECK(testing::slurp(outside) == text(env));
  CHECK(testing::slurp(precious) == "not to be overwritten");
  CHECK(testing::slurp(f.inbound("/done/plain.kske")) == "not to be overwritten");
  CHECK(testing::slurp(f.inbound("/rejected/junk.kske")) == "not to be overwritten");
  CHECK_FALSE(std::filesystem::exists(f.inbound("/rejected/junk.kske.reason")));
  CHECK(testing::list_dir(f.inbound()) == std::vector<std::string>{"done", "rejected"});
}

TEST_CASE("spool: hostile names are read, moved and reported escaped, a name of 255 bytes too", "[transport][spool]") {
  Fixture f;
  const std::string junk = "garbage garbage garbage garbage garbage garbage garbage garbage garbage";
  const std::string newline = "a\nb.kske", escape = "\x1b[2J\x1b]0;owned\x07.kske", not_utf8 = "\xff\xfe\xc0.kske";
  const std::string long_junk(255, 'j'), long_good(255, 'g');
  for (const std::string& name : {newline, escape, not_utf8, std::string("--help"), long_junk}) {
    testing::spit(f.inbound("/" + name), junk);
  }
  Bytes dash = f.envelope("named -rf", nullptr), good = f.envelope("named long", nullptr);
  testing::spit(f.inbound("/-rf"), text(dash));
  testing::spit(f.inbound("/" + long_good), text(good));
  // The names a 255-byte name moves to are taken: the reader shortens, never fails.
  testing::spit(f.inbound("/done/" + long_good), "earlier");
  testing::spit(f.inbound("/rejected/" + std::string(248, 'j')), "earlier");
  std::vector<Bytes> acted;
  auto scan = f.scan(proto::AuthPolicy::off, &acted);
  CHECK(acted.size() == 2);
  REQUIRE(scan.accepted.size() == 2);
  CHECK(scan.accepted[0].file == f.inbound("/done/-rf"));
  CHECK(scan.accepted[1].file == f.inbound("/done/" + std::string(253, 'g') + ".1"));
  CHECK(scan.accepted[1].envelope == good);
  REQUIRE(scan.rejected.size() == 5);
  for (const auto& r : scan.rejected) {
    INFO(printable_name(r.file));
    CHECK(std::filesystem::exists(r.file));
    CHECK(std::filesystem::path(r.file).filename().string().size() + 7 <= 255);
    std::string reason = reason_of(r);
    CHECK_THAT(reason, Catch::StartsWith("kskline: rejected "));
    CHECK(reason.back() == '\n');
    CHECK_FALSE(has_control(reason.substr(0, reason.size() - 1)));
    CHECK_FALSE(has_control(r.error.message()));
  }
  std::map<std::string, std::string> reasons;
  for (const auto& r : scan.rejected) reasons[std::filesystem::path(r.file).filename().string()] = reason_of(r);
  CHECK_THAT(reasons.at(newline), Catch::Contains("rejected a\\x0ab.kske: "));
  CHECK_THAT(reasons.at(escape), Catch::Contains("rejected \\x1b[2J\\x1b]0;owned\\x07.kske: "));
  CHECK_THAT(reasons.at(not_utf8), Catch::Contains("rejected \\xff\\xfe\\xc0.kske: "));
  CHECK(reasons.count("--help") == 1);
  CHECK_THAT(reasons.at(std::string(246, 'j') + ".1"), Catch::Contains("rejected " + long_junk + ": "));
  CHECK(testing::slurp(f.inbound("/done/" + long_good)) == "earlier");
  CHECK(testing::slurp(f.inbound("/rejected/" + std::string(248, 'j'))) == "earlier");
  CHECK(testing::list_dir(f.inbound()).size() == 2);
  CHECK(printable_name("00000000000000001001-0a1b.kske") == "00000000000000001001-0a1b.kske");
  CHECK(printable_name("a\\b") == "a\\\\b");
}

TEST_CASE("spool: a file over the size limit is rejected from its size alone, a sparse 10 GiB one at once",
          "[transport][spool]") {
  Fixture f;
  Bytes env = f.envelope("a valid header on a huge file", nullptr);
  std::string path = f.inbound("/huge.kske");
  testing::spit(path, text(env));
  const std::uint64_t size = std::uint64_t{10} << 30;
  REQUIRE(::truncate(path.c_str(), static_cast<off_t>(size)) == 0);
  const long peak_before = peak_kib();
  auto start = std::chrono::steady_clock::now();
  std::vector<Bytes> acted;
  auto scan = f.scan(proto::AuthPolicy::off, &acted);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  CHECK(peak_kib() - peak_before < 64 * 1024);
  CHECK(acted.empty());
  REQUIRE(scan.rejected.size() == 1);
  CHECK(scan.rejected[0].error.code == proto::errc::too_large);
  CHECK_THAT(reason_of(scan.rejected[0]), Catch::Contains("the file is 10737418240 bytes, over the limit of 67108864"));
  CHECK(std::filesystem::file_size(scan.rejected[0].file) == size);  // moved, not copied
}

TEST_CASE("spool: what is acted on is the bytes verified, however the file changes while it is read", "[transport][spool]") {
  Fixture f;
  Bytes first = f.envelope("first", nullptr), second = f.envelope("second", nullptr);
  testing::spit(f.inbound("/1-first.kske"), text(first));
  testing::spit(f.inbound("/2-second.kske"), text(second));
  SpoolRules rules;
  std::vector<Bytes> acted;
  auto act = [&](const proto::Envelope& env, ByteView bytes) -> Result<void> {
    acted.emplace_back(bytes.begin(), bytes.end());
    CHECK(env.payload.size() < bytes.size());
    if (acted.size() == 1) {
      // Once the first is verified: it is appended to, and the second
      // (listed but not read yet) rewritten in place.
      std::ofstream(f.inbound("/1-first.kske"), std::ios::app) << "appended";
      std::string changed = text(second);
      changed[72] ^= 1;
      testing::spit(f.inbound("/2-second.kske"), changed);
    }
    return {};
  };
  auto scan = f.ksk.receive(rules, *f.ledger, act);
  REQUIRE(scan);
  REQUIRE(acted.size() == 1);
  CHECK(acted[0] == first);
  REQUIRE(scan->accepted.size() == 1);
  CHECK(scan->accepted[0].envelope == first);
  // done/ keeps the file as it now is; what was acted on is what was verified.
  CHECK(testing::slurp(scan->accepted[0].file) == text(first) + "appended");
  REQUIRE(scan->rejected.size() == 1);
  CHECK(scan->rejected[0].error.code == proto::errc::digest_mismatch);
}

TEST_CASE("spool: a full file system fails a post or a pass by name, leaving no debris and every stored answer",
          "[transport][spool]") {
  Fixture f;
  TinyFs fs(f.dir.file("stick"), "256k");
  if (!fs.mounted) {
    WARN("cannot mount a tmpfs here (not root?): the full-disk test is skipped");
    return;
  }
  Spool zone = Spool::open(fs.path, Side::zone).value();
  Spool ksk = Spool::open(fs.path, Side::ksk).value();
  Bytes answer = f.envelope("a stored answer", &f.ksk_id);
  auto stored = ksk.post(answer);
  REQUIRE(stored);
  Bytes request = f.envelope("a request", &f.zone_id);
  auto request_path = zone.post(request);
  REQUIRE(request_path);
  const std::string junk = fs.path + "/to-ksk/00-junk.kske";  // read before the request
  testing::spit(junk, "garbage garbage garbage garbage garbage garbage garbage garbage garbage");
  REQUIRE(fs.fill(fs.path + "/filler"));

  // A post fails with the errno, naming the file, and leaves no temporary.
  auto posted = ksk.post(f.envelope("another answer", &f.ksk_id));
  REQUIRE_FALSE(posted);
  CHECK(posted.error().code == base::errc::io_error);
  CHECK_THAT(posted.error().message(), Catch::Contains("No space left on device"));
  CHECK_THAT(posted.error().where, Catch::StartsWith(fs.path + "/to-zone/"));
  auto outbound = testing::list_dir(fs.path + "/to-zone");
  std::sort(outbound.begin(), outbound.end());
  CHECK(outbound ==
        std::vector<std::string>{std::filesystem::path(*stored).filename().string(), "done", "rejected"});
  CHECK(testing::slurp(*stored) == text(answer));

  // A pass that cannot write a .reason leaves the file where it was and says so.
  SpoolRules rules;
  rules.policy = proto::AuthPolicy::optional;
  rules.pinned = &f.pinned;
  auto answer_it = [&](const proto::Envelope&, ByteView) -> Result<void> {
    auto p = ksk.post(f.envelope("the answer", &f.ksk_id));
    if (!p) return tl::unexpected(p.error());
    return {};
  };
  auto pass = ksk.receive(rules, *f.ledger, answer_it);
  REQUIRE_FALSE(pass);
  CHECK(pass.error().code == errc::io_error);
  CHECK(pass.error().where == junk);
  CHECK_THAT(pass.error().message(), Catch::Contains("left in place"));
  CHECK_THAT(pass.error().message(), Catch::Contains("No space left on device"));
  CHECK(std::filesystem::exists(junk));
  CHECK(testing::list_dir(fs.path + "/to-ksk/rejected").empty());

  // A pass whose answer cannot be posted leaves the request and records nothing.
  std::filesystem::rename(junk, fs.path + "/junk.kske");  // out of the way
  pass = ksk.receive(rules, *f.ledger, answer_it);
  REQUIRE_FALSE(pass);
  CHECK_THAT(pass.error().message(), Catch::Contains("No space left on device"));
  CHECK(std::filesystem::exists(*request_path));
  CHECK(f.ledger->signers().empty());
  CHECK(testing::list_dir(fs.path + "/to-ksk/done").empty());
  CHECK(testing::list_dir(fs.path + "/to-zone").size() == 3);
  CHECK(testing::slurp(*stored) == text(answer));

  // Room again: the next pass answers it.
  std::filesystem::remove(fs.path + "/filler");
  pass = ksk.receive(rules, *f.ledger, answer_it);
  REQUIRE(pass);
  CHECK(pass->accepted.size() == 1);
  CHECK(testing::list_dir(fs.path + "/to-zone").size() == 4);
  CHECK(testing::slurp(*stored) == text(answer));
}

TEST_CASE("spool: a move to done/ that fails leaves the file in place, names it, and nothing is acted on twice",
          "[transport][spool]") {
  Fixture f;
  // done/ bound onto itself: a rename into it crosses mounts and fails (EXDEV).
  const std::string done = f.inbound("/done");
  if (::mount(done.c_str(), done.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    WARN("cannot bind-mount here (not root?): the failed-move test is skipped");
    return;
  }
  struct Unmount {
    std::string path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{done};
  Bytes env = f.envelope("acted on once", &f.zone_id);
  auto path = f.zone.post(env);
  REQUIRE(path);
  SpoolRules rules;
  rules.policy = proto::AuthPolicy::required;
  rules.pinned = &f.pinned;
  int acted = 0;
  auto act = [&](const proto::Envelope&, ByteView) -> Result<void> {
    ++acted;
    return {};
  };
  auto r = f.ksk.receive(rules, *f.ledger, act);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::io_error);
  CHECK(r.error().where == *path);
  CHECK_THAT(r.error().message(), Catch::Contains("move into done/"));
  CHECK(std::filesystem::exists(*path));
  CHECK(acted == 1);
  // The next pass finds it recorded: rejected as replayed, not acted on again.
  ::umount2(done.c_str(), MNT_DETACH);
  auto again = f.ksk.receive(rules, *f.ledger, act);
  REQUIRE(again);
  CHECK(acted == 1);
  REQUIRE(again->rejected.size() == 1);
  CHECK(again->rejected[0].error.code == proto::errc::replayed);
}

TEST_CASE("spool: a file taken from an inbound folder moves to its done/ without replacing one there",
          "[transport][spool]") {
  TempDir dir;
  std::filesystem::create_directories(dir.file("stick/to-zone"));
  testing::spit(dir.file("stick/to-zone/a.kske"), "first");
  auto moved = move_taken(dir.file("stick/to-zone/a.kske"));
  REQUIRE(moved);
  REQUIRE(*moved);
  CHECK(**moved == dir.file("stick/to-zone/done/a.kske"));
  CHECK(testing::slurp(**moved) == "first");
  CHECK_FALSE(std::filesystem::exists(dir.file("stick/to-zone/a.kske")));
  // The same name again: kept beside the first, never over it.
  testing::spit(dir.file("stick/to-zone/a.kske"), "second");
  auto again = move_taken(dir.file("stick/to-zone/a.kske"));
  REQUIRE(again);
  REQUIRE(*again);
  CHECK(**again == dir.file("stick/to-zone/done/a.kske.1"));
  CHECK(testing::slurp(dir.file("stick/to-zone/done/a.kske")) == "first");
  // A file outside an inbound folder (done/ itself, anywhere else) stays.
  auto in_done = move_taken(dir.file("stick/to-zone/done/a.kske"));
  REQUIRE(in_done);
  CHECK_FALSE(*in_done);
  testing::spit(dir.file("answer.kske"), "x");
  auto elsewhere = move_taken(dir.file("answer.kske"));
  REQUIRE(elsewhere);
  CHECK_FALSE(*elsewhere);
  CHECK(std::filesystem::exists(dir.file("answer.kske")));
  // One that cannot be moved is named and stays.
  auto missing = move_taken(dir.file("stick/to-zone/gone.kske"));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == errc::io_error);
}
