// edgejoule run: flags, the progress line and the summary; the plan and the loop are in src/runtime.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "common/error.h"
#include "common/status_line.h"
#include "core/host.h"
#include "data/dataset.h"
#include "meters/meter.h"
#include "recommend/recommend.h"
#include "runtime/run_setup.h"
#include "store/store.h"

namespace edgejoule {
namespace {

struct RunFlags {
  std::string db = kDefaultDbPath;
  RunRequest request;
  std::string meter = "auto";
  std::string predictions;
  bool json = false;
  bool quiet = false;
};

std::string mix_words(const RunPlan& plan, const Mix& m) {
  if (m.cheaper == m.dearer) return "100 % " + plan.options[m.cheaper].label;
  return fmt::format("{:.0f} % {} + {:.0f} % {}", (1 - m.dearer_share) * 100, plan.options[m.cheaper].label,
                     m.dearer_share * 100, plan.options[m.dearer].label);
}

// One line, rewritten in place on a terminal; elsewhere a line every 5 s.
class ProgressLine final : public RunListener {
 public:
  ProgressLine(const RunPlan& plan, bool quiet) : plan_(plan), quiet_(quiet), status_(stderr_is_terminal()) {}
  void on_progress(const RunProgress& p) override {
    if (quiet_) return;
    const double now = unix_now_s();
    if (!status_.terminal() && now - last_ < 5) return;
    last_ = now;
    status_.show(fmt::format("{}/{} inferences  {:.4g} of {:.4g} J ({:.1f} %)  mix {}{}", p.done, p.total, p.spent_j,
                             p.budget_j, 100 * p.spent_j / p.budget_j, mix_words(plan_, p.mix),
                             p.degraded ? "  [DEGRADED]" : ""));
  }
  void on_event(const std::string& sentence) override { status_.line("run: " + sentence, /*keep_status=*/true); }
  void end_line() { status_.end(/*keep_status=*/true); }

 private:
  const RunPlan& plan_;
  bool quiet_;
  StatusLine status_;
  double last_ = 0;
};

void print_summary(const nlohmann::json& r, int64_t id, const std::string& location) {
  const auto& energy = r["energy"];
  std::printf("run %lld (stored in %s): %s, %lld of %lld inferences in %.1f s on %s\n", static_cast<long long>(id),
              location.c_str(), r["status"].get<std::string>().c_str(), r["inferences"]["done"].get<long long>(),
              r["inferences"]["planned"].get<long long>(), r["duration_s"].get<double>(),
              r["host"]["hostname"].get<std::string>().c_str());
  if (!r["stop_reason"].get<std::string>().empty()) std::printf("  why      %s\n", r["stop_reason"].get<std::string>().c_str());
  std::printf("  budget   %s\n", r["budget"]["described"].get<std::string>().c_str());
  if (energy["energy_j"].is_null()) {
    std::printf("  energy   not read: %s\n", energy["why_not_read"].get<std::string>().c_str());
  } else {
    std::printf("  energy   %.4g J, %.1f %% of the budget  (%s)\n", energy["energy_j"].get<double>(),
                100 * energy["budget_use"].get<double>(), energy["provenance"].get<std::string>().c_str());
  }
  const auto& plan = r["plan"];
  if (!r["accuracy"].is_null()) {
    std::printf("  accuracy top-1 %.2f %%  (%s); the plan expected %.2f %%\n", r["accuracy"]["top1"].get<double>(),
                r["accuracy"]["source"].get<std::string>().c_str(), plan["expected_top1"].get<double>());
  } else {
    std::printf("  accuracy not measured (unlabelled input); the plan expected top-1 %.2f %% from the stored points\n",
                plan["expected_top1"].get<double>());
  }
  std::printf("  plan     from %s: %.4g J and top-1 %.2f %% per inference expected; %d re-plan(s)\n",
              plan["from"].get<std::string>().c_str(), plan["expected_energy_j"].get<double>(),
              plan["expected_top1"].get<double>(), plan["replans"].get<int>());
  std::printf("  switches %lld%s\n", r["switches"].get<long long>(),
              r["degraded"].get<bool>() ? ("; DEGRADED to the cheapest: " + r["degraded_at"].get<std::string>()).c_str() : "");
  if (!r["latency"]["p99_ms"].is_null()) {
    std::printf("  latency  p99 %.2f ms%s\n", r["latency"]["p99_ms"].get<double>(),
                r["budget"]["latency_limit_ms"].is_null()
                    ? ""
                    : fmt::format(" (limit {:g} ms, {} over it)", r["budget"]["latency_limit_ms"].get<double>(),
                                  r["latency"]["over_limit"].get<long long>()).c_str());
  }
  std::printf("\n  %-44s %10s %7s %8s %12s %12s %8s\n", "configuration", "inferences", "share", "time s", "stored J/inf",
              "live J/inf", "loads");
  for (const auto& o : r["options"]) {
    std::printf("  %-44s %10lld %6.1f%% %8.2f %12.4g %12s %8d\n", o["label"].get<std::string>().c_str(),
                o["inferences"].get<long long>(), 100 * o["share"].get<double>(), o["time_s"].get<double>(),
                o["stored_energy_j"].get<double>(),
                o["live_energy_j"].is_null() ? "-" : fmt::format("{:.4g}", o["live_energy_j"].get<double>()).c_str(),
                o["loads"].get<int>());
  }
}

int run_run(RunFlags& flags, const GlobalOptions& global) {
  const HostInfo host = probe_host_for(global, false);
  RunSetup setup = [&] {
    // Planned from a reader, so bad input leaves no new file behind.
    auto reader = open_store(flags.db, OpenMode::kReadOnly);
    return prepare_run(flags.request, *reader, host);
  }();
  // Opened for writing before anything runs: a store the record cannot go to is found now.
  auto store = open_store(flags.db, OpenMode::kReadWrite);
  for (const auto& w : setup.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());

  std::shared_ptr<Dataset> dataset;
  std::string input_name = "synthetic";
  if (flags.request.input != "synthetic") {
    dataset = make_dataset(flags.request.input);
    input_name = dataset->name();
  }
  auto meter = make_meter(flags.meter, global.sysfs_root, setup.device);
  meter->start();
  const MeterInfo info = meter->info();
  if (!flags.quiet) {
    std::fprintf(stderr, "meter: %s (%s)%s\n", info.name.c_str(), info.covers.c_str(),
                 info.measured ? "" : "; ESTIMATED, not measured: no energy sensor is readable here");
    std::fprintf(stderr, "budget: %s; %zu configuration(s) on the frontier of %zu stored point(s)\n",
                 describe_budget(flags.request, setup.plan).c_str(), setup.plan.options.size(), setup.candidates);
  }
  EngineWorkload workload(setup.targets, dataset, flags.predictions);
  ProgressLine progress(setup.plan, flags.quiet);
  const auto& stop = install_stop_handlers();
  const RunReport report = run_under_budget(setup.plan, workload, *meter, system_clock(), progress, &stop);
  progress.end_line();
  meter->stop();
  const auto record = run_record_json(flags.request, setup, report, info, host, input_name);
  const int64_t id = store->save_run(stored_run(record));
  if (flags.json) {
    nlohmann::json out = record;
    out["id"] = id;
    std::cout << out.dump(2) << "\n";
  } else {
    print_summary(record, id, store->location());
  }
  switch (report.status) {
    case RunStatus::kCompleted:
      // Done, but whether within the budget is not known: a failure of the meter, not a success.
      if (!report.energy_j) {
        std::fprintf(stderr, "edgejoule: the run finished but the meter could not be read at its end (%s): the "
                     "energy it used is not known; check the meter\n", report.energy_why_invalid.c_str());
        return exit_code::kFailure;
      }
      return 0;
    case RunStatus::kInterrupted: return exit_code::kInterrupted;
    case RunStatus::kStopped: return exit_code::kFailure;
  }
  return 0;
}

}  // namespace

CommandRun add_run_command(CLI::App& app, const GlobalOptions& global) {
  auto flags = std::make_shared<RunFlags>();
  auto* cmd = app.add_subcommand(
      "run",
      "Run inference under an energy budget: two adjacent frontier configurations share the work in the proportion "
      "that spends the budget, re-planned every window from the meter's readings; the run is stored");
  RunRequest& r = flags->request;
  cmd->add_option("--db", flags->db, kDbHelp)->default_str(kDefaultDbPath)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  cmd->add_option("--zoo", r.zoo_dir, "Where the models are, when not at the paths the store names (a zoo directory)");
  cmd->add_option("--input", r.input,
                  "What to run on: synthetic (the engine's deterministic input; no accuracy), or a dataset as "
                  "--dataset takes it (fmnist:test, imagefolder:DIR, idx:IMAGES,LABELS) for measured top-1")
      ->default_str("synthetic");
  cmd->add_option("--dataset", r.dataset,
                  "The accuracy dataset of the points to plan with (default: the input's, or the store's only one)");
  cmd->add_option("--inferences", r.inferences, "How many inferences the job is")->check(CLI::PositiveNumber);
  cmd->add_option("--duration-s", r.duration_s, "How long the job is, with --rate (rate x duration inferences)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--rate", r.rate_qps,
                  "Issue inferences at this rate (per second); the idle time between them is spent too, and "
                  "latency counts from each one's scheduled time")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--energy-budget-j", r.energy_budget_j, "The budget for the whole run, in joules")->check(CLI::PositiveNumber);
  cmd->add_option("--energy-per-inference-j", r.energy_per_inference_j, "The budget as joules per inference")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--power-budget-w", r.power_budget_w, "The budget as average watts at --rate")->check(CLI::PositiveNumber);
  cmd->add_option("--latency-limit-ms", r.latency_limit_ms,
                  "Only configurations whose stored p99 is within this; each inference's latency is counted against it")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--memory-limit-mb", r.memory_limit_mb,
                  "Keep both configurations loaded only when their peak memory fits; otherwise they take turns in "
                  "blocks and each load is counted")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--meter", flags->meter, "The energy source, as profile's --meter (auto: the device's own)")->default_str("auto");
  cmd->add_option("--energy-source", r.energy_source,
                  "Which stored energy figures to plan with: auto, measured, estimated, any")
      ->check(CLI::IsMember({"auto", "measured", "estimated", "any"}))
      ->default_str("auto");
  cmd->add_option("--window-s", r.window_s, "Read the meter and re-plan this often")->default_str("0.5")->check(CLI::PositiveNumber);
  cmd->add_flag("--degrade", r.degrade,
                "When drift leaves too little budget for the rest, go on at the cheapest configuration (reported) "
                "instead of stopping");
  cmd->add_flag("--any-host", r.any_host, "Plan with another host's points when this host has none (warned)");
  cmd->add_option("--predictions", flags->predictions,
                  "Write each labelled inference (sample, configuration, label, prediction) to this CSV file");
  cmd->add_flag("--json", flags->json, "Print the run's record as JSON on stdout");
  cmd->add_flag("-q,--quiet", flags->quiet, "No progress line");
  cmd->footer(
      "Exit status: 0 done within the budget; 1 stopped because even the cheapest configuration could no longer "
      "cover the rest, or the meter stopped (the record is kept); 2 bad input (nothing run); 130 interrupted (the "
      "record is kept). "
      "'edgejoule list --runs' lists stored runs.");
  return [flags, &global] { return run_run(*flags, global); };
}

}  // namespace edgejoule
