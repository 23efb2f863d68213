// `edgejoule evaluate`'s output: the per-budget table and summary, or the same as JSON.
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "report/writers.h"

namespace edgejoule {
namespace {

std::string opt_pct(const std::optional<double>& v, double scale = 1) {
  return v ? fmt::format("{:.1f}", *v * scale) : "-";
}
std::string opt_2f(const std::optional<double>& v) { return v ? fmt::format("{:.2f}", *v) : "-"; }

}  // namespace

void write_evaluation_json(std::ostream& out, const EvaluationView& view) {
  const Evaluation& ev = view.evaluation;
  const auto& s = ev.summary;
  nlohmann::json j = {{"run_id", view.run_id},
                      {"settings", nlohmann::json::parse(view.stored.settings_json, nullptr, false)},
                      {"notes", view.notes}};
  j["rows"] = nlohmann::json::array();
  for (size_t i = 0; i < ev.rows.size(); ++i) {
    const auto& st = view.stored.rows[i];
    const auto& row = ev.rows[i];
    j["rows"].push_back({{"budget_j", row.budget_j},
                         {"pick", st.label},
                         {"predicted", st.predicted},
                         {"top1", json_or_null(st.top1)},
                         {"expected_energy_j", row.chosen ? nlohmann::json(row.expected_energy_j) : nlohmann::json(nullptr)},
                         {"remeasured_status", row.remeasured.status},
                         {"remeasured_reason", row.remeasured.reason},
                         {"remeasured_energy_j", json_or_null(row.remeasured.energy_j)},
                         {"remeasured_energy_ci95_j", json_or_null(row.remeasured.energy_ci95_j)},
                         {"budget_use", json_or_null(row.budget_use)},
                         {"violation", row.violation},
                         {"oracle_top1", json_or_null(st.oracle_top1)},
                         {"regret_pct", json_or_null(row.regret_pct)},
                         {"prediction_error_pct", json_or_null(row.prediction_error_pct)}});
  }
  // The names of the stored columns (evaluation_runs.budget_use_worst: the highest use).
  j["summary"] = {{"budgets", s.budgets},
                  {"picks", s.picks},
                  {"distinct_points_remeasured", s.distinct_points},
                  {"remeasured_valid", s.remeasured_valid},
                  {"violations", s.violations},
                  {"predicted_picks", s.predicted_picks},
                  {"budget_use_median", json_or_null(s.budget_use_median)},
                  {"budget_use_worst", json_or_null(s.budget_use_worst)},
                  {"budget_use_lowest", json_or_null(s.budget_use_lowest)},
                  {"regret_median_pct", json_or_null(s.regret_median_pct)},
                  {"regret_worst_pct", json_or_null(s.regret_worst_pct)},
                  {"prediction_error_median_pct", json_or_null(s.prediction_error_median_pct)},
                  {"prediction_error_worst_pct", json_or_null(s.prediction_error_worst_pct)}};
  out << j.dump(2) << "\n";
}

void write_evaluation(std::ostream& out, const EvaluationView& view) {
  const Evaluation& ev = view.evaluation;
  const auto& s = ev.summary;
  out << fmt::format("Recommender evaluation: {} budgets from {} to {} per inference (objective {}; energy figures: {})\n\n",
                     s.budgets, format_energy(ev.budgets_j.front()), format_energy(ev.budgets_j.back()), view.objective,
                     view.energy_kind);
  out << fmt::format("{:>3} {:>10}  {:<40} {:>7} {:>10} {:>12} {:>7} {:>4} {:>7} {:>7}\n", "#", "budget", "pick", "top-1",
                     "stored", "re-measured", "use %", "viol", "oracle", "regret");
  for (size_t i = 0; i < ev.rows.size(); ++i) {
    const auto& row = ev.rows[i];
    const auto& st = view.stored.rows[i];
    const std::string remeasured =
        row.remeasured.energy_j ? format_energy(*row.remeasured.energy_j) : row.remeasured.status;
    out << fmt::format("{:>3} {:>10}  {:<40} {:>7} {:>10} {:>12} {:>7} {:>4} {:>7} {:>7}\n", row.index + 1,
                       format_energy(row.budget_j),
                       row.chosen ? st.label + (st.predicted ? " [P]" : "") : "(nothing fits)", opt_2f(st.top1),
                       row.chosen ? format_energy(row.expected_energy_j) : "-", remeasured,
                       opt_pct(row.budget_use, 100), row.violation ? "YES" : "no", opt_2f(st.oracle_top1),
                       opt_2f(row.regret_pct));
  }
  std::vector<const Candidate*> shown;
  for (const auto& row : ev.rows) {
    if (row.chosen) shown.push_back(&view.candidates[*row.chosen]);
    if (row.oracle) shown.push_back(&view.candidates[*row.oracle]);
  }
  if (!shown.empty()) out << "(stored " << provenance_footnote(shown) << "; re-measured with the same meter)\n";
  for (const auto& row : ev.rows) {
    if (row.chosen && row.remeasured.status != "VALID") {
      out << fmt::format("  budget {}: re-measurement {}: {}\n", row.index + 1, row.remeasured.status,
                         row.remeasured.reason);
    }
  }
  out << fmt::format("\nSummary (run {}, stored in {}):\n", view.run_id, view.store_location);
  out << fmt::format("  picks: {} of {} budgets ({} distinct points re-measured, {} re-measurements VALID)\n", s.picks,
                     s.budgets, s.distinct_points, s.remeasured_valid);
  out << fmt::format("  budget use (re-measured energy / budget): median {} %, highest {} %, lowest {} %\n",
                     opt_pct(s.budget_use_median, 100), opt_pct(s.budget_use_worst, 100),
                     opt_pct(s.budget_use_lowest, 100));
  out << fmt::format("  violations (re-measured energy above the budget beyond its 95 % CI): {}\n", s.violations);
  out << fmt::format("  accuracy regret vs the oracle: median {}, worst {} points\n", opt_2f(s.regret_median_pct),
                     opt_2f(s.regret_worst_pct));
  if (view.predict) {
    out << fmt::format("  predicted picks: {}; prediction error |predicted - re-measured| / re-measured: median {} %, "
                       "worst {} %\n",
                       s.predicted_picks, opt_pct(s.prediction_error_median_pct),
                       opt_pct(s.prediction_error_worst_pct));
  }
  if (s.budget_use_median) {
    const double gap = (1 - *s.budget_use_median) * 100;
    out << fmt::format("  the study's picks landed within 3-7 % of the budget; here the median pick lands {:.1f} % {} it "
                       "(with budgets log-spaced between measured points, the gap is set by how densely the "
                       "store covers the energy range)\n",
                       std::abs(gap), gap >= 0 ? "below" : "above");
  }
  if (!view.notes.empty()) {
    out << "\nNotes:\n";
    for (const auto& n : view.notes) out << "  - " << n << "\n";
  }
}

}  // namespace edgejoule
