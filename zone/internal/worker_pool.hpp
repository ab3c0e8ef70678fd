// The zone signer's worker threads and the order in which their chunks are
// written. Internal to zone/ (the zone signer).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "base/error.hpp"
#include "zone/internal/sign_plan.hpp"
#include "zone/internal/sign_worker.hpp"
#include "zone/sign_keys.hpp"

namespace kskline::zone::signing {

// Receives each chunk's result in order, on the thread that runs the pool.
using ChunkSink = std::function<Result<void>(std::size_t, ChunkResult&)>;

// The worker threads. They start as soon as the keys are known: each makes
// its ThreadSigner and, while the calling thread reads and checks the zone,
// all but one compute ECDSA nonces ahead (the calling thread keeps a core).
// run() then hands them the plan: they sign chunks of owners, and the
// calling thread writes each chunk as soon as it and all before it are done.
class WorkerPool {
 public:
  // `precompute`: whether nonces are worth computing ahead (not when most
  // RRSIGs will be reused).
  WorkerPool(const SigningKeys& keys, unsigned threads, bool precompute);
  // Stops the workers and joins them.
  ~WorkerPool();

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // The nonces computed ahead.
  std::size_t precomputed() const { return precomputed_; }

  // Signs the plan's owners and gives each chunk to `sink` in order; returns
  // once every worker has ended (run is called at most once).
  Result<void> run(const Plan& plan, const ChunkSink& sink);

 private:
  // Records the first error and wakes everyone.
  void stop_with(Error e);
  // Thread t: makes its signer, computes nonces until the plan comes, then
  // signs chunks in turn within the window ahead of the writer.
  void main(unsigned t);

  // Nonces computed ahead per thread at most (about 150 octets each).
  static constexpr std::size_t kMaxPrecomputed = std::size_t{1} << 18;

  const SigningKeys& keys_;
  const unsigned threads_;
  std::vector<std::size_t> ecdsa_keys_;
  std::atomic<bool> go_{false};
  std::atomic<std::size_t> precomputed_{0};

  std::mutex mutex_;
  std::condition_variable cv_;
  const Plan* plan_ = nullptr;
  bool stop_ = false;
  std::optional<Error> error_;
  std::vector<std::size_t> bounds_;
  std::size_t window_ = 0;
  std::vector<ChunkResult> results_;
  std::vector<char> ready_;
  std::size_t written_ = 0;
  std::atomic<std::size_t> next_{0};

  std::vector<std::jthread> pool_;  // last: joined first when destroyed
};

}  // namespace kskline::zone::signing
