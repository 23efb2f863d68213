#include "predict/graph_model.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

#include "core/stats.h"

namespace edgejoule {
namespace {

constexpr size_t kFeatures = GraphFeatures::kKeys.size() + 1;  // the constant (per-call overhead), then the keys

std::array<double, kFeatures> feature_vector(const GraphFeatures& g) {
  std::array<double, kFeatures> x{};
  x[0] = 1.0;
  for (size_t k = 0; k < g.values.size(); ++k) x[k + 1] = g.values[k];
  return x;
}

// Non-negative least squares on relative errors: minimise sum_i ((y_i - x_i . theta) / y_i)^2
// + lambda |beta|^2 over theta >= 0, by cyclic coordinate descent on standardised columns.
// Non-negative because no operator makes a model faster; relative because latencies span three
// orders of magnitude and each should be predicted to the same share.
std::vector<double> fit_nonnegative(const std::vector<std::array<double, kFeatures>>& x, const std::vector<double>& y) {
  const size_t n = x.size();
  std::vector<std::array<double, kFeatures>> z(n);
  std::array<double, kFeatures> scale{};
  for (size_t k = 0; k < kFeatures; ++k) {
    double sq = 0;
    for (size_t i = 0; i < n; ++i) sq += std::pow(x[i][k] / y[i], 2);
    scale[k] = std::sqrt(sq / static_cast<double>(n));
    for (size_t i = 0; i < n; ++i) z[i][k] = scale[k] > 0 ? x[i][k] / y[i] / scale[k] : 0.0;
  }
  const double lambda = 1e-3 * static_cast<double>(n);
  std::array<double, kFeatures> beta{};
  std::vector<double> residual(n, 1.0);  // target: y_i / y_i
  for (int sweep = 0; sweep < 300; ++sweep) {
    double moved = 0;
    for (size_t k = 0; k < kFeatures; ++k) {
      if (scale[k] == 0) continue;
      double zr = 0, zz = 0;
      for (size_t i = 0; i < n; ++i) {
        zr += z[i][k] * residual[i];
        zz += z[i][k] * z[i][k];
      }
      const double updated = std::max(0.0, (zr + beta[k] * zz) / (zz + lambda));
      const double delta = updated - beta[k];
      if (delta == 0) continue;
      for (size_t i = 0; i < n; ++i) residual[i] -= delta * z[i][k];
      beta[k] = updated;
      moved = std::max(moved, std::abs(delta));
    }
    if (moved < 1e-9) break;
  }
  std::vector<double> theta(kFeatures, 0.0);
  for (size_t k = 0; k < kFeatures; ++k) theta[k] = scale[k] > 0 ? beta[k] / scale[k] : 0.0;
  return theta;
}

double relative_error_pct(double predicted, double measured) { return std::abs(predicted - measured) / measured * 100; }

}  // namespace

std::optional<GraphFeatures> GraphFeatures::from_summary(const std::map<std::string, double>& s) {
  GraphFeatures g;
  for (size_t k = 0; k < kKeys.size(); ++k) {
    const auto it = s.find(kKeys[k]);
    if (it == s.end() || it->second < 0) return std::nullopt;
    g.values[k] = it->second;
  }
  if (g.values[0] <= 0) return std::nullopt;  // no kernel: not a model's summary
  return g;
}

GraphFeatureMap graph_features_of(const std::vector<ModelInfo>& models) {
  GraphFeatureMap out;
  for (const auto& m : models) {
    if (const auto g = GraphFeatures::from_summary(m.graph)) out.emplace(m.name, *g);
  }
  return out;
}

std::string configuration_key(const ResultRow& r) { return configuration_label(r) + "@" + r.host_fingerprint; }

bool GraphCostModel::usable(const ResultRow& r) {
  return r.status == Verdict::kValid && r.latency_ms_p50 && *r.latency_ms_p50 > 0 && r.energy_j_per_inference &&
         *r.energy_j_per_inference > 0 && r.batch > 0;
}

GraphCostModel GraphCostModel::fit(const std::vector<ResultRow>& rows, const GraphFeatureMap& features) {
  std::map<std::string, std::vector<const ResultRow*>> by_config;
  for (const auto& r : rows) {
    if (usable(r) && features.count(r.model)) by_config[configuration_key(r)].push_back(&r);
  }
  GraphCostModel m;
  for (const auto& [key, members] : by_config) {
    std::set<std::string> models;
    for (const auto* r : members) models.insert(r->model);
    if (models.size() < kMinModels) continue;
    std::vector<std::array<double, kFeatures>> x;
    std::vector<double> y, power;
    for (const auto* r : members) {
      x.push_back(feature_vector(features.at(r->model)));
      y.push_back(*r->latency_ms_p50);
      power.push_back(*r->energy_j_per_inference * r->batch / (*r->latency_ms_p50 / 1000));
    }
    Fit fit;
    fit.coef = fit_nonnegative(x, y);
    fit.power_w = summarize(power).p50;
    m.fits_[key] = std::move(fit);
  }
  return m;
}

std::optional<GraphCostModel::Prediction> GraphCostModel::predict(const ResultRow& r,
                                                                  const GraphFeatureMap& features) const {
  const auto fit = fits_.find(configuration_key(r));
  const auto g = features.find(r.model);
  if (fit == fits_.end() || g == features.end() || r.batch <= 0) return std::nullopt;
  const auto x = feature_vector(g->second);
  double ms = 0;
  for (size_t k = 0; k < kFeatures; ++k) ms += fit->second.coef[k] * x[k];
  if (ms <= 0) return std::nullopt;
  return Prediction{ms, fit->second.power_w * ms / 1000 / r.batch};
}

ErrorDistribution ErrorDistribution::of(const std::vector<double>& errors) {
  ErrorDistribution d;
  d.points = errors.size();
  if (errors.empty()) return d;
  const Summary s = summarize(errors);
  d.median_pct = s.p50;
  d.p90_pct = s.p90;
  const auto share = [&errors](double bound) {
    return 100.0 * static_cast<double>(std::count_if(errors.begin(), errors.end(), [bound](double e) { return e <= bound; })) /
           static_cast<double>(errors.size());
  };
  d.within_10_pct = share(10);
  d.within_20_pct = share(20);
  return d;
}

GraphCrossValidation cross_validate_graph(const std::vector<ResultRow>& rows, const GraphFeatureMap& features) {
  std::set<std::string> models;
  for (const auto& r : rows) {
    if (GraphCostModel::usable(r) && features.count(r.model)) models.insert(r.model);
  }
  GraphCrossValidation cv;
  std::vector<double> latency, energy, per_model;
  for (const auto& held : models) {
    std::vector<ResultRow> train;
    for (const auto& r : rows) {
      if (r.model != held) train.push_back(r);
    }
    const GraphCostModel model = GraphCostModel::fit(train, features);
    std::vector<double> mine;
    for (const auto& r : rows) {
      if (r.model != held || !GraphCostModel::usable(r)) continue;
      const auto p = model.predict(r, features);
      if (!p) {
        ++cv.unpredicted;
        continue;
      }
      latency.push_back(relative_error_pct(p->latency_p50_ms, *r.latency_ms_p50));
      energy.push_back(relative_error_pct(p->energy_j, *r.energy_j_per_inference));
      mine.push_back(latency.back());
    }
    if (!mine.empty()) per_model.push_back(summarize(mine).p50);
  }
  cv.latency = ErrorDistribution::of(latency);
  cv.energy = ErrorDistribution::of(energy);
  cv.latency_per_model = ErrorDistribution::of(per_model);
  cv.models = per_model.size();
  return cv;
}

NoiseFloor noise_floor(const std::vector<ResultRow>& rows, const std::vector<std::vector<ResultRow>>& remeasured) {
  auto point_key = [](const ResultRow& r) { return r.model + "|" + configuration_key(r); };
  std::map<std::string, const ResultRow*> first;
  for (const auto& r : rows) {
    if (GraphCostModel::usable(r)) first.emplace(point_key(r), &r);
  }
  NoiseFloor floor;
  std::vector<double> latency, energy;
  std::set<std::string> seen;
  std::map<std::string, std::vector<double>> by_model;
  for (const auto& store : remeasured) {
    for (const auto& r : store) {
      if (!GraphCostModel::usable(r)) continue;
      const auto it = first.find(point_key(r));
      if (it == first.end()) continue;
      latency.push_back(relative_error_pct(*r.latency_ms_p50, *it->second->latency_ms_p50));
      by_model[r.model].push_back(latency.back());
      energy.push_back(relative_error_pct(*r.energy_j_per_inference, *it->second->energy_j_per_inference));
      seen.insert(it->first);
    }
  }
  floor.latency = ErrorDistribution::of(latency);
  floor.energy = ErrorDistribution::of(energy);
  std::vector<double> per_model;
  for (const auto& entry : by_model) per_model.push_back(summarize(entry.second).p50);
  floor.latency_per_model = ErrorDistribution::of(per_model);
  floor.points = seen.size();
  return floor;
}

}  // namespace edgejoule
