#include "predict/transfer_model.h"

#include <algorithm>
#include <cmath>

#include "core/stats.h"

namespace edgejoule {
namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return percentile(v, 0.5);
}

}  // namespace

TransferModel TransferModel::fit(const std::vector<ResultRow>& rows) {
  TransferModel m;
  for (const auto& r : rows) {
    if (r.status != Verdict::kValid || !r.energy_j_per_inference || *r.energy_j_per_inference <= 0 ||
        !r.latency_ms_p50 || *r.latency_ms_p50 <= 0) {
      continue;
    }
    m.measured_[{r.host_fingerprint, r.model}][configuration_label(r)] = {*r.energy_j_per_inference,
                                                                             *r.latency_ms_p50};
  }
  return m;
}

std::optional<TransferModel::Prediction> TransferModel::predict(const ResultRow& row) const {
  const auto own = measured_.find({row.host_fingerprint, row.model});
  if (own == measured_.end()) return std::nullopt;
  const std::string target = configuration_label(row);
  std::optional<Prediction> best;
  for (const auto& [from, at_from] : own->second) {
    if (from == target) continue;
    // log(E at target / E at from) and the same for latency, over the other models of this host
    // measured at both configurations.
    std::vector<double> energy_ratio, latency_ratio;
    for (const auto& [who, configs] : measured_) {
      if (who.first != row.host_fingerprint || who.second == row.model) continue;
      const auto a = configs.find(from), b = configs.find(target);
      if (a == configs.end() || b == configs.end()) continue;
      energy_ratio.push_back(std::log(b->second.energy_j / a->second.energy_j));
      latency_ratio.push_back(std::log(b->second.latency_p50_ms / a->second.latency_p50_ms));
    }
    if (energy_ratio.size() < kMinReferenceModels) continue;
    // Leave one reference model out: its ratio predicted by the others' median; the margin is
    // the 90th percentile of those errors (nearest rank: the largest below ten models).
    std::vector<double> errors;
    for (size_t i = 0; i < energy_ratio.size(); ++i) {
      std::vector<double> others = energy_ratio;
      others.erase(others.begin() + static_cast<std::ptrdiff_t>(i));
      errors.push_back(std::abs(std::exp(median(others) - energy_ratio[i]) - 1));
    }
    std::sort(errors.begin(), errors.end());
    const size_t rank = static_cast<size_t>(std::ceil(0.9 * static_cast<double>(errors.size())));
    const double margin = std::max(kMinMargin, errors[std::max<size_t>(rank, 1) - 1]);
    if (best && margin >= best->margin) continue;
    Prediction p;
    p.energy_j = at_from.energy_j * std::exp(median(energy_ratio));
    p.latency_p50_ms = at_from.latency_p50_ms * std::exp(median(latency_ratio));
    p.margin = margin;
    p.from_config = from;
    p.reference_models = energy_ratio.size();
    best = p;
  }
  return best;
}

TransferCrossValidation cross_validate_transfer(const std::vector<ResultRow>& rows) {
  std::vector<const ResultRow*> usable;
  for (const auto& r : rows) {
    if (r.status == Verdict::kValid && r.energy_j_per_inference && *r.energy_j_per_inference > 0 &&
        r.latency_ms_p50 && *r.latency_ms_p50 > 0) {
      usable.push_back(&r);
    }
  }
  TransferCrossValidation cv;
  std::vector<double> latency, energy;
  std::vector<ResultRow> others;
  for (const ResultRow* held : usable) {
    others.clear();
    for (const ResultRow* r : usable) {
      if (r != held) others.push_back(*r);
    }
    const auto p = TransferModel::fit(others).predict(*held);
    if (!p) {
      ++cv.unpredicted;
      continue;
    }
    energy.push_back(100 * std::abs(p->energy_j - *held->energy_j_per_inference) / *held->energy_j_per_inference);
    latency.push_back(100 * std::abs(p->latency_p50_ms - *held->latency_ms_p50) / *held->latency_ms_p50);
  }
  cv.latency = ErrorDistribution::of(latency);
  cv.energy = ErrorDistribution::of(energy);
  return cv;
}

}  // namespace edgejoule
