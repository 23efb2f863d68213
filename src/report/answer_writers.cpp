// recommend's and frontier's answers (recommend/answers.h) as text and as JSON: what the CLI
// prints and what the Python package returns (the JSON, as Python objects).

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "predict/graph_model.h"
#include "predict/transfer_model.h"
#include "report/writers.h"

namespace edgejoule {
namespace {

// printf-style text onto a stream (the layout is column widths, which printf says best).
__attribute__((format(printf, 2, 3))) void say(std::ostream& out, const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list again;
  va_copy(again, args);
  const int n = std::vsnprintf(nullptr, 0, format, args);
  va_end(args);
  std::string text(n > 0 ? static_cast<size_t>(n) + 1 : 1, '\0');
  std::vsnprintf(text.data(), text.size(), format, again);
  va_end(again);
  text.resize(n > 0 ? static_cast<size_t>(n) : 0);
  out << text;
}

void print_candidate(std::ostream& out, const Candidate& c, const char* indent) {
  say(out, "%s%s%s on %s\n", indent, c.label().c_str(), c.predicted ? "  [PREDICTED]" : "", c.row.hostname.c_str());
  if (c.predicted) {
    say(out, "%s  energy   %s per inference, up to %s at the predictor's error  (%s)\n", indent,
            format_energy(c.energy_j_per_inference).c_str(), format_energy(c.energy_upper_j).c_str(),
            c.row.energy_provenance.c_str());
  } else {
    say(out, "%s  energy   %s per inference +- %s (95%% CI)  (%s)\n", indent, format_energy(c.energy_j_per_inference).c_str(),
            format_energy(c.energy_ci95_j).c_str(), c.row.energy_provenance.c_str());
  }
  say(out, "%s  latency  p50 %s, p99 %s per call of %d\n", indent, format_ms(c.row.latency_ms_p50).c_str(),
          format_ms(c.latency_ms_p99).c_str(), c.row.batch);
  say(out, "%s  accuracy top-1 %.2f %%  (%s)\n", indent, c.top1, c.row.accuracy_source.c_str());
  if (c.memory_mb) say(out, "%s  memory   peak RSS %.0f MiB\n", indent, *c.memory_mb);
}

// One line per device type (or host) of a fleet store: its own choice under the same constraints.
void print_groups(std::ostream& out, const std::vector<GroupChoice>& groups, const std::vector<Candidate>& candidates,
                  const Constraints& k, const char* title) {
  if (groups.empty()) return;
  say(out, "\n%s (each on its own, same constraints):\n", title);
  for (const auto& g : groups) {
    const Recommendation& rec = g.recommendation;
    say(out, "  %s [%zu point(s) from %s]\n", g.group.c_str(), g.members.size(), join(g.hosts, ", ").c_str());
    if (rec.chosen) {
      const Candidate& c = candidates[*rec.chosen];
      say(out, "    %s%s on %s: top-1 %.2f %%, %s per inference (%.1f %% of the budget), p99 %s\n",
              c.label().c_str(), c.predicted ? " [PREDICTED]" : "", c.row.hostname.c_str(), c.top1,
              format_energy(c.energy_j_per_inference).c_str(), c.energy_j_per_inference / k.energy_budget_j * 100,
              format_ms(c.latency_ms_p99).c_str());
    } else if (rec.cheapest) {
      const Candidate& c = candidates[*rec.cheapest];
      say(out, "    nothing fits; cheapest: %s on %s, %s per inference (breaks %s)\n", c.label().c_str(),
              c.row.hostname.c_str(), format_energy(c.budget_energy_j()).c_str(),
              join(rec.cheapest_breaks, ", ").c_str());
    } else {
      say(out, "    nothing fits\n");
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
void print_mix(std::ostream& out, const std::optional<Mix>& mix, const std::vector<Candidate>& candidates, const Recommendation& rec,
               const Constraints& k) {
  say(out, "\nMix (two points sharing the inferences, spending the budget in expectation; 'edgejoule run' runs such a "
          "mix of batch-1 single-stream points with the meter keeping the budget):\n");
  if (!mix) {
    say(out, "  none: the cheapest point that meets the other constraints costs more than the budget\n");
    return;
  }
  const Candidate& lo = candidates[mix->cheaper];
  const Candidate& hi = candidates[mix->dearer];
  if (mix->cheaper == mix->dearer) {
    say(out, "  %s alone: top-1 %.2f %%, %s per inference (%.1f %% of the budget)%s\n", lo.label().c_str(), lo.top1,
            format_energy(lo.budget_energy_j()).c_str(), 100 * mix->energy_j / k.energy_budget_j,
            mix->budget_exceeds_dearest ? "; the budget buys more than the most accurate point costs" : "");
    return;
  }
  say(out, "  %5.1f %%  %s: top-1 %.2f %%, %s per inference\n", 100 * (1 - mix->dearer_share), lo.label().c_str(),
          lo.top1, format_energy(lo.budget_energy_j()).c_str());
  say(out, "  %5.1f %%  %s: top-1 %.2f %%, %s per inference\n", 100 * mix->dearer_share, hi.label().c_str(), hi.top1,
          format_energy(hi.budget_energy_j()).c_str());
  say(out, "  expected: top-1 %.2f %% for %s per inference (%.1f %% of the budget)", mix->top1,
          format_energy(mix->energy_j).c_str(), 100 * mix->energy_j / k.energy_budget_j);
  if (rec.chosen) {
    const Candidate& pick = candidates[*rec.chosen];
    say(out, "; the single pick: %.2f %% for %s (%.1f %%)", pick.top1, format_energy(pick.budget_energy_j()).c_str(),
            100 * pick.budget_energy_j() / k.energy_budget_j);
  }
  say(out, "\n");
}

nlohmann::json distribution_json(const ErrorDistribution& d) {
  return {{"points", d.points},
          {"median_pct", d.median_pct},
          {"p90_pct", d.p90_pct},
          {"within_10_pct", d.within_10_pct},
          {"within_20_pct", d.within_20_pct}};
}

void print_distribution(std::ostream& out, const std::string& what, const ErrorDistribution& d) {
  if (d.points == 0) {
    say(out, "  %-44s %7s\n", what.c_str(), "-");
    return;
  }
  say(out, "  %-44s %7zu %8.1f%% %8.1f%% %10.0f%% %10.0f%%\n", what.c_str(), d.points, d.median_pct, d.p90_pct,
      d.within_10_pct, d.within_20_pct);
}

}  // namespace

nlohmann::json recommendation_json(const RecommendAnswer& a) {
  const Constraints& k = a.constraints;
  const Recommendation& rec = a.recommendation;
  const std::vector<Candidate>& candidates = a.candidates;
  const auto& mix = a.mix;
  nlohmann::json j = {
      {"constraints",
       {{"energy_budget_j", k.energy_budget_j},
        {"rate_qps", json_or_null(a.query.candidates.rate_qps)},
        {"power_budget_w", json_or_null(a.query.power_budget_w)},
        {"latency_ms_p99", json_or_null(k.latency_ms_p99)},
        {"min_accuracy", json_or_null(k.min_accuracy)},
        {"max_memory_mb", json_or_null(k.max_memory_mb)}}},
      {"objective", to_string(a.objective)},
      {"energy_kind", a.energy_kind},
      {"candidates", candidates.size()},
      {"feasible", rec.feasible},
      {"notes", a.notes},
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
  if (a.query.mix) {
    j["mix"] = mix ? nlohmann::json{{"cheaper", candidate_json(candidates[mix->cheaper])},
                                    {"dearer", candidate_json(candidates[mix->dearer])},
                                    {"dearer_share", mix->dearer_share},
                                    {"expected_energy_j", mix->energy_j},
                                    {"expected_top1", mix->top1},
                                    {"budget_use", mix->energy_j / k.energy_budget_j},
                                    {"budget_exceeds_dearest", mix->budget_exceeds_dearest}}
                   : nlohmann::json(nullptr);
  }
  j["per_device_type"] = groups_json(a.by_device_type, candidates);
  j["per_host"] = groups_json(a.by_host, candidates);
  return j;
}

void write_recommendation(std::ostream& out, const RecommendAnswer& a) {
  const Constraints& k = a.constraints;
  const Recommendation& rec = a.recommendation;
  const std::vector<Candidate>& candidates = a.candidates;
  const auto& by_type = a.by_device_type;
  const auto& by_host = a.by_host;
  say(out, "Recommendation for %s per inference (objective: %s; energy figures: %s)\n",
          format_energy(k.energy_budget_j).c_str(), to_string(a.objective), a.energy_kind.c_str());
  if (a.query.candidates.rate_qps) {
    say(out, "  serving %g inferences/s%s\n", *a.query.candidates.rate_qps,
            a.query.power_budget_w ? fmt::format(" within {:g} W on average", *a.query.power_budget_w).c_str() : "");
  }
  if (k.latency_ms_p99) say(out, "  latency p99 <= %g ms per call\n", *k.latency_ms_p99);
  if (k.min_accuracy) say(out, "  top-1 >= %g %%\n", *k.min_accuracy);
  if (k.max_memory_mb) say(out, "  peak memory <= %g MiB\n", *k.max_memory_mb);
  say(out, "  %zu of %zu candidate point(s) fit\n\n", rec.feasible, candidates.size());
  if (rec.chosen) {
    const Candidate& c = candidates[*rec.chosen];
    say(out, "Chosen:\n");
    print_candidate(out, c, "  ");
    say(out, "  uses %.1f %% of the budget\n", *rec.budget_use * 100);
    if (!rec.binding.empty()) {
      say(out, "  binding: %s\n", join(rec.binding, ", ").c_str());
    } else {
      say(out, "  binding: none (%s)\n", rec.binding_note.c_str());
    }
    if (rec.next_step) {
      const auto& n = *rec.next_step;
      const Candidate& next = candidates[n.index];
      say(out, "  next step up: %s, top-1 %.2f %% (+%.2f points) for %s more per inference = %s per "
              "accuracy point; needs a budget of %s\n",
              next.label().c_str(), next.top1, n.extra_accuracy, format_energy(n.extra_energy_j).c_str(),
              format_energy(n.joules_per_accuracy_point).c_str(),
              format_energy(next.budget_energy_j()).c_str());
    }
    if (!rec.runners_up.empty()) {
      say(out, "\nRunners-up:\n");
      int rank = 2;
      std::vector<const Candidate*> shown;
      for (size_t i : rec.runners_up) {
        shown.push_back(&candidates[i]);
        const Candidate& r = candidates[i];
        say(out, "  %d. %s%s%s: top-1 %.2f %%, %s per inference (%.1f %% of the budget), p99 %s\n", rank++,
                r.label().c_str(), by_host.empty() ? "" : (" on " + r.row.hostname).c_str(),
                r.predicted ? " [PREDICTED]" : "", r.top1, format_energy(r.energy_j_per_inference).c_str(),
                r.energy_j_per_inference / k.energy_budget_j * 100, format_ms(r.latency_ms_p99).c_str());
      }
      say(out, "  (%s)\n", provenance_footnote(shown).c_str());
    }
  } else {
    say(out, "Nothing fits these constraints.\n");
    if (rec.cheapest) {
      const Candidate& c = candidates[*rec.cheapest];
      const bool only_energy = rec.cheapest_breaks.size() == 1 && rec.cheapest_breaks[0] == kEnergyConstraint;
      say(out, "  cheapest %s: %s, %s per inference%s\n",
              only_energy ? "point that meets the other constraints" : "point", c.label().c_str(),
              format_energy(c.energy_j_per_inference).c_str(), c.predicted ? " [PREDICTED]" : "");
      if (only_energy) {
        say(out, "  it needs a budget of at least %s per inference\n", format_energy(c.budget_energy_j()).c_str());
      } else {
        say(out, "  it breaks: %s\n", join(rec.cheapest_breaks, ", ").c_str());
      }
    }
    if (!rec.binding.empty()) say(out, "  relaxing any one of these alone would give a choice: %s\n", join(rec.binding, ", ").c_str());
  }
  if (a.query.mix) print_mix(out, a.mix, candidates, rec, k);
  print_groups(out, by_type, candidates, k, "Per device type");
  print_groups(out, by_host, candidates, k, "Per host");
  if (!a.notes.empty()) {
    say(out, "\nNotes:\n");
    for (const auto& n : a.notes) say(out, "  - %s\n", n.c_str());
  }
}

nlohmann::json frontier_json(const FrontierAnswer& a) {
  const FrontierAxis axis = a.axis;
  const auto& frontier = a.frontier;
  const auto& by_type = a.by_device_type;
  nlohmann::json j = {{"x", axis == FrontierAxis::kEnergy ? "energy" : "latency"}, {"energy_kind", a.energy_kind}, {"notes", a.notes},
                      {"candidates", a.candidates.size()}};
  j["frontier"] = nlohmann::json::array();
  for (const auto& s : frontier) {
    j["frontier"].push_back({{"candidate", candidate_json(a.candidates[s.index])},
                             {"x", s.x},
                             {"top1", s.top1},
                             {"accuracy_per_joule", json_or_null(s.accuracy_per_joule)},
                             {axis == FrontierAxis::kEnergy ? "marginal_j_per_accuracy_point" : "marginal_ms_per_accuracy_point",
                              json_or_null(s.marginal_x_per_accuracy_point)}});
  }
  j["per_device_type"] = nlohmann::json::array();
  for (const auto& [type, own] : by_type) {
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& s : own.frontier) {
      steps.push_back({{"candidate", candidate_json(own.candidates[s.index])}, {"x", s.x}, {"top1", s.top1}});
    }
    j["per_device_type"].push_back({{"device_type", type}, {"candidates", own.candidates.size()}, {"frontier", steps}});
  }
  return j;
}

void write_frontier(std::ostream& out, const FrontierAnswer& a) {
  const FrontierAxis axis = a.axis;
  const auto& frontier = a.frontier;
  const auto& by_type = a.by_device_type;
  say(out, "Pareto frontier of top-1 accuracy vs %s (%zu of %zu points; energy figures: %s)\n\n",
          axis == FrontierAxis::kEnergy ? "energy per inference" : "latency p99 per call", frontier.size(),
          a.candidates.size(), a.energy_kind.c_str());
  // The label column as wide as the longest label (knobs and scenarios make some long).
  int width = 44;
  for (const auto& s : frontier) width = std::max(width, static_cast<int>(a.candidates[s.index].label().size()));
  say(out, "%-*s %12s %10s %8s %10s %16s\n", width, "point", "energy/inf", "p99", "top-1 %", "acc/J",
          axis == FrontierAxis::kEnergy ? "+J per point" : "+ms per point");
  std::vector<const Candidate*> shown;
  for (const auto& s : frontier) {
    const Candidate& c = a.candidates[s.index];
    shown.push_back(&c);
    std::string marginal = "-";
    if (s.marginal_x_per_accuracy_point) {
      marginal = axis == FrontierAxis::kEnergy ? format_energy(*s.marginal_x_per_accuracy_point)
                                               : fmt::format("{:.3g} ms", *s.marginal_x_per_accuracy_point);
    }
    say(out, "%-*s %12s %10s %8.2f %10s %16s\n", width, c.label().c_str(), format_energy(c.energy_j_per_inference).c_str(),
            format_ms(c.latency_ms_p99).c_str(), c.top1,
            s.accuracy_per_joule ? fmt::format("{:.3g}", *s.accuracy_per_joule).c_str() : "-", marginal.c_str());
  }
  say(out, "(%s)\n", provenance_footnote(shown).c_str());
  if (frontier.size() >= 2 && axis == FrontierAxis::kEnergy) {
    double cheapest = *frontier[1].marginal_x_per_accuracy_point, dearest = cheapest;
    for (size_t i = 1; i < frontier.size(); ++i) {
      cheapest = std::min(cheapest, *frontier[i].marginal_x_per_accuracy_point);
      dearest = std::max(dearest, *frontier[i].marginal_x_per_accuracy_point);
    }
    say(out, "\nAlong the frontier an extra accuracy point costs from %s to %s per inference; accuracy per "
            "joule falls from %.3g to %.3g.\n",
            format_energy(cheapest).c_str(), format_energy(dearest).c_str(),
            frontier.front().accuracy_per_joule.value_or(0), frontier.back().accuracy_per_joule.value_or(0));
  }
  for (const auto& [type, own] : by_type) {
    say(out, "\nDevice type %s: %zu frontier point(s) of %zu\n", type.c_str(), own.frontier.size(),
    own.candidates.size());
    for (const auto& s : own.frontier) {
      const Candidate& c = own.candidates[s.index];
      say(out, "  %-44s on %-16s %12s %10s %8.2f\n", c.label().c_str(), c.row.hostname.c_str(),
              format_energy(c.energy_j_per_inference).c_str(), format_ms(c.latency_ms_p99).c_str(), c.top1);
    }
  }
  if (!a.notes.empty()) {
    say(out, "\nNotes:\n");
    for (const auto& n : a.notes) say(out, "  - %s\n", n.c_str());
  }
}

nlohmann::json prediction_errors_json(const PredictionErrors& e) {
  auto cv_json = [](const CrossValidation& cv) {
    return nlohmann::json{{"scheme", to_string(cv.scheme)},
                          {"folds", cv.folds},
                          {"predictions", cv.predictions},
                          {"energy_mape_pct", cv.energy_mape_pct},
                          {"energy_worst_pct", cv.energy_worst_pct},
                          {"energy_under_prediction_q90_pct", cv.energy_under_q90_pct},
                          {"latency_mape_pct", cv.latency_mape_pct},
                          {"latency_worst_pct", cv.latency_worst_pct},
                          {"latency_under_prediction_q90_pct", cv.latency_under_q90_pct}};
  };
  nlohmann::json errors = {
      {"baseline", {{"leave_one_model_out", {{"latency_p50", distribution_json(e.lomo_latency)},
                                             {"latency_p50_per_model", distribution_json(e.lomo_latency_per_model)},
                                             {"energy", distribution_json(e.lomo_energy)}}},
                    {"leave_one_configuration_out", {{"latency_p50", distribution_json(e.loco_latency)},
                                                     {"energy", distribution_json(e.loco_energy)}}}}}};
  if (e.graph) {
    errors["graph"] = {{"model", GraphCostModel::name()},
                       {"leave_one_model_out", {{"latency_p50", distribution_json(e.graph->latency)},
                                                {"latency_p50_per_model", distribution_json(e.graph->latency_per_model)},
                                                {"energy", distribution_json(e.graph->energy)},
                                                {"unpredicted", e.graph->unpredicted}}},
                       {"leave_one_configuration_out", "not applicable: fitted per configuration (the baseline predicts unseen configurations)"}};
  }
  errors["transfer"] = {{"model", TransferModel::name()},
                        {"leave_one_point_out", {{"latency_p50", distribution_json(e.transfer.latency)},
                                                 {"energy", distribution_json(e.transfer.energy)},
                                                 {"unpredicted", e.transfer.unpredicted}}}};
  if (e.noise) {
    errors["noise_floor"] = {{"points", e.noise->points},
                             {"latency_p50", distribution_json(e.noise->latency)},
                             {"latency_p50_per_model", distribution_json(e.noise->latency_per_model)},
                             {"energy", distribution_json(e.noise->energy)}};
  }
  return {{"model", e.model},
          {"energy_kind", e.energy_kind},
          {"points", e.points},
          {"leave_one_model_out", cv_json(e.leave_one_model_out)},
          {"leave_one_configuration_out", cv_json(e.leave_one_configuration_out)},
          {"error_distributions", errors}};
}

void write_prediction_errors(std::ostream& out, const PredictionErrors& e) {
  say(out, "Cost model: %s, fitted on %zu VALID points (%s energy)\n", e.model.c_str(), e.points, e.energy_kind.c_str());
  say(out, "%-30s %6s %12s %12s %14s %12s %12s\n", "held out", "folds", "energy MAPE", "energy worst",
          "energy q90 up", "p99 MAPE", "p99 worst");
  for (const auto* cv : {&e.leave_one_model_out, &e.leave_one_configuration_out}) {
    say(out, "%-30s %6zu %11.1f%% %11.1f%% %13.1f%% %11.1f%% %11.1f%%\n", to_string(cv->scheme), cv->folds,
            cv->energy_mape_pct, cv->energy_worst_pct, cv->energy_under_q90_pct, cv->latency_mape_pct,
            cv->latency_worst_pct);
  }
  say(out, "\nMAPE: mean |predicted - measured| / measured over held-out points; q90 up: how far 90 %% of "
          "predictions stay from under-predicting (the margin recommend --predict adds).\n");

  say(out, "\nError distributions, |predicted - measured| / measured:\n");
  say(out, "  %-44s %7s %9s %9s %11s %11s\n", "", "points", "median", "p90", "within 10%", "within 20%");
  print_distribution(out, "baseline, leave-one-model-out, latency p50", e.lomo_latency);
  print_distribution(out, "  per model (its median over configurations)", e.lomo_latency_per_model);
  print_distribution(out, "baseline, leave-one-model-out, energy", e.lomo_energy);
  print_distribution(out, "baseline, leave-one-config-out, latency p50", e.loco_latency);
  print_distribution(out, "baseline, leave-one-config-out, energy", e.loco_energy);
  if (e.graph) {
    print_distribution(out, "graph, leave-one-model-out, latency p50", e.graph->latency);
    print_distribution(out, "  per model (its median over configurations)", e.graph->latency_per_model);
    print_distribution(out, "graph, leave-one-model-out, energy", e.graph->energy);
    if (e.graph->unpredicted > 0) {
      say(out, "  (graph: %zu held-out point(s) in configurations with fewer than %zu other models: not predicted)\n",
              e.graph->unpredicted, GraphCostModel::kMinModels);
    }
  } else {
    say(out, "  graph model: no operator summaries (give --zoo DIR: a zoo built with this version records them)\n");
  }
  print_distribution(out, "transfer, leave-one-point-out, latency p50", e.transfer.latency);
  print_distribution(out, "transfer, leave-one-point-out, energy", e.transfer.energy);
  if (e.transfer.unpredicted > 0) {
    say(out, "  (transfer: %zu held-out point(s) without another configuration of their model measured beside "
            "%zu other models: not predicted)\n",
            e.transfer.unpredicted, TransferModel::kMinReferenceModels);
  }
  if (e.noise) {
    print_distribution(out, fmt::format("noise floor: {} point(s) re-measured, latency p50", e.noise->points), e.noise->latency);
    print_distribution(out, "  per model (its median over configurations)", e.noise->latency_per_model);
    print_distribution(out, "noise floor, energy", e.noise->energy);
  } else {
    say(out, "  noise floor: not measured (give --remeasured DB: a store with the same points measured again)\n");
  }
  say(out, "graph: %s, one fit per configuration: it predicts models a configuration has not measured; "
          "unseen configurations are the baseline's.\n", GraphCostModel::name().c_str());
  say(out, "transfer: %s: a model measured at another configuration, times that configuration change's median "
          "ratio over the models measured at both (what profile --strategy frontier predicts most points with).\n",
          TransferModel::name().c_str());
}

}  // namespace edgejoule
