// `kskline demo [--workdir DIR]`: the whole ceremony in temporary
// directories over an impaired loopback link, printed step by step as an
// operator would see it, ending with the signed zone verified.
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "base/atomic_file.hpp"
#include "proto/identity.hpp"
#include "signer/audit_log.hpp"
#include "signer/fingerprint.hpp"
#include "signer/key_request.hpp"
#include "signer/ksk_endpoint.hpp"
#include "signer/zone_state.hpp"
#include "tools/commands.hpp"
#include "tools/ksk_answer.hpp"
#include "tools/link_options.hpp"
#include "tools/submit.hpp"
#include "transport/identity_file.hpp"
#include "transport/sodium_random.hpp"
#include "zone/master_file.hpp"
#include "zone/zone_verifier.hpp"

namespace kskline::tools {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kDay = 86400;

// The zone the demo signs.
constexpr std::string_view kDemoZone = R"(; The demo's zone.
$ORIGIN example.com.
$TTL 3600
@       IN  SOA  ns1 hostmaster 2026113001 7200 3600 1209600 300
        IN  NS   ns1
        IN  NS   ns2.example.net.
        IN  MX   10 mail
ns1         A    192.0.2.53
mail        A    192.0.2.25
            AAAA 2001:db8::25
www         A    192.0.2.80
            TXT  "hello; world"
alias       CNAME www
sub         NS   ns1.sub
ns1.sub     A    192.0.2.54
*.wild      TXT  "wildcard"
_sip._tcp   SRV  10 60 5060 mail
)";

// The impaired line: 115200 baud, a bit error in every 50,000 bits, one
// byte in 20,000 lost.
constexpr const char* kDemoLink = "loopback,baud=115200,ber=2e-5,drop=5e-5,seed=7";

struct DemoOptions {
  std::string workdir;
};

// Prints a numbered step heading.
void step(int n, const char* side, const std::string& what) {
  std::printf("\n== %d. [%s] %s\n", n, side, what.c_str());
  std::fflush(stdout);
}

// Indents every line of `text` by four spaces.
void indented(const std::string& text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    std::printf("    %s\n", line.c_str());
    pos = nl == std::string::npos ? text.size() : nl + 1;
  }
}

// A fresh working directory: --workdir (created, must be empty) or a
// temporary one removed at the end.
class WorkDir {
 public:
  static Result<WorkDir> make(const std::string& wanted) {
    std::error_code ec;
    if (!wanted.empty()) {
      fs::create_directories(wanted, ec);
      if (ec) return fail(base::errc::io_error, ec.message(), wanted);
      if (!fs::is_empty(wanted, ec)) {
        return fail(base::errc::io_error, "not empty: the demo starts from nothing (give a new directory)", wanted);
      }
      return WorkDir(fs::absolute(wanted).string(), false);
    }
    std::string tmpl = (fs::temp_directory_path() / "kskline-demo-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) return base::fail_errno("mkdtemp", tmpl);
    return WorkDir(tmpl, true);
  }
  WorkDir(WorkDir&& o) noexcept : path_(std::move(o.path_)), remove_(o.remove_) { o.remove_ = false; }
  WorkDir(const WorkDir&) = delete;
  ~WorkDir() {
    std::error_code ec;
    if (remove_) fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  bool kept() const { return !remove_; }

 private:
  WorkDir(std::string path, bool remove) : path_(std::move(path)), remove_(remove) {}
  std::string path_;
  bool remove_;
};

int run_demo(const DemoOptions& o) {
  auto work = WorkDir::make(o.workdir);
  if (!work) return report(work.error());
  const std::string ksk_dir = work->path() + "/ksk";
  const std::string zone_dir = work->path() + "/zone";
  const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  const zone::Name root;
  const zone::Name apex = *zone::Name::parse("example.com.", &root);
  std::printf("kskline demo: the offline-KSK ceremony for example.com, in %s\n", work->path().c_str());
  std::printf("left: the offline KSK laptop (%s); right: the zone signer (%s); between them: %s\n", ksk_dir.c_str(),
              zone_dir.c_str(), kDemoLink);

  step(1, "KSK", "ksk init --zone example.com: a KSK (ECDSA P-256), the policy, a link identity");
  signer::KskInitOptions ksk_init;
  ksk_init.zones.push_back(apex);
  auto made = signer::init_ksk_state(ksk_dir, ksk_init, now);
  if (!made) return report(made.error());
  if (auto id = transport::new_identity_files(ksk_dir + "/link.id"); !id) return report(id.error());
  std::printf("    DS records for the parent (the registrar):\n");
  indented(made->ds_records);

  step(2, "zone", "zone init --zone example.com: config, the KSK trust anchor set out of band, a link identity");
  if (auto w = base::create_file_atomic(zone_dir + ".zone", as_bytes(kDemoZone)); !w) return report(w.error());
  signer::ZoneInit zone_init;
  zone_init.config.zone = apex;
  zone_init.config.zone_file = zone_dir + ".zone";
  zone_init.config.signed_file = work->path() + "/example.com.signed";
  zone_init.config.link = kDemoLink;
  zone_init.config.peer_public_key = ksk_dir + "/link.id.pub";
  zone_init.trust_anchor = made->ds_records;
  zone_init.trust_anchor_source = "the DS records of step 1";
  if (auto z = signer::ZoneState::init(zone_dir, zone_init); !z) return report(z.error());
  if (auto id = transport::new_identity_files(zone_dir + "/link.id"); !id) return report(id.error());
  auto state = signer::ZoneState::open(zone_dir);
  if (!state) return report(state.error());
  std::printf("    trust anchor: the DS records above; the KSK side's link key pinned: %s\n",
              zone_init.config.peer_public_key.c_str());

  const std::int64_t until = now + 60 * kDay;
  step(3, "zone", "zone pregenerate --until " + signer::format_time(until) + ": ZSKs for the rollovers of 60 days");
  auto keys = state->pregenerate(until, now);
  if (!keys) return report(keys.error());
  auto zsks = state->zsks();
  if (!zsks) return report(zsks.error());
  for (const auto& k : *zsks) {
    std::printf("    ZSK %5u  published %s  active %s .. %s  removed %s\n", k.pair.key_tag,
                signer::format_time(k.window.publish).c_str(), signer::format_time(k.window.activate).c_str(),
                signer::format_time(k.window.inactive).c_str(), signer::format_time(k.window.remove).c_str());
  }

  step(4, "zone", "zone request --from now --until +60d: one slot per change of the DNSKEY RRset and per week");
  transport::SodiumRandom random;
  auto request = state->make_request(now, until, now, random);
  if (!request) return report(request.error());
  auto digest = signer::text_sha256(request->text);
  std::printf("    request %s: %zu slots, %zu octets\n    SHA-256 %s\n    words   %s\n", request->request.id.c_str(),
              request->request.slots.size(), request->text.size(), signer::hex_groups(digest).c_str(),
              signer::word_fingerprint(digest).c_str());

  step(5, "link", "zone submit: the request crosses the impaired line; the KSK side reviews it against its policy");
  auto ksk = signer::KskEndpoint::open(ksk_dir, "kskline demo");
  if (!ksk) return report(ksk.error());
  LinkOptions link = zone_link_options(*state, "");
  link.quiet = true;
  ProgressLine progress(false);
  std::optional<proto::LinkIdentity> identity;
  auto options = transfer_options(link, true, identity, progress, "request");
  if (!options) return report(options.error());
  options->notice = [](const std::string& text) { std::printf("    link: %s\n", text.c_str()); };
  auto envelope = request_envelope(request->text, identity ? &*identity : nullptr, 0);
  if (!envelope) return report(envelope.error());
  KskAnswerOptions answer_options;
  answer_options.report = [](const KskOutcome& outcome) {
    if (outcome.review) {
      std::printf("\n    [KSK] the operator sees:\n");
      indented(outcome.review->table);
      std::printf("    [KSK] words to compare with the zone side: %s\n", outcome.review->words.c_str());
      std::printf("    [KSK] Sign? type yes: yes   (the demo plays the operator)\n");
    }
    if (outcome.error) std::printf("    [KSK] refused: %s\n", outcome.error->message().c_str());
  };
  const auto spec = transport::parse_link_spec(kDemoLink);
  auto exchanged = exchange_with_ksk(std::get<transport::LoopbackLink>(*spec), *options, std::move(*envelope), *ksk,
                                     approve_all, answer_options);
  if (!exchanged) return report(exchanged.error());
  const auto& r = exchanged->report;
  for (const auto& e : r.errors) report(e);
  if (exchanged->response.empty()) {
    std::fprintf(stderr, "kskline: demo: no answer came over the link\n");
    return exit_code_for(r.errors);
  }
  std::printf("\n    link: request and answer crossed in %.1f s, %llu octets sent on the wire, %llu frames "
              "retransmitted after damage or loss on the line\n",
              r.seconds, static_cast<unsigned long long>(r.wire_bytes_sent),
              static_cast<unsigned long long>(r.totals.retransmissions));
  auto audit = signer::verify_audit_log(ksk->audit_path());
  if (!audit) return report(audit.error());
  std::printf("    [KSK] audit log: %zu entries, hash chain intact\n", *audit);

  step(6, "zone", "zone import: every RRSIG checked against the pinned trust anchor, slots against the request");
  auto taken = take_answer(*state, exchanged->response, "the answer", now);
  if (!taken) return report(taken.error());
  if (taken->refused) return report(refusal_report(*taken->refused, state->dir()));
  const auto imported = &*taken->imported;
  std::printf("    stored %s: %zu slots, %s .. %s\n", imported->path.c_str(), imported->slots,
              signer::format_time(imported->from).c_str(), signer::format_time(imported->until).c_str());

  step(7, "zone", "zone publish: sign the zone with the ZSK active now and the slot's KSK-signed DNSKEY RRset");
  auto published = state->publish(now);
  if (!published) return report(published.error());
  std::printf("    %s: %zu names, %zu records, %zu RRSIGs, slot %s .. %s\n", published->output.c_str(),
              published->summary.names, published->summary.records, published->summary.signatures,
              signer::format_time(published->slot_start).c_str(), signer::format_time(published->slot_end).c_str());

  step(8, "zone", "zone verify --trust-anchor: the signed zone, validated from the KSK's DS down");
  zone::MasterOptions master;
  master.origin = apex;
  auto signed_zone = zone::read_master_file(published->output, master);
  if (!signed_zone) return report(signed_zone.error());
  zone::VerifyOptions verify;
  verify.now = now;
  zone::MasterOptions anchor_master = master;
  anchor_master.default_ttl = 3600;  // DS lines as `ksk init` prints them carry no TTL
  auto anchors = zone::read_master_text(made->ds_records, "trust anchor", anchor_master);
  if (!anchors) return report(anchors.error());
  verify.trust_anchors = anchors->records;
  auto verified = zone::verify_zone(*signed_zone, apex, verify);
  for (const auto& p : verified.problems) std::fprintf(stderr, "kskline: %s\n", zone::format_problem(p).c_str());
  if (!verified.ok()) return kExitFailure;
  std::printf("    valid: %zu RRsets, %zu signatures checked, %s chain of %zu, DNSKEY RRset signed by the KSK of the "
              "DS\n",
              verified.stats.rrsets, verified.stats.signatures, verified.stats.denial, verified.stats.denial_records);

  auto status = state->status(now);
  step(9, "zone", "zone status: what the monitoring sees");
  indented(signer::format_status_text(status));

  if (status.coverage_end) {
    std::printf("\nThe ceremony is complete: the stored answers keep the zone signed until %s without the KSK.\n",
                signer::format_time(*status.coverage_end).c_str());
  }
  if (work->kept()) {
    std::printf("Kept for inspection: %s (ksk/, zone/, example.com.signed)\n", work->path().c_str());
  }
  return kExitOk;
}

}  // namespace

void add_demo(Cli& cli) {
  auto o = std::make_shared<DemoOptions>();
  auto* cmd = cli.app.add_subcommand(
      "demo", "the whole offline-KSK ceremony in temporary directories over an impaired loopback link");
  cmd->add_option("--workdir", o->workdir,
                  "keep both state directories and the signed zone in this (new or empty) directory");
  cmd->callback([&cli, o] { cli.exit_code = run_demo(*o); });
}

}  // namespace kskline::tools
