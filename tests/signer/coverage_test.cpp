#include <catch2/catch.hpp>

#include "signer/coverage.hpp"

using namespace kskline;
using namespace kskline::signer;

namespace {

constexpr std::int64_t kT0 = 1796083200;
constexpr std::int64_t kDay = 86400;

Status status_with(std::optional<std::int64_t> end, std::size_t active = 1) {
  Status s;
  const zone::Name root;
  s.zone = *zone::Name::parse("example.org.", &root);
  s.now = kT0;
  s.coverage_end = end;
  s.active_zsks = active;
  s.zsks_until = kT0 + 365 * kDay;
  return s;
}

}  // namespace

TEST_CASE("coverage: the end of the slots that follow one another from now", "[signer][coverage]") {
  std::vector<SlotPeriod> slots{{kT0 - kDay, kT0 + kDay}, {kT0 + kDay, kT0 + 8 * kDay}, {kT0 + 9 * kDay, kT0 + 20 * kDay}};
  CHECK(coverage_end(slots, kT0) == kT0 + 8 * kDay);  // the gap at day 8 ends it
  CHECK(coverage_end(slots, kT0 + 10 * kDay) == kT0 + 20 * kDay);
  CHECK_FALSE(coverage_end(slots, kT0 + 8 * kDay + 1));
  CHECK_FALSE(coverage_end({}, kT0));
  // Overlapping slots (a newer import) extend the chain.
  slots.push_back({kT0 + 7 * kDay, kT0 + 9 * kDay});
  CHECK(coverage_end(slots, kT0) == kT0 + 20 * kDay);
}

TEST_CASE("coverage: the next ZSK event is the earliest after now", "[signer][coverage]") {
  std::vector<ZskTiming> keys{{111, {kT0 - 10, kT0 - 10, kT0 + 30 * kDay, kT0 + 32 * kDay}},
                              {222, {kT0 + 28 * kDay, kT0 + 30 * kDay, kT0 + 60 * kDay, kT0 + 62 * kDay}}};
  auto e = next_zsk_event(keys, kT0);
  REQUIRE(e);
  CHECK(e->what == "publish");
  CHECK(e->key_tag == 222);
  e = next_zsk_event(keys, kT0 + 29 * kDay);
  REQUIRE(e);
  CHECK(e->what == "activate");  // before key 111's inactive at the same time
  CHECK(e->time == kT0 + 30 * kDay);
  CHECK_FALSE(next_zsk_event(keys, kT0 + 100 * kDay));
}

TEST_CASE("coverage: levels against the thresholds, Nagios exit codes", "[signer][coverage]") {
  ZoneConfig c;
  c.warning = 14 * kDay;
  c.critical = 3 * kDay;
  auto s = status_with(kT0 + 30 * kDay);
  evaluate_status(s, c);
  CHECK(s.level == StatusLevel::ok);
  CHECK(s.ksk_deadline == kT0 + 16 * kDay);
  s = status_with(kT0 + 10 * kDay);
  evaluate_status(s, c);
  CHECK(s.level == StatusLevel::warning);
  CHECK(static_cast<int>(s.level) == 1);
  s = status_with(kT0 + 2 * kDay);
  evaluate_status(s, c);
  CHECK(s.level == StatusLevel::critical);
  s = status_with(std::nullopt);
  evaluate_status(s, c);
  CHECK(static_cast<int>(s.level) == 2);
  s = status_with(kT0 + 30 * kDay, 0);
  evaluate_status(s, c);
  CHECK(s.level == StatusLevel::critical);
  s = status_with(kT0 + 30 * kDay);
  s.zsks_until = kT0 + 20 * kDay;  // ZSKs run out before the coverage does
  evaluate_status(s, c);
  CHECK(s.level == StatusLevel::warning);
}

TEST_CASE("coverage: text, JSON and Prometheus forms", "[signer][coverage]") {
  ZoneConfig c;
  auto s = status_with(kT0 + 30 * kDay);
  s.next_event = ZskEvent{kT0 + kDay, "publish", 4242};
  evaluate_status(s, c);
  auto text = format_status_text(s);
  CHECK(text.rfind("KSKLINE OK - example.org.: signed until 20261231000000", 0) == 0);
  CHECK(text.find("publish of key 4242 at 20261202000000") != std::string::npos);
  auto json = format_status_json(s);
  CHECK(json.find("\"status\": \"OK\"") != std::string::npos);
  CHECK(json.find("\"coverage_end\": {\"time\": \"20261231000000\", \"seconds\": 1798675200}") != std::string::npos);
  CHECK(json.find("\"key_tag\": 4242") != std::string::npos);
  auto prom = format_status_prometheus(s);
  CHECK(prom.find("# TYPE kskline_zone_status_level gauge\n") != std::string::npos);
  CHECK(prom.find("kskline_zone_status_level{zone=\"example.org.\"} 0\n") != std::string::npos);
  CHECK(prom.find("kskline_zone_coverage_end_seconds{zone=\"example.org.\"} 1798675200\n") != std::string::npos);
  CHECK(prom.find("kskline_zone_coverage_remaining_seconds{zone=\"example.org.\"} 2592000\n") != std::string::npos);
}

TEST_CASE("coverage: a status that cannot be found out is UNKNOWN in text, JSON and Prometheus", "[signer][coverage]") {
  CHECK(format_unknown_status_text("/var/lib/zone", "bad_state: no such state directory") ==
        "KSKLINE UNKNOWN - /var/lib/zone: bad_state: no such state directory\n");
  CHECK(format_unknown_status_text("kskline zone status", "line 1\nline 2") ==
        "KSKLINE UNKNOWN - kskline zone status: line 1 line 2\n");
  CHECK(format_unknown_status_json("no \"zone\" in C:\\state") ==
        "{\"status\": \"UNKNOWN\", \"exit_code\": 3, \"error\": \"no \\\"zone\\\" in C:\\\\state\"}\n");
  // Control characters are escaped, not dropped: the JSON says what the error said.
  CHECK(format_unknown_status_json("line 1\nline 2") ==
        "{\"status\": \"UNKNOWN\", \"exit_code\": 3, \"error\": \"line 1\\u000aline 2\"}\n");
  // The same HELP and TYPE lines as a known status, and the Nagios level.
  auto prom = format_unknown_status_prometheus();
  CHECK(prom.find("kskline_zone_status_level 3\n") != std::string::npos);
  CHECK(prom.find("# TYPE kskline_zone_status_level gauge\n") != std::string::npos);
  CHECK(prom.find("3 UNKNOWN") != std::string::npos);
}
