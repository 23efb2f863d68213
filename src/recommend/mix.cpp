#include "recommend/mix.h"

#include <algorithm>
#include <numeric>

#include "recommend/recommend.h"

namespace edgejoule {

std::vector<size_t> mix_hull(const std::vector<MixOption>& options) {
  std::vector<size_t> order(options.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (options[a].energy_j != options[b].energy_j) return options[a].energy_j < options[b].energy_j;
    return options[a].top1 > options[b].top1;
  });
  // The Pareto points first (each more accurate than every cheaper one), then the upper hull of
  // those: a point below the chord of its neighbours is beaten by their mix.
  std::vector<size_t> pareto;
  for (size_t i : order) {
    if (pareto.empty() || options[i].top1 > options[pareto.back()].top1) pareto.push_back(i);
  }
  std::vector<size_t> hull;
  for (size_t i : pareto) {
    while (hull.size() >= 2) {
      const MixOption& a = options[hull[hull.size() - 2]];
      const MixOption& b = options[hull.back()];
      const MixOption& c = options[i];
      // b is on or below the chord a-c when the turn a -> b -> c is not clockwise.
      const double cross = (b.energy_j - a.energy_j) * (c.top1 - a.top1) - (b.top1 - a.top1) * (c.energy_j - a.energy_j);
      if (cross >= 0) {
        hull.pop_back();
      } else {
        break;
      }
    }
    hull.push_back(i);
  }
  return hull;
}

std::optional<Mix> plan_mix(const std::vector<MixOption>& options, double target_j) {
  const auto hull = mix_hull(options);
  if (hull.empty() || options[hull.front()].energy_j > target_j) return std::nullopt;
  Mix mix;
  const MixOption& dearest = options[hull.back()];
  if (dearest.energy_j <= target_j) {
    mix.cheaper = mix.dearer = hull.back();
    mix.energy_j = dearest.energy_j;
    mix.top1 = dearest.top1;
    mix.budget_exceeds_dearest = dearest.energy_j < target_j;
    return mix;
  }
  for (size_t k = 0; k + 1 < hull.size(); ++k) {
    const MixOption& lo = options[hull[k]];
    const MixOption& hi = options[hull[k + 1]];
    if (target_j < lo.energy_j || target_j >= hi.energy_j) continue;
    mix.cheaper = hull[k];
    const double share = (target_j - lo.energy_j) / (hi.energy_j - lo.energy_j);
    if (share <= 0) {
      mix.dearer = hull[k];
      mix.energy_j = lo.energy_j;
      mix.top1 = lo.top1;
    } else {
      mix.dearer = hull[k + 1];
      mix.dearer_share = share;
      mix.energy_j = target_j;
      mix.top1 = lo.top1 + share * (hi.top1 - lo.top1);
    }
    return mix;
  }
  return std::nullopt;  // not reached: the target lies between the cheapest and the dearest
}

void MixSchedule::set(const Mix& mix, int block) {
  mix_ = mix;
  block_ = std::max(1, block);
}

size_t MixSchedule::next() {
  if (mix_.dearer == mix_.cheaper || mix_.dearer_share <= 0) {
    on_dearer_ = false;
    return mix_.cheaper;
  }
  credit_ += mix_.dearer_share;
  if (!on_dearer_ && credit_ >= block_ - 0.5) on_dearer_ = true;
  if (!on_dearer_) return mix_.cheaper;
  credit_ -= 1;
  if (credit_ < 0.5) on_dearer_ = false;
  return mix_.dearer;
}

std::optional<Mix> recommend_mix(const std::vector<Candidate>& candidates, const Constraints& constraints) {
  std::vector<size_t> eligible;
  std::vector<MixOption> options;
  Constraints without_budget = constraints;
  without_budget.energy_budget_j = 0;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (!violated_constraints(candidates[i], without_budget).empty()) continue;
    eligible.push_back(i);
    options.push_back({candidates[i].budget_energy_j(), candidates[i].top1});
  }
  auto mix = plan_mix(options, constraints.energy_budget_j);
  if (!mix) return std::nullopt;
  mix->cheaper = eligible[mix->cheaper];
  mix->dearer = eligible[mix->dearer];
  return mix;
}

}  // namespace edgejoule
