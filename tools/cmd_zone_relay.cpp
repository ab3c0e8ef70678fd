// `kskline zone relay KSR -o SKR --link L --trust-anchor F`: the zone side
// for Knot and BIND users, with no kskline zone state. Carries a KSR written
// by `keymgr generate-ksr` or `dnssec-ksr request` to the KSK side over a
// link and writes the SKR it answers, checked against the KSK's trust
// anchor, for `keymgr import-skr` or `rndc skr -import`.
//
// Serial and loopback links wait for the answer. A spool link (a USB stick)
// posts the KSR and notes what it posted in SKR.pending; the same command
// run again once the stick is back takes the answer from the stick.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/atomic_file.hpp"
#include "base/encoding.hpp"
#include "proto/envelope.hpp"
#include "signer/errc.hpp"
#include "signer/fingerprint.hpp"
#include "signer/foreign_dialect.hpp"
#include "signer/key_request.hpp"
#include "signer/refusal.hpp"
#include "signer/response_check.hpp"
#include "tools/commands.hpp"
#include "tools/link_options.hpp"
#include "tools/submit.hpp"
#include "tools/option_values.hpp"
#include "tools/time_option.hpp"
#include "transport/file_transfer.hpp"
#include "transport/link_spec.hpp"
#include "transport/spool.hpp"

namespace kskline::tools {
namespace {

struct RelayOptions {
  std::string ksr;           // the KSR file
  std::string output;        // the SKR file written
  std::string trust_anchor;  // DS or DNSKEY records of the KSK
  std::string ksk_dir;       // loopback: the KSK state that answers in this process
  bool ksk_batch = false;    // loopback: the KSK side signs only what its policy auto-approves
  double timeout = 1800;
  std::string now;
  LinkOptions link;
};

// The envelope payload types of a dialect's KSR and SKR.
proto::PayloadType ksr_payload(signer::Dialect d) {
  return d == signer::Dialect::knot ? proto::PayloadType::knot_ksr : proto::PayloadType::bind_ksr;
}
proto::PayloadType skr_payload(signer::Dialect d) {
  return d == signer::Dialect::knot ? proto::PayloadType::knot_skr : proto::PayloadType::bind_skr;
}

// What the zone's signer runs to take the SKR.
std::string import_hint(signer::Dialect d, const zone::Name& zone, const std::string& skr) {
  return d == signer::Dialect::knot ? "keymgr " + zone.to_string() + " import-skr " + skr
                                    : "rndc skr -import " + skr + " " + zone.to_string();
}

// The file noting a request posted to a spool: SKR.pending.
std::string pending_path(const std::string& output) { return output + ".pending"; }

// What SKR.pending holds.
struct Pending {
  std::string ksr_sha256;       // hex, of the KSR's text
  std::string envelope_sha256;  // hex, of the envelope posted (its answer's in_reply_to)
  std::string posted;           // where it was posted
};

std::string format_pending(const Pending& p) {
  return "kskline-relay-pending 1\nksr-sha256 " + p.ksr_sha256 + "\nenvelope-sha256 " + p.envelope_sha256 +
         "\nposted " + p.posted + "\n";
}

Result<Pending> parse_pending(std::string_view text, const std::string& path) {
  Pending p;
  const bool ours = text.substr(0, text.find('\n')) == "kskline-relay-pending 1";
  while (ours && !text.empty()) {
    const auto eol = text.find('\n');
    const auto line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    const auto space = line.find(' ');
    if (space == std::string_view::npos) continue;
    const auto key = line.substr(0, space);
    const auto value = line.substr(space + 1);
    if (key == "ksr-sha256") p.ksr_sha256 = value;
    if (key == "envelope-sha256") p.envelope_sha256 = value;
    if (key == "posted") p.posted = value;
  }
  if (p.ksr_sha256.size() != 64 || p.envelope_sha256.size() != 64) {
    return fail(signer::errc::syntax, "not a note of a posted KSR; remove it to post the KSR again", path);
  }
  return p;
}

// Takes the KSK side's answer to `ksr`: a refusal is reported (exit 1); an
// SKR in the KSR's dialect is checked against the anchor and written to
// `output` atomically, as received.
int take_answer_to(const signer::ForeignDocument& ksr, ByteView answer, const signer::TrustAnchor& anchor,
                   const std::string& output) {
  auto env = proto::parse_envelope(answer);
  if (!env) return report(env.error().located("the answer"));
  const std::string_view payload(reinterpret_cast<const char*>(env->payload.data()), env->payload.size());
  if (env->header.kind == proto::Kind::error) {
    auto refusal = signer::parse_refusal(payload);
    if (!refusal) return report(refusal.error().located("the KSK side's refusal"));
    return report(signer::refusal_error(*refusal));
  }
  const signer::Dialect dialect = ksr.dialect;
  if (env->header.kind != proto::Kind::response || env->header.payload_type != skr_payload(dialect)) {
    return report(Error{signer::errc::syntax, "the answer",
                        "not a " + std::string(signer::dialect_name(dialect)) + " SKR (envelope kind " +
                            std::to_string(static_cast<int>(env->header.kind)) + ", payload type " +
                            std::to_string(static_cast<int>(env->header.payload_type)) + ")"});
  }
  auto skr = signer::parse_foreign(payload, "the answer", signer::ForeignKind::response, &ksr.zone);
  if (!skr) return report(skr.error());
  if (skr->dialect != dialect) {
    return report(Error{signer::errc::syntax, "the answer",
                        "an SKR in " + std::string(signer::dialect_name(skr->dialect)) + "'s dialect to a " +
                            std::string(signer::dialect_name(dialect)) + " KSR"});
  }
  if (auto checked = signer::check_foreign_response(ksr, *skr, anchor); !checked) {
    return report(checked.error().located(output.empty() ? "the answer" : "the answer (" + output + ")"));
  }
  if (auto written = base::write_file_atomic(output, env->payload); !written) return report(written.error());
  const auto response = signer::to_key_response(*skr);
  std::printf("wrote %s: %zu bundles, %s .. %s, checked against the trust anchor; import it with `%s`\n",
              output.c_str(), skr->bundles.size(), signer::format_time(response.slots.front().start).c_str(),
              signer::format_time(response.slots.back().end).c_str(),
              import_hint(dialect, ksr.zone, output).c_str());
  return kExitOk;
}

// The answer to the envelope with digest `sent` among the spool's inbound
// files, authenticated as the link options say; nullopt when none is there.
Result<std::optional<std::pair<std::string, Bytes>>> find_spool_answer(const transport::Spool& spool,
                                                                        const proto::Sha256& sent,
                                                                        const LinkOptions& link) {
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(spool.inbound().c_str()), ::closedir);
  if (!dir) return fail(base::errc::io_error, "cannot read the folder", spool.inbound());
  std::vector<std::string> names;
  while (auto* e = ::readdir(dir.get())) {
    std::string name = e->d_name;
    if (name.empty() || name[0] == '.' || name.size() < 5 || name.compare(name.size() - 5, 5, ".kske") != 0) continue;
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    const std::string path = spool.inbound() + "/" + name;
    struct stat st{};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    auto bytes = base::read_file(path, proto::kDefaultMaxEnvelope);
    if (!bytes) continue;
    Bytes envelope(bytes->begin(), bytes->end());
    auto env = proto::parse_envelope(envelope);
    if (!env || env->header.in_reply_to != sent) continue;
    auto authentic = authenticate_envelope(envelope, link.peers.empty() ? std::string() : link.peers.front(),
                                           link.auth, "--peer");
    if (!authentic) return tl::unexpected(authentic.error().located(transport::printable_name(path)));
    return std::optional(std::pair(path, std::move(envelope)));
  }
  return std::optional<std::pair<std::string, Bytes>>();
}

// The spool half: post the KSR and note it, or take the answer to what was
// posted before.
int relay_over_spool(const RelayOptions& o, const transport::SpoolLink& link, const signer::ForeignDocument& ksr,
                     const std::string& ksr_text, const signer::TrustAnchor& anchor,
                     const proto::LinkIdentity* identity) {
  auto spool = transport::Spool::open(link.dir, transport::Side::zone);
  if (!spool) return report(spool.error());
  const std::string ksr_hex = base::to_hex(ByteView(signer::text_sha256(ksr_text).data(), 32));
  const std::string note = pending_path(o.output);
  if (::access(note.c_str(), F_OK) == 0) {
    auto text = base::read_file(note, 4096);
    if (!text) return report(text.error());
    auto pending = parse_pending(*text, note);
    if (!pending) return report(pending.error());
    if (pending->ksr_sha256 != ksr_hex) {
      return report(Error{signer::errc::not_our_request, note,
                          "notes another KSR posted to " + pending->posted + "; remove it to post " + o.ksr});
    }
    auto sent = base::from_hex(pending->envelope_sha256);
    proto::Sha256 digest{};
    if (!sent || sent->size() != digest.size()) {
      return report(Error{signer::errc::syntax, note, "a malformed envelope digest; remove it to post the KSR again"});
    }
    std::copy(sent->begin(), sent->end(), digest.begin());
    auto found = find_spool_answer(*spool, digest, o.link);
    if (!found) return report(found.error());
    if (!*found) {
      std::fprintf(stderr,
                   "kskline: no answer to the KSR posted as %s yet in %s; take the medium to the KSK side "
                   "(`kskline ksk serve --dir KSK-STATE --link spool:STICK`) and run this command again\n",
                   pending->posted.c_str(), spool->inbound().c_str());
      return kExitFailure;
    }
    const int rc = take_answer_to(ksr, (*found)->second, anchor, o.output);
    // A refusal or an SKR written: the answer is taken and the note done.
    if (rc == kExitOk || proto::parse_envelope((*found)->second)->header.kind == proto::Kind::error) {
      if (auto moved = transport::move_taken((*found)->first); !moved) report(moved.error());
      ::unlink(note.c_str());
    }
    return rc;
  }
  auto envelope = request_envelope(ksr_text, identity, transport::spool_counter(), ksr_payload(ksr.dialect));
  if (!envelope) return report(envelope.error());
  auto digest = proto::trailing_digest(*envelope);
  if (!digest) return report(Error{signer::errc::syntax, "the request envelope", "has no digest"});
  auto posted = spool->post(*envelope);
  if (!posted) return report(posted.error());
  Pending pending{ksr_hex, base::to_hex(ByteView(digest->data(), digest->size())), *posted};
  const std::string text = format_pending(pending);
  if (auto noted = base::write_file_atomic(note, as_bytes(text)); !noted) return report(noted.error());
  std::printf("posted %s (noted in %s); take the medium to the KSK side "
              "(`kskline ksk serve --dir KSK-STATE --link spool:STICK`), "
              "then bring it back and run this command again\n",
              posted->c_str(), note.c_str());
  return kExitOk;
}

int run_relay(const RelayOptions& o) {
  auto now = parse_when("--now", o.now, system_now());
  if (!now) return report(now.error());
  auto text = base::read_file(o.ksr, 16u << 20);
  if (!text) return report(text.error());
  auto dialect = signer::detect_dialect(*text, o.ksr);
  if (!dialect) return report(dialect.error());
  if (*dialect == signer::Dialect::kskline) {
    return report(Error{signer::errc::syntax, o.ksr,
                        "a kskline request: send it with `kskline zone submit` from its zone state"});
  }
  auto ksr = signer::parse_foreign(*text, o.ksr, signer::ForeignKind::request);
  if (!ksr) return report(ksr.error());
  auto anchor_text = base::read_file(o.trust_anchor, 1u << 20);
  if (!anchor_text) return report(anchor_text.error());
  auto anchor = signer::parse_trust_anchor(*anchor_text, o.trust_anchor, ksr->zone);
  if (!anchor) return report(anchor.error());

  auto spec = transport::parse_link_spec(o.link.link);
  if (!spec) return report(spec.error().located("--link"));
  LinkOptions link = o.link;
  link.side = "zone";
  ProgressLine progress(!link.quiet);
  std::optional<proto::LinkIdentity> identity;
  auto options = transfer_options(link, true, identity, progress, "request");
  if (!options) return report(options.error());
  options->answer_wait = o.timeout <= 0 ? std::nullopt
                                        : std::optional(proto::Duration(static_cast<std::int64_t>(o.timeout * 1e6)));

  const auto digest = signer::text_sha256(*text);
  // What the KSK operator compares before typing yes.
  std::printf("%s KSR for %s: %zu bundles, %s .. %s\n%s", std::string(signer::dialect_name(*dialect)).c_str(),
              ksr->zone.to_string().c_str(), ksr->bundles.size(),
              signer::format_time(ksr->bundles.front().time).c_str(),
              signer::format_time(ksr->bundles.back().time).c_str(), signer::digest_lines(digest).c_str());
  std::fflush(stdout);

  if (const auto* spool = std::get_if<transport::SpoolLink>(&*spec)) {
    return relay_over_spool(o, *spool, *ksr, *text, *anchor, identity ? &*identity : nullptr);
  }
  auto envelope = request_envelope(*text, identity ? &*identity : nullptr, 0, ksr_payload(*dialect));
  if (!envelope) return report(envelope.error());
  auto result = exchange_request(*spec, *options, std::move(*envelope), LoopbackKsk{o.ksk_dir, o.ksk_batch, *now},
                                 "kskline zone relay", progress);
  if (!result) return report(result.error());
  if (result->response.empty()) {
    std::fprintf(stderr, "kskline: no answer; run the command again (the KSK side re-sends its stored answer)\n");
    return exit_code_for(result->report.errors);
  }
  return take_answer_to(*ksr, result->response, *anchor, o.output);
}

}  // namespace

void add_zone_relay(Cli& cli) {
  auto o = std::make_shared<RelayOptions>();
  auto* cmd = cli.zone->add_subcommand(
      "relay", "carry a Knot or BIND KSR to the KSK side over a link and write the SKR it answers (no zone state)");
  cmd->add_option("ksr", o->ksr, "the KSR file (keymgr generate-ksr, dnssec-ksr request)")->required();
  cmd->add_option("--output,-o", o->output, "the SKR file written (keymgr import-skr, rndc skr -import)")->required();
  cmd->add_option("--trust-anchor", o->trust_anchor, "the KSK's DS or DNSKEY records: every bundle is checked against them")
      ->required();
  add_link_options(cmd, o->link);
  cmd->add_option("--ksk-dir", o->ksk_dir, "loopback: the KSK state directory that answers in this process");
  cmd->add_flag("--ksk-batch", o->ksk_batch,
               "loopback: the KSK side asks no questions and signs only what its policy auto-approves");
  cmd->add_option("--timeout", o->timeout,
                  "seconds to wait for the answer once the KSR is delivered (default 1800; 0: forever)")
      ->check(number_value(0, kMaxSeconds));
  cmd->add_option("--now", o->now, std::string("the time to check the answer at: ") + kTimeGrammar + " (default: the clock)")
      ->check(time_value());
  cmd->callback([&cli, o] { cli.exit_code = run_relay(*o); });
}

}  // namespace kskline::tools
