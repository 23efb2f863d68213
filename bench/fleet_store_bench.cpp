// The fleet store's write path at scale: N points (three windows, energy and accuracy each, as
// the profiler stores them) written by W concurrent writers, each with its own connection and
// host (devices of two types), one transaction per point. Prints throughput and the per-point
// commit latency distribution. Not a test: bench/fleet-store.sh runs it on SQLite and on
// PostgreSQL side by side and adds recommend/frontier over the stores it fills.
//
//   edgejoule_bench_fleet_store --db URI --points N --writers W
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "core/stats.h"
#include "store/store.h"

namespace {

using namespace edgejoule;

PointRecord synthetic_point(int writer, int64_t i) {
  // 100 configurations per model: every point of a writer is a new (model, configuration, host).
  const int model = static_cast<int>(i / 100), config = static_cast<int>(i % 100);
  PointRecord r;
  r.model.name = "model_" + std::to_string(model);
  r.model.family = "synthetic";
  r.model.path = "/zoo/model_" + std::to_string(model) + ".pt";
  r.model.content_sha256 = "sha-" + std::to_string(model);
  r.model.params = 1000000 + model * 10000;
  r.model.flops = 100000000 + model * 1000000;
  r.model.sample_shape = {3, 224, 224};
  r.model.top1 = 50 + (model % 400) * 0.1;
  r.model.accuracy_source = "declared:synthetic";
  r.model.accuracy_dataset = "synthetic";
  r.config.batch = 1 + config / 4;
  r.config.threads = 1 + config % 4;
  r.config.sample_shape = {3, 224, 224};
  r.config.meter = "estimate";
  r.runtime.engine = "torchscript";
  r.runtime.engine_version = "libtorch 1.13.0";
  r.runtime.device = "cpu";
  r.runtime.precision = "fp32";
  r.runtime.threads = r.config.threads;
  r.started_at_utc = "2026-12-02T00:00:00Z";
  r.result.verdict = Verdict::kValid;
  const double ms = 1.0 + (model % 400) * 0.05 + r.config.batch * 0.3 / r.config.threads + writer * 0.01;
  for (int w = 0; w < 3; ++w) {
    WindowResult win;
    win.index = w;
    win.duration_s = 1;
    win.iterations = 100;
    win.samples = 100 * r.config.batch;
    win.latency_ms = summarize({ms, ms * 1.01, ms * 1.02});
    win.throughput_sps = 1000 / ms * r.config.batch;
    win.energy_j = ms * 0.01;
    r.result.windows.push_back(win);
  }
  r.result.latency_ms = summarize({ms, ms * 1.01, ms * 1.02, ms * 1.03});
  r.result.window_latency_ms = summarize({ms, ms * 1.01, ms * 1.02});
  r.result.throughput_sps = 1000 / ms * r.config.batch;
  r.result.energy.emplace();
  r.result.energy->meter = "estimate";
  r.result.energy->provenance = "estimated:cpu-time";
  r.result.energy->energy_j_per_inference = summarize({ms * 0.01 / r.config.batch, ms * 0.0101 / r.config.batch});
  r.result.energy->mean_power_w = summarize({10, 10.1});
  return r;
}

HostInfo synthetic_host(int writer) {
  HostInfo h;
  h.hostname = "bench-device-" + std::to_string(writer);
  h.cpu_model = writer % 2 ? "Cortex-A76" : "Cortex-A78AE";
  h.cpu_cores = 4;
  h.memory_mb = 8192;
  h.os = "Debian 12";
  h.kernel = "Linux 6.1";
  h.blas.name = "openblas-openmp";
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  std::string db;
  int64_t points = 100000;
  int writers = 4;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--db") db = argv[i + 1];
    if (flag == "--points") points = std::atoll(argv[i + 1]);
    if (flag == "--writers") writers = std::atoi(argv[i + 1]);
  }
  if (db.empty() || points <= 0 || writers <= 0) {
    std::fprintf(stderr, "usage: %s --db URI --points N --writers W\n", argv[0]);
    return 2;
  }
  try {
    open_store(db, OpenMode::kReadWrite);  // created (schema) before the writers race
    std::vector<std::vector<double>> commit_ms(writers);
    std::vector<std::string> errors(writers);
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w) {
      threads.emplace_back([&, w] {
        try {
          auto store = open_store(db, OpenMode::kReadWrite);
          const HostInfo host = synthetic_host(w);
          const int64_t mine = points / writers + (w < points % writers ? 1 : 0);
          for (int64_t i = 0; i < mine; ++i) {
            const PointRecord r = synthetic_point(w, i);
            const auto t0 = std::chrono::steady_clock::now();
            if (!store->save_point(r, host, false)) throw Error("point " + std::to_string(i) + " was a duplicate");
            commit_ms[w].push_back(
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
          }
        } catch (const std::exception& e) {
          errors[w] = e.what();
        }
      });
    }
    for (auto& t : threads) t.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (const auto& e : errors) {
      if (!e.empty()) throw Error(e);
    }
    std::vector<double> all;
    for (const auto& v : commit_ms) all.insert(all.end(), v.begin(), v.end());
    const Summary s = summarize(all);
    std::printf("{\"db\": \"%s\", \"points\": %zu, \"writers\": %d, \"seconds\": %.2f, \"points_per_s\": %.0f, "
                "\"commit_ms_p50\": %.3f, \"commit_ms_p90\": %.3f, \"commit_ms_p99\": %.3f, \"commit_ms_max\": %.3f}\n",
                open_store(db, OpenMode::kReadOnly)->location().c_str(), all.size(), writers, seconds,
                all.size() / seconds, s.p50, s.p90, s.p99, s.max);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "edgejoule_bench_fleet_store: %s\n", e.what());
    return 2;
  }
  return 0;
}
