// The offline KSK side of the ceremony: `kskline ksk init`, `ksk sign`,
// `ksk serve` and `ksk audit verify` on a state directory (docs/ksk.md).
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include "base/atomic_file.hpp"
#include "base/encoding.hpp"
#include "proto/envelope.hpp"
#include "proto/errc.hpp"
#include "proto/identity.hpp"
#include "signer/audit_log.hpp"
#include "signer/errc.hpp"
#include "signer/fingerprint.hpp"
#include "signer/ksk_endpoint.hpp"
#include "signer/state_dir.hpp"
#include "tools/commands.hpp"
#include "tools/exec_command.hpp"
#include "tools/ksk_answer.hpp"
#include "tools/link_options.hpp"
#include "tools/operator_prompt.hpp"
#include "tools/option_values.hpp"
#include "tools/token_options.hpp"
#include "tools/time_option.hpp"
#include "transport/disk_replay_ledger.hpp"
#include "transport/errc.hpp"
#include "transport/exchange.hpp"
#include "transport/file_transfer.hpp"
#include "transport/identity_file.hpp"
#include "transport/link_spec.hpp"
#include "transport/spool.hpp"
#include "zone/algorithm.hpp"
#include "zone/ds.hpp"

namespace kskline::tools {
namespace {

struct InitOptions {
  std::string dir = ".";
  std::vector<std::string> zones;
  std::string algorithm;  // empty: 13 for a new KSK, the token's for --use-existing
  unsigned bits = 0;
  std::vector<std::string> imports;
  std::string digests = "sha256";
  std::string now;
  bool exec_only = false;
  TokenKeyOptions token;  // the KSK in a token
  bool use_existing = false;
};

struct SignOptions {
  std::string dir = ".";
  std::string request;
  std::string output;
  bool batch = false;
  std::string now;
  std::string format;  // the answer's dialect (empty: the request's)
  std::string exec;    // --exec 'COMMAND {}' (empty: the state's KSKs sign)
  double exec_timeout = 60;
  std::string pin_file;
};

struct ServeOptions {
  std::string dir = ".";
  std::string link;
  bool batch = false;
  std::size_t count = 0;
  std::string now;
  double wait = kDefaultWait;
  double request_wait = 600;
  std::string exec;
  double exec_timeout = 60;
  std::string pin_file;
};

struct AuditOptions {
  std::string dir = ".";
  std::string note;
  std::string now;
};

constexpr const char* kExecHelp =
    "hand each approved Knot or BIND request to this command instead of the state's KSKs: {} is the request "
    "file, stdout the answer (run without a shell, e.g. 'keymgr -c knot.conf example.com. sign-ksr {}')";
constexpr const char* kExecTimeoutHelp = "seconds the --exec command may run before it is killed (default 60)";

// --now: as parse_when; empty: the system clock.
Result<std::int64_t> now_option(const std::string& text) { return parse_when("--now", text, system_now()); }

// The answer maker of --exec 'COMMAND {}': the template split once (usage
// errors now, not per request), each run killed after `timeout` seconds.
// An empty template gives an empty ExternalSigner (the state's KSKs sign);
// a state with [exec] only = true needs one (signer::errc::bad_state).
Result<signer::ExternalSigner> exec_signer(const signer::KskEndpoint& endpoint, const std::string& text,
                                           double timeout) {
  if (text.empty()) {
    if (endpoint.config().exec.only) {
      return fail(signer::errc::bad_state,
                  "this state holds no KSK ([exec] only = true in ksk.toml): give --exec 'COMMAND {}', e.g. --exec "
                  "'keymgr -c /etc/knot/knot.conf example.com. sign-ksr {}'",
                  endpoint.dir());
    }
    return signer::ExternalSigner{};
  }
  if (!(timeout > 0)) return fail(signer::errc::bad_config, "must be more than 0 seconds", "--exec-timeout");
  auto words = split_command_template(text, "--exec");
  if (!words) return tl::unexpected(words.error());
  return signer::ExternalSigner([words = *words, timeout](const std::string& path) -> Result<std::string> {
    auto run = run_command(expand_command(words, path), timeout);
    if (!run) return fail(signer::errc::exec_failed, "the command could not be run: " + run.error().message(), "--exec");
    if (std::string why = describe_failure(*run, timeout); !why.empty()) {
      return fail(signer::errc::exec_failed, "the command " + why, "--exec");
    }
    if (run->out.empty()) {
      std::string line = first_line(run->err);
      return fail(signer::errc::exec_failed,
                  "the command exited 0 but wrote nothing on stdout" + (line.empty() ? "" : ": " + line), "--exec");
    }
    return std::move(run->out);
  });
}

int run_init(const InitOptions& o) {
  signer::KskInitOptions init;
  for (std::string z : o.zones) {
    if (z.empty() || z.back() != '.') z += '.';
    auto name = zone::Name::parse(z);
    if (!name) return report(name.error().located("--zone"));
    init.zones.push_back(*name);
  }
  auto alg = zone::parse_algorithm(o.algorithm.empty() ? "13" : o.algorithm);
  if (!alg) return report(Error{signer::errc::bad_config, "--algorithm", "unknown algorithm '" + o.algorithm + "'"});
  init.algorithm = *alg;
  init.bits = o.bits;
  init.imports = o.imports;
  auto digests = parse_digest_list(o.digests);
  if (!digests) return report(digests.error());
  init.ds_digests = *digests;
  init.exec_only = o.exec_only;
  if (o.token.given()) {
    auto ref = token_key_ref(o.token);
    if (!ref) {
      report(ref.error());
      return kExitUsage;
    }
    signer::KskTokenKey t;
    t.module = ref->module;
    t.token = ref->token;
    t.key_label = ref->object;
    t.key_id = ref->id;
    t.use_existing = o.use_existing;
    if (o.use_existing && !o.algorithm.empty()) t.algorithm = *alg;
    t.pin = operator_pin_source(o.token.pin_file);
    init.token = std::move(t);
  } else if (o.use_existing || !o.token.pin_file.empty()) {
    report(Error{signer::errc::bad_config, o.use_existing ? "--use-existing" : "--pin-file",
                 "only with a KSK in a token (--pkcs11-module, --token, --key-label)"});
    return kExitUsage;
  }
  auto now = now_option(o.now);
  if (!now) {
    report(now.error());
    return kExitUsage;
  }
  auto made = signer::init_ksk_state(o.dir, init, *now);
  if (!made) return report(made.error());
  std::string id_path = signer::state_path(o.dir, signer::ksk_files::identity);
  auto link_key = transport::new_identity_files(id_path);
  if (!link_key) return report(link_key.error());
  std::printf("KSK state created in %s\n", o.dir.c_str());
  if (o.exec_only) {
    std::printf("  no KSK here ([exec] only = true): keymgr or dnssec-ksr on this laptop holds it; answer with\n"
                "  kskline ksk serve --dir %s --exec 'COMMAND {}' (docs/interop.md)\n",
                o.dir.c_str());
  }
  for (const auto& k : made->key_files) {
    std::printf("  keys/%s%s\n", k.c_str(), init.token ? " (in the token; no private key file)" : "");
  }
  if (!o.exec_only) {
    std::printf("\n; DS records to hand to the parent zone:\n%s", made->ds_records.c_str());
    std::printf("\n; the KSKs (trust anchor of the zone side):\n%s", made->dnskey_records.c_str());
  }
  std::printf("\n; link public key of this KSK side (pin it on the zone side): %s.pub\n%s\n", id_path.c_str(),
              transport::public_key_text(*link_key).c_str());
  return kExitOk;
}

// Reads a request file: a kskline request envelope, or the bare dialect text.
struct RequestInput {
  std::string text;
  std::optional<Bytes> envelope;
};

Result<RequestInput> read_request(const std::string& path) {
  auto data = base::read_file(path, std::size_t{64} << 20);
  if (!data) return tl::unexpected(data.error());
  RequestInput in;
  auto env = proto::parse_envelope(as_bytes(*data));
  if (env) {
    auto type = env->header.payload_type;
    if (env->header.kind != proto::Kind::request ||
        (type != proto::PayloadType::kskline_request && type != proto::PayloadType::knot_ksr &&
         type != proto::PayloadType::bind_ksr)) {
      return fail(signer::errc::syntax, "an envelope, but not a key-signing request", path);
    }
    in.envelope = Bytes(data->begin(), data->end());
    in.text.assign(reinterpret_cast<const char*>(env->payload.data()), env->payload.size());
  } else {
    in.text = std::move(*data);
  }
  return in;
}

int run_sign(const SignOptions& o) {
  auto now = now_option(o.now);
  if (!now) {
    report(now.error());
    return kExitUsage;
  }
  // CLI11 has checked --format (word_value): empty or a dialect's name.
  std::optional<signer::Dialect> format;
  for (auto d : {signer::Dialect::kskline, signer::Dialect::knot, signer::Dialect::bind}) {
    if (o.format == signer::dialect_name(d)) format = d;
  }
  auto input = read_request(o.request);
  if (!input) return report(input.error());
  if (input->envelope && format) {
    report(Error{signer::errc::bad_config, "--format", "an envelope is answered in its own payload type"});
    return kExitUsage;
  }
  auto endpoint = signer::KskEndpoint::open(o.dir, "kskline ksk sign", operator_pin_source(o.pin_file));
  if (!endpoint) return report(endpoint.error());
  auto exec = exec_signer(*endpoint, o.exec, o.exec_timeout);
  if (!exec) {
    report(exec.error());
    return exec.error().code == signer::errc::bad_state ? kExitFailure : kExitUsage;
  }
  Approve approve = o.batch ? Approve(batch_approve) : Approve([&](const signer::Review& r) {
    return ask_operator(r, *now);
  });
  std::string out_data;
  bool resent = false;  // the request was signed before: its stored answer again
  if (input->envelope) {
    // An envelope is authenticated as a link would: by the zone side's key
    // pinned in ksk.toml (link.peer, link.auth).
    if (auto auth = authenticate_envelope(*input->envelope, endpoint->peer_path(), endpoint->link_settings().auth,
                                          "link.peer");
        !auth) {
      return report(auth.error());
    }
    KskAnswerOptions options;
    options.now = [&] { return *now; };
    options.error_envelopes = false;
    proto::PinnedKeys pinned;
    if (const std::string peer = endpoint->peer_path(); !peer.empty()) {
      auto key = transport::read_public_key(peer);
      if (!key) return report(key.error().located("link.peer"));
      pinned.add(*key);
      options.pinned = &pinned;
    }
    // Answers are signed by the state's link identity when it has one.
    std::optional<proto::LinkIdentity> identity;
    if (std::string path = endpoint->identity_path(); !path.empty() && ::access(path.c_str(), F_OK) == 0) {
      auto id = transport::read_identity_file(path);
      if (!id) return report(id.error());
      identity.emplace(std::move(*id));
      options.identity = &*identity;
    }
    options.counter = transport::spool_counter;
    options.exec = *exec;
    options.exec_line = o.exec;
    options.report = [&](const KskOutcome& out) {
      if (o.batch && out.review) show_review(*out.review, *now);
      resent = out.review && out.review->stored_response;
    };
    auto env = answer_request(*endpoint, approve, *input->envelope, options);
    if (!env) return report(env.error());
    out_data.assign(env->begin(), env->end());
  } else {
    auto review = endpoint->review(input->text, o.request, *now);
    if (!review) return report(review.error());
    if (format) review->answer = *format;
    if (o.batch) show_review(*review, *now);
    if (!review->stored_response) {
      if (auto ok = approve(*review); !ok) {
        if (auto d = endpoint->decline(*review, *now, ok.error()); !d) return report(d.error());
        return report(ok.error());
      }
    }
    auto response = *exec ? endpoint->sign_external(*review, *now, o.exec, *exec, &resent)
                          : endpoint->sign(*review, *now, &resent);
    if (!response) return report(response.error());
    out_data = std::move(*response);
  }
  if (auto w = base::write_output_file(o.output, as_bytes(out_data)); !w) return report(w.error());
  std::printf("%s: response written to %s (sha256 %s)\n",
              resent ? "re-sent the answer signed before" : (*exec ? "answered by the --exec command" : "signed"),
              o.output.c_str(), signer::hex_groups(signer::text_sha256(out_data)).c_str());
  return kExitOk;
}

int run_serve(const ServeOptions& o) {
  auto now = now_option(o.now);
  if (!now) {
    report(now.error());
    return kExitUsage;
  }
  auto endpoint = signer::KskEndpoint::open(o.dir, "kskline ksk serve", operator_pin_source(o.pin_file));
  if (!endpoint) return report(endpoint.error());
  auto exec = exec_signer(*endpoint, o.exec, o.exec_timeout);
  if (!exec) {
    report(exec.error());
    return exec.error().code == signer::errc::bad_state ? kExitFailure : kExitUsage;
  }
  std::string link_text = o.link.empty() ? endpoint->link_settings().link : o.link;
  if (link_text.empty()) {
    return report(Error{transport::errc::bad_link_spec, "--link", "give --link or set link.link in ksk.toml"});
  }
  LinkOptions lo = ksk_link_options(*endpoint, link_text);
  lo.wait = o.wait;
  lo.quiet = true;
  std::optional<proto::LinkIdentity> identity;
  ProgressLine progress(false);
  auto t = transfer_options(lo, false, identity, progress, "received");
  if (!t) {
    // ksk.toml's link settings: bad input, not a usage error.
    report(t.error());
    return kExitFailure;
  }
  t->request_wait.reset();
  if (o.request_wait > 0) t->request_wait = proto::Duration(static_cast<std::int64_t>(o.request_wait * 1e6));
  bool fixed_now = !o.now.empty();
  KskAnswerOptions options;
  options.identity = t->identity;
  options.pinned = &t->pinned;
  options.now = [&] { return fixed_now ? *now : system_now(); };
  options.exec = *exec;
  options.exec_line = o.exec;
  std::size_t signed_count = 0, resent = 0, refused = 0;
  options.report = [&](const KskOutcome& out) {
    if (out.error) {
      ++refused;
      report(*out.error);
    } else if (out.review && out.review->stored_response) {
      // Its answer was lost on the way: the same answer again, nothing signed.
      ++resent;
      std::printf("re-sent the stored answer to request %s for %s (signed before)\n",
                  out.review->request.id.c_str(), out.review->request.zone.to_string().c_str());
      std::fflush(stdout);
    } else if (out.review) {
      ++signed_count;
      std::printf("%s request %s for %s (%zu slots)\n", o.exec.empty() ? "signed" : "answered (--exec)",
                  out.review->request.id.c_str(),
                  out.review->request.zone.to_string().c_str(), out.review->request.slots.size());
      std::fflush(stdout);
    }
  };
  Approve approve = o.batch ? Approve(batch_approve) : Approve([&](const signer::Review& r) {
    return ask_operator(r, options.now());
  });

  if (const auto* spool_link = std::get_if<transport::SpoolLink>(&t->link)) {
    auto spool = transport::Spool::open(spool_link->dir, transport::Side::ksk);
    if (!spool) return report(spool.error());
    auto replay = transport::DiskReplayLedger::open(o.dir + "/spool-replay");
    if (!replay) return report(replay.error());
    options.counter = transport::spool_counter;
    transport::SpoolRules rules;
    rules.policy = t->auth;
    rules.pinned = &t->pinned;
    auto act = [&](const proto::Envelope& request, ByteView bytes) -> Result<void> {
      if (auto posted = spool->posted_reply(request.digest)) {
        // An earlier run answered and was stopped before it could file the request.
        std::printf("answer already posted: %s\n", transport::printable_name(*posted).c_str());
        std::fflush(stdout);
        return {};
      }
      auto answer = answer_request(*endpoint, approve, bytes, options);
      if (!answer) return tl::unexpected(answer.error());
      auto posted = spool->post(*answer);
      if (!posted) return tl::unexpected(posted.error());
      std::printf("answer posted: %s\n", posted->c_str());
      std::fflush(stdout);
      return {};
    };
    auto scan = spool->receive(rules, **replay, act, o.count);
    if (!scan) return report(scan.error());
    for (const auto& r : scan->rejected) {
      std::fprintf(stderr, "kskline: rejected %s: %s\n", transport::printable_name(r.file).c_str(),
                   r.error.message().c_str());
    }
    std::printf("spool: %zu requests answered (%zu signed, %zu re-sent, %zu refused), %zu files rejected\n",
                scan->accepted.size(), signed_count, resent, refused, scan->rejected.size());
    return refused == 0 && scan->rejected.empty() ? kExitOk : kExitFailure;
  }
  if (std::holds_alternative<transport::LoopbackLink>(t->link)) {
    return report(Error{transport::errc::bad_link_spec, "--link",
                        "loopback joins two sides in one process (zone submit --link loopback --ksk-dir D)"});
  }
  // Serial: one session after another until stopped (a signal), until
  // --count requests were answered, or until no peer came within --wait.
  auto answer = make_ksk_answer(*endpoint, approve, options);
  std::size_t answered = 0;
  bool failed = false;
  bool link_down = false;  // no peer came, or a session broke: exit 3
  auto say_waiting = [&] {
    std::printf("waiting for the zone side's request on %s (`kskline zone submit` at the other end)%s; Ctrl-C to "
                "stop\n",
                link_text.c_str(),
                o.wait > 0 ? (", for " + human_duration(o.wait)).c_str() : "");
    std::fflush(stdout);
  };
  say_waiting();
  for (;;) {
    auto r = transport::answer_requests(*t, answer, o.count == 0 ? 0 : o.count - answered);
    if (!r) return report(r.error());
    answered += r->report.files_ok;
    bool stop = false;
    for (const auto& e : r->report.errors) {
      if (e.code == transport::errc::interrupted) {
        stop = true;
        continue;
      }
      if (e.code == proto::errc::handshake_timeout) {
        // No (further) peer within --wait: a failure only when none came at all.
        stop = true;
        report(e);
        link_down = link_down || answered == 0;
        continue;
      }
      link_down = link_down || transport::link_failed(e);
      failed = true;
      report(e);
    }
    if (stop || (o.count != 0 && answered >= o.count)) break;
    say_waiting();
  }
  std::printf("served: %zu signed, %zu re-sent, %zu refused\n", signed_count, resent, refused);
  if (link_down) return kExitLink;
  return !failed && refused == 0 ? kExitOk : kExitFailure;
}

int run_audit_verify(const AuditOptions& o) {
  auto lock = signer::lock_ksk_state(o.dir, "kskline ksk audit verify");
  if (!lock) return report(lock.error());
  std::string path = signer::state_path(o.dir, signer::ksk_files::audit);
  auto c = signer::check_audit_state(o.dir);
  if (!c) return report(c.error());
  std::printf("audit log %s: %zu entries, the hash chain is intact%s\n", path.c_str(), c->entries.size(),
              c->head ? " and ends where audit.head says; the ledger's signed requests are all recorded"
                      : "; no head file yet (a state from before audit.head: the next ksk sign or serve makes it)");
  return kExitOk;
}

int run_audit_accept(const AuditOptions& o) {
  auto now = now_option(o.now);
  if (!now) {
    report(now.error());
    return kExitUsage;
  }
  auto lock = signer::lock_ksk_state(o.dir, "kskline ksk audit accept");
  if (!lock) return report(lock.error());
  auto r = signer::accept_audit_break(o.dir, *now, o.note);
  if (!r) return report(r.error());
  std::string path = signer::state_path(o.dir, signer::ksk_files::audit);
  if (r->problem.empty()) {
    std::printf("nothing to accept: the audit log %s verifies and matches audit.head and the ledger\n", path.c_str());
    return kExitOk;
  }
  std::printf("accepted: %s\n", r->problem.c_str());
  if (!r->archived.empty()) std::printf("the broken log was kept as %s; a new log begins\n", r->archived.c_str());
  std::printf("recorded as entry %llu of %s (hash %s); signing may go on\n",
              static_cast<unsigned long long>(r->entry.sequence), path.c_str(), r->entry.hash.c_str());
  return kExitOk;
}

}  // namespace

void add_ksk(Cli& cli) {
  auto init = std::make_shared<InitOptions>();
  auto* cmd = cli.ksk->add_subcommand("init", "create the KSK state: KSKs, policy (ksk.toml), link identity; print DS");
  cmd->add_option("--zone,-z", init->zones, "a zone this KSK signs for (repeatable)")->required()->check(zone_value());
  cmd->add_option("--dir", init->dir, "the state directory (default: the current directory)");
  cmd->add_option("--algorithm,-a", init->algorithm,
                  "algorithm of new KSKs (default 13, ECDSAP256SHA256); with --use-existing, the one the token's "
                  "key must have")
      ->check(algorithm_value());
  cmd->add_option("--rsa-bits", init->bits, "RSA modulus size of new KSKs (default 2048)")->check(number_value(1024, 4096));
  cmd->add_option("--import", init->imports, "an existing KSK as a BIND key file (repeatable)");
  cmd->add_option("--digest", init->digests, "DS digests to print: sha256, sha384 (comma-separated)")->check(digests_value());
  cmd->add_flag("--exec-only", init->exec_only,
                "no KSK: keymgr or dnssec-ksr on this laptop holds it, run by ksk serve --exec ([exec] only = true)");
  cmd->add_option("--now", init->now,
                  std::string("the KSKs' Created, Publish and Activate time, for tests: ") + kTimeGrammar)
      ->check(time_value());
  add_token_key_options(cmd, init->token, "the KSK");
  cmd->add_flag("--use-existing", init->use_existing, "use the token's key of that label instead of generating one");
  cmd->callback([&cli, init] { cli.exit_code = run_init(*init); });

  auto sign = std::make_shared<SignOptions>();
  cmd = cli.ksk->add_subcommand("sign", "review a key-signing request and sign it after the operator types yes");
  cmd->add_option("request", sign->request, "the request: dialect text or a request envelope (.kske)")->required();
  cmd->add_option("-o,--output", sign->output, "where the response goes (an envelope for an envelope)")->required();
  cmd->add_option("--dir", sign->dir, "the state directory (default: the current directory)");
  cmd->add_flag("--batch", sign->batch, "no questions: sign only what the policy marks auto-approvable");
  cmd->add_option("--now", sign->now, std::string("the time to check against, for tests: ") + kTimeGrammar)
      ->check(time_value());
  cmd->add_option("--format", sign->format, "the answer's dialect: kskline, knot or bind (default: the request's)")
      ->check(word_value("a dialect", {"kskline", "knot", "bind"}));
  cmd->add_option("--exec", sign->exec, kExecHelp);
  cmd->add_option("--exec-timeout", sign->exec_timeout, kExecTimeoutHelp);
  cmd->add_option("--pin-file", sign->pin_file, kPinFileHelp);
  cmd->callback([&cli, sign] { cli.exit_code = run_sign(*sign); });

  auto serve = std::make_shared<ServeOptions>();
  cmd = cli.ksk->add_subcommand("serve", "answer requests over a serial link, or what a spool directory holds");
  cmd->add_option("--link,-l", serve->link, "serial:PATH[,...] or spool:DIR (default: link.link of ksk.toml)")
      ->check(link_value());
  cmd->add_option("--dir", serve->dir, "the state directory (default: the current directory)");
  cmd->add_flag("--batch", serve->batch, "no questions: sign only what the policy marks auto-approvable");
  cmd->add_option("--count,-n", serve->count,
                  "requests to answer, then stop (default: serial, session after session until stopped; spool, "
                  "what the spool holds)");
  cmd->add_option("--wait", serve->wait, kWaitHelp)->check(number_value(0, kMaxSeconds));
  cmd->add_option("--request-wait", serve->request_wait,
                  "seconds a serial session may stay open without bringing a whole request, after the handshake or "
                  "the last answer (0: forever; default 600)")
      ->check(number_value(0, kMaxSeconds));
  cmd->add_option("--exec", serve->exec, kExecHelp);
  cmd->add_option("--exec-timeout", serve->exec_timeout, kExecTimeoutHelp);
  cmd->add_option("--now", serve->now, std::string("the time to check against, for tests: ") + kTimeGrammar)
      ->check(time_value());
  cmd->add_option("--pin-file", serve->pin_file, kPinFileHelp);
  cmd->callback([&cli, serve] { cli.exit_code = run_serve(*serve); });

  auto audit = std::make_shared<AuditOptions>();
  auto* group = cli.ksk->add_subcommand("audit", "the audit log");
  group->require_subcommand(1);
  cmd = group->add_subcommand("verify", "check the audit log: its hash chain, its head file (audit.head), the ledger");
  cmd->add_option("--dir", audit->dir, "the state directory (default: the current directory)");
  cmd->callback([&cli, audit] { cli.exit_code = run_audit_verify(*audit); });
  auto accept = std::make_shared<AuditOptions>();
  cmd = group->add_subcommand(
      "accept", "record an understood break of the audit log (deleted, truncated, edited) so that signing may go on");
  cmd->add_option("--dir", accept->dir, "the state directory (default: the current directory)");
  cmd->add_option("--note", accept->note, "what the operator found, recorded in the entry");
  cmd->add_option("--now", accept->now, std::string("the time to record, for tests: ") + kTimeGrammar)
      ->check(time_value());
  cmd->callback([&cli, accept] { cli.exit_code = run_audit_accept(*accept); });
}

}  // namespace kskline::tools
