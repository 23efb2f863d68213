// edgejoule frontier: the Pareto frontier of accuracy vs energy or latency; flags only.

#include <CLI/CLI.hpp>

#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/candidates.h"
#include "cli/commands.h"
#include "orchestrate/answers.h"
#include "report/writers.h"

namespace edgejoule {
namespace {

struct FrontierFlags {
  CandidateQuery candidates;
  std::string x = "energy";
  bool json = false;
};

int run_frontier(const FrontierFlags& flags) {
  const FrontierAnswer answer =
      answer_frontier(flags.candidates, flags.x == "latency" ? FrontierAxis::kLatency : FrontierAxis::kEnergy);
  if (flags.json) {
    std::cout << frontier_json(answer).dump(2) << "\n";
  } else {
    write_frontier(std::cout, answer);
  }
  return 0;
}

}  // namespace

CommandRun add_frontier_command(CLI::App& app, const GlobalOptions&) {
  auto flags = std::make_shared<FrontierFlags>();
  auto* cmd = app.add_subcommand("frontier", "The Pareto frontier of accuracy vs energy (or latency), with the "
                                             "marginal cost of each step up");
  add_candidate_options(cmd, flags->candidates);
  add_rate_option(cmd, flags->candidates);
  cmd->add_option("--x", flags->x, "energy or latency")->check(CLI::IsMember({"energy", "latency"}))->default_str("energy");
  cmd->add_flag("--json", flags->json, "Print JSON on stdout");
  return [flags] { return run_frontier(*flags); };
}

}  // namespace edgejoule
