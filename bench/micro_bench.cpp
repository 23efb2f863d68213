// Cost of the harness itself, so it can be kept far below the cost of what it measures.

#include <benchmark/benchmark.h>

#include <random>

#include "profiler/protocol.h"
#include "profiler/stats.h"
#include "profiler/sweep.h"

namespace edgejoule {
namespace {

class NoopEngine final : public Engine {
 public:
  std::string name() const override { return "noop"; }
  void load(const std::filesystem::path&, const EngineOptions&) override {}
  void prepare(const std::vector<int64_t>&) override {}
  void run() override { benchmark::ClobberMemory(); }
  EngineRuntime runtime() const override { return {}; }
};

// Per-call overhead of a measured window: what edgejoule adds around every engine call.
void BM_ProtocolOverheadPerCall(benchmark::State& state) {
  NoopEngine engine;
  ProfileListener none;
  ProtocolSettings settings;
  settings.warmup_s = 0;
  settings.warmup_min_iterations = 0;
  settings.min_time_s = 0.02;
  settings.repetitions = 2;
  Configuration config;
  double ns_per_call = 0;
  for (auto _ : state) {
    const auto r = run_protocol(engine, config, settings, none, {});
    double seconds = 0;
    int64_t calls = 0;
    for (const auto& w : r.windows) {
      seconds += w.duration_s;
      calls += w.iterations;
    }
    ns_per_call = seconds * 1e9 / static_cast<double>(calls);
  }
  state.counters["ns_per_call"] = ns_per_call;
}
BENCHMARK(BM_ProtocolOverheadPerCall)->Unit(benchmark::kMillisecond);

void BM_Summarize(benchmark::State& state) {
  std::mt19937 rng(1);
  std::lognormal_distribution<double> dist(1.0, 0.2);
  std::vector<double> values(static_cast<size_t>(state.range(0)));
  for (auto& v : values) v = dist(rng);
  for (auto _ : state) benchmark::DoNotOptimize(summarize(values));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Summarize)->Arg(100)->Arg(10000)->Arg(1000000);

void BM_ExpandSweep(benchmark::State& state) {
  SweepLists lists;
  lists.precisions = {"fp32", "fp16", "bf16"};
  lists.batches = parse_int_list("1-256*2", "--batch");
  lists.threads = parse_int_list("1-16", "--threads");
  for (auto _ : state) benchmark::DoNotOptimize(expand(lists, {3, 224, 224}));
}
BENCHMARK(BM_ExpandSweep);

}  // namespace
}  // namespace edgejoule

BENCHMARK_MAIN();
