#include "recommend/evaluate.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "core/stats.h"

namespace edgejoule {

std::vector<double> evaluation_budgets(const std::vector<Candidate>& candidates, int n) {
  double lo = 0, hi = 0;
  bool any = false;
  for (const auto& c : candidates) {
    if (c.predicted) continue;
    lo = any ? std::min(lo, c.energy_j_per_inference) : c.energy_j_per_inference;
    hi = any ? std::max(hi, c.energy_j_per_inference) : c.energy_j_per_inference;
    any = true;
  }
  if (!any) throw Error("no measured point with energy and accuracy to evaluate the recommender on");
  if (n < 2) throw Error("evaluate needs at least 2 budgets");
  std::vector<double> out;
  for (int i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / (n - 1);
    out.push_back(std::exp(std::log(lo) + t * (std::log(hi) - std::log(lo))));
  }
  // Exactly the end points: exp(log(x)) can round below x and miss the dearest point.
  out.front() = lo;
  out.back() = hi;
  return out;
}

Evaluation evaluate_recommender(const std::vector<Candidate>& candidates, const EvaluationSettings& settings,
                                const Remeasure& remeasure,
                                const std::function<void(size_t, size_t, const Candidate&)>& on_remeasure) {
  Evaluation ev;
  ev.budgets_j = evaluation_budgets(candidates, settings.budgets);
  std::vector<Candidate> measured;
  std::vector<size_t> measured_index;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (!candidates[i].predicted) {
      measured.push_back(candidates[i]);
      measured_index.push_back(i);
    }
  }
  // First the picks, so progress can say how many re-measurements there will be.
  for (size_t b = 0; b < ev.budgets_j.size(); ++b) {
    BudgetEvaluation row;
    row.index = static_cast<int>(b);
    row.budget_j = ev.budgets_j[b];
    Constraints k = settings.constraints;
    k.energy_budget_j = row.budget_j;
    row.chosen = recommend(candidates, k, settings.objective, 0).chosen;
    if (const auto o = recommend(measured, k, Objective::kAccuracy, 0).chosen) row.oracle = measured_index[*o];
    if (row.chosen) row.expected_energy_j = candidates[*row.chosen].energy_j_per_inference;
    ev.rows.push_back(row);
  }
  std::vector<size_t> distinct;
  for (const auto& row : ev.rows) {
    if (row.chosen && std::find(distinct.begin(), distinct.end(), *row.chosen) == distinct.end()) {
      distinct.push_back(*row.chosen);
    }
  }
  std::map<size_t, Remeasurement> fresh;
  for (size_t i = 0; i < distinct.size(); ++i) {
    if (on_remeasure) on_remeasure(i, distinct.size(), candidates[distinct[i]]);
    fresh[distinct[i]] = remeasure(candidates[distinct[i]]);
  }

  std::vector<double> uses, regrets, errors;
  auto& s = ev.summary;
  s.budgets = ev.rows.size();
  s.distinct_points = distinct.size();
  for (auto& row : ev.rows) {
    if (row.oracle && row.chosen) {
      row.regret_pct = candidates[*row.oracle].top1 - candidates[*row.chosen].top1;
      regrets.push_back(*row.regret_pct);
    }
    if (!row.chosen) continue;
    ++s.picks;
    const Candidate& c = candidates[*row.chosen];
    if (c.predicted) ++s.predicted_picks;
    row.remeasured = fresh[*row.chosen];
    if (row.remeasured.status != "VALID" || !row.remeasured.energy_j) continue;
    ++s.remeasured_valid;
    const double e = *row.remeasured.energy_j;
    row.budget_use = e / row.budget_j;
    uses.push_back(*row.budget_use);
    row.violation = e - row.remeasured.energy_ci95_j.value_or(0) > row.budget_j;
    if (row.violation) ++s.violations;
    if (c.predicted) {
      row.prediction_error_pct = (c.energy_j_per_inference - e) / e * 100;
      errors.push_back(std::abs(*row.prediction_error_pct));
    }
  }
  if (const Summary u = summarize(uses); u.count) {
    s.budget_use_median = u.p50;
    s.budget_use_worst = u.max;
    s.budget_use_lowest = u.min;
  }
  if (const Summary r = summarize(regrets); r.count) {
    s.regret_median_pct = r.p50;
    s.regret_worst_pct = r.max;
  }
  if (const Summary e = summarize(errors); e.count) {
    s.prediction_error_median_pct = e.p50;
    s.prediction_error_worst_pct = e.max;
  }
  return ev;
}

StoredEvaluation stored_evaluation(const Evaluation& ev, const std::vector<Candidate>& candidates,
                                   const std::string& host_fingerprint, const std::string& settings_json) {
  StoredEvaluation stored;
  stored.host_fingerprint = host_fingerprint;
  stored.settings_json = settings_json;
  stored.violations = static_cast<int>(ev.summary.violations);
  stored.budget_use_median = ev.summary.budget_use_median;
  stored.budget_use_worst = ev.summary.budget_use_worst;
  stored.regret_median_pct = ev.summary.regret_median_pct;
  stored.regret_worst_pct = ev.summary.regret_worst_pct;
  for (const auto& row : ev.rows) {
    StoredEvaluationRow s;
    s.budget_index = row.index;
    s.energy_budget_j = row.budget_j;
    if (row.chosen) {
      const Candidate& c = candidates[*row.chosen];
      if (!c.predicted) s.point_id = c.row.point_id;
      s.predicted = c.predicted;
      s.label = c.label();
      s.top1 = c.top1;
      s.expected_energy_j = c.energy_j_per_inference;
    }
    s.remeasured_energy_j = row.remeasured.energy_j;
    s.remeasured_energy_ci95_j = row.remeasured.energy_ci95_j;
    s.remeasure_status = row.remeasured.status;
    if (row.remeasured.effective) s.effective_json = nlohmann::json(*row.remeasured.effective).dump();
    s.budget_use = row.budget_use;
    s.violation = row.violation;
    if (row.oracle) {
      s.oracle_point_id = candidates[*row.oracle].row.point_id;
      s.oracle_top1 = candidates[*row.oracle].top1;
    }
    s.regret_pct = row.regret_pct;
    s.prediction_error_pct = row.prediction_error_pct;
    stored.rows.push_back(s);
  }
  return stored;
}

}  // namespace edgejoule
