#include "orchestrate/answers.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "common/error.h"
#include "orchestrate/with_predictions.h"
#include "zoo/manifest.h"

namespace edgejoule {

namespace {

// The query's store, once its energy source is known.
std::unique_ptr<Store> open_for(CandidateQuery& query) {
  const auto source = energy_source_from_string(query.energy_source);
  if (!source) {
    throw Error("unknown energy source '" + query.energy_source + "': choose auto, measured, estimated or any");
  }
  query.filter.energy_source = *source;
  return open_store(query.db, OpenMode::kReadOnly);
}

// The recommender and the cost model order what they need themselves.
RowFilter unsorted() {
  RowFilter f;
  f.sorted = false;
  return f;
}

}  // namespace

std::vector<ResultRow> load_rows(CandidateQuery& query) { return open_for(query)->rows(unsorted()); }

CandidateSet load_candidates(CandidateQuery& query) {
  auto store = open_for(query);  // first: it resolves the filter's energy source
  CandidateCollector collect(query.filter);
  store->each_row(unsorted(), collect);
  store.reset();
  CandidateSet set = collect.finish();
  RateCandidates at_rate = candidates_for_rate(std::move(set.candidates), query.rate_qps);
  set.candidates = std::move(at_rate.candidates);
  set.notes.insert(set.notes.end(), at_rate.notes.begin(), at_rate.notes.end());
  if (set.datasets.size() > 1) {
    throw Error("the store '" + query.db + "' holds accuracy on several datasets, which do not compare: " +
                datasets_listed(set) + "; choose one with --dataset");
  }
  return set;
}

RecommendAnswer answer_recommend(const RecommendQuery& query) {
  RecommendAnswer a;
  a.query = query;
  double budget_j = query.energy_budget_j;
  if (query.power_budget_w) {
    // Average power at a rate is energy per inference: W / (inferences/s) = J per inference.
    if (!query.candidates.rate_qps) {
      throw Error("--power-budget-w needs --rate R: the average power is spent serving R inferences/s");
    }
    const double from_power_j = *query.power_budget_w / *query.candidates.rate_qps;
    budget_j = budget_j > 0 ? std::min(budget_j, from_power_j) : from_power_j;
  }
  if (!(budget_j > 0)) {
    throw Error("give --energy-budget-j J (a positive number of joules per inference) or --power-budget-w W with --rate R");
  }
  if (query.predict && query.candidates.rate_qps) {
    throw Error("--predict does not combine with --rate: predictions are of back-to-back points; drop one of them");
  }
  const auto objective = objective_from_string(query.objective);
  if (!objective) {
    throw Error("unknown objective '" + query.objective + "': choose accuracy, accuracy-per-joule or energy");
  }
  if (query.runners_up < 0) throw Error("runners-up must be 0 or more");
  CandidateQuery candidates_query = query.candidates;
  CandidateSet set = load_candidates(candidates_query);
  a.candidates = std::move(set.candidates);
  a.notes = std::move(set.notes);
  a.energy_kind = set.energy_kind;
  if (query.predict) {
    const PredictionsAdded p = add_predicted_candidates(a.candidates, query.zoo_dir);
    if (!p.predictor) {
      a.notes.push_back("--predict: no prediction (" + p.why_none + ")");
    } else {
      a.notes.push_back(fmt::format(
          "--predict: {} predicted point(s) by {} (energy error leave-one-model-out {:.1f} % MAPE, "
          "leave-one-configuration-out {:.1f} %); each must fit the budget with its margin",
          p.added, p.predictor->model.name(), p.predictor->leave_one_model_out.energy_mape_pct,
          p.predictor->leave_one_configuration_out.energy_mape_pct));
    }
  }
  if (a.candidates.empty()) {
    std::string why = set.rows == 0 ? "the store '" + query.candidates.db + "' holds no points"
                                    : "no VALID point with energy and accuracy matches";
    for (const auto& n : a.notes) why += "; " + n;
    throw Error(why + ": profile some models first ('edgejoule profile --zoo DIR')");
  }
  a.constraints.energy_budget_j = budget_j;
  a.constraints.latency_ms_p99 = query.latency_ms_p99;
  a.constraints.min_accuracy = query.min_accuracy;
  a.constraints.max_memory_mb = query.max_memory_mb;
  a.objective = *objective;
  a.recommendation = recommend(a.candidates, a.constraints, a.objective, static_cast<size_t>(query.runners_up));
  a.by_device_type = recommend_by_group(a.candidates, a.constraints, a.objective, GroupBy::kDeviceType);
  a.by_host = recommend_by_group(a.candidates, a.constraints, a.objective, GroupBy::kHost);
  if (query.mix) a.mix = recommend_mix(a.candidates, a.constraints);
  return a;
}

FrontierAnswer answer_frontier(CandidateQuery query, FrontierAxis axis) {
  CandidateSet set = load_candidates(query);
  if (set.candidates.empty()) {
    throw Error("no VALID point with energy and accuracy in '" + query.db +
                "': profile some models first ('edgejoule profile --zoo DIR')");
  }
  FrontierAnswer a;
  a.axis = axis;
  a.energy_kind = set.energy_kind;
  a.notes = std::move(set.notes);
  a.candidates = std::move(set.candidates);
  a.frontier = pareto_frontier(a.candidates, axis);
  // A fleet store: each device type's own frontier as well (what that device can reach).
  const std::string& first_type = a.candidates.front().row.device_class;
  const bool several_types = std::any_of(a.candidates.begin(), a.candidates.end(),
                                         [&](const Candidate& c) { return c.row.device_class != first_type; });
  if (several_types) {  // copies only for a fleet of several device types
    for (const auto& c : a.candidates) a.by_device_type[c.row.device_class].candidates.push_back(c);
    for (auto& [type, own] : a.by_device_type) own.frontier = pareto_frontier(own.candidates, axis);
  }
  return a;
}

PredictionErrors answer_predict(CandidateQuery query, const std::vector<std::string>& zoos,
                                const std::vector<std::string>& remeasured) {
  // Cost does not depend on accuracy: every VALID point of one energy kind is fitted on.
  const std::vector<ResultRow> rows = rows_with_energy(load_rows(query), query.filter);
  std::string why;
  const auto p = train_predictor(rows, &why);
  if (!p) throw Error("no cost model can be fitted on '" + query.db + "': " + why);
  PredictionErrors e;
  e.model = p->model.name();
  size_t measured = 0;
  for (const auto& r : rows) {
    e.points += CostModel::usable(r);
    measured += r.energy_kind() == EnergyProvenance::kMeasured;
  }
  e.energy_kind = measured == rows.size() ? "measured" : measured == 0 ? "estimated" : "measured and estimated";
  e.leave_one_model_out = p->leave_one_model_out;
  e.leave_one_configuration_out = p->leave_one_configuration_out;
  e.lomo_latency = ErrorDistribution::of(e.leave_one_model_out.latency_p50_errors_pct);
  e.lomo_latency_per_model = ErrorDistribution::of(e.leave_one_model_out.latency_p50_model_errors_pct);
  e.lomo_energy = ErrorDistribution::of(e.leave_one_model_out.energy_errors_pct);
  e.loco_latency = ErrorDistribution::of(e.leave_one_configuration_out.latency_p50_errors_pct);
  e.loco_energy = ErrorDistribution::of(e.leave_one_configuration_out.energy_errors_pct);
  // The graph model, where the zoo recorded the models' operators, and the noise floor, where
  // the same points were measured again.
  GraphFeatureMap features;
  for (const auto& dir : zoos) features.merge(graph_features_of(load_manifest(dir)));
  if (!features.empty()) e.graph = cross_validate_graph(rows, features);
  e.transfer = cross_validate_transfer(rows);
  std::vector<std::vector<ResultRow>> again;
  for (const auto& db : remeasured) {
    CandidateQuery other = query;
    other.db = db;
    again.push_back(rows_with_energy(load_rows(other), other.filter));
  }
  if (!again.empty()) e.noise = noise_floor(rows, again);
  return e;
}

}  // namespace edgejoule
