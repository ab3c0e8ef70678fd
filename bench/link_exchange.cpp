// kskline-link-exchange: one side of the request/response exchange the
// ceremony makes (a 2 KiB request answered by 4 KiB, by default), over a
// serial link, for bench/link.sh:
//   kskline-link-exchange answer  --link serial:PATH,baud=9600 [--size 4096]
//   kskline-link-exchange request --link serial:PATH,baud=9600 [--size 2048]
// Payloads are random; the requester checks that the answer is in reply to
// its request and prints both envelope sizes.
#include <cstdio>
#include <cstring>
#include <string>

#include "proto/envelope.hpp"
#include "transport/exchange.hpp"
#include "transport/link_spec.hpp"
#include "transport/sodium_random.hpp"

using namespace kskline;
using namespace kskline::transport;

namespace {

Bytes envelope(std::size_t size, proto::Kind kind, const proto::Sha256& in_reply_to) {
  SodiumRandom random;
  proto::EnvelopeSpec spec;
  spec.kind = kind;
  spec.payload_type = proto::PayloadType::octets;
  random.fill(spec.id);
  spec.in_reply_to = in_reply_to;
  Bytes payload(size);
  random.fill(payload);
  return proto::build_envelope(spec, payload).value();
}

int usage() {
  std::fprintf(stderr, "usage: kskline-link-exchange request|answer --link SPEC [--size BYTES] [--wait SECONDS]\n");
  return 2;
}

int report_errors(const TransferReport& r) {
  for (const auto& e : r.errors) std::fprintf(stderr, "kskline-link-exchange: %s\n", e.message().c_str());
  return r.ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  std::string role = argv[1], spec;
  std::size_t size = 0;
  double wait = 60;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--link") == 0) {
      spec = argv[i + 1];
    } else if (std::strcmp(argv[i], "--size") == 0) {
      size = std::stoul(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--wait") == 0) {
      wait = std::stod(argv[i + 1]);
    } else {
      return usage();
    }
  }
  auto link = parse_link_spec(spec);
  if (!link) {
    std::fprintf(stderr, "kskline-link-exchange: %s\n", link.error().message().c_str());
    return 2;
  }
  TransferOptions options;
  options.link = *link;
  options.wait = proto::Duration(static_cast<std::int64_t>(wait * 1e6));
  options.notice = [](const std::string& text) { std::fprintf(stderr, "kskline-link-exchange: %s\n", text.c_str()); };
  if (role == "request") {
    Bytes request = envelope(size == 0 ? 2048 : size, proto::Kind::request, {});
    auto digest = proto::parse_envelope(request)->digest;
    std::size_t request_size = request.size();
    auto r = request_response(options, std::move(request));
    if (!r) {
      std::fprintf(stderr, "kskline-link-exchange: %s\n", r.error().message().c_str());
      return 1;
    }
    auto response = proto::parse_envelope(r->response);
    if (!response || response->header.in_reply_to != digest) {
      report_errors(r->report);
      std::fprintf(stderr, "kskline-link-exchange: no answer to the request\n");
      return 1;
    }
    std::printf("request %zu bytes, response %zu bytes\n", request_size, r->response.size());
    return report_errors(r->report);
  }
  if (role == "answer") {
    std::size_t answer_size = size == 0 ? 4096 : size;
    Answer answer = [answer_size](ByteView request) -> Result<Bytes> {
      auto env = proto::parse_envelope(request);
      if (!env) return tl::unexpected(env.error());
      return envelope(answer_size, proto::Kind::response, env->digest);
    };
    auto r = answer_requests(options, answer, 1);
    if (!r) {
      std::fprintf(stderr, "kskline-link-exchange: %s\n", r.error().message().c_str());
      return 1;
    }
    return report_errors(r->report);
  }
  return usage();
}
