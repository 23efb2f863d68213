// The cost model on synthetic stores whose costs follow a known law, and on ones that cannot
// support a fit.

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "common/error.h"
#include "predict/predictor.h"
#include "support/synthetic_costs.h"

namespace edgejoule {
namespace {

using testing::synthetic_rows;

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
  wild.status = Verdict::kInvalid;
  wild.energy_j_per_inference = 1e6;
  rows.push_back(wild);
  const auto with_invalid = train_predictor(rows, nullptr);
  ASSERT_TRUE(clean && with_invalid);
  EXPECT_DOUBLE_EQ(clean->leave_one_model_out.energy_mape_pct, with_invalid->leave_one_model_out.energy_mape_pct);
}

}  // namespace
}  // namespace edgejoule
