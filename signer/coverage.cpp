#include "signer/coverage.hpp"

#include <algorithm>
#include <cstdio>
#include <tuple>

#include "signer/config_text.hpp"
#include "signer/key_request.hpp"

namespace kskline::signer {
namespace {

std::string json_time(const std::optional<std::int64_t>& t) {
  if (!t) return "null";
  return "{\"time\": \"" + format_time(*t) + "\", \"seconds\": " + std::to_string(*t) + "}";
}

// Prometheus label value escaping (backslash, quote, newline).
std::string label_value(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

// The HELP text of kskline_zone_status_level.
constexpr const char* kLevelHelp = "0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (Nagios levels).";

// The first words of a status line: "KSKLINE <LEVEL> - <subject>: ".
std::string status_head(StatusLevel level, std::string_view subject) {
  return std::string("KSKLINE ") + status_level_name(level) + " - " + std::string(subject) + ": ";
}

}  // namespace

std::optional<std::int64_t> coverage_end(const std::vector<SlotPeriod>& slots, std::int64_t now) {
  std::optional<std::int64_t> end;
  std::int64_t t = now;
  // Each pass extends the coverage by the slot reaching furthest from t.
  for (;;) {
    std::optional<std::int64_t> reach;
    for (const auto& s : slots) {
      if (s.start <= t && t < s.end && (!reach || s.end > *reach)) reach = s.end;
    }
    if (!reach) return end;
    end = *reach;
    t = *reach;
  }
}

std::optional<ZskEvent> next_zsk_event(const std::vector<ZskTiming>& keys, std::int64_t now) {
  std::optional<ZskEvent> best;
  std::optional<std::tuple<std::int64_t, int, std::uint16_t>> best_key;
  for (const auto& k : keys) {
    const std::pair<std::int64_t, const char*> events[] = {{k.window.publish, "publish"},
                                                           {k.window.activate, "activate"},
                                                           {k.window.inactive, "inactive"},
                                                           {k.window.remove, "remove"}};
    for (int i = 0; i < 4; ++i) {
      if (events[i].first <= now) continue;
      auto key = std::make_tuple(events[i].first, i, k.key_tag);
      if (!best_key || key < *best_key) {
        best_key = key;
        best = ZskEvent{events[i].first, events[i].second, k.key_tag};
      }
    }
  }
  return best;
}

void evaluate_status(Status& s, const ZoneConfig& config) {
  s.problems.clear();
  s.ksk_deadline.reset();
  s.level = StatusLevel::ok;
  auto raise = [&](StatusLevel level, std::string why) {
    if (static_cast<int>(level) > static_cast<int>(s.level)) s.level = level;
    s.problems.push_back(std::move(why));
  };
  if (!s.coverage_end) {
    raise(StatusLevel::critical, "no stored KSK signatures cover now: import a response (`kskline zone import`)");
  } else {
    s.ksk_deadline = *s.coverage_end - config.warning;
    std::int64_t left = *s.coverage_end - s.now;
    if (left < config.critical) {
      raise(StatusLevel::critical, "the stored KSK signatures run out at " + format_time(*s.coverage_end) +
                                       ", within " + format_duration(config.critical));
    } else if (left < config.warning) {
      raise(StatusLevel::warning, "the stored KSK signatures run out at " + format_time(*s.coverage_end) +
                                      ", within " + format_duration(config.warning) + ": bring the KSK out");
    }
  }
  if (s.active_zsks == 0) {
    raise(StatusLevel::critical, "no ZSK is active now: run `kskline zone pregenerate`");
  } else if (s.coverage_end && (!s.zsks_until || *s.zsks_until < *s.coverage_end)) {
    raise(StatusLevel::warning, "the pregenerated ZSKs run out at " +
                                    (s.zsks_until ? format_time(*s.zsks_until) : std::string("now")) +
                                    ", before the coverage: run `kskline zone pregenerate`");
  }
}

const char* status_level_name(StatusLevel level) {
  switch (level) {
    case StatusLevel::ok: return "OK";
    case StatusLevel::warning: return "WARNING";
    case StatusLevel::critical: return "CRITICAL";
    case StatusLevel::unknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

std::string format_status_text(const Status& s) {
  std::string out = status_head(s.level, s.zone.to_string());
  if (s.coverage_end) {
    out += "signed until " + format_time(*s.coverage_end) + " (" +
           format_duration(std::max<std::int64_t>(0, *s.coverage_end - s.now)) + " left)";
  } else {
    out += "no stored KSK signatures cover now";
  }
  out += "\n";
  out += "now:            " + format_time(s.now) + "\n";
  out += "coverage end:   " + (s.coverage_end ? format_time(*s.coverage_end) : std::string("-")) + "\n";
  out += "KSK deadline:   " + (s.ksk_deadline ? format_time(*s.ksk_deadline) : std::string("now")) + "\n";
  if (s.next_event) {
    out += "next ZSK event: " + s.next_event->what + " of key " + std::to_string(s.next_event->key_tag) + " at " +
           format_time(s.next_event->time) + "\n";
  } else {
    out += "next ZSK event: -\n";
  }
  out += "ZSKs until:     " + (s.zsks_until ? format_time(*s.zsks_until) : std::string("-")) + "\n";
  out += "active ZSKs:    " + std::to_string(s.active_zsks) + "\n";
  out += "stored slots:   " + std::to_string(s.stored_slots) + "\n";
  for (const auto& p : s.problems) out += "problem:        " + p + "\n";
  return out;
}

std::string format_status_json(const Status& s) {
  std::string out = "{";
  out += "\"zone\": " + quoted(s.zone.to_string());
  out += ", \"status\": " + quoted(status_level_name(s.level));
  out += ", \"exit_code\": " + std::to_string(static_cast<int>(s.level));
  out += ", \"now\": " + json_time(s.now);
  out += ", \"coverage_end\": " + json_time(s.coverage_end);
  out += ", \"coverage_remaining_seconds\": " +
         (s.coverage_end ? std::to_string(std::max<std::int64_t>(0, *s.coverage_end - s.now)) : std::string("0"));
  out += ", \"ksk_deadline\": " + json_time(s.ksk_deadline);
  out += ", \"next_zsk_event\": ";
  if (s.next_event) {
    out += "{\"event\": " + quoted(s.next_event->what) + ", \"key_tag\": " +
           std::to_string(s.next_event->key_tag) + ", \"time\": \"" + format_time(s.next_event->time) +
           "\", \"seconds\": " + std::to_string(s.next_event->time) + "}";
  } else {
    out += "null";
  }
  out += ", \"zsks_until\": " + json_time(s.zsks_until);
  out += ", \"active_zsks\": " + std::to_string(s.active_zsks);
  out += ", \"stored_slots\": " + std::to_string(s.stored_slots);
  out += ", \"problems\": [";
  for (std::size_t i = 0; i < s.problems.size(); ++i) out += (i ? ", " : "") + quoted(s.problems[i]);
  out += "]}\n";
  return out;
}

std::string format_unknown_status_text(std::string_view subject, std::string_view why) {
  std::string line(why);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return status_head(StatusLevel::unknown, subject) + line + "\n";
}

std::string format_unknown_status_json(std::string_view why) {
  return "{\"status\": " + quoted(status_level_name(StatusLevel::unknown)) +
         ", \"exit_code\": " + std::to_string(static_cast<int>(StatusLevel::unknown)) + ", \"error\": " + quoted(why) +
         "}\n";
}

std::string format_unknown_status_prometheus() {
  return std::string("# HELP kskline_zone_status_level ") + kLevelHelp + "\n# TYPE kskline_zone_status_level gauge\n" +
         "kskline_zone_status_level " + std::to_string(static_cast<int>(StatusLevel::unknown)) + "\n";
}

std::string format_status_prometheus(const Status& s) {
  const std::string label = "{zone=\"" + label_value(s.zone.to_string()) + "\"}";
  std::string out;
  auto metric = [&](const char* name, const char* help, std::int64_t value) {
    out += std::string("# HELP ") + name + " " + help + "\n";
    out += std::string("# TYPE ") + name + " gauge\n";
    out += std::string(name) + label + " " + std::to_string(value) + "\n";
  };
  metric("kskline_zone_status_level", kLevelHelp, static_cast<int>(s.level));
  metric("kskline_zone_coverage_end_seconds",
         "Until when the stored KSK signatures keep the zone valid (seconds since 1970; 0: not now).",
         s.coverage_end.value_or(0));
  metric("kskline_zone_coverage_remaining_seconds", "Seconds of coverage left.",
         s.coverage_end ? std::max<std::int64_t>(0, *s.coverage_end - s.now) : 0);
  metric("kskline_zone_ksk_deadline_seconds", "When the KSK must come out next (seconds since 1970).",
         s.ksk_deadline.value_or(s.now));
  metric("kskline_zone_next_zsk_event_seconds", "The next ZSK publish/activate/inactive/remove (0: none).",
         s.next_event ? s.next_event->time : 0);
  metric("kskline_zone_active_zsks", "ZSKs active now.", static_cast<std::int64_t>(s.active_zsks));
  metric("kskline_zone_stored_slots", "Slots in the stored responses.", static_cast<std::int64_t>(s.stored_slots));
  return out;
}

}  // namespace kskline::signer
