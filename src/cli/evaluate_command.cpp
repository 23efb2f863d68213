// edgejoule evaluate: tests the recommender itself. Budgets across the measured range, the pick
// for each re-measured afresh on this machine, then budget use, violations and regret.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/candidates.h"
#include "cli/commands.h"
#include "common/error.h"
#include "common/sha256.h"
#include "common/strings.h"
#include "engines/engine.h"
#include "meters/meter.h"
#include "platform/host.h"
#include "predict/predictor.h"
#include "profiler/protocol.h"
#include "recommend/evaluate.h"

namespace edgejoule {
namespace {

struct EvaluateFlags {
  CandidateFlags candidates;
  int budgets = 20;
  std::string objective = "accuracy";
  std::optional<double> latency_p99_ms, min_accuracy, max_memory_mb;
  bool predict = false;
  std::string zoo_dir;
  std::string meter = "auto";
  ProtocolSettings protocol;
  bool json = false;
  bool quiet = false;
};

// Profiles one stored (or predicted) point afresh with the meter that measured the original,
// through the same sweep runner as `profile` (engine set-up, protocol, peak memory, UNSUPPORTED).
class Remeasurer {
 public:
  Remeasurer(const EvaluateFlags& flags, const GlobalOptions& global) : flags_(flags), global_(global) {}

  Remeasurement operator()(const Candidate& c) {
    Remeasurement out;
    try {
      const ResultRow& r = c.row;
      std::error_code ec;
      if (!std::filesystem::is_regular_file(r.model_path, ec)) {
        throw Error("model file '" + r.model_path + "' no longer exists");
      }
      if (!r.model_sha256.empty() && sha256_file(r.model_path) != r.model_sha256) {
        throw Error("model file '" + r.model_path + "' changed since it was profiled");
      }
      if (!r.platform.empty()) {
        throw Error("it was measured with platform settings (" + r.platform +
                    "), which evaluate does not change: evaluate points measured as the platform was");
      }
      Meter* meter = meter_for(r.device);
      if (!r.config_meter.empty() && meter->info().name != r.config_meter) {
        throw Error("the point was measured with meter '" + r.config_meter + "' but this machine's is '" +
                    meter->info().name + "'");
      }
      SweepItem item;
      item.model.name = r.model;
      item.model.path = r.model_path;
      item.model.content_sha256 = r.model_sha256;
      item.model.sample_shape = parse_shape(r.sample_shape, "sample shape");
      item.config = configuration_of(r);
      item.config.meter = meter->info().name;
      SweepOptions options;
      options.protocol = flags_.protocol;
      options.engine_factory = [](const std::string& name) { return make_engine(name); };
      options.meter_for = [meter](const Configuration&) { return meter; };
      Capture capture;
      run_sweep({item}, options, capture);
      if (!capture.record) throw Error(capture.failure);
      const PointResult& result = capture.record->result;
      out.status = to_string(result.verdict);
      out.reason = result.reason;
      if (result.energy && result.energy->energy_j_per_inference.count) {
        out.energy_j = result.energy->energy_j_per_inference.mean;
        out.energy_ci95_j = result.energy->energy_j_per_inference.ci95_half_width;
      }
    } catch (const Error& e) {
      out.status = "FAILED";
      out.reason = e.what();
    }
    return out;
  }

  // The started meter for a device, made on first use; throws Error when --meter is unusable here.
  Meter* meter_for(const std::string& device) {
    auto& m = meters_[device];
    if (!m) {
      m = make_meter(flags_.meter, global_.sysfs_root, device);
      m->start();
    }
    return m.get();
  }

 private:
  // The one point of a one-item sweep, or why it could not be measured.
  struct Capture final : ProfileListener {
    std::optional<PointRecord> record;
    std::string failure;
    void on_point_end(const PointContext&, const PointRecord& r) override { record = r; }
    void on_point_failed(const PointContext&, const std::string& message) override { failure = message; }
  };

  const EvaluateFlags& flags_;
  const GlobalOptions& global_;
  std::map<std::string, std::unique_ptr<Meter>> meters_;
};

std::string opt_pct(const std::optional<double>& v, double scale = 1) {
  return v ? fmt::format("{:.1f}", *v * scale) : "-";
}

int run_evaluate(EvaluateFlags& flags, const GlobalOptions& global) {
  validate(flags.protocol);
  if (flags.budgets < 2) throw Error("--budgets must be at least 2");
  if (flags.meter == "none") throw Error("--meter none cannot re-measure energy: choose a meter or leave auto");
  CandidateSet set = load_candidates(flags.candidates);
  // Re-measuring happens here, so only this machine's points can be evaluated.
  bool any_cuda = false;
  for (const auto& c : set.candidates) any_cuda |= c.row.device == "cuda";
  const HostInfo host = probe_host_for(global, any_cuda);
  const std::string fingerprint = host.fingerprint();
  std::vector<Candidate> candidates;
  // ... with the engine version built in here (the version keys a point, not the host).
  for (auto& c : set.candidates) {
    const std::string version = engine_library_version(c.row.engine);
    if (c.row.host_fingerprint == fingerprint && (c.row.engine_version.empty() || c.row.engine_version == version)) {
      candidates.push_back(c);
    }
  }
  if (candidates.empty()) {
    throw Error(fmt::format("the store '{}' holds no VALID point with energy and accuracy measured on this host "
                            "({}, {} point(s) from other hosts, engine versions or configurations); evaluate re-measures, so run it "
                            "where the points were profiled",
                            flags.candidates.db, host.hostname, set.candidates.size()));
  }
  std::optional<TrainedPredictor> predictor;
  if (flags.predict) {
    std::string why;
    predictor = train_predictor(rows_of(candidates), &why);
    if (!predictor) throw Error("--predict: no prediction possible: " + why);
    std::vector<ResultRow> unprofiled;
    if (!flags.zoo_dir.empty()) unprofiled = zoo_rows(flags.zoo_dir);
    auto predicted = predicted_candidates(candidates, *predictor, unprofiled);
    candidates.insert(candidates.end(), predicted.begin(), predicted.end());
  }

  EvaluationSettings settings;
  settings.budgets = flags.budgets;
  settings.objective = *objective_from_string(flags.objective);
  settings.constraints.latency_p99_ms = flags.latency_p99_ms;
  settings.constraints.min_accuracy = flags.min_accuracy;
  settings.constraints.max_memory_mb = flags.max_memory_mb;

  Remeasurer remeasurer(flags, global);
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
  const bool progress = !flags.quiet;
  const Evaluation ev = evaluate_recommender(
      candidates, settings, [&](const Candidate& c) { return remeasurer(c); },
      [&](size_t done, size_t total, const Candidate& c) {
        if (progress) std::fprintf(stderr, "[%zu/%zu] re-measuring %s\n", done + 1, total, c.label().c_str());
      });

  // Store the run.
  StoredEvaluation stored;
  stored.host_fingerprint = fingerprint;
  nlohmann::json settings_json = {
      {"budgets", flags.budgets},
      {"objective", flags.objective},
      {"energy_source", flags.candidates.energy_source},
      {"energy_kind", set.energy_kind},
      {"predict", flags.predict},
      {"meter", flags.meter},
      {"protocol",
       {{"warmup_s", flags.protocol.warmup_s},
        {"min_time_s", flags.protocol.min_time_s},
        {"repetitions", flags.protocol.repetitions},
        {"max_cv", flags.protocol.max_cv}}},
  };
  if (predictor) {
    settings_json["prediction_model"] = predictor->model.name();
    settings_json["leave_one_model_out_energy_mape_pct"] = predictor->leave_one_model_out.energy_mape_pct;
  }
  stored.settings_json = settings_json.dump();
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
      s.expected_energy_j = c.energy_j;
    }
    s.remeasured_energy_j = row.remeasured.energy_j;
    s.remeasured_energy_ci95_j = row.remeasured.energy_ci95_j;
    s.remeasure_status = row.remeasured.status;
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
  auto store = open_store(flags.candidates.db, OpenMode::kReadWrite);
  const int64_t run_id = store->save_evaluation(stored);

  const auto& s = ev.summary;
  if (flags.json) {
    nlohmann::json j = {{"run_id", run_id}, {"settings", settings_json}, {"notes", set.notes}};
    j["rows"] = nlohmann::json::array();
    for (size_t i = 0; i < ev.rows.size(); ++i) {
      const auto& st = stored.rows[i];
      const auto& row = ev.rows[i];
      j["rows"].push_back({{"budget_j", row.budget_j},
                           {"pick", st.label},
                           {"predicted", st.predicted},
                           {"top1", json_or_null(st.top1)},
                           {"expected_energy_j", row.chosen ? nlohmann::json(row.expected_energy_j) : nlohmann::json(nullptr)},
                           {"remeasured_status", row.remeasured.status},
                           {"remeasured_reason", row.remeasured.reason},
                           {"remeasured_energy_j", json_or_null(row.remeasured.energy_j)},
                           {"remeasured_energy_ci95_j", json_or_null(row.remeasured.energy_ci95_j)},
                           {"budget_use", json_or_null(row.budget_use)},
                           {"violation", row.violation},
                           {"oracle_top1", json_or_null(st.oracle_top1)},
                           {"regret_pct", json_or_null(row.regret_pct)},
                           {"prediction_error_pct", json_or_null(row.prediction_error_pct)}});
    }
    j["summary"] = {{"budgets", s.budgets},
                    {"picks", s.picks},
                    {"distinct_points_remeasured", s.distinct_points},
                    {"remeasured_valid", s.remeasured_valid},
                    {"violations", s.violations},
                    {"predicted_picks", s.predicted_picks},
                    {"budget_use_median", json_or_null(s.budget_use_median)},
                    {"budget_use_highest", json_or_null(s.budget_use_worst)},
                    {"budget_use_lowest", json_or_null(s.budget_use_lowest)},
                    {"regret_median_pct", json_or_null(s.regret_median_pct)},
                    {"regret_worst_pct", json_or_null(s.regret_worst_pct)},
                    {"prediction_error_median_pct", json_or_null(s.prediction_error_median_pct)},
                    {"prediction_error_worst_pct", json_or_null(s.prediction_error_worst_pct)}};
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::printf("Recommender evaluation: %zu budgets from %s to %s per inference (objective %s; energy figures: %s)\n\n",
              s.budgets, format_energy(ev.budgets_j.front()).c_str(), format_energy(ev.budgets_j.back()).c_str(),
              flags.objective.c_str(), set.energy_kind.c_str());
  std::printf("%3s %10s  %-40s %7s %10s %12s %7s %4s %7s %7s\n", "#", "budget", "pick", "top-1", "stored",
              "re-measured", "use %", "viol", "oracle", "regret");
  for (size_t i = 0; i < ev.rows.size(); ++i) {
    const auto& row = ev.rows[i];
    const auto& st = stored.rows[i];
    std::string remeasured = row.remeasured.energy_j ? format_energy(*row.remeasured.energy_j) : row.remeasured.status;
    std::printf("%3d %10s  %-40s %7s %10s %12s %7s %4s %7s %7s\n", row.index + 1, format_energy(row.budget_j).c_str(),
                row.chosen ? (st.label + (st.predicted ? " [P]" : "")).c_str() : "(nothing fits)",
                st.top1 ? fmt::format("{:.2f}", *st.top1).c_str() : "-",
                row.chosen ? format_energy(row.expected_energy_j).c_str() : "-", remeasured.c_str(),
                opt_pct(row.budget_use, 100).c_str(), row.violation ? "YES" : "no",
                st.oracle_top1 ? fmt::format("{:.2f}", *st.oracle_top1).c_str() : "-",
                row.regret_pct ? fmt::format("{:.2f}", *row.regret_pct).c_str() : "-");
  }
  std::vector<const Candidate*> shown;
  for (const auto& row : ev.rows) {
    if (row.chosen) shown.push_back(&candidates[*row.chosen]);
    if (row.oracle) shown.push_back(&candidates[*row.oracle]);
  }
  if (!shown.empty()) std::printf("(stored %s; re-measured with the same meter)\n", provenance_footnote(shown).c_str());
  for (const auto& row : ev.rows) {
    if (row.chosen && row.remeasured.status != "VALID") {
      std::printf("  budget %d: re-measurement %s: %s\n", row.index + 1, row.remeasured.status.c_str(),
                  row.remeasured.reason.c_str());
    }
  }
  std::printf("\nSummary (run %lld, stored in %s):\n", static_cast<long long>(run_id), flags.candidates.db.c_str());
  std::printf("  picks: %zu of %zu budgets (%zu distinct points re-measured, %zu re-measurements VALID)\n", s.picks,
              s.budgets, s.distinct_points, s.remeasured_valid);
  std::printf("  budget use (re-measured energy / budget): median %s %%, highest %s %%, lowest %s %%\n",
              opt_pct(s.budget_use_median, 100).c_str(), opt_pct(s.budget_use_worst, 100).c_str(),
              opt_pct(s.budget_use_lowest, 100).c_str());
  std::printf("  violations (re-measured energy above the budget beyond its 95 %% CI): %zu\n", s.violations);
  std::printf("  accuracy regret vs the oracle: median %s, worst %s points\n",
              s.regret_median_pct ? fmt::format("{:.2f}", *s.regret_median_pct).c_str() : "-",
              s.regret_worst_pct ? fmt::format("{:.2f}", *s.regret_worst_pct).c_str() : "-");
  if (flags.predict) {
    std::printf("  predicted picks: %zu; prediction error |predicted - re-measured| / re-measured: median %s %%, "
                "worst %s %%\n",
                s.predicted_picks, opt_pct(s.prediction_error_median_pct).c_str(),
                opt_pct(s.prediction_error_worst_pct).c_str());
  }
  if (s.budget_use_median) {
    const double gap = (1 - *s.budget_use_median) * 100;
    std::printf("  the study's picks landed within 3-7 %% of the budget; here the median pick lands %.1f %% %s it "
                "(with budgets log-spaced between measured points, the gap is set by how densely the "
                "store covers the energy range)\n",
                std::abs(gap), gap >= 0 ? "below" : "above");
  }
  if (!set.notes.empty()) {
    std::printf("\nNotes:\n");
    for (const auto& n : set.notes) std::printf("  - %s\n", n.c_str());
  }
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
  cmd->add_option("--latency-p99-ms", flags->latency_p99_ms, "Latency target for every budget, ms");
  cmd->add_option("--min-accuracy", flags->min_accuracy, "Accuracy floor for every budget, top-1 percent");
  cmd->add_option("--max-memory-mb", flags->max_memory_mb, "Memory limit for every budget, MiB");
  cmd->add_flag("--predict", flags->predict, "Let the recommender also pick predicted points");
  cmd->add_option("--zoo", flags->zoo_dir, "With --predict: also predict the zoo's models never profiled");
  cmd->add_option("--meter", flags->meter, "Meter for the re-measurements (must be the one that measured the points)")
      ->default_str("auto");
  cmd->add_option("--warmup-s", flags->protocol.warmup_s, "Warm-up per re-measurement, seconds")->default_val(1.0);
  cmd->add_option("--min-time-s", flags->protocol.min_time_s, "Minimum window, seconds")->default_val(1.0);
  cmd->add_option("--repetitions", flags->protocol.repetitions, "Windows per re-measurement")->default_val(3);
  cmd->add_option("--max-cv", flags->protocol.max_cv, "Window cv above which a re-measurement is INVALID")
      ->default_val(0.10);
  cmd->add_flag("--json", flags->json, "Print JSON on stdout");
  cmd->add_flag("--quiet", flags->quiet, "No progress output");
  return [flags, &global] { return run_evaluate(*flags, global); };
}

}  // namespace edgejoule
