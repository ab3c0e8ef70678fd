#include "tools/submit.hpp"

#include <unistd.h>

#include "proto/envelope.hpp"
#include "signer/errc.hpp"
#include "transport/identity_file.hpp"
#include "transport/sodium_random.hpp"

namespace kskline::tools {
namespace {

// The value of a "NAME value" line of a refusal text.
std::string refusal_field(std::string_view text, std::string_view name) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (line.size() > name.size() && line.substr(0, name.size()) == name && line[name.size()] == ' ') {
      return std::string(line.substr(name.size() + 1));
    }
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
  }
  return {};
}

// The KSK side's refusal (refusal_text) as an Error.
Error refusal_error(std::string_view text) {
  std::string code = refusal_field(text, "code");
  std::string message = refusal_field(text, "message");
  std::error_code ec = signer::errc::operator_declined;
  for (int i = 1; i < 64; ++i) {
    if (code == signer::errc_name(static_cast<signer::errc>(i))) ec = static_cast<signer::errc>(i);
  }
  return Error{ec, "KSK side", "refused the request (" + code + "): " + message};
}

}  // namespace

Result<Bytes> request_envelope(std::string_view text, const proto::LinkIdentity* identity, std::uint64_t counter) {
  transport::SodiumRandom random;
  proto::EnvelopeSpec spec;
  spec.kind = proto::Kind::request;
  spec.payload_type = proto::PayloadType::kskline_request;
  random.fill(spec.id);
  spec.counter = counter;
  return proto::build_envelope(spec, as_bytes(text), identity);
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

Result<signer::ImportReport> take_answer(signer::ZoneState& state, ByteView answer, std::int64_t now) {
  auto env = proto::parse_envelope(answer);
  if (!env) return tl::unexpected(env.error().located("the answer"));
  if (env->header.kind == proto::Kind::error) {
    return tl::unexpected(
        refusal_error(std::string_view(reinterpret_cast<const char*>(env->payload.data()), env->payload.size())));
  }
  return state.import_response(std::string_view(reinterpret_cast<const char*>(answer.data()), answer.size()),
                               "the answer", now);
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
  auto answer = make_ksk_answer(ksk, approve, answer_options);
  auto both = transport::exchange_over_loopback(line, requester, std::move(envelope), *answerer, answer);
  if (!both) return tl::unexpected(both.error());
  for (const auto& e : both->second.report.errors) {
    if (requester.notice) requester.notice("KSK side: " + e.message());
  }
  return std::move(both->first);
}

}  // namespace kskline::tools
