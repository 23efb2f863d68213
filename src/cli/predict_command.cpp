// edgejoule predict: the cost model fitted on the store and its cross-validated error.

#include <CLI/CLI.hpp>

#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/candidates.h"
#include "cli/commands.h"
#include "orchestrate/answers.h"
#include "report/writers.h"

namespace edgejoule {
namespace {

struct PredictFlags {
  CandidateFlags candidates;
  std::vector<std::string> zoos;        // manifests with the models' operator summaries
  std::vector<std::string> remeasured;  // stores holding the same points measured again
  bool json = false;
};

int run_predict(const PredictFlags& flags) {
  const PredictionErrors errors = answer_predict(flags.candidates, flags.zoos, flags.remeasured);
  if (flags.json) {
    std::cout << prediction_errors_json(errors).dump(2) << "\n";
  } else {
    write_prediction_errors(std::cout, errors);
  }
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
