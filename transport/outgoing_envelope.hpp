// The envelope of an outgoing message, as every sender builds it: a fresh
// random message id, then proto::build_envelope.
#pragma once

#include <cstdint>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "proto/envelope.hpp"
#include "proto/identity.hpp"
#include "proto/random.hpp"

namespace kskline::transport {

// Builds the envelope of `payload` as `spec` describes it (kind, payload
// type, in_reply_to, counter: spool_counter() on spool links, 0 on live
// ones) under a message id drawn from `random` (spec.id is ignored), signed
// by `identity` when given. proto::errc::too_large when it would exceed
// max_size.
Result<Bytes> outgoing_envelope(proto::EnvelopeSpec spec, ByteView payload, const proto::LinkIdentity* identity,
                                proto::Random& random, std::uint64_t max_size = proto::kDefaultMaxEnvelope);

}  // namespace kskline::transport
