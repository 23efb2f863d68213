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
#include "predict/predictor.h"
#include "recommend/recommend.h"
#include "store/store.h"
#include "zoo/manifest.h"

namespace edgejoule {
namespace {

struct PredictFlags {
  CandidateFlags candidates;
  bool json = false;
};

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
  if (flags.json) {
    std::cout << nlohmann::json{{"model", p->model.name()},
                                {"energy_kind", kind},
                                {"points", used},
                                {"leave_one_model_out", cv_json(p->leave_one_model_out)},
                                {"leave_one_configuration_out", cv_json(p->leave_one_configuration_out)}}
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
  return 0;
}

}  // namespace

CommandRun add_predict_command(CLI::App& app, const GlobalOptions&) {
  auto flags = std::make_shared<PredictFlags>();
  auto* cmd = app.add_subcommand("predict", "Fit the cost model on the store and report its cross-validated error");
  add_candidate_options(cmd, flags->candidates);
  cmd->add_flag("--json", flags->json, "Print JSON on stdout");
  return [flags] { return run_predict(*flags); };
}

}  // namespace edgejoule
