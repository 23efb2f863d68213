// edgejoule evaluate: tests the recommender itself. Budgets across the measured range, the pick
// for each re-measured afresh on this machine (profiler/session.h's Remeasurer, the sweep's
// own runner), then budget use, violations and regret (recommend/evaluate.h); printed by
// report/evaluation_writer.cpp. Wiring only.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/candidates.h"
#include "cli/commands.h"
#include "orchestrate/with_predictions.h"
#include "common/error.h"
#include "engines/engine.h"
#include "platform/host.h"
#include "predict/predictor.h"
#include "profiler/session.h"
#include "recommend/evaluate.h"
#include "report/writers.h"

namespace edgejoule {
namespace {

struct EvaluateFlags {
  CandidateFlags candidates;
  int budgets = 20;
  std::string objective = "accuracy";
  std::optional<double> latency_ms_p99, min_accuracy, max_memory_mb;
  bool predict = false;
  std::string zoo_dir;
  std::string meter = "auto";
  ProtocolSettings protocol;
  bool json = false;
  bool quiet = false;
};

int run_evaluate(EvaluateFlags& flags, const GlobalOptions& global) {
  validate(flags.protocol);
  if (flags.budgets < 2) throw Error("--budgets must be at least 2");
  if (flags.meter == "none") throw Error("--meter none cannot re-measure energy: choose a meter or leave auto");
  CandidateSet set = load_candidates(flags.candidates);
  // Re-measuring happens here, so only this machine's points can be evaluated, with the engine
  // versions built in here (the version keys a point, not the host).
  bool any_cuda = false;
  for (const auto& c : set.candidates) any_cuda |= c.row.device == "cuda";
  const HostInfo host = probe_host_for(global, any_cuda);
  const std::string fingerprint = host.fingerprint();
  std::vector<Candidate> candidates;
  for (auto& c : set.candidates) {
    const std::string version = engine_library_version(c.row.engine);
    // An engine not built in here cannot re-measure its points (version empty).
    if (c.row.host_fingerprint == fingerprint && !version.empty() && same_engine_version(c.row.engine_version, version)) {
      candidates.push_back(c);
    }
  }
  if (candidates.empty()) {
    throw Error(fmt::format("the store '{}' holds no VALID point with energy and accuracy measured on this host "
                            "({}, {} point(s) from other hosts, engine versions or configurations); evaluate "
                            "re-measures, so run it where the points were profiled",
                            flags.candidates.db, host.hostname, set.candidates.size()));
  }
  std::optional<TrainedPredictor> predictor;
  if (flags.predict) {
    PredictionsAdded p = add_predicted_candidates(candidates, flags.zoo_dir);
    if (!p.predictor) throw Error("--predict: no prediction possible: " + p.why_none);
    predictor = std::move(p.predictor);
  }

  EvaluationSettings settings;
  settings.budgets = flags.budgets;
  settings.objective = *objective_from_string(flags.objective);
  settings.constraints.latency_ms_p99 = flags.latency_ms_p99;
  settings.constraints.min_accuracy = flags.min_accuracy;
  settings.constraints.max_memory_mb = flags.max_memory_mb;

  Remeasurer remeasurer(flags.meter, global.sysfs_root, flags.protocol);
  // An unusable --meter is the user's to fix before any work (exit 2), not a FAILED re-measurement per budget.
  size_t same_meter = 0;
  std::string stored_meter, this_meter;
  for (const auto& c : candidates) {
    this_meter = remeasurer.meter_for(c.row.device)->info().name;
    same_meter += c.row.config_meter.empty() || c.row.config_meter == this_meter;
    if (!c.row.config_meter.empty()) stored_meter = c.row.config_meter;
  }
  if (same_meter == 0) {
    throw Error("the points were measured with meter '" + stored_meter + "' but --meter " + flags.meter +
                " gives '" + this_meter + "' here: pass the meter they were profiled with");
  }
  const Evaluation ev = evaluate_recommender(
      candidates, settings,
      [&](const Candidate& c) { return remeasurer(c.row); },
      [&](size_t done, size_t total, const Candidate& c) {
        if (!flags.quiet) std::fprintf(stderr, "[%zu/%zu] re-measuring %s\n", done + 1, total, c.label().c_str());
      });

  // Store the run, then show it.
  nlohmann::json settings_json = {
      {"budgets", flags.budgets},
      {"objective", flags.objective},
      {"energy_source", flags.candidates.energy_source},
      {"energy_kind", set.energy_kind},
      {"predict", flags.predict},
      {"meter", flags.meter},
      {"protocol", flags.protocol},  // every protocol setting, as each point stores them
  };
  if (predictor) {
    settings_json["prediction_model"] = predictor->model.name();
    settings_json["leave_one_model_out_energy_mape_pct"] = predictor->leave_one_model_out.energy_mape_pct;
  }
  const StoredEvaluation stored = stored_evaluation(ev, candidates, fingerprint, settings_json.dump());
  auto store = open_store(flags.candidates.db, OpenMode::kReadWrite);
  const int64_t run_id = store->save_evaluation(stored);
  const EvaluationView view{ev,      stored, candidates, set.notes, run_id, store->location(), flags.objective,
                            set.energy_kind, flags.predict};
  flags.json ? write_evaluation_json(std::cout, view) : write_evaluation(std::cout, view);
  return 0;
}

}  // namespace

CommandRun add_evaluate_command(CLI::App& app, const GlobalOptions& global) {
  auto flags = std::make_shared<EvaluateFlags>();
  auto* cmd = app.add_subcommand("evaluate",
                                 "Test the recommender: budgets across the measured range, each pick re-measured");
  add_candidate_options(cmd, flags->candidates);
  cmd->add_option("--budgets", flags->budgets, "How many budgets, log-spaced over the measured energy range")
      ->default_val(20);
  cmd->add_option("--objective", flags->objective, "accuracy, accuracy-per-joule or energy")
      ->check(CLI::IsMember({"accuracy", "accuracy-per-joule", "energy"}))
      ->default_str("accuracy");
  cmd->add_option("--latency-p99-ms", flags->latency_ms_p99, "Latency target for every budget, ms");
  cmd->add_option("--min-accuracy", flags->min_accuracy, "Accuracy floor for every budget, top-1 percent");
  cmd->add_option("--max-memory-mb", flags->max_memory_mb, "Memory limit for every budget, MiB");
  cmd->add_flag("--predict", flags->predict, "Let the recommender also pick predicted points");
  cmd->add_option("--zoo", flags->zoo_dir, "With --predict: also predict the zoo's models never profiled");
  cmd->add_option("--meter", flags->meter, "Meter for the re-measurements (must be the one that measured the points)")
      ->default_str("auto");
  add_protocol_options(*cmd, flags->protocol);
  cmd->add_flag("--json", flags->json, "Print JSON on stdout");
  cmd->add_flag("--quiet", flags->quiet, "No progress output");
  return [flags, &global] { return run_evaluate(*flags, global); };
}

}  // namespace edgejoule
