#include "recommend/report_figures.h"

#include <algorithm>

namespace edgejoule {

ReportFigures report_figures(const std::vector<ResultRow>& rows, std::optional<double> budget_j) {
  ReportFigures out;
  // What the charts show: VALID points with energy, one energy kind (as recommend does); the
  // cost charts need no accuracy, so they take every such point of the candidates' kind.
  const CandidateSet set = candidates_from_rows(rows, CandidateFilter{});
  out.notes = set.notes;
  CandidateFilter same_kind;
  same_kind.energy_source = set.energy_source;
  out.cost_rows = rows_with_energy(rows, same_kind);
  out.fit = train_predictor(out.cost_rows, &out.no_fit_reason);
  for (const auto& r : out.cost_rows) {
    std::optional<double> fitted;
    if (out.fit && CostModel::usable(r)) {
      if (const auto p = out.fit->model.predict(r)) fitted = p->energy_j;
    }
    out.fitted_energy_j.push_back(fitted);
  }

  // Per accuracy dataset: accuracy does not compare across datasets.
  std::vector<std::pair<std::string, size_t>> datasets(set.datasets.begin(), set.datasets.end());
  std::sort(datasets.begin(), datasets.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [dataset, count] : datasets) {
    DatasetFigures figures;
    figures.dataset = dataset;
    for (const auto& c : set.candidates) {
      if (c.row.accuracy_dataset == dataset) figures.candidates.push_back(c);
    }
    figures.frontier = pareto_frontier(figures.candidates, FrontierAxis::kEnergy);
    Constraints k;
    if (budget_j) {
      k.energy_budget_j = *budget_j;
      figures.recommendation = recommend(figures.candidates, k, Objective::kAccuracy, 0);
    }
    figures.by_device_type = recommend_by_group(figures.candidates, k, Objective::kAccuracy, GroupBy::kDeviceType);
    out.datasets.push_back(std::move(figures));
  }
  return out;
}

}  // namespace edgejoule
