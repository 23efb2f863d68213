// The graph cost model on synthetic stores whose latency is a known sum over operator classes,
// the error distributions, and the noise floor from re-measured points.

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "predict/graph_model.h"

namespace edgejoule {
namespace {

// Ten models with different operator mixes; per configuration (threads 1 or 2) a known cost per
// operator kind: latency = 0.2 ms + 0.01 ms per kernel + MACs of each kind / (its rate x threads)
// + memory-bound bytes / bandwidth.
GraphFeatures features_of(double kernels, double kxk, double pointwise, double depthwise, double mm, double memory) {
  return *GraphFeatures::from_summary({{"kernels", kernels},
                                       {"kxk_macs", kxk},
                                       {"pointwise_macs", pointwise},
                                       {"grouped_macs", 0},
                                       {"depthwise_macs", depthwise},
                                       {"mm_macs", mm},
                                       {"bmm_macs", 0},
                                       {"other_elements", memory / 8},
                                       {"memory_bytes", memory}});
}

GraphFeatureMap synthetic_features() {
  GraphFeatureMap f;
  for (int m = 0; m < 10; ++m) {
    f["m" + std::to_string(m)] = features_of(20 + 15 * m, 1e8 * (1 + (m * 7) % 10), 3e7 * (1 + m % 4),
                                             m % 3 == 0 ? 2e7 * (m + 1) : 0, m % 4 == 1 ? 5e8 : 1e6,
                                             4e5 * (1 + (m * 3) % 7));
  }
  return f;
}

std::vector<ResultRow> synthetic_store(const GraphFeatureMap& features, double noise, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> n(0.0, noise);
  std::vector<ResultRow> rows;
  for (const auto& [name, g] : features) {
    for (int threads : {1, 2}) {
      ResultRow r;
      r.model = name;
      r.engine = "openvino";
      r.device = "cpu";
      r.precision = "fp32";
      r.batch = 1;
      r.threads = threads;
      r.host_fingerprint = "host";
      r.status = Verdict::kValid;
      const auto& v = g.values;  // kernels, kxk, pointwise, grouped, depthwise, mm, bmm, other, memory
      const double ms = 0.2 + 0.01 * v[0] + (v[1] + 1.5 * v[2] + 3 * v[4] + 0.8 * v[5]) / (2e8 * threads) + v[8] / 2e7;
      r.latency_ms_p50 = ms * std::exp(n(rng));
      r.latency_ms_p99 = *r.latency_ms_p50 * 1.1;
      r.energy_j_per_inference = 8.0 * threads * *r.latency_ms_p50 / 1000;  // 8 W per thread
      rows.push_back(r);
    }
  }
  return rows;
}

TEST(GraphModel, PredictsAModelItHasNotSeenFromItsOperators) {
  const auto features = synthetic_features();
  const auto rows = synthetic_store(features, 0.0, 1);
  const auto cv = cross_validate_graph(rows, features);
  EXPECT_EQ(cv.models, 10u);
  EXPECT_EQ(cv.latency.points, 20u);
  EXPECT_EQ(cv.unpredicted, 0u);
  // An exact law in the model's own terms is recovered on held-out models.
  EXPECT_LT(cv.latency.median_pct, 2.0);
  EXPECT_LT(cv.latency.p90_pct, 5.0);
  EXPECT_DOUBLE_EQ(cv.latency.within_20_pct, 100.0);
  // Energy = the configuration's power x latency.
  EXPECT_LT(cv.energy.median_pct, 2.0);
  const GraphCostModel model = GraphCostModel::fit(rows, features);
  EXPECT_EQ(model.configurations(), 2u);
  const auto p = model.predict(rows.front(), features);
  ASSERT_TRUE(p);
  EXPECT_NEAR(p->energy_j / (8.0 * rows.front().threads * p->latency_p50_ms / 1000), 1.0, 1e-6);
}

TEST(GraphModel, NoFitWithoutEnoughModelsOrFeatures) {
  auto features = synthetic_features();
  auto rows = synthetic_store(features, 0.0, 1);
  ResultRow other = rows.front();
  other.threads = 4;  // a configuration measured on one model only
  rows.push_back(other);
  const GraphCostModel model = GraphCostModel::fit(rows, features);
  EXPECT_FALSE(model.predict(other, features));
  ResultRow unknown = rows.front();
  unknown.model = "no-operators";
  EXPECT_FALSE(model.predict(unknown, features));
  // A summary from before the per-kind MACs were recorded is not used.
  EXPECT_FALSE(GraphFeatures::from_summary({{"kernels", 23}, {"conv_macs", 1.8e9}, {"matmul_macs", 5e5}}));
  const auto g = features_of(23, 1.7e9, 1e8, 0, 5e5, 4.9e6);
  EXPECT_EQ(g.values[0], 23);
  EXPECT_EQ(g.values[1], 1.7e9);
}

TEST(GraphModel, ErrorDistributionMedianTailAndShares) {
  const auto d = ErrorDistribution::of({1, 2, 3, 4, 5, 6, 7, 8, 15, 30});
  EXPECT_EQ(d.points, 10u);
  EXPECT_NEAR(d.median_pct, 5.5, 1e-9);
  EXPECT_DOUBLE_EQ(d.within_10_pct, 80.0);
  EXPECT_DOUBLE_EQ(d.within_20_pct, 90.0);
  EXPECT_GE(d.p90_pct, 15.0);
  EXPECT_EQ(ErrorDistribution::of({}).points, 0u);
}

TEST(GraphModel, NoiseFloorComparesTheSamePointMeasuredAgain) {
  const auto features = synthetic_features();
  const auto first = synthetic_store(features, 0.0, 1);
  auto again = first;
  for (size_t i = 0; i < again.size(); ++i) {
    *again[i].latency_ms_p50 *= i % 2 ? 1.09 : 0.95;  // +9 % and -5 %
  }
  again.pop_back();  // one point not re-measured
  ResultRow invalid = first.front();
  invalid.status = Verdict::kInvalid;
  again.push_back(invalid);  // an INVALID re-measurement does not count
  const NoiseFloor floor = noise_floor(first, {again});
  EXPECT_EQ(floor.points, first.size() - 1);
  EXPECT_EQ(floor.latency.points, first.size() - 1);
  EXPECT_NEAR(floor.latency.median_pct, 7.0, 2.1);
  EXPECT_DOUBLE_EQ(floor.latency.within_10_pct, 100.0);
  EXPECT_NEAR(floor.energy.median_pct, 0.0, 1e-9);
  // Per model: the median of its -5 % and +9 % (7 %), 5 % for the model re-measured once.
  EXPECT_EQ(floor.latency_per_model.points, 10u);
  EXPECT_NEAR(floor.latency_per_model.median_pct, 7.0, 1e-6);
  EXPECT_DOUBLE_EQ(floor.latency_per_model.within_10_pct, 100.0);
}

}  // namespace
}  // namespace edgejoule
