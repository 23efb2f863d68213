// A recommendation over 10,000 stored points answers in under 10 ms.
// Measured three ways: the choice alone, the choice from loaded rows (candidate filtering
// included), and the whole command path from a SQLite store (reading every row included).

#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "recommend/recommend.h"
#include "store/store.h"

namespace edgejoule {
namespace {

constexpr int kPoints = 10000;

std::vector<ResultRow> random_rows(int n) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> log_energy(-6, 1), top1(40, 90), p99(1, 500);
  std::vector<ResultRow> rows(n);
  for (int i = 0; i < n; ++i) {
    auto& r = rows[i];
    r.point_id = i + 1;
    r.model = "model" + std::to_string(i / 40);
    r.engine = "torchscript";
    r.device = "cpu";
    r.precision = "fp32";
    r.batch = 1 << (i % 6);
    r.threads = 1 + (i % 4);
    r.hostname = "h";
    r.status = i % 17 ? Verdict::kValid : Verdict::kInvalid;
    r.energy_j_per_inference = std::exp(log_energy(rng));
    r.energy_provenance = "measured:rapl:package-0";
    r.top1 = top1(rng);
    r.latency_ms_p99 = p99(rng);
    r.peak_rss_mb = 300;
  }
  return rows;
}

Constraints typical() {
  Constraints k;
  k.energy_budget_j = 0.05;
  k.latency_ms_p99 = 200;
  return k;
}

void BM_RecommendCandidates(benchmark::State& state) {
  const auto set = candidates_from_rows(random_rows(kPoints), {});
  for (auto _ : state) benchmark::DoNotOptimize(recommend(set.candidates, typical(), Objective::kAccuracy));
}
BENCHMARK(BM_RecommendCandidates)->Unit(benchmark::kMillisecond);

void BM_RecommendFromRows(benchmark::State& state) {
  const auto rows = random_rows(kPoints);
  for (auto _ : state) {
    const auto set = candidates_from_rows(rows, {});
    benchmark::DoNotOptimize(recommend(set.candidates, typical(), Objective::kAccuracy));
  }
}
BENCHMARK(BM_RecommendFromRows)->Unit(benchmark::kMillisecond);

// The store is written afresh for each run (10,000 points, one transaction each; a few seconds,
// not timed), then read per iteration.
void BM_RecommendFromSqliteStore(benchmark::State& state) {
  const auto path = (std::filesystem::temp_directory_path() / "edgejoule_bench_recommend.db").string();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  {
    auto store = open_sqlite_store(path, OpenMode::kReadWrite);
    HostInfo host;
    host.hostname = "h";
    std::mt19937 rng(1);
    std::uniform_real_distribution<double> log_energy(-6, 1), top1(40, 90);
    for (int i = 0; i < kPoints; ++i) {
      PointRecord r;
      r.model.name = "model" + std::to_string(i / 40);
      r.model.content_sha256 = r.model.name;
      r.model.path = "/nonexistent";
      r.model.top1 = top1(rng);
      r.model.accuracy_source = "declared:bench";
      r.config.batch = 1 + i % 40;
      r.config.meter = "rapl";
      r.result.latency_ms.count = 1;
      r.result.latency_ms.p99 = 10;
      EnergyResult e;
      e.provenance = "measured:rapl";
      e.energy_j_per_inference.count = 3;
      e.energy_j_per_inference.mean = std::exp(log_energy(rng));
      r.result.energy = e;
      store->save_point(r, host, false);
    }
  }
  auto store = open_sqlite_store(path, OpenMode::kReadOnly);
  RowFilter unsorted;
  unsorted.sorted = false;
  for (auto _ : state) {
    const auto set = candidates_from_rows(store->rows(unsorted), {});
    benchmark::DoNotOptimize(recommend(set.candidates, typical(), Objective::kAccuracy));
  }
  state.counters["points"] = static_cast<double>(store->rows({}).size());
  store.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}
BENCHMARK(BM_RecommendFromSqliteStore)->Unit(benchmark::kMillisecond);

void BM_Frontier(benchmark::State& state) {
  const auto set = candidates_from_rows(random_rows(kPoints), {});
  for (auto _ : state) benchmark::DoNotOptimize(pareto_frontier(set.candidates, FrontierAxis::kEnergy));
}
BENCHMARK(BM_Frontier)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace edgejoule

BENCHMARK_MAIN();
