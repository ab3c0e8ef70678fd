// Answering a key-signing request envelope with the KSK endpoint: parse the
// envelope, review the request, ask for approval, sign, and wrap the answer
// in a response envelope. `ksk serve` (serial and spool), `ksk sign` of an
// envelope file and the loopback of `zone submit` / `demo` use it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "proto/identity.hpp"
#include "signer/ksk_endpoint.hpp"
#include "tools/link_options.hpp"
#include "transport/exchange.hpp"

namespace kskline::tools {

// The operator's decision on a reviewed request: success to sign, or the
// reason not to (signer::errc::operator_declined, not_auto_approvable).
using Approve = std::function<Result<void>(const signer::Review&)>;

// Approves what the policy marks auto-approvable (--batch) and declines the
// rest with signer::errc::not_auto_approvable.
Result<void> batch_approve(const signer::Review& review);

// Approves everything (tests and demos that play the operator).
Result<void> approve_all(const signer::Review& review);

// What happened to one request envelope.
struct KskOutcome {
  std::optional<signer::Review> review;  // when the request parsed
  std::optional<Error> error;            // refused, declined, or could not be answered
  std::string response_text;             // the response sent, if any
};

// How answers are made.
struct KskAnswerOptions {
  const proto::LinkIdentity* identity = nullptr;  // signs response envelopes when set; not owned
  std::function<std::int64_t()> now;              // the clock (default: the system's)
  std::function<std::uint64_t()> counter;         // envelope counter (default: 0, live links)
  bool error_envelopes = true;  // a refusal is answered with an error envelope (signer/refusal.hpp) saying why
  std::function<void(const KskOutcome&)> report;  // called once per request, before the answer leaves
  const proto::PinnedKeys* pinned = nullptr;      // the zone side's pinned link keys; not owned
  signer::ExternalSigner exec;  // when set, approved requests go to it (KskEndpoint::sign_external), not the KSKs
  std::string exec_line;        // the --exec command as given, for the audit log
};

// Answers one request envelope: kind request with a kskline_request,
// knot_ksr or bind_ksr payload (the request text as written by kskline,
// keymgr generate-ksr or dnssec-ksr request; signer::errc::syntax
// otherwise), reviewed at options.now() with ReviewContext{options.
// authenticated} (the policy's knot_requests/bind_requests read it:
// authenticated when the envelope's signature verifies by a key of
// options.pinned),
// approved by `approve`, signed (or answered by options.exec); the result is a response envelope (kind
// response, payload kskline_response, knot_skr or bind_skr matching the
// request, in_reply_to = the request envelope's digest, random message id,
// signed by options.identity when set). A refusal or
// decline is audited by the endpoint and returned as an error envelope when
// options.error_envelopes (kind error, payload type text holding
// signer::format_refusal, in_reply_to set the same way), else as the error. Proto errors when the envelope does not parse.
Result<Bytes> answer_request(signer::KskEndpoint& endpoint, const Approve& approve, ByteView request_envelope,
                             const KskAnswerOptions& options);

// answer_request as a transport::Answer; the endpoint and whatever
// `approve` refers to must outlive it.
transport::Answer make_ksk_answer(signer::KskEndpoint& endpoint, Approve approve, KskAnswerOptions options = {});

// The KSK side's link options from ksk.toml: `link` (empty: link.link), the
// identity made by init when present (one named in ksk.toml must exist), the
// zone side's pinned key, the authentication setting (link.auth; "auto":
// required when a peer is pinned, else off), side ksk.
LinkOptions ksk_link_options(const signer::KskEndpoint& endpoint, const std::string& link);

}  // namespace kskline::tools
