// Cost of the harness itself, so it can be kept far below the cost of what it measures.

#include <benchmark/benchmark.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "meters/meter.h"

#include "profiler/protocol.h"
#include "core/stats.h"
#include "profiler/sweep.h"

namespace edgejoule {
namespace {

class NoopEngine final : public Engine {
 public:
  std::string name() const override { return "noop"; }
  void load(const std::filesystem::path&, const EngineOptions&) override {}
  void prepare(const std::vector<int64_t>&) override {}
  void run() override { benchmark::ClobberMemory(); }
  int prepare_requests(int requested) override { return requested > 0 ? requested : 1; }
  void run_request(int) override { benchmark::ClobberMemory(); }
  std::vector<float> request_output(int) const override { return {}; }
  std::vector<float> infer(const std::vector<float>&, const std::vector<int64_t>&, int64_t*) override { return {}; }
  EffectiveSettings runtime() const override { return {}; }
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

// CPU cost of a meter's sampling thread at its default rate, as a share of one core: the
// process's CPU time while the thread samples and the main thread sleeps.
void meter_thread_cost(benchmark::State& state, const std::string& spec, const std::string& root) {
  auto meter = make_meter(spec, root, "cpu");
  meter->start();
  double share = 0;
  for (auto _ : state) {
    timespec a{}, b{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    const auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(1));
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    const double cpu = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) * 1e-9;
    share = cpu / std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  meter->stop();
  state.counters["core_percent"] = share * 100;
}

void BM_MeterThreadCost_Estimate(benchmark::State& state) { meter_thread_cost(state, "estimate", "/"); }
BENCHMARK(BM_MeterThreadCost_Estimate)->Iterations(3)->Unit(benchmark::kMillisecond);

// A RAPL-like tree on disk read at RAPL's default 10 ms rate.
void BM_MeterThreadCost_RaplTree(benchmark::State& state) {
  const std::string root = "/tmp/edgejoule-bench-rapl";
  std::filesystem::create_directories(root + "/sys/class/powercap/intel-rapl:0");
  std::ofstream(root + "/sys/class/powercap/intel-rapl:0/name") << "package-0\n";
  std::ofstream(root + "/sys/class/powercap/intel-rapl:0/energy_uj") << "123456\n";
  std::ofstream(root + "/sys/class/powercap/intel-rapl:0/max_energy_range_uj") << "262143328850\n";
  meter_thread_cost(state, "rapl", root);
  std::filesystem::remove_all(root);
}
BENCHMARK(BM_MeterThreadCost_RaplTree)->Iterations(3)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace edgejoule

BENCHMARK_MAIN();
