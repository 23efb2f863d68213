// The recommender on synthetic candidates with known optima.

#include <gtest/gtest.h>

#include "recommend/recommend.h"

namespace edgejoule {
namespace {

Candidate point(const std::string& model, double energy_j, double top1, double p99_ms = 10,
                std::optional<double> memory_mb = 100, int batch = 1) {
  Candidate c;
  c.row.model = model;
  c.row.engine = "torchscript";
  c.row.device = "cpu";
  c.row.precision = "fp32";
  c.row.batch = batch;
  c.row.threads = 2;
  c.row.hostname = "h";
  c.row.status = Verdict::kValid;
  c.energy_j_per_inference = energy_j;
  c.energy_upper_j = energy_j;
  c.top1 = top1;
  c.latency_ms_p99 = p99_ms;
  c.memory_mb = memory_mb;
  return c;
}

std::string chosen_model(const std::vector<Candidate>& cs, const Recommendation& r) {
  return r.chosen ? cs[*r.chosen].row.model : "(none)";
}

// Accuracy grows ever more expensive: the shape the study found.
std::vector<Candidate> zoo() {
  return {point("tiny", 0.010, 55.0, 2), point("small", 0.020, 67.0, 4), point("medium", 0.045, 72.0, 9),
          point("large", 0.110, 76.0, 25, 900), point("huge", 0.400, 78.0, 80, 2000),
          point("wasteful", 0.200, 70.0, 30)};  // dominated
}

TEST(Recommend, PicksTheMostAccurateWithinTheBudget) {
  const auto cs = zoo();
  struct Case {
    double budget;
    const char* expected;
  } cases[] = {{0.010, "tiny"}, {0.015, "tiny"}, {0.020, "small"}, {0.0449, "small"}, {0.045, "medium"},
               {0.2, "large"},  {0.4, "huge"},   {10.0, "huge"}};
  for (const auto& c : cases) {
    Constraints k;
    k.energy_budget_j = c.budget;
    const auto r = recommend(cs, k, Objective::kAccuracy);
    EXPECT_EQ(chosen_model(cs, r), c.expected) << "budget " << c.budget;
    ASSERT_TRUE(r.budget_use);
    EXPECT_LE(*r.budget_use, 1.0);
  }
}

TEST(Recommend, ExplainsBudgetUseBindingConstraintAndNextStep) {
  const auto cs = zoo();
  Constraints k;
  k.energy_budget_j = 0.05;
  const auto r = recommend(cs, k, Objective::kAccuracy);
  ASSERT_EQ(chosen_model(cs, r), "medium");
  EXPECT_DOUBLE_EQ(*r.budget_use, 0.045 / 0.05);
  EXPECT_EQ(r.binding, std::vector<std::string>{kEnergyConstraint});
  ASSERT_TRUE(r.next_step);
  EXPECT_EQ(cs[r.next_step->index].row.model, "large");
  EXPECT_NEAR(r.next_step->extra_energy_j, 0.065, 1e-12);
  EXPECT_NEAR(r.next_step->extra_accuracy, 4.0, 1e-12);
  EXPECT_NEAR(r.next_step->joules_per_accuracy_point, 0.065 / 4.0, 1e-12);
  // Runners-up: the next best feasible, best first.
  ASSERT_EQ(r.runners_up.size(), 2u);
  EXPECT_EQ(cs[r.runners_up[0]].row.model, "small");
  EXPECT_EQ(cs[r.runners_up[1]].row.model, "tiny");
  EXPECT_EQ(r.feasible, 3u);
}

TEST(Recommend, NoConstraintBindsWhenTheBestFits) {
  const auto cs = zoo();
  Constraints k;
  k.energy_budget_j = 1.0;
  const auto r = recommend(cs, k, Objective::kAccuracy);
  EXPECT_EQ(chosen_model(cs, r), "huge");
  EXPECT_TRUE(r.binding.empty());
  EXPECT_FALSE(r.binding_note.empty());
  EXPECT_FALSE(r.next_step);
}

TEST(Recommend, LatencyConstraintBinds) {
  const auto cs = zoo();
  Constraints k;
  k.energy_budget_j = 1.0;
  k.latency_ms_p99 = 10;
  const auto r = recommend(cs, k, Objective::kAccuracy);
  EXPECT_EQ(chosen_model(cs, r), "medium");
  EXPECT_EQ(r.binding, std::vector<std::string>{kLatencyConstraint});
  // The next step up is blocked by latency, not by energy.
  EXPECT_FALSE(r.next_step);
}

TEST(Recommend, MemoryConstraintBindsAndUnknownMemoryDoesNotFit) {
  auto cs = zoo();
  cs.push_back(point("unknown-memory", 0.05, 77.0, 10, std::nullopt));
  Constraints k;
  k.energy_budget_j = 1.0;
  k.max_memory_mb = 500;
  const auto r = recommend(cs, k, Objective::kAccuracy);
  EXPECT_EQ(chosen_model(cs, r), "medium");
  EXPECT_EQ(r.binding, std::vector<std::string>{kMemoryConstraint});
}

TEST(Recommend, AccuracyFloorAndEnergyObjective) {
  const auto cs = zoo();
  Constraints k;
  k.energy_budget_j = 1.0;
  k.min_accuracy = 70;
  const auto r = recommend(cs, k, Objective::kEnergy);
  EXPECT_EQ(chosen_model(cs, r), "medium");  // the cheapest at >= 70 %
  const auto per_joule = recommend(cs, k, Objective::kAccuracyPerJoule);
  EXPECT_EQ(chosen_model(cs, per_joule), "medium");  // 72/0.045 beats 70/0.2, 76/0.11, 78/0.4
  Constraints none;
  none.energy_budget_j = 1.0;
  EXPECT_EQ(chosen_model(cs, recommend(cs, none, Objective::kAccuracyPerJoule)), "tiny");  // 55/0.01
}

TEST(Recommend, InfeasibleBudgetNamesTheCheapestPointAndTheBudgetItNeeds) {
  const auto cs = zoo();
  Constraints k;
  k.energy_budget_j = 0.005;
  const auto r = recommend(cs, k, Objective::kAccuracy);
  EXPECT_FALSE(r.chosen);
  EXPECT_EQ(r.feasible, 0u);
  ASSERT_TRUE(r.cheapest);
  EXPECT_EQ(cs[*r.cheapest].row.model, "tiny");
  EXPECT_EQ(r.cheapest_breaks, std::vector<std::string>{kEnergyConstraint});
  EXPECT_EQ(r.binding, std::vector<std::string>{kEnergyConstraint});

  // With an accuracy floor too, the cheapest point that meets the floor is named.
  k.min_accuracy = 75;
  const auto floor = recommend(cs, k, Objective::kAccuracy);
  ASSERT_TRUE(floor.cheapest);
  EXPECT_EQ(cs[*floor.cheapest].row.model, "large");
}

TEST(Recommend, InfeasibleOnEveryConstraintStillNamesTheCheapest) {
  const auto cs = zoo();
  Constraints k;
  k.energy_budget_j = 0.001;
  k.min_accuracy = 99;
  const auto r = recommend(cs, k, Objective::kAccuracy);
  ASSERT_TRUE(r.cheapest);
  EXPECT_EQ(cs[*r.cheapest].row.model, "tiny");
  EXPECT_EQ(r.cheapest_breaks.size(), 2u);
}

TEST(Recommend, TiesFallToLessEnergyThenLatencyWhateverTheOrder) {
  std::vector<Candidate> cs = {point("a", 0.03, 70, 12), point("b", 0.02, 70, 15), point("c", 0.02, 70, 11)};
  Constraints k;
  k.energy_budget_j = 0.05;
  EXPECT_EQ(chosen_model(cs, recommend(cs, k, Objective::kAccuracy)), "c");
  std::reverse(cs.begin(), cs.end());
  EXPECT_EQ(chosen_model(cs, recommend(cs, k, Objective::kAccuracy)), "c");
  // Exact twins: the label decides, so the answer is still stable.
  std::vector<Candidate> twins = {point("y", 0.02, 70, 11), point("x", 0.02, 70, 11)};
  EXPECT_EQ(chosen_model(twins, recommend(twins, k, Objective::kAccuracy)), "x");
}

TEST(Recommend, PredictedPointMustFitWithItsMargin) {
  std::vector<Candidate> cs = {point("measured", 0.030, 70)};
  Candidate p = point("predicted", 0.040, 74);
  p.predicted = true;
  p.energy_upper_j = 0.048;  // prediction + margin
  cs.push_back(p);
  Constraints k;
  k.energy_budget_j = 0.045;  // fits the prediction, not its margin
  EXPECT_EQ(chosen_model(cs, recommend(cs, k, Objective::kAccuracy)), "measured");
  k.energy_budget_j = 0.048;
  const auto r = recommend(cs, k, Objective::kAccuracy);
  EXPECT_EQ(chosen_model(cs, r), "predicted");
  EXPECT_TRUE(cs[*r.chosen].predicted);
}

TEST(Candidates, OnlyValidPointsWithEnergyAndAccuracyAndOneEnergyKind) {
  std::vector<ResultRow> rows(6);
  for (size_t i = 0; i < rows.size(); ++i) {
    rows[i].model = "m" + std::to_string(i);
    rows[i].status = Verdict::kValid;
    rows[i].energy_j_per_inference = 0.01 * static_cast<double>(i + 1);
    rows[i].energy_provenance = "measured:rapl:package-0";
    rows[i].top1 = 50 + static_cast<double>(i);
    rows[i].hostname = "h";
    rows[i].device = "cpu";
  }
  rows[1].status = Verdict::kInvalid;
  rows[2].energy_j_per_inference.reset();
  rows[3].top1.reset();
  rows[4].energy_provenance = "estimated:cpu-time";
  const auto auto_set = candidates_from_rows(rows, {});
  ASSERT_EQ(auto_set.candidates.size(), 2u);  // m0 and m5: measured, valid, with both figures
  EXPECT_EQ(auto_set.candidates[0].row.model, "m0");
  EXPECT_EQ(auto_set.candidates[1].row.model, "m5");
  EXPECT_EQ(auto_set.energy_kind, "measured");
  EXPECT_EQ(auto_set.not_valid, 1u);
  EXPECT_EQ(auto_set.without_energy, 1u);
  EXPECT_EQ(auto_set.without_accuracy, 1u);
  EXPECT_EQ(auto_set.other_energy_kind, 1u);
  EXPECT_FALSE(auto_set.notes.empty());

  CandidateFilter estimated;
  estimated.energy_source = EnergySource::kEstimated;
  const auto e = candidates_from_rows(rows, estimated);
  ASSERT_EQ(e.candidates.size(), 1u);
  EXPECT_EQ(e.candidates[0].row.model, "m4");

  CandidateFilter other_host;
  other_host.hostname = "elsewhere";
  EXPECT_TRUE(candidates_from_rows(rows, other_host).candidates.empty());
}

TEST(Frontier, KeepsOnlyUndominatedPointsWithMarginalCosts) {
  const auto cs = zoo();
  const auto f = pareto_frontier(cs, FrontierAxis::kEnergy);
  std::vector<std::string> models;
  for (const auto& s : f) models.push_back(cs[s.index].row.model);
  EXPECT_EQ(models, (std::vector<std::string>{"tiny", "small", "medium", "large", "huge"}));
  EXPECT_FALSE(f[0].marginal_x_per_accuracy_point);
  EXPECT_NEAR(*f[1].marginal_x_per_accuracy_point, 0.010 / 12.0, 1e-12);
  EXPECT_NEAR(*f[4].marginal_x_per_accuracy_point, 0.290 / 2.0, 1e-12);
  EXPECT_NEAR(*f[0].accuracy_per_joule, 0.55 / 0.010, 1e-9);
  // Each step up costs more per accuracy point than the last: the study's finding, here by construction.
  for (size_t i = 2; i < f.size(); ++i) {
    EXPECT_GT(*f[i].marginal_x_per_accuracy_point, *f[i - 1].marginal_x_per_accuracy_point);
  }
}

TEST(Frontier, EqualCostKeepsTheMoreAccurateAndLatencyAxisSkipsUnknown) {
  std::vector<Candidate> cs = {point("a", 0.02, 60, 5), point("b", 0.02, 65, 7), point("c", 0.03, 64, 3)};
  cs[2].latency_ms_p99.reset();
  const auto f = pareto_frontier(cs, FrontierAxis::kEnergy);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(cs[f[0].index].row.model, "b");
  const auto fl = pareto_frontier(cs, FrontierAxis::kLatency);
  ASSERT_EQ(fl.size(), 2u);
  EXPECT_EQ(cs[fl[0].index].row.model, "a");
  EXPECT_EQ(cs[fl[1].index].row.model, "b");
}

// A fleet store: each device type chooses on its own, and the indices point into all candidates.
TEST(RecommendByGroup, EachDeviceTypeChoosesOnItsOwn) {
  std::vector<Candidate> cs = {point("big", 0.9, 80), point("small", 0.2, 70), point("big", 0.4, 80),
                               point("small", 0.05, 70), point("tiny", 0.02, 60)};
  for (size_t i : {0, 1}) cs[i].row.device_class = "pi5";
  for (size_t i : {2, 3, 4}) cs[i].row.device_class = "orin";
  cs[4].row.hostname = "h2";
  Constraints k;
  k.energy_budget_j = 0.5;
  const auto groups = recommend_by_group(cs, k, Objective::kAccuracy, GroupBy::kDeviceType);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].group, "orin");  // name order
  EXPECT_EQ(chosen_model(cs, groups[0].recommendation), "big");
  EXPECT_EQ(*groups[0].recommendation.chosen, 2u);
  EXPECT_EQ(groups[0].hosts, (std::vector<std::string>{"h", "h2"}));
  EXPECT_EQ(groups[1].group, "pi5");
  EXPECT_EQ(*groups[1].recommendation.chosen, 1u);  // the big model does not fit the Pi's budget
  k.energy_budget_j = 0.1;
  const auto tight = recommend_by_group(cs, k, Objective::kAccuracy, GroupBy::kDeviceType);
  EXPECT_FALSE(tight[1].recommendation.chosen);
  EXPECT_EQ(*tight[1].recommendation.cheapest, 1u);
  EXPECT_EQ(recommend_by_group(cs, k, Objective::kAccuracy, GroupBy::kHost).size(), 2u);
  for (auto& c : cs) c.row.device_class = "one";
  EXPECT_TRUE(recommend_by_group(cs, k, Objective::kAccuracy, GroupBy::kDeviceType).empty());
}

// At a rate: a back-to-back point serving R inferences/s spends its energy above idle per
// inference plus the idle power over 1/R; a server point measured at R stands for its
// configuration; server points answer for their own rate only.
Candidate back_to_back(const std::string& model, double above_idle_j, double idle_w, double throughput_sps) {
  Candidate c = point(model, above_idle_j + idle_w / throughput_sps, 70);
  c.row.model_sha256 = model;
  c.row.sample_shape = "3x8x8";
  c.row.energy_above_idle_j_per_inference = above_idle_j;
  c.row.idle_power_w = idle_w;
  c.row.throughput_sps = throughput_sps;
  c.row.energy_provenance = "measured:log:p.csv";
  return c;
}

TEST(RecommendAtRate, BackToBackPointsAreDerivedAndServerPointsAtTheRateStandForThem) {
  Candidate a = back_to_back("a", 0.05, 2.0, 100);  // serves up to 100/s
  Candidate b = back_to_back("b", 0.02, 2.0, 10);   // serves up to 10/s
  Candidate c = back_to_back("c", 0.01, 2.0, 200);
  Candidate c_server = c;  // c measured as a server at 20/s: it replaces c's derived figure
  c_server.row.knobs = {{"scenario", "server"}, {"rate", "20"}};
  c_server.energy_j_per_inference = 0.15;
  Candidate c_server_40 = c_server;
  c_server_40.row.knobs["rate"] = "40";
  const std::vector<Candidate> all = {a, b, c, c_server, c_server_40};

  const auto at20 = candidates_for_rate(all, 20.0);
  ASSERT_EQ(at20.candidates.size(), 2u);  // a derived, c's server point; b too slow, c superseded
  EXPECT_EQ(at20.derived, 1u);
  EXPECT_EQ(at20.measured_at_rate, 1u);
  const Candidate& derived = at20.candidates[0];
  EXPECT_EQ(derived.row.model, "a");
  EXPECT_DOUBLE_EQ(derived.energy_j_per_inference, 0.05 + 2.0 / 20);
  EXPECT_EQ(derived.row.energy_provenance, "derived:rate:measured:log:p.csv");
  EXPECT_EQ(derived.row.energy_kind(), EnergyProvenance::kDerived);
  EXPECT_DOUBLE_EQ(*derived.row.mean_power_w, (0.05 + 2.0 / 20) * 20);
  EXPECT_EQ(at20.candidates[1].energy_j_per_inference, 0.15);
  EXPECT_EQ(derived_energy_at_rate_j(b.row, 20), std::nullopt);  // 10/s at most

  // Without a rate: back-to-back points only, and a note on the server points left out.
  const auto plain = candidates_for_rate(all, std::nullopt);
  EXPECT_EQ(plain.candidates.size(), 3u);
  ASSERT_EQ(plain.notes.size(), 1u);
  EXPECT_NE(plain.notes[0].find("2 server point(s) left out"), std::string::npos) << plain.notes[0];

  // A point without idle power cannot be carried to a rate.
  Candidate no_idle = a;
  no_idle.row.idle_power_w.reset();
  const auto none = candidates_for_rate({no_idle}, 20.0);
  EXPECT_TRUE(none.candidates.empty());
  ASSERT_FALSE(none.notes.empty());
  EXPECT_NE(none.notes[0].find("no idle power"), std::string::npos);
}

}  // namespace
}  // namespace edgejoule
