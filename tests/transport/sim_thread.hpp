// A LineSimulator running on its own thread for the duration of a test.
#pragma once

#include <memory>
#include <stdexcept>
#include <thread>

#include <unistd.h>

#include "transport/line_simulator.hpp"

namespace kskline::transport::testing {

// Creates the simulator, runs it until destroyed.
class SimThread {
 public:
  explicit SimThread(LineSimOptions options) {
    auto sim = LineSimulator::create(std::move(options));
    if (!sim) throw std::runtime_error("linesim: " + sim.error().message());
    sim_ = std::move(*sim);
    if (::pipe(stop_) != 0) throw std::runtime_error("pipe");
    thread_ = std::thread([this] { (void)sim_->run(stop_[0]); });
  }
  ~SimThread() { stop(); }
  SimThread(const SimThread&) = delete;
  SimThread& operator=(const SimThread&) = delete;

  // Stops the simulator (its counters stay readable).
  void stop() {
    if (thread_.joinable()) {
      (void)!::write(stop_[1], "x", 1);
      thread_.join();
      ::close(stop_[0]);
      ::close(stop_[1]);
    }
  }

  LineSimulator& sim() { return *sim_; }
  std::string a() const { return sim_->path_a(); }
  std::string b() const { return sim_->path_b(); }

 private:
  std::unique_ptr<LineSimulator> sim_;
  int stop_[2] = {-1, -1};
  std::thread thread_;
};

}  // namespace kskline::transport::testing
