#include "tools/operator_prompt.hpp"

#include <cstdio>
#include <optional>
#include <string>

#include <poll.h>
#include <unistd.h>

#include "signer/errc.hpp"
#include "transport/exchange.hpp"

namespace kskline::tools {
namespace {

// Reads one line from standard input, waiting in short slices so that a
// signal that stops the live job (transport::stop_requested) also ends the
// wait. nullopt at end of input or when stopped.
std::optional<std::string> read_answer() {
  std::string line;
  for (;;) {
    if (transport::stop_requested()) return std::nullopt;
    pollfd p{STDIN_FILENO, POLLIN, 0};
    int ready = ::poll(&p, 1, 200);
    if (ready < 0) return std::nullopt;
    if (ready == 0) continue;
    char c = 0;
    ssize_t n = ::read(STDIN_FILENO, &c, 1);
    if (n <= 0) return line.empty() ? std::nullopt : std::optional(line);
    if (c == '\n') return line;
    line.push_back(c);
  }
}

}  // namespace

void show_review(const signer::Review& r, std::int64_t now) {
  std::printf("%s", r.table.c_str());
  std::printf("laptop UTC  %s   request created %s\n", signer::table_time(now).c_str(),
              signer::table_time(r.request.created).c_str());
  if (r.dialect != signer::Dialect::kskline) {
    std::printf("a %s KSR without proof of possession: compare the SHA-256 with `sha256sum FILE` on the zone side\n",
                r.dialect == signer::Dialect::knot ? "Knot" : "BIND");
  }
  if (r.stored_response) std::printf("this request was signed before: its stored answer is given again\n");
  std::fflush(stdout);
}

Result<void> ask_operator(const signer::Review& review, std::int64_t now) {
  show_review(review, now);
  std::printf("Compare the SHA-256 or the words with the zone side. Type yes to sign: ");
  std::fflush(stdout);
  auto line = read_answer();
  std::printf("\n");
  if (line && *line == "yes") return {};
  if (transport::stop_requested()) {
    return fail(signer::errc::operator_declined, "stopped by a signal before the operator answered", review.source);
  }
  return fail(signer::errc::operator_declined, "the operator did not type yes", review.source);
}

}  // namespace kskline::tools
