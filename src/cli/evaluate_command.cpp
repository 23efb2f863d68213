// edgejoule evaluate: tests the recommender itself (orchestrate/evaluation_run.h); printed by
// report/evaluation_writer.cpp. Flags only.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "cli/candidates.h"
#include "cli/commands.h"
#include "orchestrate/evaluation_run.h"
#include "report/writers.h"

namespace edgejoule {
namespace {

struct EvaluateFlags {
  EvaluationRequest request;
  bool json = false;
  bool quiet = false;
};

int run_evaluate(EvaluateFlags& flags, const GlobalOptions& global) {
  flags.request.sysfs_root = global.sysfs_root;
  const EvaluationRun run =
      run_evaluation(flags.request, [&](size_t done, size_t total, const Candidate& c) {
        if (!flags.quiet) std::fprintf(stderr, "[%zu/%zu] re-measuring %s\n", done + 1, total, c.label().c_str());
      });
  const EvaluationView view{run.evaluation, run.stored,       run.candidates,         run.notes,
                            run.run_id,     run.store_location, flags.request.objective, run.energy_kind,
                            flags.request.predict};
  flags.json ? write_evaluation_json(std::cout, view) : write_evaluation(std::cout, view);
  return 0;
}

}  // namespace

CommandRun add_evaluate_command(CLI::App& app, const GlobalOptions& global) {
  auto flags = std::make_shared<EvaluateFlags>();
  auto* cmd = app.add_subcommand("evaluate",
                                 "Test the recommender: budgets across the measured range, each pick re-measured");
  add_candidate_options(cmd, flags->request.candidates);
  cmd->add_option("--budgets", flags->request.budgets, "How many budgets, log-spaced over the measured energy range")
      ->default_val(20);
  cmd->add_option("--objective", flags->request.objective, "accuracy, accuracy-per-joule or energy")
      ->check(CLI::IsMember({"accuracy", "accuracy-per-joule", "energy"}))
      ->default_str("accuracy");
  cmd->add_option("--latency-p99-ms", flags->request.latency_ms_p99, "Latency target for every budget, ms");
  cmd->add_option("--min-accuracy", flags->request.min_accuracy, "Accuracy floor for every budget, top-1 percent");
  cmd->add_option("--max-memory-mb", flags->request.max_memory_mb, "Memory limit for every budget, MiB");
  cmd->add_flag("--predict", flags->request.predict, "Let the recommender also pick predicted points");
  cmd->add_option("--zoo", flags->request.zoo_dir, "With --predict: also predict the zoo's models never profiled");
  cmd->add_option("--meter", flags->request.meter, "Meter for the re-measurements (must be the one that measured the points)")
      ->default_str("auto");
  add_protocol_options(*cmd, flags->request.protocol);
  cmd->add_flag("--json", flags->json, "Print JSON on stdout");
  cmd->add_flag("--quiet", flags->quiet, "No progress output");
  return [flags, &global] { return run_evaluate(*flags, global); };
}

}  // namespace edgejoule
