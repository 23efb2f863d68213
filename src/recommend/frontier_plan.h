#pragma once
// The decisions of a frontier-directed sweep: of the points not measured yet, which could still
// enter the accuracy / energy frontier given the cost model's error, which to measure next, and
// when the frontier is settled (no unmeasured point can enter it within the model's margin).
// Pure: the caller measures, refits and asks again, so an interrupted sweep resumes from the
// store by asking again.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace edgejoule {

struct PlannedPoint {
  double top1 = 0;  // accuracy is known before measuring (declared, or measured per model)
  std::optional<double> measured_energy_j;   // a VALID stored point
  std::optional<double> predicted_energy_j;  // an unmeasured point the cost model predicts
  // How far below its prediction the point's energy may turn out: the cost model's
  // cross-validated relative error (e.g. 0.3); the optimistic energy is prediction / (1 + margin).
  double margin = 0;
  // The model it belongs to (its points share its accuracy): a model with no measured point yet
  // is measured at one configuration first, since that point predicts its others best.
  std::string group;
  // Measured before anything unpredicted (the points the cost models start from).
  bool anchor = false;
  double optimistic_energy_j() const { return *predicted_energy_j / (1 + margin); }
};

struct FrontierPlan {
  std::vector<size_t> measure_next;  // indices into the points, the most telling first
  std::vector<size_t> cannot_enter;  // unmeasured: dominated by a measured point even at their optimistic energy
  std::vector<size_t> beyond_budgets;  // unmeasured: over every budget of interest even at their optimistic energy
  bool settled = false;              // nothing unmeasured is left to measure
};

// `batch`: how many points to measure before asking again. `max_budget_j`: with budgets of
// interest, the largest; a point whose optimistic energy exceeds it cannot change a pick.
// Unmeasured points without a prediction come first (the cost model needs them: anchors first,
// then one point of each model not measured yet); then those that could enter the frontier: first one point of each model not measured anywhere yet, then the
// ones that would dominate the most others (at their predicted energy), then the most accurate.
// `tolerance`: an energy difference too small to matter (relative, e.g. 0.1): a point is left
// unmeasured when a measured point at least as accurate costs at most its optimistic energy x
// (1 + tolerance). 0 keeps the strict rule.
FrontierPlan plan_frontier(const std::vector<PlannedPoint>& points, size_t batch,
                           std::optional<double> max_budget_j = std::nullopt, double tolerance = 0);

}  // namespace edgejoule
