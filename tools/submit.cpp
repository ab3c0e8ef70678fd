#include "tools/submit.hpp"

#include <unistd.h>

#include <cstdio>

#include "proto/envelope.hpp"
#include "signer/refusal.hpp"
#include "tools/commands.hpp"
#include "tools/operator_prompt.hpp"
#include "transport/errc.hpp"
#include "transport/outgoing_envelope.hpp"
#include "transport/sodium_random.hpp"

namespace kskline::tools {

Result<Bytes> request_envelope(std::string_view text, const proto::LinkIdentity* identity, std::uint64_t counter,
                               proto::PayloadType type) {
  transport::SodiumRandom random;
  proto::EnvelopeSpec spec;
  spec.kind = proto::Kind::request;
  spec.payload_type = type;
  spec.counter = counter;
  return transport::outgoing_envelope(spec, as_bytes(text), identity, random);
}

LinkOptions zone_link_options(const signer::ZoneState& state, const std::string& link) {
  const auto& config = state.config();
  LinkOptions o;
  o.link = link.empty() ? config.link : link;
  if (auto identity = state.resolve(config.link_identity); ::access(identity.c_str(), F_OK) == 0) o.identity = identity;
  if (!config.peer_public_key.empty()) o.peers.push_back(state.resolve(config.peer_public_key));
  o.auth = config.link_auth;
  o.side = "zone";
  return o;
}

Result<TakenAnswer> take_answer(signer::ZoneState& state, ByteView answer, std::string_view source,
                                std::int64_t now) {
  TakenAnswer taken;
  const std::string_view text(reinterpret_cast<const char*>(answer.data()), answer.size());
  auto env = proto::parse_envelope(answer);
  if (env && env->header.kind == proto::Kind::error) {
    const std::string_view payload(reinterpret_cast<const char*>(env->payload.data()), env->payload.size());
    auto refused = state.record_refusal(env->header.in_reply_to, payload, source);
    if (!refused) return tl::unexpected(refused.error());
    taken.refused = std::move(*refused);
    return taken;
  }
  // A response envelope, response text, or neither: import_response names
  // a damaged envelope and an envelope of another payload.
  auto imported = state.import_response(text, source, now);
  if (!imported) return tl::unexpected(imported.error());
  taken.imported = std::move(*imported);
  return taken;
}

Error refusal_report(const signer::RefusalRecord& record, const std::string& dir) {
  Error e = signer::refusal_error(record.refusal);
  e.detail += "; request " + record.request_id + " is marked refused (" + record.path +
              "); make a new request (`kskline zone request --dir " + dir + " --until DATE -o FILE`) and submit it";
  return e;
}

Result<transport::ExchangeResult> exchange_with_ksk(const transport::LoopbackLink& line,
                                                    const transport::TransferOptions& requester, Bytes envelope,
                                                    signer::KskEndpoint& ksk, const Approve& approve,
                                                    KskAnswerOptions answer_options) {
  LinkOptions link = ksk_link_options(ksk, "loopback");
  link.quiet = true;
  std::optional<proto::LinkIdentity> identity;
  ProgressLine progress(false);
  auto answerer = transfer_options(link, false, identity, progress, "answered");
  if (!answerer) return tl::unexpected(answerer.error().located(ksk.dir()));
  answerer->wait = requester.wait;
  answerer->handle_signals = requester.handle_signals;
  answer_options.identity = answerer->identity;
  answer_options.pinned = &answerer->pinned;
  auto answer = make_ksk_answer(ksk, approve, answer_options);
  auto both = transport::exchange_over_loopback(line, requester, std::move(envelope), *answerer, answer);
  if (!both) return tl::unexpected(both.error());
  for (const auto& e : both->second.report.errors) {
    if (requester.notice) requester.notice("KSK side: " + e.message());
  }
  return std::move(both->first);
}

Result<transport::ExchangeResult> exchange_request(const transport::LinkSpec& spec,
                                                   const transport::TransferOptions& options, Bytes envelope,
                                                   const LoopbackKsk& ksk, std::string_view command,
                                                   ProgressLine& progress) {
  Result<transport::ExchangeResult> result;
  if (const auto* loopback = std::get_if<transport::LoopbackLink>(&spec)) {
    if (ksk.dir.empty()) {
      return fail(transport::errc::bad_link_spec, "a loopback link answers with a KSK state in this process: give --ksk-dir",
                  "--ksk-dir");
    }
    auto endpoint = signer::KskEndpoint::open(ksk.dir, std::string(command) + " --link loopback");
    if (!endpoint) return tl::unexpected(endpoint.error().located(ksk.dir));
    KskAnswerOptions answer_options;
    answer_options.now = [t = ksk.now] { return t; };
    Approve approve = ksk.batch ? Approve(batch_approve) : Approve([&progress, t = ksk.now](const signer::Review& r) {
      progress.clear();
      return ask_operator(r, t);
    });
    result = exchange_with_ksk(*loopback, options, std::move(envelope), *endpoint, approve, answer_options);
  } else {
    result = transport::request_response(options, std::move(envelope));
  }
  progress.clear();
  if (result) {
    for (const auto& e : result->report.errors) std::fprintf(stderr, "kskline: %s\n", e.message().c_str());
  }
  return result;
}

}  // namespace kskline::tools
