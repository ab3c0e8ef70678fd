#include "zone/internal/worker_pool.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include "zone/algorithm.hpp"
#include "zone/errc.hpp"

namespace kskline::zone::signing {
namespace {

// Owners per unit of work: small enough to spread the work and start writing
// early, large enough that handing chunks over costs nothing.
constexpr std::size_t kChunkItems = 256;
// Chunks signed ahead of the writer per worker, bounding memory.
constexpr std::size_t kWindowPerWorker = 8;

}  // namespace

WorkerPool::WorkerPool(const SigningKeys& keys, unsigned threads, bool precompute) : keys_(keys), threads_(threads) {
  for (std::size_t k : precompute ? keys.data_signers() : std::vector<std::size_t>{}) {
    auto a = keys.keys()[k].algorithm();
    if (a == alg::ECDSAP256SHA256 || a == alg::ECDSAP384SHA384) ecdsa_keys_.push_back(k);
  }
  for (unsigned t = 0; t < threads; ++t) pool_.emplace_back([this, t] { main(t); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    if (!error_) error_ = Error{errc::zone_invalid, {}, "stopped"};
  }
  go_ = true;
  cv_.notify_all();
}

Result<void> WorkerPool::run(const Plan& plan, const ChunkSink& sink) {
  // Chunk 0 is the apex alone (it is the first owner), so that it can be
  // finished apart when a ZONEMD is signed at the end.
  bounds_ = {0};
  if (!plan.items.empty()) bounds_.push_back(1);
  for (std::size_t b = 1; b < plan.items.size();) {
    b = std::min(plan.items.size(), b + kChunkItems);
    bounds_.push_back(b);
  }
  const std::size_t chunks = bounds_.size() - 1;
  window_ = kWindowPerWorker * threads_;
  results_.assign(chunks, ChunkResult{});
  ready_.assign(chunks, 0);
  {
    std::lock_guard lock(mutex_);
    plan_ = &plan;
  }
  go_ = true;
  cv_.notify_all();

  for (std::size_t c = 0; c < chunks; ++c) {
    ChunkResult result;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return error_ || ready_[c]; });
      if (error_) break;
      result = std::move(results_[c]);
    }
    auto r = sink(c, result);
    std::lock_guard lock(mutex_);
    if (!r && !error_) error_ = r.error();
    if (error_) break;
    ++written_;
    cv_.notify_all();
  }
  std::optional<Error> failed;
  {
    std::lock_guard lock(mutex_);
    failed = error_;
    stop_ = true;
    cv_.notify_all();
  }
  // Every worker is done with the plan (the caller's) before run returns:
  // a worker still starting would otherwise read it after it is gone.
  pool_.clear();
  if (failed) return tl::unexpected(*failed);
  return {};
}

void WorkerPool::stop_with(Error e) {
  std::lock_guard lock(mutex_);
  if (!error_) error_ = std::move(e);
  cv_.notify_all();
}

void WorkerPool::main(unsigned t) {
  auto signer = make_thread_signer(keys_);
  if (!signer) return stop_with(signer.error());
  // Nonces ahead, in small batches so that the plan is taken up at once.
  if (t + 1 < threads_ && !ecdsa_keys_.empty()) {
    std::size_t made = 0;
    while (!go_ && made < kMaxPrecomputed) {
      std::size_t pass = 0;
      for (std::size_t k : ecdsa_keys_) pass += signer->precompute(k, 16);
      if (pass == 0) break;  // nothing to compute ahead (keys held elsewhere)
      made += pass;
    }
    precomputed_ += made;
  }
  {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return plan_ != nullptr || stop_ || error_; });
    if (plan_ == nullptr || error_) return;
  }
  Worker worker(*plan_, std::move(*signer));
  const std::size_t chunks = bounds_.size() - 1;
  while (true) {
    std::size_t c = next_.fetch_add(1);
    if (c >= chunks) return;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return error_ || stop_ || c < written_ + window_; });
      if (error_ || stop_) return;
    }
    ChunkResult result;
    if (auto r = worker.run(bounds_[c], bounds_[c + 1], result); !r) return stop_with(r.error());
    std::lock_guard lock(mutex_);
    results_[c] = std::move(result);
    ready_[c] = 1;
    cv_.notify_all();
  }
}
}  // namespace kskline::zone::signing
