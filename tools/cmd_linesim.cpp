// `kskline linesim --baud N [--ber X] [--drop X] [--outage START:SECONDS]
// [--unplug START:SECONDS[:a|b]] [--garbage X] [--seven-bit] [--xonxoff] [--seed N]
// [--link-dir DIR]`: two pseudo-terminals joined like a real (imperfect)
// line, offered at DIR/a and DIR/b until SIGINT or SIGTERM.
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <sys/signalfd.h>
#include <unistd.h>

#include "tools/commands.hpp"
#include "tools/option_values.hpp"
#include "transport/errc.hpp"
#include "transport/line_simulator.hpp"

namespace kskline::tools {
namespace {

struct LinesimOptions {
  std::uint32_t baud = 0;
  double ber = 0;
  double drop = 0;
  std::vector<std::string> outages;
  std::vector<std::string> unplugs;
  bool seven_bit = false;
  bool xonxoff = false;
  double garbage = 0;
  std::uint64_t seed = 1;
  std::string link_dir;
};

void print_counters(const char* name, const transport::LineSimCounters& c) {
  std::fprintf(stderr,
               "linesim: %s: %llu bytes, %llu delivered, %llu bits flipped, %llu framing errors, %llu dropped, "
               "%llu overrun, %llu XON/XOFF bytes in data, %llu pauses, %llu garbage bytes\n",
               name, static_cast<unsigned long long>(c.bytes), static_cast<unsigned long long>(c.delivered),
               static_cast<unsigned long long>(c.bits_flipped), static_cast<unsigned long long>(c.framing_errors),
               static_cast<unsigned long long>(c.dropped),
               static_cast<unsigned long long>(c.overruns), static_cast<unsigned long long>(c.flow_bytes),
               static_cast<unsigned long long>(c.pauses), static_cast<unsigned long long>(c.garbage));
}

int run_linesim(const LinesimOptions& o) {
  transport::LineSimOptions s;
  s.baud = o.baud;
  s.ber = o.ber;
  s.garbage = o.garbage;
  s.drop = o.drop;
  s.seven_bit = o.seven_bit;
  s.xonxoff = o.xonxoff;
  s.seed = o.seed;
  s.link_dir = o.link_dir;
  for (const auto& text : o.outages) {
    auto p = transport::parse_line_period(text);
    if (!p) return report(p.error().located("--outage"));
    s.outages.push_back(*p);
  }
  for (const auto& text : o.unplugs) {
    std::string period = text;
    transport::Unplug u;
    auto last = text.rfind(':');
    if (last != std::string::npos && text.find(':') != last) {
      std::string side = text.substr(last + 1);
      period = text.substr(0, last);
      if (side == "a") {
        u.b = false;
      } else if (side == "b") {
        u.a = false;
      } else if (side != "ab") {
        return report(Error{transport::errc::bad_link_spec, "--unplug", "side '" + side + "' must be a, b or ab"});
      }
    }
    auto p = transport::parse_line_period(period);
    if (!p) return report(p.error().located("--unplug"));
    u.when = *p;
    s.unplugs.push_back(u);
  }

  // Signals arrive through a descriptor the simulator polls.
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGHUP);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  int sfd = ::signalfd(-1, &mask, SFD_CLOEXEC);
  if (sfd < 0) return report(Error{transport::errc::io_error, "signalfd", "cannot watch signals"});

  auto sim = transport::LineSimulator::create(s);
  if (!sim) {
    ::close(sfd);
    return report(sim.error());
  }
  std::printf("%s\n%s\n", (*sim)->path_a().c_str(), (*sim)->path_b().c_str());
  std::fflush(stdout);
  std::fprintf(stderr, "linesim: %u baud (%u bytes/s)%s%s, ber %g, drop %g, seed %llu; stop with Ctrl-C\n", o.baud,
               o.baud / 10, o.seven_bit ? ", 7-bit" : "", o.xonxoff ? ", XON/XOFF" : "", o.ber, o.drop,
               static_cast<unsigned long long>(o.seed));
  auto ran = (*sim)->run(sfd);
  ::close(sfd);
  print_counters("a->b", (*sim)->a_to_b());
  print_counters("b->a", (*sim)->b_to_a());
  if (!ran) return report(ran.error());
  return kExitOk;
}

}  // namespace

void add_linesim(Cli& cli) {
  auto o = std::make_shared<LinesimOptions>();
  auto* cmd = cli.app.add_subcommand(
      "linesim", "two pseudo-terminals joined like a real serial line, with impairments; prints their two paths");
  cmd->add_option("--baud", o->baud, "line speed, 50 to 100000000; 10 bit times a byte")
      ->required()
      ->type_name("N")
      ->check(CLI::Range(50u, 100000000u).description(""));
  cmd->add_option("--ber", o->ber, "bit error rate: probability that each bit time flips (start, data, stop, idle)")
      ->check(number_value(0, 1));
  cmd->add_option("--drop", o->drop, "probability that a byte is lost")->check(number_value(0, 1));
  cmd->add_option("--outage", o->outages,
                  "START:SECONDS after the first byte, nothing crosses (the cable pulled); repeatable");
  cmd->add_option("--unplug", o->unplugs,
                  "START:SECONDS[:a|b] after the first byte, the device path(s) vanish, then come back; repeatable");
  cmd->add_option("--garbage", o->garbage,
                  "probability, after each byte sent, of a burst of 1..64 random bytes on the line")
      ->check(number_value(0, 1));
  cmd->add_flag("--seven-bit", o->seven_bit, "clear the 8th bit of every byte");
  cmd->add_flag("--xonxoff", o->xonxoff, "software flow control: pause each sender with XOFF/XON now and then");
  cmd->add_option("--seed", o->seed, "seed of the impairments (default 1)");
  cmd->add_option("--link-dir", o->link_dir, "where the symlinks a and b go (default: a new directory in /tmp)");
  cmd->callback([&cli, o] { cli.exit_code = run_linesim(*o); });
}

}  // namespace kskline::tools
