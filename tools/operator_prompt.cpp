#include "tools/operator_prompt.hpp"

#include <cstdio>
#include <iostream>
#include <string>

#include "signer/errc.hpp"

namespace kskline::tools {

void show_review(const signer::Review& r, std::int64_t now) {
  std::printf("%s", r.table.c_str());
  std::printf("laptop UTC  %s   request created %s\n", signer::table_time(now).c_str(),
              signer::table_time(r.request.created).c_str());
  if (r.stored_response) std::printf("this request was signed before: its stored answer is given again\n");
  std::fflush(stdout);
}

Result<void> ask_operator(const signer::Review& review, std::int64_t now) {
  show_review(review, now);
  std::printf("Compare the SHA-256 or the words with the zone side. Type yes to sign: ");
  std::fflush(stdout);
  std::string line;
  if (!std::getline(std::cin, line)) line.clear();
  std::printf("\n");
  if (line == "yes") return {};
  return fail(signer::errc::operator_declined, "the operator did not type yes", review.source);
}

}  // namespace kskline::tools
