// How a candidate reads: energy and latency figures, its JSON, the provenance line under a table.
#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "report/writers.h"

namespace edgejoule {

std::string format_energy(double j) {
  if (j >= 1) return fmt::format("{:.3g} J", j);
  if (j >= 1e-3) return fmt::format("{:.3g} mJ", j * 1e3);
  return fmt::format("{:.3g} uJ", j * 1e6);
}

std::string provenance_footnote(const std::vector<const Candidate*>& shown) {
  std::vector<std::string> energy, accuracy;
  for (const Candidate* c : shown) {
    // An estimate shows its coefficients (the meter's name carries them).
    const std::string source = c->row.energy_kind() == EnergyProvenance::kEstimated
                                   ? c->row.energy_provenance + " " + c->row.meter
                                   : c->row.energy_provenance;
    if (std::find(energy.begin(), energy.end(), source) == energy.end()) energy.push_back(source);
    if (std::find(accuracy.begin(), accuracy.end(), c->row.accuracy_source) == accuracy.end()) {
      accuracy.push_back(c->row.accuracy_source);
    }
  }
  return "energy from " + join(energy, "; ") + "; accuracy from " + join(accuracy, "; ");
}

std::string format_ms(const std::optional<double>& ms) { return ms ? fmt::format("{:.3g} ms", *ms) : "-"; }

nlohmann::json candidate_json(const Candidate& c) {
  nlohmann::json j = {
      {"label", c.label()},
      {"predicted", c.predicted},
      {"energy_j_per_inference", c.energy_j_per_inference},
      {"energy_ci95_j", c.energy_ci95_j},
      {"top1", c.top1},
      {"latency_ms_p99", json_or_null(c.latency_ms_p99)},
      {"memory_mb", json_or_null(c.memory_mb)},
      {"point", c.row},
  };
  if (c.predicted) {
    j["energy_upper_j"] = c.energy_upper_j;
    j["latency_ms_p99_upper"] = json_or_null(c.latency_ms_p99_upper);
    j["prediction_model"] = c.prediction_model;
  }
  return j;
}

}  // namespace edgejoule
