// Request/response exchanges over a live link: one side sends a request
// envelope and waits for the envelope that answers it (in reply to its
// digest); the other answers each request it receives. The ceremony's
// `zone submit --link` and `ksk serve --link` are of this shape.
#pragma once

#include <functional>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "transport/file_transfer.hpp"

namespace kskline::transport {

// Builds the response envelope to a request envelope (its in_reply_to must
// be the request's digest), or fails; the failure is reported and the
// request goes unanswered. Called on a worker thread, one request at a time,
// while the link stays alive; it may take as long as an operator needs.
using Answer = std::function<Result<Bytes>(ByteView request)>;

// Whether SIGINT or SIGTERM interrupted a transport job of this process (a
// live link, or a spool receive waiting for files). An Answer that waits (for
// an operator) gives up when this turns true, so that the interrupted job can
// end.
bool stop_requested() noexcept;

// The outcome of one side of an exchange.
struct ExchangeResult {
  Bytes response;  // requester: the answer (empty if none came)
  TransferReport report;
};

// Sends `request` (an envelope) over a serial link and waits for the
// envelope whose in_reply_to is its digest. errc::not_supported for spool
// and loopback (see exchange_over_loopback); the report's errors say why no
// answer came (refused, closed, handshake timeout, interrupted).
Result<ExchangeResult> request_response(const TransferOptions& options, Bytes request);

// Answers `count` requests over a serial link (0: until the peer closes the
// link), each response confirmed by the peer before it counts.
Result<ExchangeResult> answer_requests(const TransferOptions& options, const Answer& answer, std::size_t count);

// Both sides inside one process over a loopback line: the requester's and
// the answerer's results.
Result<std::pair<ExchangeResult, ExchangeResult>> exchange_over_loopback(const LoopbackLink& line,
                                                                         const TransferOptions& requester,
                                                                         Bytes request,
                                                                         const TransferOptions& answerer,
                                                                         const Answer& answer);

}  // namespace kskline::transport
