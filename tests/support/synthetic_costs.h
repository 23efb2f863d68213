#pragma once
// Stored rows whose costs follow a known law, for the cost model and the predicted candidates.

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/result_row.h"

namespace edgejoule::testing {

// Energy per inference ~ FLOPs^0.9 / batch^0.3 x threads^0.1; latency ~ FLOPs x batch^0.8 / threads^0.7,
// with a few % of multiplicative noise, over 8 models x 3 batches x 2 thread counts.
inline std::vector<ResultRow> synthetic_rows(double noise = 0.03, unsigned seed = 7) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> n(0.0, noise);
  std::vector<ResultRow> rows;
  const double flops[] = {5e7, 1.2e8, 3e8, 6e8, 1.1e9, 1.8e9, 4.1e9, 7e9};
  int id = 0;
  for (int m = 0; m < 8; ++m) {
    for (int b : {1, 4, 16}) {
      for (int t : {1, 2}) {
        ResultRow r;
        r.point_id = ++id;
        r.model = "m" + std::to_string(m);
        r.model_sha256 = "sha" + std::to_string(m);
        r.family = m % 2 ? "odd" : "even";
        r.flops = static_cast<int64_t>(flops[m]);
        r.params = static_cast<int64_t>(flops[m] / 50);
        r.engine = "torchscript";
        r.device = "cpu";
        r.precision = "fp32";
        r.batch = b;
        r.threads = t;
        r.host_fingerprint = "host";
        r.status = Verdict::kValid;
        r.energy_j_per_inference =
            2e-11 * std::pow(flops[m], 0.9) * std::pow(b, -0.3) * std::pow(t, 0.1) * std::exp(n(rng));
        r.latency_ms_p99 = 1e-8 * flops[m] * std::pow(b, 0.8) / std::pow(t, 0.7) * std::exp(n(rng));
        rows.push_back(r);
      }
    }
  }
  return rows;
}

}  // namespace edgejoule::testing
