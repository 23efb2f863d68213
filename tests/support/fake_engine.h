#pragma once
// A fake engine for protocol tests: each call busy-waits a scripted duration, so windows,
// latencies and verdicts can be checked without a model.

#include <atomic>
#include <chrono>
#include <functional>

#include "common/error.h"
#include "engines/engine.h"

namespace edgejoule::testing {

class FakeEngine : public Engine {
 public:
  // `latency_for_call(n)` gives the duration of the n-th call (0-based, warm-up included).
  explicit FakeEngine(std::function<std::chrono::microseconds(int64_t)> latency_for_call)
      : latency_for_call_(std::move(latency_for_call)) {}

  std::string name() const override { return "fake"; }
  void load(const std::filesystem::path&, const EngineOptions& options) override { options_ = options; }
  void prepare(const std::vector<int64_t>& shape) override { shape_ = shape; }
  void run() override {
    const auto until = std::chrono::steady_clock::now() + latency_for_call_(calls_++);
    while (std::chrono::steady_clock::now() < until) {
    }
  }
  // Requests in flight: each call takes the scripted time on its own thread (auto: 2).
  int prepare_requests(int requested) override {
    requests_ = requested > 0 ? requested : 2;
    return requests_;
  }
  void run_request(int) override { run(); }
  std::vector<float> request_output(int) const override { return std::vector<float>(10, 0.0f); }
  std::vector<float> infer(const std::vector<float>&, const std::vector<int64_t>& shape, int64_t* width) override {
    *width = 10;
    return std::vector<float>(static_cast<size_t>(shape[0]) * 10, 0.0f);
  }
  EffectiveSettings runtime() const override {
    EffectiveSettings rt;
    rt.engine = "fake";
    rt.engine_version = "fake 1";
    rt.device = options_.device;
    rt.precision = options_.precision;
    rt.threads = options_.threads;
    rt.requests = requests_;
    rt.threads_per_request = 1;
    return rt;
  }
  int64_t calls() const { return calls_.load(); }
  const std::vector<int64_t>& shape() const { return shape_; }

 private:
  std::function<std::chrono::microseconds(int64_t)> latency_for_call_;
  EngineOptions options_;
  std::vector<int64_t> shape_;
  std::atomic<int64_t> calls_{0};
  int requests_ = 1;
};

}  // namespace edgejoule::testing
