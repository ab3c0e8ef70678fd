// The KSK operator's review on the terminal: the request as a table with its
// SHA-256 and words, the laptop's clock beside the request's, and the
// question that only "yes" answers.
#pragma once

#include <cstdint>

#include "base/error.hpp"
#include "signer/ksk_endpoint.hpp"

namespace kskline::tools {

// Prints the review: the table, the laptop's UTC time beside the request's
// creation time, and whether the request was signed before.
void show_review(const signer::Review& review, std::int64_t now);

// Shows the review and asks on standard input; only "yes" signs
// (signer::errc::operator_declined otherwise: another answer, end of input,
// or a signal that stopped the live job while it waited).
Result<void> ask_operator(const signer::Review& review, std::int64_t now);

}  // namespace kskline::tools
