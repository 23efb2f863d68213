// edgejoule recommend: flags only; the answer is made in orchestrate/ and recommend/, drawn by report/.

#include <CLI/CLI.hpp>

#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/candidates.h"
#include "cli/commands.h"
#include "common/error.h"
#include "orchestrate/answers.h"
#include "report/writers.h"

namespace edgejoule {
namespace {

struct RecommendFlags {
  RecommendQuery query;
  bool json = false;
};

int run_recommend(const RecommendFlags& flags) {
  const RecommendAnswer answer = answer_recommend(flags.query);
  if (flags.json) {
    std::cout << recommendation_json(answer).dump(2) << "\n";
  } else {
    write_recommendation(std::cout, answer);
  }
  return answer.recommendation.chosen ? exit_code::kOk : exit_code::kNoFit;
}

}  // namespace

CommandRun add_recommend_command(CLI::App& app, const GlobalOptions&) {
  auto flags = std::make_shared<RecommendFlags>();
  auto* cmd = app.add_subcommand(
      "recommend", "The model and configuration with the best accuracy within an energy budget per inference");
  add_candidate_options(cmd, flags->query.candidates);
  cmd->add_option("--energy-budget-j", flags->query.energy_budget_j, "Energy budget per inference (one sample), joules");
  add_rate_option(cmd, flags->query.candidates);
  cmd->add_option("--power-budget-w", flags->query.power_budget_w,
                  "With --rate: average power budget while serving the rate, watts (W / rate joules per inference; "
                  "with --energy-budget-j, the tighter of the two)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--latency-p99-ms", flags->query.latency_ms_p99, "Latency target: p99 per forward call, ms");
  cmd->add_option("--min-accuracy", flags->query.min_accuracy, "Accuracy floor: top-1, percent");
  cmd->add_option("--max-memory-mb", flags->query.max_memory_mb, "Memory limit: peak resident memory, MiB");
  cmd->add_option("--objective", flags->query.objective,
                  "accuracy (then least energy), accuracy-per-joule, or energy (least, within the floor)")
      ->check(CLI::IsMember({"accuracy", "accuracy-per-joule", "energy"}))
      ->default_str("accuracy");
  cmd->add_flag("--predict", flags->query.predict,
                "Also consider predicted points (other batch sizes / thread counts, and with --zoo unprofiled "
                "models); each must fit with its prediction margin");
  cmd->add_option("--zoo", flags->query.zoo_dir, "With --predict: also predict the zoo's models never profiled");
  cmd->add_option("--runners-up", flags->query.runners_up, "How many runners-up to show")->default_val(3)->check(CLI::NonNegativeNumber);
  cmd->add_flag("--mix", flags->query.mix,
                "Also show the two frontier points whose mix spends the budget exactly in expectation, their shares, "
                "and the expected accuracy ('edgejoule run' runs it)");
  cmd->add_flag("--json", flags->json, "Print JSON on stdout");
  return [flags] { return run_recommend(*flags); };
}

}  // namespace edgejoule
