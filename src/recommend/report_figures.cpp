#include "recommend/report_figures.h"

#include <algorithm>
#include <cmath>

namespace edgejoule {

ReportFigures report_figures(const std::vector<ResultRow>& rows, std::optional<double> budget_j) {
  ReportFigures out;
  // What the charts show: VALID points with energy, one energy kind (as recommend does); the
  // cost charts need no accuracy, so they take every such point of the candidates' kind.
  CandidateSet set = candidates_from_rows(rows, CandidateFilter{});
  // Server points answer for their own rate: they are drawn against the rate, not on the
  // frontier of back-to-back points.
  std::vector<Candidate> server;
  for (const auto& c : set.candidates) {
    if (knob_value(c.row.knobs, "scenario") == "server") server.push_back(c);
  }
  RateCandidates back_to_back = candidates_for_rate(std::move(set.candidates), std::nullopt);
  set.candidates = std::move(back_to_back.candidates);
  out.notes = set.notes;
  out.notes.insert(out.notes.end(), back_to_back.notes.begin(), back_to_back.notes.end());
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
    for (const auto& step : figures.frontier) {
      const ResultRow& r = figures.candidates[step.index].row;
      const std::string label = r.model + " " + configuration_label(r);
      const std::string served = served_configuration(r);
      if (r.throughput_sps && *r.throughput_sps > 0) {
        // Log-spaced from a thousandth of its throughput up to its throughput.
        constexpr int kRates = 16;
        for (int i = 0; i <= kRates; ++i) {
          const double rate = *r.throughput_sps * std::pow(10.0, -3.0 + 3.0 * i / kRates);
          if (const auto e = derived_energy_at_rate_j(r, rate)) figures.energy_at_rate.push_back({label, rate, *e, false});
        }
      }
      for (const auto& s : server) {
        const auto rate = knob_number(s.row.knobs, "rate");
        if (rate && s.row.accuracy_dataset == dataset && served_configuration(s.row) == served) {
          figures.energy_at_rate.push_back({label, *rate, s.energy_j_per_inference, true});
        }
      }
    }
    Constraints k;
    if (budget_j) {
      k.energy_budget_j = *budget_j;
      figures.recommendation = recommend(figures.candidates, k, Objective::kAccuracy, 0);
    }
    figures.by_device_type = recommend_by_group(figures.candidates, k, Objective::kAccuracy, GroupBy::kDeviceType);
    if (!figures.frontier.empty()) {
      const double lo = figures.frontier.front().x;
      const double hi = figures.frontier.back().x;
      constexpr int kStops = 60;
      for (int i = 0; i <= kStops && hi > 0; ++i) {
        Constraints at;
        at.energy_budget_j = i == kStops ? hi : lo * std::pow(hi / lo, static_cast<double>(i) / kStops);
        DatasetFigures::BudgetStop stop;
        stop.budget_j = at.energy_budget_j;
        stop.pick = recommend(figures.candidates, at, Objective::kAccuracy, 0).chosen;
        stop.mix = recommend_mix(figures.candidates, at);
        figures.budget_stops.push_back(stop);
        if (hi <= lo) break;
      }
    }
    out.datasets.push_back(std::move(figures));
  }
  return out;
}

}  // namespace edgejoule
