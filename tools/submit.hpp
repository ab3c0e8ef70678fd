// The zone side's half of an exchange, shared by `zone submit` and `demo`:
// the request envelope, the answer taken into the zone state, and a whole
// exchange with a KSK state answering in this process over loopback.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/error.hpp"
#include "proto/envelope.hpp"
#include "proto/identity.hpp"
#include "signer/ksk_endpoint.hpp"
#include "signer/zone_state.hpp"
#include "tools/ksk_answer.hpp"
#include "tools/link_options.hpp"
#include "transport/exchange.hpp"
#include "transport/link_spec.hpp"

namespace kskline::tools {

// The envelope of a request's text: kind request, payload `type` (kskline's
// own, or a Knot or BIND KSR), a random message id, `counter` (spool:
// spool_counter(); live links: 0), signed by `identity` when given.
Result<Bytes> request_envelope(std::string_view text, const proto::LinkIdentity* identity, std::uint64_t counter,
                               proto::PayloadType type = proto::PayloadType::kskline_request);

// The zone side's link options from its config: `link` (empty: the
// config's link spec), the link identity when its file exists, the KSK
// side's pinned key, the authentication policy, side zone.
LinkOptions zone_link_options(const signer::ZoneState& state, const std::string& link);

// What an answer taken into the zone state was: a response stored, or the
// KSK side's refusal recorded.
struct TakenAnswer {
  std::optional<signer::ImportReport> imported;
  std::optional<signer::RefusalRecord> refused;
};

// Takes an answer into the zone state, the one path for every link: an error
// envelope (the KSK side refused) is recorded with ZoneState::record_refusal
// (errc::syntax when its refusal does not read); a response envelope or
// response text is checked and stored with ZoneState::import_response (its
// errors, errc::replayed for an answer imported before). `source` names the
// answer in errors. Authentication of the envelope is the caller's.
Result<TakenAnswer> take_answer(signer::ZoneState& state, ByteView answer, std::string_view source,
                                std::int64_t now);

// The error a recorded refusal is reported as (`kskline: NAME: KSK side:
// refused the request (NAME): what`), with what to do next in its detail.
Error refusal_report(const signer::RefusalRecord& record, const std::string& dir);

// Runs one exchange over an in-process loopback line: `requester` options
// send `envelope`, and `ksk` answers it with its own link settings
// (identity, pinned zone key, authentication) and `approve`.
Result<transport::ExchangeResult> exchange_with_ksk(const transport::LoopbackLink& line,
                                                    const transport::TransferOptions& requester, Bytes envelope,
                                                    signer::KskEndpoint& ksk, const Approve& approve,
                                                    KskAnswerOptions answer_options);

// The KSK state that answers a loopback exchange in this process.
struct LoopbackKsk {
  std::string dir;       // --ksk-dir; required for a loopback link
  bool batch = false;    // --ksk-batch: no questions, only what the policy auto-approves
  std::int64_t now = 0;  // the time the KSK side reviews and signs at
};

// Sends a request envelope over a serial or loopback link and waits for the
// KSK side's answer: over loopback the KSK state `ksk` answers in this
// process (its operator asked on this terminal unless batch; `command` names
// the caller in the state's lock), over serial transport::request_response.
// Clears the progress line and prints the report's errors. The response is
// empty when no answer came; exit_code_for(report.errors) says how to exit.
Result<transport::ExchangeResult> exchange_request(const transport::LinkSpec& spec,
                                                   const transport::TransferOptions& options, Bytes envelope,
                                                   const LoopbackKsk& ksk, std::string_view command,
                                                   ProgressLine& progress);

}  // namespace kskline::tools
