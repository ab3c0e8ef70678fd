#include "zone/zone_signer.hpp"

// The order of a signing run. Its parts are internal modules: sign_prepare
// (checks, apex records), sign_plan (owners, NSEC/NSEC3 chain), sign_worker
// (signing and formatting owners), worker_pool (threads, write order) and
// zonemd_apex (the ZONEMD signed at the end).

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>
#include <utility>

#include "base/digest.hpp"
#include "zone/errc.hpp"
#include "zone/internal/rrsig_reuse.hpp"
#include "zone/internal/sign_plan.hpp"
#include "zone/internal/sign_prepare.hpp"
#include "zone/internal/sign_worker.hpp"
#include "zone/internal/worker_pool.hpp"
#include "zone/internal/zonemd_apex.hpp"
#include "zone/nsec3_hash.hpp"
#include "zone/sign_keys.hpp"
#include "zone/sign_times.hpp"
#include "zone/zone_tree.hpp"

namespace kskline::zone {
namespace {

using signing::ChunkResult;
using signing::finish_zonemd;
using signing::note_unused_algorithms;
using signing::Plan;
using signing::plan_items;
using signing::plan_nsec;
using signing::plan_nsec3;
using signing::prepare;
using signing::Prepared;
using signing::problem;
using signing::WorkerPool;

// Records the wall time since the last mark as a phase.
class PhaseClock {
 public:
  explicit PhaseClock(SignSummary& s) : summary_(s), last_(std::chrono::steady_clock::now()) {}
  void mark(const char* phase) {
    auto now = std::chrono::steady_clock::now();
    summary_.phases.emplace_back(phase, std::chrono::duration<double>(now - last_).count());
    last_ = now;
  }

 private:
  SignSummary& summary_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace

SignReport sign_zone(SignInput input, const SignOptions& options, const SignedZoneSink& sink) {
  SignReport report;
  PhaseClock clock(report.summary);
  const Name& origin = options.origin;
  if (options.nsec3) {
    if (options.nsec3->iterations > kMaxNsec3Iterations) {
      report.problems.push_back(problem(
          errc::zone_invalid,
          std::to_string(options.nsec3->iterations) + " NSEC3 iterations refused: at most " +
              std::to_string(kMaxNsec3Iterations) +
              " (BIND 9.20's limit; validators treat more than 150 as insecure; RFC 9276 asks for 0)",
          "--nsec3-iterations"));
    }
    if (options.nsec3->salt.size() > 255) {
      report.problems.push_back(problem(errc::zone_invalid, "an NSEC3 salt is at most 255 octets", "--nsec3-salt"));
    }
  }
  if (auto t = check_timing(options.timing); !t) report.problems.push_back(t.error());
  if (!report.problems.empty()) return report;

  auto keys = SigningKeys::assign(std::move(input.keys), origin, input.keyset.has_value());
  if (!keys) {
    report.problems.push_back(keys.error());
    return report;
  }
  const unsigned threads = options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  WorkerPool workers(*keys, threads, !input.previous.has_value());
  // The previous zone is indexed on another thread while the zone is checked.
  std::optional<Result<PreviousZone>> prev;
  double index_seconds = 0;
  std::jthread indexer;
  if (input.previous) {
    indexer = std::jthread([&, previous = std::move(*input.previous)]() mutable {
      auto start = std::chrono::steady_clock::now();
      prev = PreviousZone::build(std::move(previous.text), previous.source, origin, *keys, threads);
      index_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    });
    input.previous.reset();
  }

  Prepared prepared;
  if (auto p = prepare(input, options, *keys, prepared, report); !p) {
    if (report.problems.empty()) report.problems.push_back(p.error());
    return report;
  }
  note_unused_algorithms(prepared.records, origin, *keys, report);
  clock.mark("check");

  auto tree = ZoneTree::build(prepared.records, origin);
  if (!tree) {
    report.problems.push_back(tree.error());
    return report;
  }
  clock.mark("tree");
  if (indexer.joinable()) {
    indexer.join();
    clock.mark("wait for the previous zone's index");
    report.summary.phases.emplace_back("index previous (beside check)", index_seconds);
    if (!*prev) {
      report.problems.push_back(prev->error());
      return report;
    }
  }

  Plan plan;
  plan.options = &options;
  plan.keys = &*keys;
  plan.tree = &*tree;
  plan.previous = prev ? &**prev : nullptr;
  plan.denial_ttl = *tree->denial_ttl();
  plan.keyset = input.keyset.has_value();
  plan.zonemd = options.zonemd;
  plan.now32 = static_cast<std::uint32_t>(options.timing.now);
  plan.keep_after = static_cast<std::uint32_t>(options.timing.now + options.timing.refresh);
  if (options.nsec3) {
    plan.nsec3_params.iterations = options.nsec3->iterations;
    plan.nsec3_params.salt = options.nsec3->salt;
    plan.nsec3_params.flags = options.nsec3->opt_out ? kNsec3OptOut : 0;
    if (auto r = plan_nsec3(plan, threads); !r) {
      report.problems.push_back(r.error());
      return report;
    }
  } else {
    plan_nsec(plan);
  }
  plan_items(plan);
  clock.mark(options.nsec3 ? "nsec3 chain" : "nsec chain");

  SignSummary& s = report.summary;
  s.serial = prepared.serial;
  s.threads = threads;
  // With a ZONEMD: the digest is taken chunk by chunk; the apex chunk is
  // kept to be written again, and the rest too when the output cannot be
  // rewritten.
  const bool hold = options.zonemd && !sink.overwrite_start;
  base::Digest digest(base::DigestAlgorithm::sha384);
  ChunkResult apex_chunk;
  std::size_t apex_length = 0;
  std::vector<std::string> held;
  ChunkResult totals;
  auto take = [&](std::size_t c, ChunkResult& chunk) -> Result<void> {
    totals.names += chunk.names;
    totals.lines += chunk.lines;
    totals.signatures += chunk.signatures;
    totals.reused += chunk.reused;
    totals.denial += chunk.denial;
    if (options.zonemd) {
      digest.update(chunk.digest_input);
      chunk.digest_input = Bytes();
      if (c == 0) {
        apex_length = chunk.text.size();
        apex_chunk.apex_lines = std::move(chunk.apex_lines);
      }
    }
    if (hold) {
      held.push_back(std::move(chunk.text));
      return {};
    }
    return sink.write(chunk.text);
  };
  if (auto r = workers.run(plan, take); !r) {
    report.problems.push_back(r.error());
    return report;
  }
  clock.mark("sign and write");
  s.nonces_ahead = workers.precomputed();
  if (options.zonemd) {
    Bytes value = digest.finish();
    std::size_t zonemd_signatures = 0;
    auto apex_text = finish_zonemd(plan, apex_chunk, value, zonemd_signatures);
    if (!apex_text) {
      report.problems.push_back(apex_text.error());
      return report;
    }
    // The placeholder's RRSIGs were counted as made; the final ones replace them.
    if (apex_text->size() != apex_length) {
      report.problems.push_back(problem(errc::crypto_failed, "the apex changed length when its ZONEMD was signed"));
      return report;
    }
    Result<void> w = hold ? Result<void>{} : sink.overwrite_start(*apex_text);
    if (hold && !held.empty()) held.front() = std::move(*apex_text);
    for (auto& t : held) {
      if (!w) break;
      w = sink.write(t);
      t = std::string();
    }
    if (!w) {
      report.problems.push_back(w.error());
      return report;
    }
    clock.mark("zonemd");
  }
  s.names = totals.names;
  s.records = totals.lines;
  s.signatures = totals.signatures;
  s.reused = totals.reused;
  s.denial = totals.denial;
  return report;
}

}  // namespace kskline::zone
