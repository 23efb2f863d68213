// edgejoule recommend / frontier: wiring and printing only; the choice is in src/recommend.

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
#include "recommend/recommend.h"
#include "store/store.h"
#include "zoo/manifest.h"

namespace edgejoule {

std::string format_energy(double j) {
  if (j >= 1) return fmt::format("{:.3g} J", j);
  if (j >= 1e-3) return fmt::format("{:.3g} mJ", j * 1e3);
  return fmt::format("{:.3g} uJ", j * 1e6);
}

std::string provenance_footnote(const std::vector<const Candidate*>& shown) {
  std::vector<std::string> energy, accuracy;
  for (const Candidate* c : shown) {
    if (std::find(energy.begin(), energy.end(), c->row.energy_provenance) == energy.end()) {
      energy.push_back(c->row.energy_provenance);
    }
    if (std::find(accuracy.begin(), accuracy.end(), c->row.accuracy_source) == accuracy.end()) {
      accuracy.push_back(c->row.accuracy_source);
    }
  }
  return "energy from " + join(energy, "; ") + "; accuracy from " + join(accuracy, "; ");
}

std::string format_ms(const std::optional<double>& ms) { return ms ? fmt::format("{:.3g} ms", *ms) : "-"; }

void add_candidate_options(CLI::App* cmd, CandidateFlags& flags) {
  cmd->add_option("--db", flags.db, kDbHelp)
      ->default_str(kDefaultDbPath)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  cmd->add_option("--host", flags.filter.hostname, "Only points measured on this host (hostname)");
  cmd->add_option("--device", flags.filter.device, "Only points on this device: cpu, cuda")
      ->check(CLI::IsMember({"cpu", "cuda"}));
  cmd->add_option("--dataset", flags.filter.accuracy_dataset,
                  "Only points whose accuracy is on this dataset (e.g. imagenet-1k, fmnist:test); needed when "
                  "the store holds several");
  cmd->add_option("--energy-source", flags.energy_source,
                  "Which energy figures to compare: auto (measured where any exist, else estimated), "
                  "measured, estimated, any")
      ->check(CLI::IsMember({"auto", "measured", "estimated", "any"}))
      ->default_str("auto");
}

std::vector<ResultRow> load_rows(CandidateFlags& flags) {
  flags.filter.energy_source = *energy_source_from_string(flags.energy_source);
  auto store = open_store(flags.db, OpenMode::kReadOnly);
  RowFilter unsorted;  // the recommender and the cost model order what they need themselves
  unsorted.sorted = false;
  return store->rows(unsorted);
}

CandidateSet load_candidates(CandidateFlags& flags) {
  CandidateSet set = candidates_from_rows(load_rows(flags), flags.filter);
  if (set.datasets.size() > 1) {
    std::string list;
    for (const auto& [name, n] : set.datasets) {
      list += fmt::format("{}{} ({} points)", list.empty() ? "" : ", ", name.empty() ? "(unnamed)" : name, n);
    }
    throw Error("the store '" + flags.db + "' holds accuracy on several datasets, which do not compare: " + list +
                "; choose one with --dataset");
  }
  return set;
}

nlohmann::json candidate_json(const Candidate& c) {
  nlohmann::json j = {
      {"label", c.label()},
      {"predicted", c.predicted},
      {"energy_j_per_inference", c.energy_j},
      {"energy_ci95_j", c.energy_ci95_j},
      {"top1", c.top1},
      {"latency_ms_p99", json_or_null(c.latency_p99_ms)},
      {"memory_mb", json_or_null(c.memory_mb)},
      {"point", c.row},
  };
  if (c.predicted) {
    j["energy_upper_j"] = c.energy_upper_j;
    j["latency_ms_p99_upper"] = json_or_null(c.latency_p99_upper_ms);
    j["prediction_model"] = c.prediction_model;
  }
  return j;
}

namespace {

struct RecommendFlags {
  CandidateFlags candidates;
  double budget_j = 0;
  std::optional<double> latency_p99_ms, min_accuracy, max_memory_mb;
  std::string objective = "accuracy";
  bool predict = false;
  std::string zoo_dir;
  int runners_up = 3;
  bool json = false;
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
              format_ms(c.latency_p99_ms).c_str(), c.row.batch);
  std::printf("%s  accuracy top-1 %.2f %%  (%s)\n", indent, c.top1, c.row.accuracy_source.c_str());
  if (c.memory_mb) std::printf("%s  memory   peak RSS %.0f MiB\n", indent, *c.memory_mb);
}

int run_recommend(RecommendFlags& flags) {
  if (!(flags.budget_j > 0)) throw Error("--energy-budget-j must be a positive number of joules per inference");
  CandidateSet set = load_candidates(flags.candidates);
  std::vector<Candidate> candidates = set.candidates;
  std::optional<TrainedPredictor> predictor;
  if (flags.predict) {
    std::string why;
    predictor = train_predictor(rows_of(set.candidates), &why);
    if (!predictor) {
      set.notes.push_back("--predict: no prediction (" + why + ")");
    } else {
      std::vector<ResultRow> unprofiled;
      if (!flags.zoo_dir.empty()) unprofiled = zoo_rows(flags.zoo_dir);
      auto predicted = predicted_candidates(set.candidates, *predictor, unprofiled);
      set.notes.push_back(fmt::format(
          "--predict: {} predicted point(s) by {} (energy error leave-one-model-out {:.1f} % MAPE, "
          "leave-one-configuration-out {:.1f} %); each must fit the budget with its margin",
          predicted.size(), predictor->model.name(), predictor->leave_one_model_out.energy_mape_pct,
          predictor->leave_one_configuration_out.energy_mape_pct));
      candidates.insert(candidates.end(), predicted.begin(), predicted.end());
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
  k.latency_p99_ms = flags.latency_p99_ms;
  k.min_accuracy = flags.min_accuracy;
  k.max_memory_mb = flags.max_memory_mb;
  const Objective objective = *objective_from_string(flags.objective);
  const Recommendation rec = recommend(candidates, k, objective, static_cast<size_t>(flags.runners_up));

  if (flags.json) {
    nlohmann::json j = {
        {"constraints",
         {{"energy_budget_j", k.energy_budget_j},
          {"latency_ms_p99", json_or_null(k.latency_p99_ms)},
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
    std::cout << j.dump(2) << "\n";
  } else {
    std::printf("Recommendation for %s per inference (objective: %s; energy figures: %s)\n",
                format_energy(k.energy_budget_j).c_str(), to_string(objective), set.energy_kind.c_str());
    if (k.latency_p99_ms) std::printf("  latency p99 <= %g ms per call\n", *k.latency_p99_ms);
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
          std::printf("  %d. %s%s: top-1 %.2f %%, %s per inference (%.1f %% of the budget), p99 %s\n", rank++,
                      r.label().c_str(), r.predicted ? " [PREDICTED]" : "", r.top1, format_energy(r.energy_j).c_str(),
                      r.energy_j / k.energy_budget_j * 100, format_ms(r.latency_p99_ms).c_str());
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
    if (!set.notes.empty()) {
      std::printf("\nNotes:\n");
      for (const auto& n : set.notes) std::printf("  - %s\n", n.c_str());
    }
  }
  return rec.chosen ? exit_code::kOk : exit_code::kNoFit;
}

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
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::printf("Pareto frontier of top-1 accuracy vs %s (%zu of %zu points; energy figures: %s)\n\n",
              axis == FrontierAxis::kEnergy ? "energy per inference" : "latency p99 per call", frontier.size(),
              set.candidates.size(), set.energy_kind.c_str());
  std::printf("%-44s %12s %10s %8s %10s %16s\n", "point", "energy/inf", "p99", "top-1 %", "acc/J",
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
    std::printf("%-44s %12s %10s %8.2f %10s %16s\n", c.label().c_str(), format_energy(c.energy_j).c_str(),
                format_ms(c.latency_p99_ms).c_str(), c.top1,
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
  if (!set.notes.empty()) {
    std::printf("\nNotes:\n");
    for (const auto& n : set.notes) std::printf("  - %s\n", n.c_str());
  }
  return 0;
}

struct PredictFlags {
  CandidateFlags candidates;
  bool json = false;
};

// The cost model fitted on the store and its cross-validated error, so the error any
// prediction carries can be read before trusting one.
int run_predict(PredictFlags& flags) {
  // Cost does not depend on accuracy: every VALID point of one energy kind is fitted on.
  const std::vector<ResultRow> rows = rows_with_energy(load_rows(flags.candidates), flags.candidates.filter);
  std::string why;
  const auto p = train_predictor(rows, &why);
  if (!p) throw Error("no cost model can be fitted on '" + flags.candidates.db + "': " + why);
  size_t used = 0, measured = 0;
  for (const auto& r : rows) {
    used += CostModel::usable(r);
    measured += r.energy_provenance.rfind("measured:", 0) == 0;
  }
  const char* kind = measured == rows.size() ? "measured" : measured == 0 ? "estimated" : "measured and estimated";
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
  if (flags.json) {
    std::cout << nlohmann::json{{"model", p->model.name()},
                                {"energy_kind", kind},
                                {"points", used},
                                {"leave_one_model_out", cv_json(p->leave_one_model_out)},
                                {"leave_one_configuration_out", cv_json(p->leave_one_configuration_out)}}
                     .dump(2)
              << "\n";
    return 0;
  }
  std::printf("Cost model: %s, fitted on %zu VALID points (%s energy)\n", p->model.name().c_str(), used, kind);
  std::printf("%-30s %6s %12s %12s %14s %12s %12s\n", "held out", "folds", "energy MAPE", "energy worst",
              "energy q90 up", "p99 MAPE", "p99 worst");
  for (const auto* cv : {&p->leave_one_model_out, &p->leave_one_configuration_out}) {
    std::printf("%-30s %6zu %11.1f%% %11.1f%% %13.1f%% %11.1f%% %11.1f%%\n", to_string(cv->scheme), cv->folds,
                cv->energy_mape_pct, cv->energy_worst_pct, cv->energy_under_q90_pct, cv->latency_mape_pct,
                cv->latency_worst_pct);
  }
  std::printf("\nMAPE: mean |predicted - measured| / measured over held-out points; q90 up: how far 90 %% of "
              "predictions stay from under-predicting (the margin recommend --predict adds).\n");
  return 0;
}

}  // namespace

std::vector<ResultRow> rows_of(const std::vector<Candidate>& candidates) {
  std::vector<ResultRow> rows;
  for (const auto& c : candidates) rows.push_back(c.row);
  return rows;
}

std::vector<ResultRow> zoo_rows(const std::string& zoo_dir) {
  std::vector<ResultRow> rows;
  for (const auto& m : load_manifest(zoo_dir, "torchscript")) {
    ResultRow r;
    r.model = m.name;
    r.family = m.family;
    r.model_path = m.path;
    r.params = m.params;
    r.flops = m.flops;
    std::string shape;
    for (auto d : m.sample_shape) shape += (shape.empty() ? "" : "x") + std::to_string(d);
    r.sample_shape = shape;
    r.top1 = m.top1;
    r.top5 = m.top5;
    r.accuracy_source = m.accuracy_source;
    r.accuracy_dataset = m.accuracy_dataset.empty() ? dataset_of_accuracy_source(m.accuracy_source) : m.accuracy_dataset;
    rows.push_back(std::move(r));
  }
  return rows;
}

CommandRun add_recommend_command(CLI::App& app, const GlobalOptions&) {
  auto flags = std::make_shared<RecommendFlags>();
  auto* cmd = app.add_subcommand(
      "recommend", "The model and configuration with the best accuracy within an energy budget per inference");
  add_candidate_options(cmd, flags->candidates);
  cmd->add_option("--energy-budget-j", flags->budget_j, "Energy budget per inference (one sample), joules")
      ->required();
  cmd->add_option("--latency-p99-ms", flags->latency_p99_ms, "Latency target: p99 per forward call, ms");
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
  cmd->add_flag("--json", flags->json, "Print JSON on stdout");
  return [flags] { return run_recommend(*flags); };
}

CommandRun add_predict_command(CLI::App& app, const GlobalOptions&) {
  auto flags = std::make_shared<PredictFlags>();
  auto* cmd = app.add_subcommand("predict", "Fit the cost model on the store and report its cross-validated error");
  add_candidate_options(cmd, flags->candidates);
  cmd->add_flag("--json", flags->json, "Print JSON on stdout");
  return [flags] { return run_predict(*flags); };
}

CommandRun add_frontier_command(CLI::App& app, const GlobalOptions&) {
  auto flags = std::make_shared<FrontierFlags>();
  auto* cmd = app.add_subcommand("frontier", "The Pareto frontier of accuracy vs energy (or latency), with the "
                                             "marginal cost of each step up");
  add_candidate_options(cmd, flags->candidates);
  cmd->add_option("--x", flags->x, "energy or latency")->check(CLI::IsMember({"energy", "latency"}))->default_str("energy");
  cmd->add_flag("--json", flags->json, "Print JSON on stdout");
  return [flags] { return run_frontier(*flags); };
}

}  // namespace edgejoule
