// Whole files over the real serial code and a simulated line (the
// LineSimulator behind `kskline linesim`), both ends in this process on
// their own threads: clean, bit errors with a pulled cable, a 7-bit line,
// XON/XOFF flow control, and devices that vanish and come back.
#include <catch2/catch.hpp>

#include <future>
#include <mutex>

#include "proto/errc.hpp"
#include "transport/file_transfer.hpp"
#include "transport/identity_file.hpp"
#include "transport/sodium_random.hpp"
#include "sim_thread.hpp"
#include "transport_test_util.hpp"

using namespace kskline;
using namespace kskline::transport;
using testing::SimThread;
using testing::TempDir;

namespace {

constexpr std::uint32_t kBaud = 1000000;  // fast: these are functional tests

TransferOptions options(const std::string& path, const std::string& extra = "") {
  TransferOptions o;
  o.link = parse_link_spec("serial:" + path + ",baud=" + std::to_string(kBaud) + extra).value();
  o.handle_signals = false;
  o.wait = proto::Duration(20'000'000);
  return o;
}

struct Outcome {
  TransferReport sent, received;
};

// Sends `files` from end a to end b; returns both reports.
Outcome transfer(SimThread& line, const std::vector<std::string>& files, const std::string& out,
                 const std::string& extra = "", const TransferOptions* send_over = nullptr,
                 const TransferOptions* receive_over = nullptr) {
  TransferOptions send = send_over ? *send_over : options(line.a(), extra);
  TransferOptions receive = receive_over ? *receive_over : options(line.b(), extra);
  auto receiving = std::async(std::launch::async, [&] { return receive_files(receive, out, files.size()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto sent = send_files(send, files);
  auto received = receiving.get();
  REQUIRE(sent);
  REQUIRE(received);
  return {*sent, *received};
}

void check_ok(const Outcome& o, std::size_t files) {
  for (const auto& e : o.sent.errors) UNSCOPED_INFO("sender: " << e.message());
  for (const auto& e : o.received.errors) UNSCOPED_INFO("receiver: " << e.message());
  CHECK(o.sent.ok());
  CHECK(o.received.ok());
  CHECK(o.sent.files_ok == files);
  CHECK(o.received.files_ok == files);
}

}  // namespace

TEST_CASE("serial_transfer: files cross a clean simulated line intact", "[transport][serial_transfer]") {
  TempDir dir;
  testing::spit(dir.file("one.bin"), testing::random_text(60000, 1));
  testing::spit(dir.file("two.txt"), "example.com. 3600 IN DNSKEY 257 3 13 abc\n");
  LineSimOptions lo;
  lo.baud = kBaud;
  SimThread line(lo);
  auto o = transfer(line, {dir.file("one.bin"), dir.file("two.txt")}, dir.file("out"));
  check_ok(o, 2);
  CHECK(testing::slurp(dir.file("out/one.bin")) == testing::slurp(dir.file("one.bin")));
  CHECK(testing::slurp(dir.file("out/two.txt")) == testing::slurp(dir.file("two.txt")));
  CHECK(o.sent.totals.retransmissions == 0);
  CHECK(o.sent.line_rate == kBaud / 10);
  // Received files are complete files, not temporaries.
  for (const auto& name : testing::list_dir(dir.file("out"))) CHECK((name == ".kskline" || name[0] != '.'));
}

TEST_CASE("serial_transfer: bit errors and a pulled cable: the transfer resumes, not from zero", "[transport][serial_transfer]") {
  TempDir dir;
  const std::size_t size = 200000;
  testing::spit(dir.file("big"), testing::random_text(size, 2));
  LineSimOptions lo;
  lo.baud = kBaud;
  lo.ber = 1e-5;
  lo.seed = 7;
  lo.outages.push_back({0.8, 1.5});  // mid-transfer: about 80 KB crossed by then
  SimThread line(lo);
  auto o = transfer(line, {dir.file("big")}, dir.file("out"));
  check_ok(o, 1);
  CHECK(testing::slurp(dir.file("out/big")) == testing::slurp(dir.file("big")));
  line.stop();
  CHECK(line.sim().a_to_b().dropped > 0);  // the outage did cut the transfer
  // Only what was in flight when the cable was pulled went again.
  std::uint64_t resent = o.sent.chunk_bytes - size;
  INFO("resent " << resent << " bytes, " << o.sent.totals.retransmissions << " retransmissions");
  CHECK(o.sent.chunk_bytes > size);
  CHECK(resent < size / 2);
}

TEST_CASE("serial_transfer: a line that strips the 8th bit carries 7-bit frames", "[transport][serial_transfer]") {
  TempDir dir;
  testing::spit(dir.file("bin"), testing::random_text(30000, 3));
  LineSimOptions lo;
  lo.baud = kBaud;
  lo.seven_bit = true;
  SimThread line(lo);
  SECTION("told: bits=7") {
    auto o = transfer(line, {dir.file("bin")}, dir.file("out"), ",bits=7,parity=even");
    check_ok(o, 1);
  }
  SECTION("not told: the probe finds out") {
    auto o = transfer(line, {dir.file("bin")}, dir.file("out"));
    check_ok(o, 1);
  }
  CHECK(testing::slurp(dir.file("out/bin")) == testing::slurp(dir.file("bin")));
  line.stop();
  CHECK(line.sim().a_to_b().bits_flipped == 0);
}

TEST_CASE("serial_transfer: XON/XOFF flow control pauses the sender, no flow byte goes as data", "[transport][serial_transfer]") {
  TempDir dir;
  testing::spit(dir.file("bin"), testing::random_text(150000, 4));
  LineSimOptions lo;
  lo.baud = kBaud;
  lo.xonxoff = true;
  SimThread line(lo);
  auto o = transfer(line, {dir.file("bin")}, dir.file("out"), ",flow=xonxoff");
  check_ok(o, 1);
  CHECK(testing::slurp(dir.file("out/bin")) == testing::slurp(dir.file("bin")));
  line.stop();
  CHECK(line.sim().a_to_b().pauses > 0);
  CHECK(line.sim().a_to_b().flow_bytes == 0);
  CHECK(line.sim().b_to_a().flow_bytes == 0);
}

TEST_CASE("serial_transfer: both devices vanish mid-transfer and come back", "[transport][serial_transfer]") {
  TempDir dir;
  const std::size_t size = 150000;
  testing::spit(dir.file("big"), testing::random_text(size, 5));
  LineSimOptions lo;
  lo.baud = kBaud;
  lo.unplugs.push_back({{0.6, 1.0}, true, true});
  SimThread line(lo);
  std::vector<std::string> notices;
  std::mutex m;
  TransferOptions send = options(line.a()), receive = options(line.b());
  send.notice = receive.notice = [&](const std::string& n) {
    std::lock_guard<std::mutex> g(m);
    notices.push_back(n);
  };
  auto o = transfer(line, {dir.file("big")}, dir.file("out"), "", &send, &receive);
  check_ok(o, 1);
  CHECK(testing::slurp(dir.file("out/big")) == testing::slurp(dir.file("big")));
  std::size_t lost = 0, back = 0;
  for (const auto& n : notices) {
    lost += n.find("lost") != std::string::npos && n.find("reopening") != std::string::npos;
    back += n.find("is back") != std::string::npos;
  }
  CHECK(lost == 2);
  CHECK(back == 2);
  CHECK(o.sent.chunk_bytes - size < size / 2);
}

TEST_CASE("serial_transfer: sessions are authenticated end to end, or refused on both sides", "[transport][serial_transfer]") {
  TempDir dir;
  testing::spit(dir.file("f"), "signed file\n");
  SodiumRandom random;
  auto zone_id = proto::LinkIdentity::generate(random);
  auto ksk_id = proto::LinkIdentity::generate(random);
  auto stranger = proto::LinkIdentity::generate(random);
  LineSimOptions lo;
  lo.baud = kBaud;
  SimThread line(lo);
  TransferOptions send = options(line.a()), receive = options(line.b());
  send.wait = receive.wait = proto::Duration(5'000'000);
  SECTION("both pin each other") {
    send.identity = &zone_id;
    send.pinned.add(ksk_id.public_key());
    send.auth = proto::AuthPolicy::required;
    receive.identity = &ksk_id;
    receive.pinned.add(zone_id.public_key());
    receive.auth = proto::AuthPolicy::required;
    auto o = transfer(line, {dir.file("f")}, dir.file("out"), "", &send, &receive);
    check_ok(o, 1);
  }
  SECTION("the receiver requires a signature the sender cannot give") {
    receive.identity = &ksk_id;
    receive.pinned.add(zone_id.public_key());
    receive.auth = proto::AuthPolicy::required;
    auto o = transfer(line, {dir.file("f")}, dir.file("out"), "", &send, &receive);
    CHECK_FALSE(o.sent.ok());
    CHECK_FALSE(o.received.ok());
    REQUIRE_FALSE(o.received.errors.empty());
    CHECK(o.received.errors[0].code == proto::errc::auth_unsigned);
    REQUIRE_FALSE(o.sent.errors.empty());
    CHECK(o.sent.errors[0].code == proto::errc::peer_refused);
    CHECK_FALSE(std::filesystem::exists(dir.file("out/f")));
  }
  SECTION("the sender's key is not the one pinned") {
    send.identity = &stranger;
    receive.pinned.add(zone_id.public_key());
    receive.auth = proto::AuthPolicy::required;
    auto o = transfer(line, {dir.file("f")}, dir.file("out"), "", &send, &receive);
    CHECK_FALSE(o.received.ok());
    REQUIRE_FALSE(o.received.errors.empty());
    CHECK(o.received.errors[0].code == proto::errc::auth_unknown_key);
    CHECK_FALSE(std::filesystem::exists(dir.file("out/f")));
  }
}
