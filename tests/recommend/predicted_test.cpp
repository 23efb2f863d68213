// Predicted candidates: which configurations and models get predicted, with which margin.

#include <gtest/gtest.h>

#include <algorithm>

#include "predict/predictor.h"
#include "recommend/recommend.h"
#include "support/synthetic_costs.h"

namespace edgejoule {
namespace {

// The synthetic rows as measured candidates with accuracy on one dataset, minus the points of
// model m0 at batch 16 (left for the predictor to fill).
std::vector<Candidate> measured() {
  std::vector<Candidate> out;
  for (const auto& r : testing::synthetic_rows()) {
    if (r.model == "m0" && r.batch == 16) continue;
    Candidate c;
    c.row = r;
    c.row.top1 = 60.0;
    c.row.accuracy_dataset = "imagenet-1k";
    c.energy_j_per_inference = *r.energy_j_per_inference;
    c.energy_upper_j = c.energy_j_per_inference;
    c.top1 = 60.0;
    c.latency_ms_p99 = r.latency_ms_p99;
    out.push_back(c);
  }
  return out;
}

ResultRow unprofiled(const std::string& name, const std::string& dataset, double flops) {
  ResultRow r;
  r.model = name;
  r.family = "even";
  r.flops = static_cast<int64_t>(flops);
  r.params = static_cast<int64_t>(flops / 50);
  r.top1 = 70.0;
  r.accuracy_source = "declared:test";
  r.accuracy_dataset = dataset;
  return r;
}

TEST(PredictedCandidates, FillTheMeasuredGridWithTheConfigurationMargin) {
  const auto cs = measured();
  const auto p = train_predictor(testing::synthetic_rows(), nullptr);
  ASSERT_TRUE(p);
  const auto predicted = predicted_candidates(cs, *p);
  // Exactly m0 at batch 16 with 1 and 2 threads was not measured.
  ASSERT_EQ(predicted.size(), 2u);
  for (const auto& c : predicted) {
    EXPECT_EQ(c.row.model, "m0");
    EXPECT_EQ(c.row.batch, 16);
    EXPECT_TRUE(c.predicted);
    EXPECT_EQ(c.row.point_id, 0);
    EXPECT_EQ(c.row.energy_provenance, "predicted:" + p->model.name());
    EXPECT_DOUBLE_EQ(c.top1, 60.0);  // the accuracy of the measured combination
    EXPECT_DOUBLE_EQ(c.energy_upper_j,
                     c.energy_j_per_inference * (1 + p->leave_one_configuration_out.energy_under_q90_pct / 100));
    EXPECT_GE(c.budget_energy_j(), c.energy_j_per_inference);
  }
}

TEST(PredictedCandidates, UnprofiledModelsOnlyOnTheSameDatasetAndInFp32) {
  auto cs = measured();
  // One measured bf16 combination: unprofiled models are not predicted in it (declared accuracy is fp32's).
  Candidate bf16 = cs.front();
  bf16.row.precision = "bf16";
  cs.push_back(bf16);
  const auto p = train_predictor(testing::synthetic_rows(), nullptr);
  ASSERT_TRUE(p);
  const auto predicted = predicted_candidates(
      cs, *p, {unprofiled("new-imagenet", "imagenet-1k", 2e8), unprofiled("new-fmnist", "fmnist:test", 2e6)});
  const auto of_new = std::count_if(predicted.begin(), predicted.end(), [](const Candidate& c) {
    return c.row.model == "new-imagenet";
  });
  EXPECT_EQ(of_new, 3 * 2);  // batches 1, 4, 16 x threads 1, 2, fp32 only
  for (const auto& c : predicted) {
    EXPECT_NE(c.row.model, "new-fmnist");  // its accuracy is on another task
    if (c.row.model != "new-imagenet") continue;
    EXPECT_EQ(c.row.precision, "fp32");
    EXPECT_EQ(c.row.accuracy_dataset, "imagenet-1k");
    EXPECT_DOUBLE_EQ(c.top1, 70.0);
    EXPECT_DOUBLE_EQ(c.energy_upper_j, c.energy_j_per_inference * (1 + p->leave_one_model_out.energy_under_q90_pct / 100));
  }
}

}  // namespace
}  // namespace edgejoule
