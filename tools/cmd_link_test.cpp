// `kskline link-test --link serial:PATH`: both ends of a serial line measure
// it over the real protocol before a ceremony and print the same table.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proto/errc.hpp"
#include "tools/commands.hpp"
#include "tools/option_values.hpp"
#include "tools/link_options.hpp"
#include "transport/errc.hpp"
#include "transport/identity_file.hpp"
#include "transport/link_test.hpp"

namespace kskline::tools {
namespace {


struct LinkTestCommand {
  LinkOptions link;
  std::uint64_t bytes = 0;
  unsigned pings = 5;
};

std::string settings_text(const transport::SerialSettings& s) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%u baud %u%c%u, flow %s", static_cast<unsigned>(s.baud),
                static_cast<unsigned>(s.data_bits), "NEO"[static_cast<int>(s.parity)],
                static_cast<unsigned>(s.stop_bits), std::string(transport::to_string(s.flow)).c_str());
  return buf;
}

std::string ms(double seconds) { return std::to_string(static_cast<long long>(seconds * 1000 + 0.5)) + " ms"; }

std::string direction_text(const transport::LinkDirection& d, std::uint32_t line_rate) {
  if (!d.measured) return "not measured";
  char buf[160];
  std::snprintf(buf, sizeof buf, "%llu bytes in %.1f s: %.0f B/s, %.0f%% of the line; %s",
                static_cast<unsigned long long>(d.bulk_bytes), d.bulk_seconds, d.rate(),
                line_rate > 0 ? 100 * d.rate() / line_rate : 0.0, d.binary ? "8-bit" : "7-bit");
  return buf;
}

std::string errors_text(const transport::LinkDirection& d) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%llu frames, %llu resent (%.1f%%), %llu damaged",
                static_cast<unsigned long long>(d.frames_sent), static_cast<unsigned long long>(d.retransmissions),
                100 * d.error_rate(), static_cast<unsigned long long>(d.frames_bad));
  return buf;
}

// Frames resent that the receiver never saw damaged: lost on the way
// (overruns without flow control, a dead line) or cut beyond recognition.
std::uint64_t vanished(const transport::LinkDirection& d) {
  return d.retransmissions > d.frames_bad ? d.retransmissions - d.frames_bad : 0;
}

void row(const char* name, const std::string& text) { std::printf("  %-14s %s\n", name, text.c_str()); }

void print_table(const transport::LinkTestReport& r, const std::string& link, bool pinned) {
  std::printf("link-test over %s (%s; line %u B/s)\n", link.c_str(), settings_text(r.ours.serial).c_str(),
              static_cast<unsigned>(r.line_rate));
  std::string who;
  if (!r.peer_identity) {
    who = "no link identity";
  } else {
    who = transport::public_key_text(*r.peer_identity);
    who += !pinned ? " (not checked: no --peer pinned)" : r.peer_authenticated ? " (the pinned key)" : " (NOT the pinned key)";
  }
  row("peer key", who);
  if (r.peer) row("peer settings", settings_text(r.peer->serial));
  char buf[256];
  std::snprintf(buf, sizeof buf, "after %.1f s (waiting for the peer included)", r.connect_seconds);
  row("connected", buf);
  if (!r.ping_seconds.empty()) {
    auto p = r.ping_seconds;
    std::sort(p.begin(), p.end());
    std::string text = "message min " + ms(p.front()) + ", median " + ms(p[p.size() / 2]) + ", max " + ms(p.back()) +
                       " (" + std::to_string(p.size()) + " small messages, each offered, sent and confirmed)";
    if (r.frame_rtt) text = "frame " + ms(*r.frame_rtt) + "; " + text;
    row("round trip", text);
  }
  row("to the peer", direction_text(r.out, r.line_rate));
  row("from the peer", direction_text(r.in, r.line_rate));
  row("errors", "to the peer " + errors_text(r.out) + "; from the peer " + errors_text(r.in) + "; " +
                    std::to_string(r.transfer.totals.link_losses) + " link losses");
  std::string why = transport::seven_bit_reason(r);
  std::string intact = r.out.intact && r.in.intact ? "every octet value crossed intact both ways"
                                                   : "a test payload did not arrive intact";
  row("8-bit clean", why.empty() ? "yes: 8-bit encoding both ways; " + intact
                                 : "no: 7-bit encoding because " + why + "; " + intact);
  std::string flow = "this end " + std::string(transport::to_string(r.ours.serial.flow));
  if (r.peer) flow += ", peer " + std::string(transport::to_string(r.peer->serial.flow));
  std::uint64_t lost_out = vanished(r.out), lost_in = vanished(r.in);
  if (r.out.retransmissions + r.in.retransmissions == 0) {
    flow += ": nothing lost under full-speed bursts";
  } else if (lost_out + lost_in == 0) {
    flow += ": no frame vanished; the frames resent were damaged on the way (see errors)";
  } else {
    flow += ": frames lost on the way (resent, never seen damaged): " + std::to_string(lost_out) + " to the peer, " +
            std::to_string(lost_in) + " from the peer";
  }
  row("flow control", flow);
}

bool auth_error(const Error& e) {
  if (e.code.category() != proto::category()) return false;
  auto c = static_cast<proto::errc>(e.code.value());
  return c == proto::errc::auth_unsigned || c == proto::errc::auth_unknown_key ||
         c == proto::errc::auth_bad_signature || c == proto::errc::auth_downgrade;
}

int run_link_test(LinkTestCommand o) {
  // The test reports a peer that is not the pinned one instead of refusing it.
  if (o.link.auth.empty()) o.link.auth = "optional";
  ProgressLine progress(false);
  std::optional<proto::LinkIdentity> identity;
  auto t = transfer_options(o.link, true, identity, progress, "tested");
  if (!t) return report(t.error());
  if (o.pings < 1 || o.pings > 50) {
    std::fprintf(stderr, "kskline: --pings: must be 1 to 50\n");
    return kExitUsage;
  }
  transport::LinkTestOptions test;
  test.bulk_bytes = o.bytes;
  test.pings = static_cast<std::uint8_t>(o.pings);
  auto r = transport::run_link_test(*t, test);
  if (!r) {
    // Whatever else stopped the test before it began is the link's failure.
    const int code = report(r.error());
    return code == kExitUsage ? kExitUsage : kExitLink;
  }
  bool pinned = !o.link.peers.empty();
  if (!r->completed) {
    bool refused = false;
    for (const auto& e : r->transfer.errors) {
      std::fprintf(stderr, "kskline: %s\n", e.message().c_str());
      refused = refused || auth_error(e);
    }
    if (r->connect_seconds > 0 || r->peer) print_table(*r, o.link.link, pinned);
    std::printf("  %-14s FAILED: the test did not finish\n", "verdict");
    return refused ? kExitFailure : kExitLink;
  }
  print_table(*r, o.link.link, pinned);
  auto problems = transport::link_test_problems(*r, pinned);
  if (problems.empty()) {
    std::printf("  %-14s OK\n", "verdict");
    return kExitOk;
  }
  std::string text;
  for (const auto& p : problems) text += (text.empty() ? "" : "; ") + p;
  std::printf("  %-14s WARNING: %s\n", "verdict", text.c_str());
  return kExitFailure;
}

}  // namespace

void add_link_test(Cli& cli) {
  auto o = std::make_shared<LinkTestCommand>();
  auto* cmd = cli.app.add_subcommand(
      "link-test",
      "measure a serial line before a ceremony: run it on both ends at once (no roles: the same command on each); "
      "prints round trips, throughput against the baud, frames resent, 8-bit cleanness, flow control and the "
      "peer's key, then OK or WARNING. Exit 0 OK, 1 a problem found, 2 usage, 3 the link or the peer failed");
  add_link_options(cmd, o->link);
  cmd->remove_option(cmd->get_option("--side"));  // serial links only
  cmd->get_option("--auth")->description(
      "off, optional or required (default optional: a peer that is not the pinned one is reported, not refused)");
  cmd->add_option("--bytes", o->bytes, "test payload sent each way (default: about 4 s of the line, 2 KiB to 1 MiB)")
      ->check(number_value(1, 1 << 30));
  cmd->add_option("--pings", o->pings, "small messages timed one after another, 1 to 50 (default 5)")
      ->check(number_value(1, 50));
  cmd->callback([&cli, o] { cli.exit_code = run_link_test(*o); });
}

}  // namespace kskline::tools
