#include "orchestrate/evaluation_run.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "engines/registry.h"
#include "orchestrate/answers.h"
#include "orchestrate/profile_run.h"
#include "orchestrate/with_predictions.h"
#include "profiler/protocol.h"
#include "profiler/session.h"

namespace edgejoule {

EvaluationRun run_evaluation(
    const EvaluationRequest& request,
    const std::function<void(size_t done, size_t total, const Candidate& candidate)>& progress) {
  validate(request.protocol);
  if (request.budgets < 2) throw Error("--budgets must be at least 2");
  if (request.meter == "none") throw Error("--meter none cannot re-measure energy: choose a meter or leave auto");
  const auto objective = objective_from_string(request.objective);
  if (!objective) {
    throw Error("unknown objective '" + request.objective + "': choose accuracy, accuracy-per-joule or energy");
  }
  CandidateQuery query = request.candidates;
  CandidateSet set = load_candidates(query);
  EvaluationRun run;
  run.notes = set.notes;
  run.energy_kind = set.energy_kind;
  // Re-measuring happens here, so only this machine's points can be evaluated, with the engine
  // versions built in here (the version keys a point, not the host).
  bool any_cuda = false;
  for (const auto& c : set.candidates) any_cuda |= c.row.device == "cuda";
  const HostInfo host = probe_host_with_engines(request.sysfs_root, any_cuda);
  const std::string fingerprint = host.fingerprint();
  for (auto& c : set.candidates) {
    const std::string version = engine_library_version(c.row.engine);
    // An engine not built in here cannot re-measure its points (version empty).
    if (c.row.host_fingerprint == fingerprint && !version.empty() && same_engine_version(c.row.engine_version, version)) {
      run.candidates.push_back(std::move(c));
    }
  }
  if (run.candidates.empty()) {
    throw Error(fmt::format("the store '{}' holds no VALID point with energy and accuracy measured on this host "
                            "({}, {} point(s) from other hosts, engine versions or configurations); evaluate "
                            "re-measures, so run it where the points were profiled",
                            request.candidates.db, host.hostname, set.candidates.size()));
  }
  std::optional<TrainedPredictor> predictor;
  if (request.predict) {
    PredictionsAdded p = add_predicted_candidates(run.candidates, request.zoo_dir);
    if (!p.predictor) throw Error("--predict: no prediction possible: " + p.why_none);
    predictor = std::move(p.predictor);
  }

  EvaluationSettings settings;
  settings.budgets = request.budgets;
  settings.objective = *objective;
  settings.constraints.latency_ms_p99 = request.latency_ms_p99;
  settings.constraints.min_accuracy = request.min_accuracy;
  settings.constraints.max_memory_mb = request.max_memory_mb;

  Remeasurer remeasurer(request.meter, request.sysfs_root, request.protocol);
  // An unusable meter is the user's to fix before any work (exit 2), not a FAILED re-measurement per budget.
  size_t same_meter = 0;
  std::string stored_meter, this_meter;
  for (const auto& c : run.candidates) {
    this_meter = remeasurer.meter_for(c.row.device)->info().name;
    same_meter += c.row.config_meter.empty() || c.row.config_meter == this_meter;
    if (!c.row.config_meter.empty()) stored_meter = c.row.config_meter;
  }
  if (same_meter == 0) {
    throw Error("the points were measured with meter '" + stored_meter + "' but --meter " + request.meter +
                " gives '" + this_meter + "' here: pass the meter they were profiled with");
  }
  run.evaluation = evaluate_recommender(
      run.candidates, settings, [&](const Candidate& c) { return remeasurer(c.row); }, progress);

  // Stored with every setting it ran with (the protocol's as each point stores them).
  nlohmann::json settings_json = {
      {"budgets", request.budgets},
      {"objective", request.objective},
      {"energy_source", request.candidates.energy_source},
      {"energy_kind", set.energy_kind},
      {"predict", request.predict},
      {"meter", request.meter},
      {"protocol", request.protocol},
  };
  if (predictor) {
    settings_json["prediction_model"] = predictor->model.name();
    settings_json["leave_one_model_out_energy_mape_pct"] = predictor->leave_one_model_out.energy_mape_pct;
  }
  run.stored = stored_evaluation(run.evaluation, run.candidates, fingerprint, settings_json.dump());
  auto store = open_store(request.candidates.db, OpenMode::kReadWrite);
  run.run_id = store->save_evaluation(run.stored);
  run.store_location = store->location();
  return run;
}

}  // namespace edgejoule
