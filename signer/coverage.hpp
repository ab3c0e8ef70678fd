// Coverage of the zone side: until when the stored KSK signatures keep the
// zone valid, the next ZSK event, when the KSK must come out next, and the
// Nagios-style level (OK/WARNING/CRITICAL) with its text, JSON and
// Prometheus textfile forms.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "signer/zone_config.hpp"
#include "signer/zsk_schedule.hpp"

namespace kskline::signer {

// A stored slot's period.
struct SlotPeriod {
  std::int64_t start = 0;
  std::int64_t end = 0;
};

// The end of the stored slots that follow one another without a gap from
// `now`: nullopt when no slot covers `now`.
std::optional<std::int64_t> coverage_end(const std::vector<SlotPeriod>& slots, std::int64_t now);

// A ZSK's next change of state.
struct ZskEvent {
  std::int64_t time = 0;
  std::string what;  // "publish", "activate", "inactive" or "remove"
  std::uint16_t key_tag = 0;
};

// A ZSK as status sees it.
struct ZskTiming {
  std::uint16_t key_tag = 0;
  ZskWindow window;
};

// The first ZSK event after `now` (ties: the order publish, activate,
// inactive, remove, then key tag), or nullopt when no key has one left.
std::optional<ZskEvent> next_zsk_event(const std::vector<ZskTiming>& keys, std::int64_t now);

// Nagios levels, which are also `zone status`'s exit codes.
enum class StatusLevel { ok = 0, warning = 1, critical = 2, unknown = 3 };

// The zone side's state as `zone status` reports it.
struct Status {
  zone::Name zone;
  std::int64_t now = 0;
  StatusLevel level = StatusLevel::critical;
  std::optional<std::int64_t> coverage_end;    // nullopt: no stored slot covers now
  std::optional<std::int64_t> ksk_deadline;    // coverage end minus the warning lead
  std::optional<ZskEvent> next_event;
  std::optional<std::int64_t> zsks_until;      // until when pregenerated ZSKs keep the zone signed
  std::size_t active_zsks = 0;                 // ZSKs active at now
  std::size_t stored_slots = 0;                // slots in all stored responses
  std::vector<std::string> problems;           // why the level is not OK
};

// Sets level, ksk_deadline and problems of `status` from its coverage and
// the thresholds: CRITICAL when no slot covers now, no ZSK is active, or the
// coverage ends within `critical`; WARNING when it ends within `warning` or
// the pregenerated ZSKs run out before the coverage does; OK otherwise.
void evaluate_status(Status& status, const ZoneConfig& config);

// The level's name: "OK", "WARNING", "CRITICAL", "UNKNOWN".
const char* status_level_name(StatusLevel level);

// One line per fact, the first "KSKLINE <LEVEL> - <zone>: ..." as Nagios
// plugins print it.
std::string format_status_text(const Status& status);

// One JSON object (times as YYYYMMDDHHmmSS and seconds; absent values null).
std::string format_status_json(const Status& status);

// What `zone status` prints when it cannot find the status out (a usage
// error, a state it cannot read), which is UNKNOWN to Nagios: the line
// "KSKLINE UNKNOWN - <subject>: <why>" (line breaks in `why` made spaces).
std::string format_unknown_status_text(std::string_view subject, std::string_view why);

// The JSON form of an unknown status: {"status": "UNKNOWN", "exit_code": 3,
// "error": <why quoted>} on one line.
std::string format_unknown_status_json(std::string_view why);

// The Prometheus form of an unknown status: kskline_zone_status_level 3
// with the HELP and TYPE lines of format_status_prometheus (no zone label:
// the zone may be what could not be read).
std::string format_unknown_status_prometheus();

// Prometheus textfile-collector lines: kskline_zone_status_level,
// kskline_zone_coverage_end_seconds, kskline_zone_coverage_remaining_seconds,
// kskline_zone_ksk_deadline_seconds, kskline_zone_next_zsk_event_seconds,
// kskline_zone_active_zsks, kskline_zone_stored_slots, each with a `zone`
// label, with HELP and TYPE lines.
std::string format_status_prometheus(const Status& status);

}  // namespace kskline::signer
