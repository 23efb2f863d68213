#pragma once
// The recommender's own evaluation: sweep energy budgets across the measured range, pick a
// point for each, re-measure the pick afresh, and compare with the budget, the measurement's
// own CI and the oracle (the most accurate measured point within the budget).

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/records.h"
#include "recommend/recommend.h"
#include "store/store.h"

namespace edgejoule {

// Profiles one candidate's model and configuration afresh (core/records.h; tests pass a fake).
using Remeasure = std::function<Remeasurement(const Candidate&)>;

struct EvaluationSettings {
  int budgets = 20;               // log-spaced from the cheapest to the dearest measured point
  Objective objective = Objective::kAccuracy;
  Constraints constraints;        // energy_budget_j is set per budget
};

struct BudgetEvaluation {
  int index = 0;
  double budget_j = 0;
  std::optional<size_t> chosen;   // into the candidates
  double expected_energy_j = 0;   // stored (or predicted) energy of the pick
  Remeasurement remeasured;
  std::optional<double> budget_use;        // re-measured energy / budget
  bool violation = false;                  // re-measured energy - its CI > budget
  std::optional<size_t> oracle;            // most accurate measured point within the budget
  std::optional<double> regret_pct;        // oracle top-1 - chosen top-1, percentage points
  std::optional<double> prediction_error_pct;  // predicted picks: (predicted - re-measured) / re-measured
};

struct EvaluationSummary {
  size_t budgets = 0, picks = 0, remeasured_valid = 0, distinct_points = 0, violations = 0, predicted_picks = 0;
  std::optional<double> budget_use_median, budget_use_worst;  // worst: the highest
  std::optional<double> budget_use_lowest;
  std::optional<double> regret_median_pct, regret_worst_pct;
  std::optional<double> prediction_error_median_pct, prediction_error_worst_pct;  // absolute
};

struct Evaluation {
  std::vector<double> budgets_j;
  std::vector<BudgetEvaluation> rows;
  EvaluationSummary summary;
};

// n budgets, log-spaced from the cheapest to the dearest measured (not predicted) candidate.
std::vector<double> evaluation_budgets(const std::vector<Candidate>& candidates, int n);

// Each distinct pick is re-measured once (in order of first pick) and that measurement serves
// every budget that picked it; `on_remeasure` (optional) hears of each before it starts.
Evaluation evaluate_recommender(const std::vector<Candidate>& candidates, const EvaluationSettings& settings,
                                const Remeasure& remeasure,
                                const std::function<void(size_t done, size_t total, const Candidate&)>& on_remeasure = {});

// The evaluation as the store keeps it (flat rows, no candidates): the pick's and the oracle's
// point ids, labels, accuracy and energy, the re-measurement and the summary figures.
StoredEvaluation stored_evaluation(const Evaluation& ev, const std::vector<Candidate>& candidates,
                                   const std::string& host_fingerprint, const std::string& settings_json);

}  // namespace edgejoule
