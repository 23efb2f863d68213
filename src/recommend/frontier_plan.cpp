#include "recommend/frontier_plan.h"

#include <algorithm>
#include <set>

namespace edgejoule {

FrontierPlan plan_frontier(const std::vector<PlannedPoint>& points, size_t batch, std::optional<double> max_budget_j,
                           double tolerance) {
  // The measured frontier: a point enters it when no measured point is at least as accurate and
  // at most as costly (one of the two strictly).
  std::vector<size_t> measured;
  for (size_t i = 0; i < points.size(); ++i) {
    if (points[i].measured_energy_j) measured.push_back(i);
  }
  auto dominated = [&](double top1, double energy_j) {
    for (size_t m : measured) {
      const double e = *points[m].measured_energy_j, t = points[m].top1;
      if (t >= top1 && e <= energy_j && (t > top1 || e < energy_j)) return true;
    }
    return false;
  };

  FrontierPlan plan;
  std::vector<size_t> unpredicted, open;
  for (size_t i = 0; i < points.size(); ++i) {
    const PlannedPoint& p = points[i];
    if (p.measured_energy_j) continue;
    if (!p.predicted_energy_j) {
      unpredicted.push_back(i);
      continue;
    }
    const double optimistic = p.optimistic_energy_j();
    if (max_budget_j && optimistic > *max_budget_j) {
      plan.beyond_budgets.push_back(i);
    } else if (dominated(p.top1, optimistic * (1 + tolerance))) {
      plan.cannot_enter.push_back(i);
    } else {
      open.push_back(i);
    }
  }
  // How many other open points one would dominate if it cost what is predicted: measuring it
  // settles the most.
  std::vector<size_t> would_dominate(points.size(), 0);
  for (size_t a : open) {
    for (size_t b : open) {
      if (a != b && points[a].top1 >= points[b].top1 &&
          *points[a].predicted_energy_j < points[b].optimistic_energy_j()) {
        ++would_dominate[a];
      }
    }
  }
  std::set<std::string> measured_groups;
  for (size_t m : measured) measured_groups.insert(points[m].group);
  auto unmeasured_group = [&](size_t i) { return !points[i].group.empty() && !measured_groups.count(points[i].group); };
  std::stable_sort(open.begin(), open.end(), [&](size_t a, size_t b) {
    if (unmeasured_group(a) != unmeasured_group(b)) return unmeasured_group(a);
    if (would_dominate[a] != would_dominate[b]) return would_dominate[a] > would_dominate[b];
    return points[a].top1 > points[b].top1;
  });
  std::stable_sort(unpredicted.begin(), unpredicted.end(), [&](size_t a, size_t b) {
    if (points[a].anchor != points[b].anchor) return points[a].anchor;
    return unmeasured_group(a) && !unmeasured_group(b);
  });
  const bool anchors_left = !unpredicted.empty() && points[unpredicted.front()].anchor;
  std::set<std::string> chosen_groups;  // models not measured yet that have a point in this round
  for (const auto* list : {&unpredicted, &open}) {
    for (size_t i : *list) {
      if (plan.measure_next.size() >= batch) break;
      if (anchors_left && !points[i].anchor) break;  // the cost models start from the anchors
      if (!points[i].anchor && unmeasured_group(i) && !chosen_groups.insert(points[i].group).second) continue;
      plan.measure_next.push_back(i);
    }
  }
  plan.settled = unpredicted.empty() && open.empty();
  return plan;
}

}  // namespace edgejoule
