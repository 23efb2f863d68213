// The recommender's evaluation with a fake re-measurement.

#include <gtest/gtest.h>

#include <map>

#include <nlohmann/json.hpp>

#include "predict/predictor.h"
#include "recommend/evaluate.h"

namespace edgejoule {
namespace {

Candidate point(const std::string& model, double energy_j, double top1) {
  Candidate c;
  c.row.model = model;
  c.row.point_id = static_cast<int64_t>(energy_j * 1e6);
  c.row.engine = "torchscript";
  c.row.device = "cpu";
  c.row.precision = "fp32";
  c.row.batch = 1;
  c.row.threads = 1;
  c.energy_j_per_inference = energy_j;
  c.energy_upper_j = energy_j;
  c.top1 = top1;
  c.latency_ms_p99 = 10;
  return c;
}

std::vector<Candidate> zoo() {
  return {point("a", 0.010, 55), point("b", 0.020, 67), point("c", 0.045, 72), point("d", 0.110, 76),
          point("e", 0.400, 78)};
}

TEST(Evaluate, BudgetsSpanTheMeasuredRangeLogSpaced) {
  const auto b = evaluation_budgets(zoo(), 20);
  ASSERT_EQ(b.size(), 20u);
  EXPECT_DOUBLE_EQ(b.front(), 0.010);
  EXPECT_NEAR(b.back(), 0.400, 1e-12);
  for (size_t i = 1; i < b.size(); ++i) EXPECT_NEAR(b[i] / b[i - 1], b[1] / b[0], 1e-9);
}

TEST(Evaluate, FaithfulRemeasurementsGiveNoViolationAndNoRegret) {
  const auto cs = zoo();
  std::map<std::string, int> calls;
  EvaluationSettings s;
  const Evaluation ev = evaluate_recommender(cs, s, [&](const Candidate& c) {
    ++calls[c.row.model];
    // Within 2 % of the stored figure, with a 3 % CI: honest noise.
    return Remeasurement{"VALID", "", c.energy_j_per_inference * 1.02, c.energy_j_per_inference * 0.03};
  });
  EXPECT_EQ(ev.summary.budgets, 20u);
  EXPECT_EQ(ev.summary.picks, 20u);
  EXPECT_EQ(ev.summary.violations, 0u);
  EXPECT_EQ(*ev.summary.regret_worst_pct, 0.0);
  // Each distinct pick is re-measured once.
  EXPECT_EQ(ev.summary.distinct_points, calls.size());
  for (const auto& [model, n] : calls) EXPECT_EQ(n, 1) << model;
  EXPECT_LE(*ev.summary.budget_use_worst, 1.02 + 1e-12);
  EXPECT_GT(*ev.summary.budget_use_median, 0.3);
  // The first budget is the cheapest point's energy: it is picked and uses ~100 %.
  EXPECT_EQ(cs[*ev.rows.front().chosen].row.model, "a");
  EXPECT_NEAR(*ev.rows.front().budget_use, 1.02, 1e-12);
  EXPECT_FALSE(ev.rows.front().violation);  // above the budget, but within the measurement's CI
}

TEST(Evaluate, AnEnergyThatGrewBeyondItsCiIsAViolation) {
  const auto cs = zoo();
  const Evaluation ev = evaluate_recommender(cs, {}, [&](const Candidate& c) {
    const double factor = c.row.model == "c" ? 1.5 : 1.0;  // "c" now costs half as much again
    return Remeasurement{"VALID", "", c.energy_j_per_inference * factor, c.energy_j_per_inference * 0.01};
  });
  size_t picks_of_c = 0;
  for (const auto& row : ev.rows) {
    if (row.chosen && cs[*row.chosen].row.model == "c") {
      ++picks_of_c;
      EXPECT_EQ(row.violation, *row.budget_use > 1.0 + 0.01 * 0.045 / row.budget_j);
    }
  }
  EXPECT_GT(picks_of_c, 0u);
  EXPECT_GT(ev.summary.violations, 0u);
}

// The stored evaluation keeps what the engine applied in each re-measurement, as a point keeps
// it ("effective" in its settings); a pick that was not measured again has none.
TEST(Evaluate, StoredRowsKeepTheRemeasurementsEffectiveSettings) {
  const auto cs = zoo();
  EvaluationSettings s;
  s.budgets = 3;
  const Evaluation ev = evaluate_recommender(cs, s, [&](const Candidate& c) {
    if (c.row.model == "a") return Remeasurement{"FAILED", "model file gone", std::nullopt, std::nullopt, std::nullopt};
    EffectiveSettings applied;
    applied.engine = "openvino";
    applied.threads = 2;
    applied.requests = 4;
    applied.knobs = {{"ov_streams", "4"}};
    return Remeasurement{"VALID", "", c.energy_j_per_inference, 0.0, applied};
  });
  const StoredEvaluation stored = stored_evaluation(ev, cs, "fp", "{}");
  ASSERT_EQ(stored.rows.size(), 3u);
  EXPECT_EQ(stored.rows[0].remeasure_status, "FAILED");
  EXPECT_EQ(stored.rows[0].effective_json, "");
  for (size_t i = 1; i < stored.rows.size(); ++i) {
    const auto effective = nlohmann::json::parse(stored.rows[i].effective_json);
    EXPECT_EQ(effective["engine"], "openvino");
    EXPECT_EQ(effective["threads"], 2);
    EXPECT_EQ(effective["requests"], 4);
    EXPECT_EQ(effective["ov_streams"], "4");
  }
}

TEST(Evaluate, FailedRemeasurementIsReportedNotCounted) {
  const auto cs = zoo();
  const Evaluation ev = evaluate_recommender(cs, {}, [&](const Candidate& c) {
    if (c.row.model == "e") return Remeasurement{"FAILED", "model file gone", std::nullopt, std::nullopt};
    return Remeasurement{"VALID", "", c.energy_j_per_inference, 0.0};
  });
  EXPECT_LT(ev.summary.remeasured_valid, ev.summary.picks);
  EXPECT_EQ(ev.rows.back().remeasured.status, "FAILED");
  EXPECT_FALSE(ev.rows.back().budget_use);
}

TEST(Evaluate, PredictedPicksCarryTheirPredictionErrorAndRegretCanBeNegative) {
  auto cs = zoo();
  Candidate p = point("p", 0.030, 74);  // better than measured "b" at the same budget
  p.predicted = true;
  p.energy_upper_j = 0.033;
  cs.push_back(p);
  const Evaluation ev = evaluate_recommender(cs, {}, [&](const Candidate& c) {
    return Remeasurement{"VALID", "", c.predicted ? 0.036 : c.energy_j_per_inference, 0.0};
  });
  EXPECT_GT(ev.summary.predicted_picks, 0u);
  bool seen = false;
  for (const auto& row : ev.rows) {
    if (!row.chosen || !cs[*row.chosen].predicted) continue;
    seen = true;
    EXPECT_NEAR(*row.prediction_error_pct, (0.030 - 0.036) / 0.036 * 100, 1e-9);
    EXPECT_LT(*row.regret_pct, 0.0);  // more accurate than the measured oracle
  }
  EXPECT_TRUE(seen);
  EXPECT_NEAR(*ev.summary.prediction_error_worst_pct, 100.0 / 6.0, 1e-9);
}

}  // namespace
}  // namespace edgejoule
