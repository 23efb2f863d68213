// edgejoule recommend: wiring and printing only; the choice is in src/recommend.

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
#include "orchestrate/with_predictions.h"
#include "predict/predictor.h"
#include "recommend/mix.h"
#include "recommend/recommend.h"
#include "store/store.h"
#include "zoo/manifest.h"

namespace edgejoule {
namespace {

struct RecommendFlags {
  CandidateFlags candidates;
  double budget_j = 0;
  std::optional<double> power_budget_w;
  std::optional<double> latency_ms_p99, min_accuracy, max_memory_mb;
  std::string objective = "accuracy";
  bool predict = false;
  std::string zoo_dir;
  int runners_up = 3;
  bool json = false;
  bool mix = false;
};

void print_candidate(const Candidate& c, const char* indent) {
  std::printf("%s%s%s on %s\n", indent, c.label().c_str(), c.predicted ? "  [PREDICTED]" : "", c.row.hostname.c_str());
  if (c.predicted) {
    std::printf("%s  energy   %s per inference, up to %s at the predictor's error  (%s)\n", indent,
                format_energy(c.energy_j).c_str(), format_energy(c.energy_upper_j).c_str(),
                c.row.energy_provenance.c_str());
  } else {
    std::printf("%s  energy   %s per inference +- %s (95%% CI)  (%s)\n", indent, format_energy(c.energy_j).c_str(),
                format_energy(c.energy_ci95_j).c_str(), c.row.energy_provenance.c_str());
  }
  std::printf("%s  latency  p50 %s, p99 %s per call of %d\n", indent, format_ms(c.row.latency_ms_p50).c_str(),
              format_ms(c.latency_ms_p99).c_str(), c.row.batch);
  std::printf("%s  accuracy top-1 %.2f %%  (%s)\n", indent, c.top1, c.row.accuracy_source.c_str());
  if (c.memory_mb) std::printf("%s  memory   peak RSS %.0f MiB\n", indent, *c.memory_mb);
}

// One line per device type (or host) of a fleet store: its own choice under the same constraints.
void print_groups(const std::vector<GroupChoice>& groups, const std::vector<Candidate>& candidates,
                  const Constraints& k, const char* title) {
  if (groups.empty()) return;
  std::printf("\n%s (each on its own, same constraints):\n", title);
  for (const auto& g : groups) {
    const Recommendation& rec = g.recommendation;
    std::printf("  %s [%zu point(s) from %s]\n", g.group.c_str(), g.members.size(), join(g.hosts, ", ").c_str());
    if (rec.chosen) {
      const Candidate& c = candidates[*rec.chosen];
      std::printf("    %s%s on %s: top-1 %.2f %%, %s per inference (%.1f %% of the budget), p99 %s\n",
                  c.label().c_str(), c.predicted ? " [PREDICTED]" : "", c.row.hostname.c_str(), c.top1,
                  format_energy(c.energy_j).c_str(), c.energy_j / k.energy_budget_j * 100,
                  format_ms(c.latency_ms_p99).c_str());
    } else if (rec.cheapest) {
      const Candidate& c = candidates[*rec.cheapest];
      std::printf("    nothing fits; cheapest: %s on %s, %s per inference (breaks %s)\n", c.label().c_str(),
                  c.row.hostname.c_str(), format_energy(c.budget_energy_j()).c_str(),
                  join(rec.cheapest_breaks, ", ").c_str());
    } else {
      std::printf("    nothing fits\n");
    }
  }
}

nlohmann::json groups_json(const std::vector<GroupChoice>& groups, const std::vector<Candidate>& candidates) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& g : groups) {
    const Recommendation& rec = g.recommendation;
    out.push_back({{"group", g.group},
                   {"hosts", g.hosts},
                   {"candidates", g.members.size()},
                   {"feasible", rec.feasible},
                   {"chosen", rec.chosen ? candidate_json(candidates[*rec.chosen]) : nlohmann::json(nullptr)},
                   {"budget_use", json_or_null(rec.budget_use)},
                   {"cheapest", rec.cheapest ? candidate_json(candidates[*rec.cheapest]) : nlohmann::json(nullptr)},
                   {"cheapest_breaks", rec.cheapest_breaks}});
  }
  return out;
}

// Two points sharing the inferences: what they spend and buy in expectation, beside the single pick.
void print_mix(const std::optional<Mix>& mix, const std::vector<Candidate>& candidates, const Recommendation& rec,
               const Constraints& k) {
  std::printf("\nMix (two points sharing the inferences, spending the budget in expectation; 'edgejoule run' runs such a "
              "mix of batch-1 single-stream points with the meter keeping the budget):\n");
  if (!mix) {
    std::printf("  none: the cheapest point that meets the other constraints costs more than the budget\n");
    return;
  }
  const Candidate& lo = candidates[mix->cheaper];
  const Candidate& hi = candidates[mix->dearer];
  if (mix->cheaper == mix->dearer) {
    std::printf("  %s alone: top-1 %.2f %%, %s per inference (%.1f %% of the budget)%s\n", lo.label().c_str(), lo.top1,
                format_energy(lo.budget_energy_j()).c_str(), 100 * mix->energy_j / k.energy_budget_j,
                mix->budget_exceeds_dearest ? "; the budget buys more than the most accurate point costs" : "");
    return;
  }
  std::printf("  %5.1f %%  %s: top-1 %.2f %%, %s per inference\n", 100 * (1 - mix->dearer_share), lo.label().c_str(),
              lo.top1, format_energy(lo.budget_energy_j()).c_str());
  std::printf("  %5.1f %%  %s: top-1 %.2f %%, %s per inference\n", 100 * mix->dearer_share, hi.label().c_str(), hi.top1,
              format_energy(hi.budget_energy_j()).c_str());
  std::printf("  expected: top-1 %.2f %% for %s per inference (%.1f %% of the budget)", mix->top1,
              format_energy(mix->energy_j).c_str(), 100 * mix->energy_j / k.energy_budget_j);
  if (rec.chosen) {
    const Candidate& pick = candidates[*rec.chosen];
    std::printf("; the single pick: %.2f %% for %s (%.1f %%)", pick.top1, format_energy(pick.budget_energy_j()).c_str(),
                100 * pick.budget_energy_j() / k.energy_budget_j);
  }
  std::printf("\n");
}

int run_recommend(RecommendFlags& flags) {
  if (flags.power_budget_w) {
    // Average power at a rate is energy per inference: W / (inferences/s) = J per inference.
    if (!flags.candidates.rate_qps) throw Error("--power-budget-w needs --rate R: the average power is spent serving R inferences/s");
    const double from_power_j = *flags.power_budget_w / *flags.candidates.rate_qps;
    flags.budget_j = flags.budget_j > 0 ? std::min(flags.budget_j, from_power_j) : from_power_j;
  }
  if (!(flags.budget_j > 0)) {
    throw Error("give --energy-budget-j J (a positive number of joules per inference) or --power-budget-w W with --rate R");
  }
  if (flags.predict && flags.candidates.rate_qps) {
    throw Error("--predict does not combine with --rate: predictions are of back-to-back points; drop one of them");
  }
  CandidateSet set = load_candidates(flags.candidates);
  std::vector<Candidate> candidates = std::move(set.candidates);
  if (flags.predict) {
    const PredictionsAdded p = add_predicted_candidates(candidates, flags.zoo_dir);
    if (!p.predictor) {
      set.notes.push_back("--predict: no prediction (" + p.why_none + ")");
    } else {
      set.notes.push_back(fmt::format(
          "--predict: {} predicted point(s) by {} (energy error leave-one-model-out {:.1f} % MAPE, "
          "leave-one-configuration-out {:.1f} %); each must fit the budget with its margin",
          p.added, p.predictor->model.name(), p.predictor->leave_one_model_out.energy_mape_pct,
          p.predictor->leave_one_configuration_out.energy_mape_pct));
    }
  }
  if (candidates.empty()) {
    std::string why = set.rows == 0 ? "the store '" + flags.candidates.db + "' holds no points"
                                    : "no VALID point with energy and accuracy matches";
    for (const auto& n : set.notes) why += "; " + n;
    throw Error(why + ": profile some models first ('edgejoule profile --zoo DIR')");
  }
  Constraints k;
  k.energy_budget_j = flags.budget_j;
  k.latency_ms_p99 = flags.latency_ms_p99;
  k.min_accuracy = flags.min_accuracy;
  k.max_memory_mb = flags.max_memory_mb;
  const Objective objective = *objective_from_string(flags.objective);
  const Recommendation rec = recommend(candidates, k, objective, static_cast<size_t>(flags.runners_up));
  const auto by_type = recommend_by_group(candidates, k, objective, GroupBy::kDeviceType);
  const auto by_host = recommend_by_group(candidates, k, objective, GroupBy::kHost);
  const std::optional<Mix> mix = flags.mix ? recommend_mix(candidates, k) : std::nullopt;

  if (flags.json) {
    nlohmann::json j = {
        {"constraints",
         {{"energy_budget_j", k.energy_budget_j},
          {"rate_qps", json_or_null(flags.candidates.rate_qps)},
          {"power_budget_w", json_or_null(flags.power_budget_w)},
          {"latency_ms_p99", json_or_null(k.latency_ms_p99)},
          {"min_accuracy", json_or_null(k.min_accuracy)},
          {"max_memory_mb", json_or_null(k.max_memory_mb)}}},
        {"objective", to_string(objective)},
        {"energy_kind", set.energy_kind},
        {"candidates", candidates.size()},
        {"feasible", rec.feasible},
        {"notes", set.notes},
        {"chosen", rec.chosen ? candidate_json(candidates[*rec.chosen]) : nlohmann::json(nullptr)},
        {"budget_use", json_or_null(rec.budget_use)},
        {"binding_constraints", rec.binding},
        {"binding_note", rec.binding_note},
    };
    j["runners_up"] = nlohmann::json::array();
    for (size_t i : rec.runners_up) j["runners_up"].push_back(candidate_json(candidates[i]));
    if (rec.next_step) {
      j["next_step"] = {{"candidate", candidate_json(candidates[rec.next_step->index])},
                        {"extra_energy_j", rec.next_step->extra_energy_j},
                        {"extra_accuracy", rec.next_step->extra_accuracy},
                        {"joules_per_accuracy_point", rec.next_step->joules_per_accuracy_point},
                        {"blocked_by", rec.next_step->blocked_by}};
    } else {
      j["next_step"] = nullptr;
    }
    if (rec.cheapest) {
      j["cheapest"] = {{"candidate", candidate_json(candidates[*rec.cheapest])},
                       {"breaks", rec.cheapest_breaks},
                       {"budget_needed_j", candidates[*rec.cheapest].budget_energy_j()}};
    } else {
      j["cheapest"] = nullptr;
    }
    if (flags.mix) {
      j["mix"] = mix ? nlohmann::json{{"cheaper", candidate_json(candidates[mix->cheaper])},
                                      {"dearer", candidate_json(candidates[mix->dearer])},
                                      {"dearer_share", mix->dearer_share},
                                      {"expected_energy_j", mix->energy_j},
                                      {"expected_top1", mix->top1},
                                      {"budget_use", mix->energy_j / k.energy_budget_j},
                                      {"budget_exceeds_dearest", mix->budget_exceeds_dearest}}
                     : nlohmann::json(nullptr);
    }
    j["per_device_type"] = groups_json(by_type, candidates);
    j["per_host"] = groups_json(by_host, candidates);
    std::cout << j.dump(2) << "\n";
  } else {
    std::printf("Recommendation for %s per inference (objective: %s; energy figures: %s)\n",
                format_energy(k.energy_budget_j).c_str(), to_string(objective), set.energy_kind.c_str());
    if (flags.candidates.rate_qps) {
      std::printf("  serving %g inferences/s%s\n", *flags.candidates.rate_qps,
                  flags.power_budget_w ? fmt::format(" within {:g} W on average", *flags.power_budget_w).c_str() : "");
    }
    if (k.latency_ms_p99) std::printf("  latency p99 <= %g ms per call\n", *k.latency_ms_p99);
    if (k.min_accuracy) std::printf("  top-1 >= %g %%\n", *k.min_accuracy);
    if (k.max_memory_mb) std::printf("  peak memory <= %g MiB\n", *k.max_memory_mb);
    std::printf("  %zu of %zu candidate point(s) fit\n\n", rec.feasible, candidates.size());
    if (rec.chosen) {
      const Candidate& c = candidates[*rec.chosen];
      std::printf("Chosen:\n");
      print_candidate(c, "  ");
      std::printf("  uses %.1f %% of the budget\n", *rec.budget_use * 100);
      if (!rec.binding.empty()) {
        std::printf("  binding: %s\n", join(rec.binding, ", ").c_str());
      } else {
        std::printf("  binding: none (%s)\n", rec.binding_note.c_str());
      }
      if (rec.next_step) {
        const auto& n = *rec.next_step;
        const Candidate& next = candidates[n.index];
        std::printf("  next step up: %s, top-1 %.2f %% (+%.2f points) for %s more per inference = %s per "
                    "accuracy point; needs a budget of %s\n",
                    next.label().c_str(), next.top1, n.extra_accuracy, format_energy(n.extra_energy_j).c_str(),
                    format_energy(n.joules_per_accuracy_point).c_str(),
                    format_energy(next.budget_energy_j()).c_str());
      }
      if (!rec.runners_up.empty()) {
        std::printf("\nRunners-up:\n");
        int rank = 2;
        std::vector<const Candidate*> shown;
        for (size_t i : rec.runners_up) {
          shown.push_back(&candidates[i]);
          const Candidate& r = candidates[i];
          std::printf("  %d. %s%s%s: top-1 %.2f %%, %s per inference (%.1f %% of the budget), p99 %s\n", rank++,
                      r.label().c_str(), by_host.empty() ? "" : (" on " + r.row.hostname).c_str(),
                      r.predicted ? " [PREDICTED]" : "", r.top1, format_energy(r.energy_j).c_str(),
                      r.energy_j / k.energy_budget_j * 100, format_ms(r.latency_ms_p99).c_str());
        }
        std::printf("  (%s)\n", provenance_footnote(shown).c_str());
      }
    } else {
      std::printf("Nothing fits these constraints.\n");
      if (rec.cheapest) {
        const Candidate& c = candidates[*rec.cheapest];
        const bool only_energy = rec.cheapest_breaks.size() == 1 && rec.cheapest_breaks[0] == kEnergyConstraint;
        std::printf("  cheapest %s: %s, %s per inference%s\n",
                    only_energy ? "point that meets the other constraints" : "point", c.label().c_str(),
                    format_energy(c.energy_j).c_str(), c.predicted ? " [PREDICTED]" : "");
        if (only_energy) {
          std::printf("  it needs a budget of at least %s per inference\n", format_energy(c.budget_energy_j()).c_str());
        } else {
          std::printf("  it breaks: %s\n", join(rec.cheapest_breaks, ", ").c_str());
        }
      }
      if (!rec.binding.empty()) std::printf("  relaxing any one of these alone would give a choice: %s\n", join(rec.binding, ", ").c_str());
    }
    if (flags.mix) print_mix(mix, candidates, rec, k);
    print_groups(by_type, candidates, k, "Per device type");
    print_groups(by_host, candidates, k, "Per host");
    if (!set.notes.empty()) {
      std::printf("\nNotes:\n");
      for (const auto& n : set.notes) std::printf("  - %s\n", n.c_str());
    }
  }
  return rec.chosen ? exit_code::kOk : exit_code::kNoFit;
}

}  // namespace

CommandRun add_recommend_command(CLI::App& app, const GlobalOptions&) {
  auto flags = std::make_shared<RecommendFlags>();
  auto* cmd = app.add_subcommand(
      "recommend", "The model and configuration with the best accuracy within an energy budget per inference");
  add_candidate_options(cmd, flags->candidates);
  cmd->add_option("--energy-budget-j", flags->budget_j, "Energy budget per inference (one sample), joules");
  add_rate_option(cmd, flags->candidates);
  cmd->add_option("--power-budget-w", flags->power_budget_w,
                  "With --rate: average power budget while serving the rate, watts (W / rate joules per inference; "
                  "with --energy-budget-j, the tighter of the two)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--latency-p99-ms", flags->latency_ms_p99, "Latency target: p99 per forward call, ms");
  cmd->add_option("--min-accuracy", flags->min_accuracy, "Accuracy floor: top-1, percent");
  cmd->add_option("--max-memory-mb", flags->max_memory_mb, "Memory limit: peak resident memory, MiB");
  cmd->add_option("--objective", flags->objective,
                  "accuracy (then least energy), accuracy-per-joule, or energy (least, within the floor)")
      ->check(CLI::IsMember({"accuracy", "accuracy-per-joule", "energy"}))
      ->default_str("accuracy");
  cmd->add_flag("--predict", flags->predict,
                "Also consider predicted points (other batch sizes / thread counts, and with --zoo unprofiled "
                "models); each must fit with its prediction margin");
  cmd->add_option("--zoo", flags->zoo_dir, "With --predict: also predict the zoo's models never profiled");
  cmd->add_option("--runners-up", flags->runners_up, "How many runners-up to show")->default_val(3)->check(CLI::NonNegativeNumber);
  cmd->add_flag("--mix", flags->mix,
                "Also show the two frontier points whose mix spends the budget exactly in expectation, their shares, "
                "and the expected accuracy ('edgejoule run' runs it)");
  cmd->add_flag("--json", flags->json, "Print JSON on stdout");
  return [flags] { return run_recommend(*flags); };
}

}  // namespace edgejoule
