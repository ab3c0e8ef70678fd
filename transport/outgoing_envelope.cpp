#include "transport/outgoing_envelope.hpp"

namespace kskline::transport {

Result<Bytes> outgoing_envelope(proto::EnvelopeSpec spec, ByteView payload, const proto::LinkIdentity* identity,
                                proto::Random& random, std::uint64_t max_size) {
  random.fill(spec.id);
  return proto::build_envelope(spec, payload, identity, max_size);
}

}  // namespace kskline::transport
