#include "tools/ksk_answer.hpp"

#include <unistd.h>

#include "proto/envelope.hpp"
#include "signer/errc.hpp"
#include "signer/refusal.hpp"
#include "tools/time_option.hpp"
#include "transport/outgoing_envelope.hpp"
#include "transport/sodium_random.hpp"

namespace kskline::tools {
namespace {

// The envelope of an answer (a response or a refusal) to the request whose
// digest is in_reply_to.
Result<Bytes> envelope(proto::Kind kind, proto::PayloadType type, const proto::Sha256& in_reply_to,
                       std::string_view payload, const KskAnswerOptions& o) {
  transport::SodiumRandom random;
  proto::EnvelopeSpec spec;
  spec.kind = kind;
  spec.payload_type = type;
  spec.in_reply_to = in_reply_to;
  spec.counter = o.counter ? o.counter() : 0;
  return transport::outgoing_envelope(spec, as_bytes(payload), o.identity, random);
}

}  // namespace

Result<void> batch_approve(const signer::Review& review) {
  if (review.auto_approvable) return {};
  return fail(signer::errc::not_auto_approvable,
              "--batch signs only what the policy's auto_approve rule allows; sign this request with an operator",
              review.source);
}

Result<void> approve_all(const signer::Review&) { return {}; }

LinkOptions ksk_link_options(const signer::KskEndpoint& endpoint, const std::string& link) {
  const auto& settings = endpoint.link_settings();
  LinkOptions o;
  o.link = link.empty() ? settings.link : link;
  o.side = "ksk";
  // The identity made by init is used when present; one named in ksk.toml must exist.
  std::string identity = endpoint.identity_path();
  if (!identity.empty() &&
      (::access(identity.c_str(), F_OK) == 0 || settings.identity != signer::ksk_files::identity)) {
    o.identity = identity;
  }
  if (std::string peer = endpoint.peer_path(); !peer.empty()) o.peers.push_back(peer);
  o.auth = settings.auth;
  return o;
}

Result<Bytes> answer_request(signer::KskEndpoint& endpoint, const Approve& approve, ByteView request_envelope,
                             const KskAnswerOptions& options) {
  auto env = proto::parse_envelope(request_envelope);
  if (!env) return tl::unexpected(env.error());
  using proto::PayloadType;
  const PayloadType type = env->header.payload_type;
  if (env->header.kind != proto::Kind::request ||
      (type != PayloadType::kskline_request && type != PayloadType::knot_ksr && type != PayloadType::bind_ksr)) {
    return fail(signer::errc::syntax,
                "not a request envelope (kind request, payload kskline_request, knot_ksr or bind_ksr)", "envelope");
  }
  const PayloadType answer_type = type == PayloadType::knot_ksr   ? PayloadType::knot_skr
                                  : type == PayloadType::bind_ksr ? PayloadType::bind_skr
                                                                  : PayloadType::kskline_response;
  std::int64_t now = options.now ? options.now() : system_now();
  std::string_view text(reinterpret_cast<const char*>(env->payload.data()), env->payload.size());
  KskOutcome outcome;
  auto refuse = [&](Error error) -> Result<Bytes> {
    outcome.error = error;
    if (options.report) options.report(outcome);
    if (!options.error_envelopes) return tl::unexpected(std::move(error));
    return envelope(proto::Kind::error, proto::PayloadType::text, env->digest, signer::format_refusal(error), options);
  };
  // Authenticated: signed by a pinned zone-side key (the link or spool has
  // already applied link.auth; this tells the policy what it found).
  bool authenticated = false;
  if (options.pinned != nullptr) {
    proto::AuthRules rules;
    rules.policy = proto::AuthPolicy::optional;
    rules.pinned = options.pinned;
    const auto status = proto::authenticate(*env, rules);
    authenticated = status && *status == proto::AuthStatus::authenticated;
  }
  auto review = endpoint.review(text, "request envelope", now, signer::ReviewContext{authenticated});
  if (!review) return refuse(review.error());
  review->answer = type == PayloadType::knot_ksr   ? signer::Dialect::knot
                   : type == PayloadType::bind_ksr ? signer::Dialect::bind
                                                   : signer::Dialect::kskline;
  outcome.review = *review;
  if (!review->stored_response) {
    if (auto ok = approve(*review); !ok) {
      if (auto d = endpoint.decline(*review, now, ok.error()); !d) return refuse(d.error());
      return refuse(ok.error());
    }
  }
  bool resent = false;
  auto response = options.exec ? endpoint.sign_external(*review, now, options.exec_line, options.exec, &resent)
                               : endpoint.sign(*review, now, &resent);
  if (!response) return refuse(response.error());
  // Another command may have signed it while this one's operator was asked.
  if (resent) outcome.review->stored_response = *response;
  outcome.response_text = *response;
  if (options.report) options.report(outcome);
  return envelope(proto::Kind::response, answer_type, env->digest, *response, options);
}

transport::Answer make_ksk_answer(signer::KskEndpoint& endpoint, Approve approve, KskAnswerOptions options) {
  return [&endpoint, approve = std::move(approve), options = std::move(options)](ByteView request) {
    return answer_request(endpoint, approve, request, options);
  };
}

}  // namespace kskline::tools
