#pragma once
// Writes synthetic points through the store API, as the profiler would have stored them, so
// tests of recommend, frontier, report and export know the right answer.

#include <string>
#include <vector>

#include "store/store.h"

namespace edgejoule::testing {

struct Synthetic {
  const char* model;
  double energy_j;
  double top1;
  double p99_ms;
  const char* status = "VALID";
  const char* provenance = "measured:rapl:package-0";
  const char* dataset = "synthetic-1k";
};

// A zoo whose accuracy grows ever more expensive (the study's shape), plus one INVALID point that
// would win if INVALID points counted. The frontier is tiny < small < medium < large < huge.
inline std::vector<Synthetic> synthetic_zoo() {
  return {{"tiny", 0.010, 55.0, 2},   {"small", 0.020, 67.0, 4}, {"medium", 0.045, 72.0, 9},
          {"large", 0.110, 76.0, 25}, {"huge", 0.400, 78.0, 80}, {"noisy", 0.030, 77.5, 5, "INVALID"}};
}

// Writes one point per entry, as the profiler would have stored it.
inline void write_store(const std::string& path, const std::vector<Synthetic>& points) {
  auto store = open_sqlite_store(path, OpenMode::kReadWrite);
  HostInfo host;
  host.hostname = "testhost";
  host.cpu_model = "cpu";
  for (const auto& p : points) {
    PointRecord r;
    r.model.name = p.model;
    r.model.family = "synthetic";
    r.model.path = std::string("/nonexistent/") + p.model + ".pt";
    r.model.content_sha256 = std::string("sha-") + p.model;
    r.model.sample_shape = {3, 8, 8};
    r.model.params = 1000;
    r.model.flops = static_cast<int64_t>(p.energy_j * 1e9);
    r.model.top1 = p.top1;
    r.model.accuracy_source = "declared:synthetic";
    r.model.accuracy_dataset = p.dataset;
    r.config.sample_shape = {3, 8, 8};
    r.config.meter = "rapl:package-0";
    r.runtime.engine = "torchscript";
    r.runtime.device = "cpu";
    r.runtime.precision = "fp32";
    r.runtime.threads = 1;
    r.started_at_utc = "2026-11-26T00:00:00Z";
    r.result.verdict = *verdict_from_string(p.status);
    if (r.result.verdict == Verdict::kInvalid) r.result.reason = "window cv 0.4 > 0.1";
    r.result.latency_ms.count = 10;
    r.result.latency_ms.mean = r.result.latency_ms.p50 = p.p99_ms * 0.8;
    r.result.latency_ms.p90 = r.result.latency_ms.p99 = p.p99_ms;
    r.result.throughput_sps = 1000 / p.p99_ms;
    EnergyResult e;
    e.meter = "rapl:package-0";
    e.provenance = p.provenance;
    e.measured = true;
    e.energy_j_per_inference.count = 3;
    e.energy_j_per_inference.mean = p.energy_j;
    e.energy_j_per_inference.ci95_half_width = p.energy_j * 0.02;
    r.result.energy = e;
    r.result.peak_rss_mb = 100 + p.energy_j * 1000;
    store->save_point(r, host, false);
  }
}

}  // namespace edgejoule::testing
