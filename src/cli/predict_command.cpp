// edgejoule predict: the cost model fitted on the store and its cross-validated error.

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/candidates.h"
#include "cli/commands.h"
#include "common/error.h"
#include "common/strings.h"
#include "predict/graph_model.h"
#include "predict/transfer_model.h"
#include "predict/predictor.h"
#include "recommend/recommend.h"
#include "store/store.h"
#include "zoo/manifest.h"

namespace edgejoule {
namespace {

struct PredictFlags {
  CandidateFlags candidates;
  std::vector<std::string> zoos;        // manifests with the models' operator summaries
  std::vector<std::string> remeasured;  // stores holding the same points measured again
  bool json = false;
};

GraphFeatureMap graph_features(const std::vector<std::string>& zoos) {
  GraphFeatureMap out;
  for (const auto& dir : zoos) out.merge(graph_features_of(load_manifest(dir)));
  return out;
}

nlohmann::json distribution_json(const ErrorDistribution& d) {
  return {{"points", d.points},
          {"median_pct", d.median_pct},
          {"p90_pct", d.p90_pct},
          {"within_10_pct", d.within_10_pct},
          {"within_20_pct", d.within_20_pct}};
}

void print_distribution(const std::string& what, const ErrorDistribution& d) {
  if (d.points == 0) {
    std::printf("  %-44s %7s\n", what.c_str(), "-");
    return;
  }
  std::printf("  %-44s %7zu %8.1f%% %8.1f%% %10.0f%% %10.0f%%\n", what.c_str(), d.points, d.median_pct, d.p90_pct,
              d.within_10_pct, d.within_20_pct);
}

// The cost model fitted on the store and its cross-validated error, so the error any
// prediction carries can be read before trusting one.
int run_predict(PredictFlags& flags) {
  // Cost does not depend on accuracy: every VALID point of one energy kind is fitted on.
  const std::vector<ResultRow> rows = rows_with_energy(load_rows(flags.candidates), flags.candidates.filter);
  std::string why;
  const auto p = train_predictor(rows, &why);
  if (!p) throw Error("no cost model can be fitted on '" + flags.candidates.db + "': " + why);
  size_t used = 0, measured = 0;
  for (const auto& r : rows) {
    used += CostModel::usable(r);
    measured += r.energy_kind() == EnergyProvenance::kMeasured;
  }
  const char* kind = measured == rows.size() ? "measured" : measured == 0 ? "estimated" : "measured and estimated";
  auto cv_json = [](const CrossValidation& cv) {
    return nlohmann::json{{"scheme", to_string(cv.scheme)},
                          {"folds", cv.folds},
                          {"predictions", cv.predictions},
                          {"energy_mape_pct", cv.energy_mape_pct},
                          {"energy_worst_pct", cv.energy_worst_pct},
                          {"energy_under_prediction_q90_pct", cv.energy_under_q90_pct},
                          {"latency_mape_pct", cv.latency_mape_pct},
                          {"latency_worst_pct", cv.latency_worst_pct},
                          {"latency_under_prediction_q90_pct", cv.latency_under_q90_pct}};
  };
  // The graph model, where the zoo recorded the models' operators, and the noise floor, where
  // the same points were measured again.
  const GraphFeatureMap features = graph_features(flags.zoos);
  std::optional<GraphCrossValidation> graph;
  if (!features.empty()) graph = cross_validate_graph(rows, features);
  const TransferCrossValidation transfer = cross_validate_transfer(rows);
  std::vector<std::vector<ResultRow>> again;
  for (const auto& db : flags.remeasured) {
    CandidateFlags other = flags.candidates;
    other.db = db;
    again.push_back(rows_with_energy(load_rows(other), other.filter));
  }
  std::optional<NoiseFloor> noise;
  if (!again.empty()) noise = noise_floor(rows, again);
  const auto& lomo = p->leave_one_model_out;
  const auto& loco = p->leave_one_configuration_out;
  const ErrorDistribution lomo_latency = ErrorDistribution::of(lomo.latency_p50_errors_pct),
                          lomo_latency_per_model = ErrorDistribution::of(lomo.latency_p50_model_errors_pct),
                          lomo_energy = ErrorDistribution::of(lomo.energy_errors_pct),
                          loco_latency = ErrorDistribution::of(loco.latency_p50_errors_pct),
                          loco_energy = ErrorDistribution::of(loco.energy_errors_pct);
  if (flags.json) {
    nlohmann::json errors = {
        {"baseline", {{"leave_one_model_out", {{"latency_p50", distribution_json(lomo_latency)},
                                               {"latency_p50_per_model", distribution_json(lomo_latency_per_model)},
                                               {"energy", distribution_json(lomo_energy)}}},
                      {"leave_one_configuration_out", {{"latency_p50", distribution_json(loco_latency)},
                                                       {"energy", distribution_json(loco_energy)}}}}}};
    if (graph) {
      errors["graph"] = {{"model", GraphCostModel::name()},
                         {"leave_one_model_out", {{"latency_p50", distribution_json(graph->latency)},
                                                  {"latency_p50_per_model", distribution_json(graph->latency_per_model)},
                                                  {"energy", distribution_json(graph->energy)},
                                                  {"unpredicted", graph->unpredicted}}},
                         {"leave_one_configuration_out", "not applicable: fitted per configuration (the baseline predicts unseen configurations)"}};
    }
    errors["transfer"] = {{"model", TransferModel::name()},
                          {"leave_one_point_out", {{"latency_p50", distribution_json(transfer.latency)},
                                                   {"energy", distribution_json(transfer.energy)},
                                                   {"unpredicted", transfer.unpredicted}}}};
    if (noise) {
      errors["noise_floor"] = {{"points", noise->points},
                               {"latency_p50", distribution_json(noise->latency)},
                               {"latency_p50_per_model", distribution_json(noise->latency_per_model)},
                               {"energy", distribution_json(noise->energy)}};
    }
    std::cout << nlohmann::json{{"model", p->model.name()},
                                {"energy_kind", kind},
                                {"points", used},
                                {"leave_one_model_out", cv_json(lomo)},
                                {"leave_one_configuration_out", cv_json(loco)},
                                {"error_distributions", errors}}
                     .dump(2)
              << "\n";
    return 0;
  }
  std::printf("Cost model: %s, fitted on %zu VALID points (%s energy)\n", p->model.name().c_str(), used, kind);
  std::printf("%-30s %6s %12s %12s %14s %12s %12s\n", "held out", "folds", "energy MAPE", "energy worst",
              "energy q90 up", "p99 MAPE", "p99 worst");
  for (const auto* cv : {&p->leave_one_model_out, &p->leave_one_configuration_out}) {
    std::printf("%-30s %6zu %11.1f%% %11.1f%% %13.1f%% %11.1f%% %11.1f%%\n", to_string(cv->scheme), cv->folds,
                cv->energy_mape_pct, cv->energy_worst_pct, cv->energy_under_q90_pct, cv->latency_mape_pct,
                cv->latency_worst_pct);
  }
  std::printf("\nMAPE: mean |predicted - measured| / measured over held-out points; q90 up: how far 90 %% of "
              "predictions stay from under-predicting (the margin recommend --predict adds).\n");

  std::printf("\nError distributions, |predicted - measured| / measured:\n");
  std::printf("  %-44s %7s %9s %9s %11s %11s\n", "", "points", "median", "p90", "within 10%", "within 20%");
  print_distribution("baseline, leave-one-model-out, latency p50", lomo_latency);
  print_distribution("  per model (its median over configurations)", lomo_latency_per_model);
  print_distribution("baseline, leave-one-model-out, energy", lomo_energy);
  print_distribution("baseline, leave-one-config-out, latency p50", loco_latency);
  print_distribution("baseline, leave-one-config-out, energy", loco_energy);
  if (graph) {
    print_distribution("graph, leave-one-model-out, latency p50", graph->latency);
    print_distribution("  per model (its median over configurations)", graph->latency_per_model);
    print_distribution("graph, leave-one-model-out, energy", graph->energy);
    if (graph->unpredicted > 0) {
      std::printf("  (graph: %zu held-out point(s) in configurations with fewer than %zu other models: not predicted)\n",
                  graph->unpredicted, GraphCostModel::kMinModels);
    }
  } else {
    std::printf("  graph model: no operator summaries (give --zoo DIR: a zoo built with this version records them)\n");
  }
  print_distribution("transfer, leave-one-point-out, latency p50", transfer.latency);
  print_distribution("transfer, leave-one-point-out, energy", transfer.energy);
  if (transfer.unpredicted > 0) {
    std::printf("  (transfer: %zu held-out point(s) without another configuration of their model measured beside "
                "%zu other models: not predicted)\n",
                transfer.unpredicted, TransferModel::kMinReferenceModels);
  }
  if (noise) {
    print_distribution(fmt::format("noise floor: {} point(s) re-measured, latency p50", noise->points), noise->latency);
    print_distribution("  per model (its median over configurations)", noise->latency_per_model);
    print_distribution("noise floor, energy", noise->energy);
  } else {
    std::printf("  noise floor: not measured (give --remeasured DB: a store with the same points measured again)\n");
  }
  std::printf("graph: %s, one fit per configuration: it predicts models a configuration has not measured; "
              "unseen configurations are the baseline's.\n", GraphCostModel::name().c_str());
  std::printf("transfer: %s: a model measured at another configuration, times that configuration change's median "
              "ratio over the models measured at both (what profile --strategy frontier predicts most points with).\n",
              TransferModel::name().c_str());
  return 0;
}

}  // namespace

CommandRun add_predict_command(CLI::App& app, const GlobalOptions&) {
  auto flags = std::make_shared<PredictFlags>();
  auto* cmd = app.add_subcommand("predict", "Fit the cost model on the store and report its cross-validated error");
  add_candidate_options(cmd, flags->candidates);
  cmd->add_option("--zoo", flags->zoos,
                  "Zoo directory whose manifest holds the models' operators (repeatable): adds the graph cost model")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--remeasured", flags->remeasured,
                  "Store holding the same points measured again (repeatable): the noise floor the errors are read against")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--json", flags->json, "Print JSON on stdout");
  return [flags] { return run_predict(*flags); };
}

}  // namespace edgejoule
