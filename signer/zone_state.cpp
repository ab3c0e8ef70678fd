#include "signer/zone_state.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "base/atomic_file.hpp"
#include "base/encoding.hpp"
#include "proto/envelope.hpp"
#include "signer/errc.hpp"
#include "signer/internal/proof_of_possession.hpp"
#include "signer/state_dir.hpp"
#include "signer/zone_merge.hpp"
#include "zone/algorithm.hpp"
#include "zone/dnssec_key.hpp"
#include "zone/dnssec_time.hpp"
#include "zone/ds.hpp"
#include "zone/key_tag.hpp"
#include "zone/master_file.hpp"
#include "zone/record.hpp"
#include "zone/rr_types.hpp"
#include "zone/rrsig.hpp"
#include "zone/signed_output.hpp"
#include "zone/soa_serial.hpp"
#include "zone/zone_signer.hpp"

namespace kskline::signer {
namespace {

namespace fs = std::filesystem;

constexpr const char* kKeysDir = "keys";
constexpr const char* kRequestsDir = "requests";
constexpr const char* kResponsesDir = "responses";
constexpr const char* kPublishedSerialFile = "published-serial";

Result<void> make_dir(const std::string& path, mode_t mode) {
  if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) return base::fail_errno("cannot create directory", path);
  return {};
}

bool is_request_id(std::string_view id) {
  return id.size() == 32 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// A stored response with its file and the creation time of the request it
// answers.
struct StoredResponse {
  std::string path;
  std::int64_t request_created = 0;  // 0 when the request file does not read
  KeyResponse response;
};

// The creation time of stored request `id`, or 0 when it does not read.
std::int64_t request_created(const std::string& dir, const std::string& id) {
  const std::string path = state_path(state_path(dir, kRequestsDir), id + ".request");
  auto text = base::read_file(path, 64 << 20);
  if (!text) return 0;
  auto request = parse_request(*text, path);
  return request ? request->created : 0;
}

// The stored responses in the order of precedence, lowest first: by the
// creation time of the request each answers, then by request id. The answer
// to the request made last wins where slots overlap, whatever the order of
// import. Unreadable files are errors.
Result<std::vector<StoredResponse>> load_responses(const std::string& dir) {
  std::vector<StoredResponse> out;
  std::error_code ec;
  fs::directory_iterator it(state_path(dir, kResponsesDir), ec);
  if (ec) return fail(errc::bad_state, "cannot list: " + ec.message(), state_path(dir, kResponsesDir));
  for (const auto& entry : it) {
    const std::string path = entry.path().string();
    if (entry.path().extension() != ".response") continue;
    auto text = base::read_file(path, 64 << 20);
    if (!text) return tl::unexpected(text.error());
    auto response = parse_response(*text, path);
    if (!response) return tl::unexpected(response.error());
    const std::int64_t created = request_created(dir, response->request_id);
    out.push_back({path, created, std::move(*response)});
  }
  std::sort(out.begin(), out.end(), [](const StoredResponse& a, const StoredResponse& b) {
    if (a.request_created != b.request_created) return a.request_created < b.request_created;
    if (a.response.request_id != b.response.request_id) return a.response.request_id < b.response.request_id;
    return a.path < b.path;
  });
  return out;
}

// The response text of an import: the text itself, or the payload of a proto
// envelope holding a kskline response.
Result<std::string> response_payload(std::string_view text, std::string_view source) {
  ByteView bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  auto envelope = proto::parse_envelope(bytes);
  if (!envelope) {
    // Text unless it starts as an envelope does ("KSKE"): a damaged
    // envelope is named as one.
    if (text.substr(0, 4) != "KSKE") return std::string(text);
    return fail(errc::syntax, "a damaged envelope: " + envelope.error().message(), std::string(source));
  }
  if (envelope->header.payload_type != proto::PayloadType::kskline_response) {
    return fail(errc::syntax, "an envelope that does not hold a kskline response (payload type " +
                                  std::to_string(static_cast<unsigned>(envelope->header.payload_type)) + ")",
                std::string(source));
  }
  return std::string(reinterpret_cast<const char*>(envelope->payload.data()), envelope->payload.size());
}

// Checks `response` against the `request` it answers and stores `payload` (its
// text in kskline's dialect) as responses/<first start>-<id>.response: the
// last steps of every import, whatever dialect the response came in.
Result<ImportReport> check_and_store(const std::string& dir, const KeyRequest& request, const KeyResponse& response,
                                     const std::string& payload, const TrustAnchor& anchor,
                                     std::int64_t refresh_margin, std::string_view source) {
  if (auto r = check_response(request, response, anchor, refresh_margin); !r) {
    return tl::unexpected(r.error().located(source));
  }
  ImportReport report;
  report.request_id = response.request_id;
  report.slots = response.slots.size();
  report.from = response.slots.front().start;
  report.until = response.slots.back().end;
  report.path =
      state_path(state_path(dir, kResponsesDir), format_time(report.from) + "-" + response.request_id + ".response");
  // A request is answered once: the same answer again is a replay, another
  // one is refused; neither changes anything.
  auto stored = load_responses(dir);
  if (!stored) return tl::unexpected(stored.error());
  for (const auto& r : *stored) {
    if (r.response.request_id != response.request_id) continue;
    auto old_text = base::read_file(r.path, 64 << 20);
    if (old_text && *old_text == payload) {
      return fail(errc::replayed, "this response was imported before, as " + r.path + "; nothing changed",
                  std::string(source));
    }
    return fail(errc::not_our_request,
                "request " + response.request_id + " was already answered by " + r.path +
                    ", a different response; make a new request",
                std::string(source));
  }
  if (auto r = base::write_file_atomic(report.path, as_bytes(payload)); !r) return tl::unexpected(r.error());
  return report;
}

// Imports a Knot or BIND SKR (ZoneState::import_response).
Result<ImportReport> import_foreign(const std::string& dir, const zone::Name& zone, std::string_view text,
                                    std::string_view source, const TrustAnchor& anchor, std::int64_t refresh_margin) {
  auto skr = parse_foreign(text, source, ForeignKind::response, &zone);
  if (!skr) return tl::unexpected(skr.error());
  // Every stored request, newest first: the newest one the SKR answers wins.
  std::vector<std::pair<KeyRequest, std::string>> requests;
  std::error_code ec;
  const std::string requests_dir = state_path(dir, kRequestsDir);
  for (const auto& entry : fs::directory_iterator(requests_dir, ec)) {
    if (entry.path().extension() != ".request") continue;
    const std::string path = entry.path().string();
    auto request_text = base::read_file(path, 64 << 20);
    if (!request_text) return tl::unexpected(request_text.error());
    auto request = parse_request(*request_text, path);
    if (!request) return fail(errc::bad_state, request.error().message(), path);
    requests.emplace_back(std::move(*request), std::move(*request_text));
  }
  if (ec) return fail(errc::bad_state, "cannot list: " + ec.message(), requests_dir);
  std::sort(requests.begin(), requests.end(), [](const auto& a, const auto& b) {
    if (a.first.created != b.first.created) return a.first.created > b.first.created;
    return a.first.id > b.first.id;
  });
  for (const auto& [request, request_text] : requests) {
    auto answer = foreign_answer(request, request_text, *skr);
    if (!answer) continue;
    auto report = check_and_store(dir, answer->request, answer->response, format_response(answer->response), anchor,
                                  refresh_margin, source);
    if (report) report->dialect = skr->dialect;
    return report;
  }
  return fail(errc::not_our_request,
              "this " + std::string(dialect_name(skr->dialect)) + " SKR (" + std::to_string(skr->bundles.size()) +
                  " bundles " + format_time(skr->bundles.front().time) + ".." +
                  format_time(skr->bundles.back().time) +
                  ") answers no request of this state: none has its bundle times and ZSKs; make the request with "
                  "`kskline zone request --format " + std::string(dialect_name(skr->dialect)) + "`",
              std::string(source));
}

// The SOA serial of a signed zone written before (its apex comes first), or
// nullopt when there is none or it does not read. Only for a state that
// predates the stored serial (last_published_serial).
std::optional<std::uint32_t> serial_in_signed_file(const std::string& path, const zone::Name& origin) {
  std::ifstream in(path);
  std::string line;
  for (int n = 0; n < 10000 && std::getline(in, line); ++n) {
    if (line.find("\tSOA\t") == std::string::npos) continue;
    zone::MasterOptions options;
    options.origin = origin;
    options.allow_include = false;
    auto list = zone::read_master_text(line, path, options);
    if (!list || list->records.size() != 1 || list->records[0].type != zone::rrtype::SOA) return std::nullopt;
    auto serial = zone::soa_serial(list->records[0].rdata);
    if (!serial) return std::nullopt;
    return *serial;
  }
  return std::nullopt;
}

// The SOA serial of the last publish: DIR/published-serial (decimal, one
// line). A state without it (written before the serial was stored, or never
// published) falls back to the serial in the signed file `output`, once:
// the next publish stores its own. errc::bad_state when the file holds
// something else.
Result<std::optional<std::uint32_t>> last_published_serial(const std::string& dir, const std::string& output,
                                                           const zone::Name& origin) {
  const std::string path = state_path(dir, kPublishedSerialFile);
  auto text = base::read_file(path, 64);
  if (!text) {
    if (text.error().code != base::errc::not_found) return tl::unexpected(text.error());
    return serial_in_signed_file(output, origin);
  }
  std::string_view digits(*text);
  if (!digits.empty() && digits.back() == '\n') digits.remove_suffix(1);
  std::uint64_t serial = 0;
  bool ok = !digits.empty() && digits.size() <= 10;
  for (char c : digits) {
    ok = ok && c >= '0' && c <= '9';
    serial = serial * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (!ok || serial > 0xffffffffu) {
    return fail(errc::bad_state, "not a SOA serial (decimal, one line); remove the file to count from the signed zone",
                path);
  }
  return static_cast<std::uint32_t>(serial);
}

}  // namespace

std::string ZoneState::resolve(const std::string& path) const {
  if (!path.empty() && path.front() == '/') return path;
  return state_path(dir_, path);
}

Result<ZoneState> ZoneState::init(const std::string& dir, const ZoneInit& init) {
  const ZoneConfig& config = init.config;
  if (config.zone.is_root()) return fail(errc::bad_config, "no zone given", "zone");
  if (auto r = check_zone_config(config); !r) return tl::unexpected(r.error());
  auto anchor = parse_trust_anchor(init.trust_anchor,
                                   init.trust_anchor_source.empty() ? "trust anchor" : init.trust_anchor_source,
                                   config.zone);
  if (!anchor) return tl::unexpected(anchor.error());
  if (auto r = make_dir(dir, 0755); !r) return tl::unexpected(r.error());
  auto lock = lock_state_dir(dir, "kskline zone init");
  if (!lock) return tl::unexpected(lock.error());
  const std::string config_path = state_path(dir, kZoneConfigFile);
  if (::access(config_path.c_str(), F_OK) == 0) {
    return fail(errc::bad_state, "a zone state already exists here; it is never overwritten", config_path);
  }
  for (const char* sub : {kKeysDir, kRequestsDir, kResponsesDir}) {
    if (auto r = make_dir(state_path(dir, sub), sub == kKeysDir ? 0700 : 0755); !r) return tl::unexpected(r.error());
  }
  std::string anchor_text = format_trust_anchor(*anchor);
  const std::string anchor_path = config.trust_anchor.front() == '/' ? config.trust_anchor
                                                                      : state_path(dir, config.trust_anchor);
  if (auto r = base::create_file_atomic(anchor_path, as_bytes(anchor_text)); !r) return tl::unexpected(r.error());
  // The configuration last: its presence marks a complete state.
  std::string config_text = format_zone_config(config);
  if (auto r = base::create_file_atomic(config_path, as_bytes(config_text)); !r) return tl::unexpected(r.error());
  return ZoneState(dir, config, std::move(*anchor), std::nullopt);
}

Result<ZoneState> ZoneState::open(const std::string& dir, std::chrono::milliseconds patience) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return fail(errc::bad_state, "no such state directory (run `kskline zone init`)", dir);
  }
  auto lock = lock_state_dir(dir, "kskline zone", patience);
  if (!lock) return tl::unexpected(lock.error());
  auto config = read_zone_config(dir);
  if (!config) return tl::unexpected(config.error());
  std::string anchor_path = config->trust_anchor.front() == '/' ? config->trust_anchor : state_path(dir, config->trust_anchor);
  auto text = base::read_file(anchor_path, 1 << 20);
  if (!text) return fail(errc::bad_state, "cannot read the trust anchor: " + text.error().message(), anchor_path);
  auto anchor = parse_trust_anchor(*text, anchor_path, config->zone);
  if (!anchor) return tl::unexpected(anchor.error());
  return ZoneState(dir, std::move(*config), std::move(*anchor), std::move(*lock));
}

Result<void> ZoneState::note_sent(std::string_view request_id, const proto::Sha256& envelope_digest) {
  const std::string id(request_id);
  const std::string requests = state_path(dir_, kRequestsDir);
  if (!is_request_id(id) || ::access(state_path(requests, id + ".request").c_str(), F_OK) != 0) {
    return fail(errc::not_our_request, "request " + id + " is not stored in requests/", requests);
  }
  const std::string path = state_path(requests, id + ".sent");
  std::string text;
  if (auto old = base::read_file(path, 1 << 20)) {
    text = *old;
  } else if (old.error().code != base::errc::not_found) {
    return tl::unexpected(old.error());
  }
  const std::string line = base::to_hex(ByteView(envelope_digest.data(), envelope_digest.size())) + "\n";
  if (text.find(line) != std::string::npos) return {};
  text += line;
  return base::write_file_atomic(path, as_bytes(text));
}

Result<RefusalRecord> ZoneState::record_refusal(const proto::Sha256& in_reply_to, std::string_view text,
                                                std::string_view source) {
  auto refusal = parse_refusal(text);
  if (!refusal) return tl::unexpected(refusal.error().located(source));
  const std::string requests = state_path(dir_, kRequestsDir);
  const std::string line = base::to_hex(ByteView(in_reply_to.data(), in_reply_to.size()));
  std::error_code ec;
  std::optional<std::string> id;
  for (const auto& entry : fs::directory_iterator(requests, ec)) {
    if (entry.path().extension() != ".sent") continue;
    auto sent = base::read_file(entry.path().string(), 1 << 20);
    if (!sent) continue;
    std::string_view rest(*sent);
    while (!rest.empty() && !id) {
      const auto end = rest.find('\n');
      if (rest.substr(0, end) == line) id = entry.path().stem().string();
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    }
    if (id) break;
  }
  if (!id) {
    return fail(errc::not_our_request,
                "a refusal (" + refusal->code + ": " + refusal->message +
                    ") answering an envelope this state never sent (only `zone submit` records what it sends)",
                std::string(source));
  }
  RefusalRecord record;
  record.request_id = *id;
  record.refusal = std::move(*refusal);
  record.path = state_path(requests, *id + ".refused");
  if (auto old = base::read_file(record.path, 1 << 20); old && *old == text) {
    record.again = true;
    return record;
  }
  if (auto w = base::write_file_atomic(record.path, as_bytes(text)); !w) return tl::unexpected(w.error());
  return record;
}

Result<std::string> ZoneState::newest_unanswered_request() const {
  auto responses = load_responses(dir_);
  if (!responses) return tl::unexpected(responses.error());
  std::error_code ec;
  std::optional<fs::path> best;
  fs::file_time_type best_time;
  for (const auto& entry : fs::directory_iterator(state_path(dir_, kRequestsDir), ec)) {
    if (entry.path().extension() != ".request") continue;
    const std::string id = entry.path().stem().string();
    if (std::any_of(responses->begin(), responses->end(),
                    [&](const StoredResponse& r) { return r.response.request_id == id; })) {
      continue;
    }
    // A refused request stays refused when sent again (its creation time,
    // its slots): the operator makes a new one, or names this one.
    if (::access(state_path(state_path(dir_, kRequestsDir), id + ".refused").c_str(), F_OK) == 0) continue;
    auto t = entry.last_write_time(ec);
    if (!best || t > best_time) {
      best = entry.path();
      best_time = t;
    }
  }
  if (!best) {
    return fail(errc::bad_state,
                "no unanswered request (answered and refused ones are not sent again): make one with `kskline zone "
                "request --until DATE -o FILE`",
                dir_);
  }
  return best->string();
}

Result<std::vector<StoredZsk>> ZoneState::zsks() const {
  std::vector<StoredZsk> out;
  const std::string keys_dir = state_path(dir_, kKeysDir);
  std::error_code ec;
  fs::directory_iterator it(keys_dir, ec);
  if (ec) return fail(errc::bad_state, "cannot list: " + ec.message(), keys_dir);
  std::vector<std::string> names;
  for (const auto& entry : it) {
    if (entry.path().extension() == ".private") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    const std::string base = state_path(keys_dir, name);
    auto pair = zone::read_key_pair(base);
    if (!pair) return tl::unexpected(pair.error());
    if (!(pair->owner == config_.zone) || pair->flags != zone::dnskey_flag::ZONE) {
      return fail(errc::bad_state, "not a ZSK of " + config_.zone.to_string() + " (flags 256)", base + ".key");
    }
    auto times = zone::read_key_times(base);
    if (!times) return tl::unexpected(times.error());
    if (!times->publish || !times->activate || !times->inactive || !times->remove) {
      return fail(errc::bad_state, "a ZSK needs Publish, Activate, Inactive and Delete times", base + ".private");
    }
    ZskWindow w{*times->publish, *times->activate, *times->inactive, *times->remove};
    if (!(w.publish <= w.activate && w.activate < w.inactive && w.inactive <= w.remove)) {
      return fail(errc::bad_state, "its times are out of order (Publish <= Activate < Inactive <= Delete)",
                  base + ".private");
    }
    out.push_back({name, std::move(*pair), w});
  }
  std::sort(out.begin(), out.end(), [](const StoredZsk& a, const StoredZsk& b) {
    return a.window.activate != b.window.activate ? a.window.activate < b.window.activate : a.basename < b.basename;
  });
  return out;
}

Result<std::vector<std::string>> ZoneState::pregenerate(std::int64_t until, std::int64_t now) {
  if (until > now && (until - now) / config_.zsk_lifetime >= kMaxPregenerated) {
    return fail(errc::bad_config,
                "that many ZSKs (more than " + std::to_string(kMaxPregenerated) + ") are not made at once; choose an earlier date",
                "--until");
  }
  auto keys = zsks();
  if (!keys) return tl::unexpected(keys.error());
  std::vector<ZskWindow> windows;
  std::vector<std::uint16_t> tags;
  for (const auto& k : *keys) {
    windows.push_back(k.window);
    tags.push_back(k.pair.key_tag);
  }
  for (const auto& r : anchor_.records) {
    if (r.type == zone::rrtype::DNSKEY) tags.push_back(zone::key_tag(r.rdata));
    if (r.type == zone::rrtype::DS) {
      if (auto ds = zone::parse_ds(r.rdata)) tags.push_back(ds->key_tag);
    }
  }
  // Old ZSKs stay published until their signatures have left every cache:
  // at least the zone's largest TTL plus the propagation delay after they
  // go inactive (RFC 7583 §3.2), whatever `retire` says.
  ZoneConfig plan = config_;
  zone::MasterOptions master;
  master.origin = config_.zone;
  master.max_records = static_cast<std::size_t>(config_.max_records);
  if (auto zone_records = zone::read_master_file(resolve(config_.zone_file), master)) {
    std::int64_t max_ttl = 0;
    for (const auto& r : zone_records->records) max_ttl = std::max<std::int64_t>(max_ttl, r.ttl);
    plan.retire = std::max(plan.retire, max_ttl + config_.propagation_delay);
  }
  std::vector<std::string> made;
  const bool rsa = config_.algorithm == zone::alg::RSASHA256 || config_.algorithm == zone::alg::RSASHA512;
  const unsigned bits = rsa ? config_.rsa_bits : 0;
  for (const auto& w : plan_zsks(windows, plan, until, now)) {
    // A key whose tag another key of the zone has is made again.
    std::optional<zone::KeyPair> pair;
    for (int attempt = 0; attempt < 16 && !pair; ++attempt) {
      auto key = zone::PrivateKey::generate(config_.algorithm, bits);
      if (!key) return tl::unexpected(key.error());
      auto p = zone::make_key_pair(config_.zone, zone::dnskey_flag::ZONE, std::move(*key));
      if (!p) return tl::unexpected(p.error());
      if (std::find(tags.begin(), tags.end(), p->key_tag) == tags.end()) pair = std::move(*p);
    }
    if (!pair) return fail(errc::bad_state, "no key without a key tag collision after 16 tries", state_path(dir_, kKeysDir));
    zone::KeyTimes times{now, w.publish, w.activate, w.inactive, w.remove};
    auto base = zone::write_key_pair(state_path(dir_, kKeysDir), *pair, times);
    if (!base) return tl::unexpected(base.error());
    tags.push_back(pair->key_tag);
    made.push_back(*base);
  }
  return made;
}

Result<RequestMade> ZoneState::make_request(std::int64_t from, std::int64_t until, std::int64_t now,
                                            proto::Random& random, Dialect dialect) {
  auto keys = zsks();
  if (!keys) return tl::unexpected(keys.error());
  std::vector<ZskWindow> windows;
  for (const auto& k : *keys) windows.push_back(k.window);
  auto planned = plan_slots(windows, from, until, config_.slot_interval);
  if (!planned) return tl::unexpected(planned.error());

  zone::MasterOptions master;
  master.origin = config_.zone;
  master.max_records = static_cast<std::size_t>(config_.max_records);
  auto zone_records = zone::read_master_file(resolve(config_.zone_file), master);
  if (!zone_records) return tl::unexpected(zone_records.error());
  std::int64_t max_ttl = 0;
  for (const auto& r : zone_records->records) max_ttl = std::max<std::int64_t>(max_ttl, r.ttl);
  max_ttl = std::max<std::int64_t>(max_ttl, config_.dnskey_ttl);
  const std::int64_t margin = std::max(config_.refresh_margin, max_ttl + config_.propagation_delay);

  KeyRequest request;
  request.id = new_request_id(random);
  request.zone = config_.zone;
  request.created = now;
  request.dnskey_ttl = config_.dnskey_ttl;
  for (const auto& p : *planned) {
    RequestSlot slot;
    slot.start = p.start;
    slot.end = p.end;
    slot.inception = p.start - config_.backdate;
    slot.expiration = p.end + margin;
    std::vector<const StoredZsk*> slot_keys;
    for (std::size_t i : p.keys) slot_keys.push_back(&(*keys)[i]);
    std::sort(slot_keys.begin(), slot_keys.end(),
              [](const StoredZsk* a, const StoredZsk* b) { return a->pair.key_tag < b->pair.key_tag; });
    for (const auto* k : slot_keys) {
      slot.zsks.push_back(
          zone::make_record(config_.zone, zone::rrtype::DNSKEY, config_.dnskey_ttl, k->pair.dnskey_rdata));
    }
    // Proof of possession: each ZSK signs the slot's ZSK DNSKEY RRset.
    for (const auto* k : slot_keys) {
      auto proof = sign_proof_of_possession(config_.zone, slot, k->pair, config_.dnskey_ttl);
      if (!proof) return tl::unexpected(proof.error());
      slot.proofs.push_back(std::move(*proof));
    }
    request.slots.push_back(std::move(slot));
  }
  std::string text = format_request(request);
  const std::string request_path = state_path(state_path(dir_, kRequestsDir), request.id + ".request");
  std::string output = text;
  if (dialect != Dialect::kskline) {
    auto ksr = from_key_request(request, dialect);
    // BIND's KSR has a bundle only where the ZSK set changes (as dnssec-ksr
    // request writes it): given two bundles with the same ZSKs, dnssec-ksr
    // 9.20 sign answers the second twice, with the same time.
    if (dialect == Dialect::bind) {
      std::vector<ForeignBundle> changes;
      for (auto& b : ksr.bundles) {
        if (changes.empty() || zsk_rdatas(changes.back().records) != zsk_rdatas(b.records)) {
          changes.push_back(std::move(b));
        }
      }
      ksr.bundles = std::move(changes);
    }
    output = format_foreign(ksr);
    // The dialect first: a request file without it would read as one sent in kskline's.
    const std::string dialect_path = state_path(state_path(dir_, kRequestsDir), request.id + ".dialect");
    if (auto r = base::create_file_atomic(dialect_path, as_bytes(std::string(dialect_name(dialect)) + "\n")); !r) {
      return tl::unexpected(r.error());
    }
  }
  if (auto r = base::create_file_atomic(request_path, as_bytes(text)); !r) {
    return tl::unexpected(r.error());
  }
  return RequestMade{std::move(request), std::move(text), dialect, std::move(output)};
}

Result<ImportReport> ZoneState::import_response(std::string_view text, std::string_view source,
                                                 std::int64_t /*now*/) {
  if (auto dialect = detect_dialect(text, source); dialect && *dialect != Dialect::kskline) {
    return import_foreign(dir_, config_.zone, text, source, anchor_, config_.refresh_margin);
  }
  auto payload = response_payload(text, source);
  if (!payload) return tl::unexpected(payload.error());
  auto response = parse_response(*payload, source);
  if (!response) return tl::unexpected(response.error());
  if (!(response->zone == config_.zone)) {
    return fail(errc::wrong_zone,
                "the response is for " + response->zone.to_string() + ", this state for " + config_.zone.to_string(),
                std::string(source));
  }
  if (!is_request_id(response->request_id)) {
    return fail(errc::not_our_request, "request-id '" + response->request_id + "' is not one kskline makes",
                std::string(source));
  }
  const std::string request_path = state_path(state_path(dir_, kRequestsDir), response->request_id + ".request");
  auto request_text = base::read_file(request_path, 64 << 20);
  if (!request_text) {
    if (request_text.error().code == base::errc::not_found) {
      return fail(errc::not_our_request, "it answers request " + response->request_id + ", which this state never made",
                  std::string(source));
    }
    return tl::unexpected(request_text.error());
  }
  if (text_sha256(*request_text) != response->request_sha256) {
    return fail(errc::not_our_request,
                "request-sha256 differs from the SHA-256 of request " + response->request_id + " as sent",
                std::string(source));
  }
  auto request = parse_request(*request_text, request_path);
  if (!request) return fail(errc::bad_state, request.error().message(), request_path);
  return check_and_store(dir_, *request, *response, *payload, anchor_, config_.refresh_margin, source);
}

Result<PublishReport> ZoneState::publish(std::int64_t now, const PublishTarget& target) {
  auto responses = load_responses(dir_);
  if (!responses) return tl::unexpected(responses.error());
  const StoredResponse* from = nullptr;
  const ResponseSlot* slot = nullptr;
  for (auto it = responses->rbegin(); it != responses->rend() && !slot; ++it) {
    slot = slot_at(it->response, now);
    if (slot) from = &*it;
  }
  if (!slot) {
    return fail(errc::no_slot_for_now,
                "no stored KSK signatures cover " + format_time(now) +
                    ": make a request and import the answer (`kskline zone request`, `zone import`)",
                dir_);
  }
  auto keys = zsks();
  if (!keys) return tl::unexpected(keys.error());
  zone::SignInput input;
  PublishReport report;
  for (auto& k : *keys) {
    if (!k.window.active_at(now)) continue;
    report.zsk_tags.push_back(k.pair.key_tag);
    input.keys.push_back(std::move(k.pair));
  }
  if (input.keys.empty()) {
    return fail(errc::bad_state, "no ZSK is active at " + format_time(now) + ": run `kskline zone pregenerate`",
                state_path(dir_, kKeysDir));
  }
  zone::MasterOptions master;
  master.origin = config_.zone;
  master.max_records = static_cast<std::size_t>(config_.max_records);
  auto zone_records = zone::read_master_file(resolve(config_.zone_file), master);
  if (!zone_records) return tl::unexpected(zone_records.error());
  input.zone = std::move(*zone_records);
  // Each publish must reach the secondaries, so its serial must exceed the
  // last one published even when the zone file's has not changed: the
  // policy counts from the greater of the two.
  const std::string live_output = resolve(config_.signed_file);
  const bool live = target.output.empty() && !target.dry_run;
  const std::string output = target.output.empty() ? live_output : target.output;
  auto previous = last_published_serial(dir_, live_output, config_.zone);
  if (!previous) return tl::unexpected(previous.error());
  if (*previous) {
    for (auto& r : input.zone.records) {
      if (r.type != zone::rrtype::SOA || !(r.owner == config_.zone)) continue;
      auto current = zone::soa_serial(r.rdata);
      if (current && zone::serial_lt(*current, **previous)) (void)zone::set_soa_serial(r.rdata, **previous);
    }
  }
  zone::RecordList keyset;
  keyset.records = publishable_records(*slot);
  keyset.files.push_back(from->path);
  input.keyset = std::move(keyset);

  zone::SignOptions options;
  options.origin = config_.zone;
  options.serial = zone::parse_serial_policy(config_.serial).value_or(zone::SerialPolicy::keep);
  options.timing.now = now;
  options.timing.backdate = static_cast<std::uint32_t>(config_.backdate);
  options.timing.validity = static_cast<std::uint32_t>(config_.zsk_signature_validity);
  options.timing.jitter = options.timing.validity / 4;
  options.timing.refresh = options.timing.validity / 4;
  if (auto r = zone::check_timing(options.timing); !r) return tl::unexpected(r.error());
  options.zonemd = config_.zonemd;
  if (config_.nsec3) {
    zone::Nsec3Settings n;
    n.iterations = config_.nsec3_iterations;
    n.salt = base::from_hex(config_.nsec3_salt).value_or(Bytes{});  // checked with the config
    n.opt_out = config_.nsec3_optout;
    options.nsec3 = std::move(n);
  }

  // A dry run signs into nothing; the output is opened only to write.
  std::optional<zone::OutputFile> out;
  if (!target.dry_run) {
    auto opened = zone::OutputFile::create(output);
    if (!opened) return tl::unexpected(opened.error());
    out.emplace(std::move(*opened));
  }
  zone::SignedZoneSink sink;
  sink.write = [&](std::string_view t) -> Result<void> {
    if (out) return out->write(t);
    return {};
  };
  if (!out || out->seekable()) {
    sink.overwrite_start = [&](std::string_view t) -> Result<void> {
      if (out) return out->overwrite_start(t);
      return {};
    };
  }
  auto result = zone::sign_zone(std::move(input), options, sink);
  if (!result.problems.empty()) {
    Error first = result.problems.front();
    if (result.problems.size() > 1) {
      first.detail += " (and " + std::to_string(result.problems.size() - 1) + " more problems)";
    }
    return tl::unexpected(std::move(first));
  }
  // The serial is stored before the signed file is replaced: after a crash
  // in between, the stored one is ahead, and the next serial still exceeds
  // every one the secondaries have seen. Only the live file counts.
  if (live) {
    const std::string serial_text = std::to_string(result.summary.serial) + "\n";
    if (auto w = base::write_file_atomic(state_path(dir_, kPublishedSerialFile), as_bytes(serial_text)); !w) {
      return tl::unexpected(w.error());
    }
  }
  if (out) {
    if (auto c = out->commit(); !c) return tl::unexpected(c.error());
  }
  report.slot_start = slot->start;
  report.slot_end = slot->end;
  report.response = from->path;
  report.output = output;
  report.live = live;
  report.written = !target.dry_run;
  report.summary = result.summary;
  // The KSK's RRSIGs expire before the zone's by design (slot end + margin
  // against zsk_signature_validity); whether the stored answers last is
  // what status reports, so these notes describe normal operation.
  for (auto& note : result.notes) {
    if (note.find(", before the zone's signatures do") != std::string::npos) continue;
    report.notes.push_back(std::move(note));
  }
  return report;
}

Status ZoneState::status(std::int64_t now) const {
  Status s;
  s.zone = config_.zone;
  s.now = now;
  std::vector<std::string> load_problems;
  if (auto responses = load_responses(dir_)) {
    std::vector<SlotPeriod> periods;
    for (const auto& r : *responses) {
      for (const auto& slot : r.response.slots) periods.push_back({slot.start, slot.end});
    }
    s.stored_slots = periods.size();
    s.coverage_end = coverage_end(periods, now);
  } else {
    load_problems.push_back("stored responses: " + responses.error().message());
  }
  if (auto keys = zsks()) {
    std::vector<ZskTiming> timings;
    std::vector<SlotPeriod> active;
    for (const auto& k : *keys) {
      timings.push_back({k.pair.key_tag, k.window});
      active.push_back({k.window.activate, k.window.inactive});
      if (k.window.active_at(now)) ++s.active_zsks;
    }
    s.next_event = next_zsk_event(timings, now);
    s.zsks_until = coverage_end(active, now);
  } else {
    load_problems.push_back("ZSKs: " + keys.error().message());
  }
  evaluate_status(s, config_);
  for (auto& p : load_problems) {
    s.level = StatusLevel::critical;
    s.problems.push_back(std::move(p));
  }
  return s;
}

}  // namespace kskline::signer
