// The frontier-directed sweep's stopping rule on synthetic stores where the answer is known.

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "recommend/frontier_plan.h"

namespace edgejoule {
namespace {

struct Truth {
  double top1;
  double energy_j;
};

// The true frontier: points no other point beats on accuracy and energy together.
std::set<size_t> true_frontier(const std::vector<Truth>& truth) {
  std::set<size_t> out;
  for (size_t i = 0; i < truth.size(); ++i) {
    bool beaten = false;
    for (size_t j = 0; j < truth.size() && !beaten; ++j) {
      beaten = j != i && truth[j].top1 >= truth[i].top1 && truth[j].energy_j <= truth[i].energy_j &&
               (truth[j].top1 > truth[i].top1 || truth[j].energy_j < truth[i].energy_j);
    }
    if (!beaten) out.insert(i);
  }
  return out;
}

// 60 points: 20 models x 3 configurations; energy grows with accuracy, with scatter, and the
// configurations scale it. Predictions are off by up to `error`, the margin says `margin`.
std::vector<Truth> synthetic_truth(unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<Truth> truth;
  for (int m = 0; m < 20; ++m) {
    const double top1 = 60 + 25 * u(rng);
    const double base = 0.01 * std::exp((top1 - 60) / 6) * (0.5 + u(rng));
    for (double scale : {1.0, 1.6, 0.8}) truth.push_back({top1, base * scale});
  }
  return truth;
}

// Runs the sweep to the end: measure what the plan says, ask again. Returns what was measured.
std::set<size_t> sweep(const std::vector<Truth>& truth, double error, double margin, unsigned seed,
                       size_t stop_after_rounds = 1000, std::vector<PlannedPoint>* state = nullptr) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> off(-error, error);
  std::vector<PlannedPoint> points = state && !state->empty() ? *state : std::vector<PlannedPoint>(truth.size());
  if (!state || state->empty()) {
    for (size_t i = 0; i < truth.size(); ++i) {
      points[i].top1 = truth[i].top1;
      points[i].predicted_energy_j = truth[i].energy_j * (1 + off(rng));
      points[i].margin = margin;
    }
  }
  for (size_t round = 0; round < stop_after_rounds; ++round) {
    const FrontierPlan plan = plan_frontier(points, 4);
    if (plan.settled) break;
    for (size_t i : plan.measure_next) points[i].measured_energy_j = truth[i].energy_j;
  }
  if (state) *state = points;
  std::set<size_t> measured;
  for (size_t i = 0; i < points.size(); ++i) {
    if (points[i].measured_energy_j) measured.insert(i);
  }
  return measured;
}

TEST(FrontierPlan, FindsTheWholeFrontierMeasuringAFractionWhenErrorsStayWithinTheMargin) {
  for (unsigned seed = 1; seed <= 5; ++seed) {
    const auto truth = synthetic_truth(seed);
    const auto frontier = true_frontier(truth);
    const auto measured = sweep(truth, /*error=*/0.2, /*margin=*/0.25, seed);
    for (size_t f : frontier) EXPECT_TRUE(measured.count(f)) << "seed " << seed << ": frontier point " << f << " skipped";
    EXPECT_LT(measured.size(), truth.size() / 2) << "seed " << seed;
  }
}

TEST(FrontierPlan, ExactPredictionsMeasureLittleMoreThanTheFrontier) {
  const auto truth = synthetic_truth(9);
  const auto frontier = true_frontier(truth);
  const auto measured = sweep(truth, 0.0, 0.0, 9);
  for (size_t f : frontier) EXPECT_TRUE(measured.count(f));
  // A batch of 4 may measure up to 3 more than needed in its last round, per round at most.
  EXPECT_LE(measured.size(), frontier.size() + 12);
}

TEST(FrontierPlan, SettledMeansNoUnmeasuredPointCanEnter) {
  std::vector<PlannedPoint> p(3);
  p[0] = {80, 0.1, std::nullopt, 0};
  p[1] = {70, std::nullopt, 0.3, 0.5};  // optimistic 0.2: still above 0.1 at lower accuracy
  p[2] = {75, std::nullopt, 0.12, 0.5};  // optimistic 0.08: could beat p[0] on energy
  FrontierPlan plan = plan_frontier(p, 10);
  EXPECT_FALSE(plan.settled);
  EXPECT_EQ(plan.cannot_enter, std::vector<size_t>{1});
  EXPECT_EQ(plan.measure_next, std::vector<size_t>{2});
  p[2].measured_energy_j = 0.13;  // it did not
  plan = plan_frontier(p, 10);
  EXPECT_TRUE(plan.settled);
  EXPECT_TRUE(plan.measure_next.empty());
}

TEST(FrontierPlan, UnpredictedPointsFirstAndBudgetsBoundTheSearch) {
  std::vector<PlannedPoint> p(3);
  p[0] = {80, std::nullopt, 5.0, 0.2};  // optimistic 4.2 J: over a 1 J budget
  p[1] = {70, std::nullopt, 0.3, 0.2};
  p[2] = {60, std::nullopt, std::nullopt, 0};  // no prediction: the model needs it measured
  const FrontierPlan plan = plan_frontier(p, 10, 1.0);
  EXPECT_EQ(plan.beyond_budgets, std::vector<size_t>{0});
  ASSERT_EQ(plan.measure_next.size(), 2u);
  EXPECT_EQ(plan.measure_next.front(), 2u);
  EXPECT_EQ(plan.measure_next.back(), 1u);
}

TEST(FrontierPlan, ADifferenceWithinTheToleranceIsNotWorthAMeasurement) {
  std::vector<PlannedPoint> p(2);
  p[0] = {75, 0.100, std::nullopt, 0, "m"};
  p[1] = {75, std::nullopt, 0.105, 0.1, "m"};  // the same model elsewhere: optimistic 0.0955 J
  EXPECT_EQ(plan_frontier(p, 10).measure_next, std::vector<size_t>{1});  // strict: it could be 4.5 % cheaper
  const FrontierPlan tolerant = plan_frontier(p, 10, std::nullopt, 0.1);
  EXPECT_TRUE(tolerant.settled);
  EXPECT_EQ(tolerant.cannot_enter, std::vector<size_t>{1});
  p[1].predicted_energy_j = 0.08;  // optimistic 0.073 J: 27 % cheaper, more than the tolerance
  EXPECT_EQ(plan_frontier(p, 10, std::nullopt, 0.1).measure_next, std::vector<size_t>{1});
}

TEST(FrontierPlan, AnchorsFirstThenOnePointOfEachUnmeasuredModel) {
  std::vector<PlannedPoint> p(6);
  p[0] = {70, std::nullopt, std::nullopt, 0, "a"};
  p[1] = {70, std::nullopt, std::nullopt, 0, "a"};
  p[2] = {72, std::nullopt, std::nullopt, 0, "b"};
  p[2].anchor = true;
  p[3] = {74, std::nullopt, 0.2, 0.3, "c"};
  p[4] = {74, std::nullopt, 0.1, 0.3, "c"};
  p[5] = {76, std::nullopt, 0.3, 0.3, "d"};
  // Anchors before anything: nothing else while one is left.
  EXPECT_EQ(plan_frontier(p, 10).measure_next, std::vector<size_t>{2});
  p[2].measured_energy_j = 0.5;
  // Then one point of each model measured nowhere yet; its other points wait for what it says.
  const FrontierPlan plan = plan_frontier(p, 10);
  EXPECT_EQ(plan.measure_next, (std::vector<size_t>{0, 4, 5}));
}

TEST(FrontierPlan, AnInterruptedSweepResumesToTheSameMeasurements) {
  const auto truth = synthetic_truth(4);
  const auto whole = sweep(truth, 0.2, 0.25, 4);
  std::vector<PlannedPoint> state;
  sweep(truth, 0.2, 0.25, 4, /*stop_after_rounds=*/2, &state);  // interrupted
  const auto resumed = sweep(truth, 0.2, 0.25, 4, 1000, &state);  // asked again from what is stored
  EXPECT_EQ(resumed, whole);
}

}  // namespace
}  // namespace edgejoule
