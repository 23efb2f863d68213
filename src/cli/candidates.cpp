// The candidate flags shared by recommend, frontier, predict and evaluate, their loading, and the
// small formatting helpers their outputs share.

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
#include "engines/registry.h"
#include "recommend/recommend.h"
#include "store/store.h"
#include "zoo/manifest.h"

namespace edgejoule {

void add_candidate_options(CLI::App* cmd, CandidateQuery& flags) {
  cmd->add_option("--db", flags.db, kDbHelp)
      ->default_str(kDefaultDbPath)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  cmd->add_option("--host", flags.filter.hostname, "Only points measured on this host (hostname)");
  cmd->add_option("--device", flags.filter.device, "Only points on this device: cpu, cuda")
      ->check(CLI::IsMember(registered_devices()));
  cmd->add_option("--dataset", flags.filter.accuracy_dataset,
                  "Only points whose accuracy is on this dataset (e.g. imagenet-1k, fmnist:test); needed when "
                  "the store holds several");
  cmd->add_option("--energy-source", flags.energy_source,
                  "Which energy figures to compare: auto (measured where any exist, else estimated), "
                  "measured, estimated, any")
      ->check(CLI::IsMember({"auto", "measured", "estimated", "any"}))
      ->default_str("auto");
}

void add_rate_option(CLI::App* cmd, CandidateQuery& flags) {
  cmd->add_option("--rate", flags.rate_qps,
                  "For a device serving this many inferences per second: server points measured at the rate, "
                  "else the energy derived from back-to-back points (above-idle energy + idle power / rate, marked "
                  "derived:rate)")
      ->check(CLI::PositiveNumber);
}

std::vector<ResultRow> rows_of(const std::vector<Candidate>& candidates) {
  std::vector<ResultRow> rows;
  for (const auto& c : candidates) rows.push_back(c.row);
  return rows;
}

}  // namespace edgejoule
