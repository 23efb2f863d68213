// edgejoule frontier: the Pareto frontier of accuracy vs energy or latency; wiring and printing only.

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>

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

struct FrontierFlags {
  CandidateFlags candidates;
  std::string x = "energy";
  bool json = false;
};

int run_frontier(FrontierFlags& flags) {
  const CandidateSet set = load_candidates(flags.candidates);
  if (set.candidates.empty()) {
    throw Error("no VALID point with energy and accuracy in '" + flags.candidates.db +
                "': profile some models first ('edgejoule profile --zoo DIR')");
  }
  const FrontierAxis axis = flags.x == "latency" ? FrontierAxis::kLatency : FrontierAxis::kEnergy;
  const auto frontier = pareto_frontier(set.candidates, axis);
  // A fleet store: each device type's own frontier as well (what that device can reach).
  std::map<std::string, std::vector<Candidate>> by_type;
  std::set<std::string> types;
  for (const auto& c : set.candidates) types.insert(c.row.device_class);
  if (types.size() > 1) {  // copies only for a fleet of several device types
    for (const auto& c : set.candidates) by_type[c.row.device_class].push_back(c);
  }
  if (flags.json) {
    nlohmann::json j = {{"x", flags.x}, {"energy_kind", set.energy_kind}, {"notes", set.notes},
                        {"candidates", set.candidates.size()}};
    j["frontier"] = nlohmann::json::array();
    for (const auto& s : frontier) {
      j["frontier"].push_back({{"candidate", candidate_json(set.candidates[s.index])},
                               {"x", s.x},
                               {"top1", s.top1},
                               {"accuracy_per_joule", json_or_null(s.accuracy_per_joule)},
                               {axis == FrontierAxis::kEnergy ? "marginal_j_per_accuracy_point" : "marginal_ms_per_accuracy_point",
                                json_or_null(s.marginal_x_per_accuracy_point)}});
    }
    j["per_device_type"] = nlohmann::json::array();
    for (const auto& [type, cs] : by_type) {
      nlohmann::json steps = nlohmann::json::array();
      for (const auto& s : pareto_frontier(cs, axis)) {
        steps.push_back({{"candidate", candidate_json(cs[s.index])}, {"x", s.x}, {"top1", s.top1}});
      }
      j["per_device_type"].push_back({{"device_type", type}, {"candidates", cs.size()}, {"frontier", steps}});
    }
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::printf("Pareto frontier of top-1 accuracy vs %s (%zu of %zu points; energy figures: %s)\n\n",
              axis == FrontierAxis::kEnergy ? "energy per inference" : "latency p99 per call", frontier.size(),
              set.candidates.size(), set.energy_kind.c_str());
  // The label column as wide as the longest label (knobs and scenarios make some long).
  int width = 44;
  for (const auto& s : frontier) width = std::max(width, static_cast<int>(set.candidates[s.index].label().size()));
  std::printf("%-*s %12s %10s %8s %10s %16s\n", width, "point", "energy/inf", "p99", "top-1 %", "acc/J",
              axis == FrontierAxis::kEnergy ? "+J per point" : "+ms per point");
  std::vector<const Candidate*> shown;
  for (const auto& s : frontier) {
    const Candidate& c = set.candidates[s.index];
    shown.push_back(&c);
    std::string marginal = "-";
    if (s.marginal_x_per_accuracy_point) {
      marginal = axis == FrontierAxis::kEnergy ? format_energy(*s.marginal_x_per_accuracy_point)
                                               : fmt::format("{:.3g} ms", *s.marginal_x_per_accuracy_point);
    }
    std::printf("%-*s %12s %10s %8.2f %10s %16s\n", width, c.label().c_str(), format_energy(c.energy_j).c_str(),
                format_ms(c.latency_ms_p99).c_str(), c.top1,
                s.accuracy_per_joule ? fmt::format("{:.3g}", *s.accuracy_per_joule).c_str() : "-", marginal.c_str());
  }
  std::printf("(%s)\n", provenance_footnote(shown).c_str());
  if (frontier.size() >= 2 && axis == FrontierAxis::kEnergy) {
    double cheapest = *frontier[1].marginal_x_per_accuracy_point, dearest = cheapest;
    for (size_t i = 1; i < frontier.size(); ++i) {
      cheapest = std::min(cheapest, *frontier[i].marginal_x_per_accuracy_point);
      dearest = std::max(dearest, *frontier[i].marginal_x_per_accuracy_point);
    }
    std::printf("\nAlong the frontier an extra accuracy point costs from %s to %s per inference; accuracy per "
                "joule falls from %.3g to %.3g.\n",
                format_energy(cheapest).c_str(), format_energy(dearest).c_str(),
                frontier.front().accuracy_per_joule.value_or(0), frontier.back().accuracy_per_joule.value_or(0));
  }
  for (const auto& [type, cs] : by_type) {
    const auto own = pareto_frontier(cs, axis);
    std::printf("\nDevice type %s: %zu frontier point(s) of %zu\n", type.c_str(), own.size(), cs.size());
    for (const auto& s : own) {
      const Candidate& c = cs[s.index];
      std::printf("  %-44s on %-16s %12s %10s %8.2f\n", c.label().c_str(), c.row.hostname.c_str(),
                  format_energy(c.energy_j).c_str(), format_ms(c.latency_ms_p99).c_str(), c.top1);
    }
  }
  if (!set.notes.empty()) {
    std::printf("\nNotes:\n");
    for (const auto& n : set.notes) std::printf("  - %s\n", n.c_str());
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
