// The cost model on synthetic stores whose costs follow a known law, and on ones that cannot
// support a fit.

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "common/error.h"
#include "predict/predictor.h"

namespace edgejoule {
namespace {

// Energy per inference ~ FLOPs^0.9 / batch^0.3 x threads^0.1; latency ~ FLOPs x batch^0.8 / threads^0.7,
// with a few % of multiplicative noise, over 8 models x 3 batches x 2 thread counts.
std::vector<ResultRow> synthetic_rows(double noise = 0.03, unsigned seed = 7) {
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
        r.status = "VALID";
        r.energy_j_per_inference =
            2e-11 * std::pow(flops[m], 0.9) * std::pow(b, -0.3) * std::pow(t, 0.1) * std::exp(n(rng));
        r.latency_ms_p99 = 1e-8 * flops[m] * std::pow(b, 0.8) / std::pow(t, 0.7) * std::exp(n(rng));
        rows.push_back(r);
      }
    }
  }
  return rows;
}

TEST(Predictor, RecoversAKnownLawWithSmallCrossValidatedError) {
  const auto rows = synthetic_rows();
  std::string why;
  const auto p = train_predictor(rows, &why);
  ASSERT_TRUE(p) << why;
  EXPECT_EQ(p->leave_one_model_out.folds, 8u);
  EXPECT_EQ(p->leave_one_model_out.predictions, rows.size());
  EXPECT_EQ(p->leave_one_configuration_out.folds, 6u);
  // The noise is 3 %; a sound fit of the right law stays within a few times that.
  EXPECT_LT(p->leave_one_model_out.energy_mape_pct, 10.0);
  EXPECT_LT(p->leave_one_configuration_out.energy_mape_pct, 10.0);
  EXPECT_LT(p->leave_one_model_out.latency_mape_pct, 10.0);
  EXPECT_GE(p->leave_one_model_out.energy_worst_pct, p->leave_one_model_out.energy_mape_pct);
  EXPECT_GE(p->leave_one_model_out.energy_under_q90_pct, 0.0);

  // An unmeasured configuration of a measured model: batch 8 lies between 4 and 16.
  ResultRow q = rows[0];
  q.batch = 8;
  q.threads = 2;
  const auto pred = p->model.predict(q);
  ASSERT_TRUE(pred);
  const double truth = 2e-11 * std::pow(5e7, 0.9) * std::pow(8, -0.3) * std::pow(2, 0.1);
  EXPECT_NEAR(pred->energy_j / truth, 1.0, 0.1);
}

TEST(Predictor, MissingFeaturesGiveNoPrediction) {
  const auto rows = synthetic_rows();
  const CostModel m = CostModel::fit(rows, 0.1);
  ResultRow q = rows[0];
  q.flops.reset();
  EXPECT_FALSE(m.predict(q));
  EXPECT_FALSE(CostModel::usable(q));
}

TEST(Predictor, RefusesTooFewPointsOrModelsWithAReason) {
  auto rows = synthetic_rows();
  rows.resize(5);
  std::string why;
  EXPECT_FALSE(train_predictor(rows, &why));
  EXPECT_NE(why.find("at least"), std::string::npos);
  EXPECT_THROW(CostModel::fit(rows, 1.0), Error);

  // Many points of two models cannot be validated on unseen models.
  auto two = synthetic_rows();
  two.erase(std::remove_if(two.begin(), two.end(), [](const ResultRow& r) { return r.model != "m0" && r.model != "m1"; }),
            two.end());
  EXPECT_FALSE(train_predictor(two, &why));
  EXPECT_NE(why.find("2 model"), std::string::npos);
}

TEST(Predictor, InvalidPointsAreNotFitted) {
  auto rows = synthetic_rows();
  const auto clean = train_predictor(rows, nullptr);
  // A wild INVALID point must change nothing.
  ResultRow wild = rows[0];
  wild.status = "INVALID";
  wild.energy_j_per_inference = 1e6;
  rows.push_back(wild);
  const auto with_invalid = train_predictor(rows, nullptr);
  ASSERT_TRUE(clean && with_invalid);
  EXPECT_DOUBLE_EQ(clean->leave_one_model_out.energy_mape_pct, with_invalid->leave_one_model_out.energy_mape_pct);
}

}  // namespace
}  // namespace edgejoule
