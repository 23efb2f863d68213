#pragma once
// The graph cost model: a configuration's latency per call as a sum over the model's operators,
// with per-operator-class cost coefficients fitted on the store's measured points of that
// configuration (the way nn-Meter predicts per kernel and sums). The operators come from the
// model itself (zoo/graph_ops.py, at zoo build: kernels after fusion, MACs of convolutions,
// depthwise convolutions and matrix products, the element-wise work and the bytes the
// memory-bound kernels move). Energy is that latency times the configuration's measured power.
//
// It is fitted per configuration (engine, device, precision, batch, threads, knobs, host), so it
// predicts models the configuration has not measured; a configuration with too few measured
// models has no fit, and predict() says so with nullopt (the baseline answers there).

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/records.h"
#include "core/result_row.h"

namespace edgejoule {

// One model's operator summary, per sample (zoo.json "graph": "summary"): the quantities the
// model sums over, each with its own cost per unit per configuration.
struct GraphFeatures {
  // kernels: fused groups (what an engine launches); the MACs of each kind of product: k x k,
  // pointwise, grouped and depthwise convolutions, weight products (mm) and activation products
  // (bmm, attention); other_elements: output elements of the unfused element-wise, norm and pool
  // kernels; memory_bytes: what those memory-bound kernels read and write.
  static constexpr std::array<const char*, 9> kKeys = {"kernels",        "kxk_macs", "pointwise_macs",
                                                       "grouped_macs",   "depthwise_macs", "mm_macs",
                                                       "bmm_macs",       "other_elements", "memory_bytes"};
  std::array<double, kKeys.size()> values{};

  // From the manifest's summary map; nullopt without a kernel count or the per-kind MACs (a zoo
  // built before they were recorded: 'zoo build' again adds them from the cached files).
  static std::optional<GraphFeatures> from_summary(const std::map<std::string, double>& summary);
};
using GraphFeatureMap = std::map<std::string, GraphFeatures>;  // by model name
// The features of every model whose manifest entry has an operator summary, by name.
GraphFeatureMap graph_features_of(const std::vector<ModelInfo>& models);

class GraphCostModel {
 public:
  // Fits every configuration that has measured at least kMinModels models with features.
  static GraphCostModel fit(const std::vector<ResultRow>& rows, const GraphFeatureMap& features);
  static bool usable(const ResultRow& row);
  // Latency p50 per call and energy per inference; nullopt when the model has no features or
  // its configuration has no fit.
  struct Prediction {
    double latency_p50_ms = 0;
    double energy_j = 0;
  };
  std::optional<Prediction> predict(const ResultRow& row, const GraphFeatureMap& features) const;
  size_t configurations() const { return fits_.size(); }
  static std::string name() { return "graph-sum(per-configuration, non-negative)"; }

  static constexpr size_t kMinModels = 6;

 private:
  struct Fit {
    std::vector<double> coef;  // per feature (with the constant), milliseconds per unit
    double power_w = 0;        // the configuration's measured power: energy per call / latency
  };
  std::map<std::string, Fit> fits_;  // by configuration key
};

// The configuration a point was measured in, with its host: what the graph model is fitted per.
std::string configuration_key(const ResultRow& row);

// The spread of relative errors |predicted - measured| / measured, in %.
struct ErrorDistribution {
  size_t points = 0;
  double median_pct = 0;
  double p90_pct = 0;
  double within_10_pct = 0;  // share of points within ±10 %, in %
  double within_20_pct = 0;
  static ErrorDistribution of(const std::vector<double>& abs_errors_pct);
};

// Leave-one-model-out errors of the graph model: each model's points predicted by a fit without
// it. Per point, and per model (a model's median error over its configurations).
struct GraphCrossValidation {
  ErrorDistribution latency, energy, latency_per_model;
  size_t models = 0;
  size_t unpredicted = 0;  // held-out points whose configuration had too few other models
};
GraphCrossValidation cross_validate_graph(const std::vector<ResultRow>& rows, const GraphFeatureMap& features);

// The noise floor: the same point (model, configuration, host) measured again, in other stores.
// Each re-measurement's |difference| / the first measurement, for latency p50 and energy.
struct NoiseFloor {
  ErrorDistribution latency, energy;
  // Per model: its median re-measurement error over its points (what the cost models' "per
  // model" rows compare with).
  ErrorDistribution latency_per_model;
  size_t points = 0;  // distinct points re-measured
};
NoiseFloor noise_floor(const std::vector<ResultRow>& rows, const std::vector<std::vector<ResultRow>>& remeasured);

}  // namespace edgejoule
