#pragma once
// The transfer model: a model's point at a configuration it has not measured, from the same
// model measured at another configuration, scaled by how the two configurations compare on the
// models measured at both (the median of their energy ratios). A configuration change (batch,
// threads, engine) scales most models alike, so one measurement of a model predicts its other
// configurations better than any model of its operators; where the ratio varies by model (an
// engine that fuses depthwise convolutions, say), the spread says so in the margin.
//
// Its margin is its own cross-validated error: each model measured at both configurations
// predicted from the others' ratios (leave one model out), the largest relative error, never
// under kMinMargin (the measurements' own noise on this kind of machine).

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result_row.h"
#include "predict/graph_model.h"

namespace edgejoule {

class TransferModel {
 public:
  // From VALID rows with energy (others are ignored). Models are matched by name and host: an
  // engine's own file of the model (TorchScript, ONNX) is the same model.
  static TransferModel fit(const std::vector<ResultRow>& rows);

  struct Prediction {
    double energy_j = 0;           // per inference
    double latency_p50_ms = 0;     // per call
    double margin = 0;             // relative error allowed for (0.2 = 20 %)
    std::string from_config;       // the configuration it was measured at
    size_t reference_models = 0;   // models measured at both configurations
  };
  // For `row`'s model at `row`'s configuration: from the measured configuration of that model
  // whose ratio has the smallest margin, with at least kMinReferenceModels other models measured
  // at both. nullopt when there is none.
  std::optional<Prediction> predict(const ResultRow& row) const;

  static std::string name() { return "transfer(same model, configuration ratio)"; }
  static constexpr size_t kMinReferenceModels = 2;
  static constexpr double kMinMargin = 0.10;

 private:
  struct Measured {
    double energy_j = 0;
    double latency_p50_ms = 0;
  };
  // (host, model name) -> configuration (its label: the input shape aside) -> what was measured there
  std::map<std::pair<std::string, std::string>, std::map<std::string, Measured>> measured_;
};

// Each measured point predicted by a transfer model fitted without it (leave one point out: the
// model's other configurations and the other models are known, this point is not), the errors
// as distributions; `unpredicted`: points it could not predict (no other configuration of their
// model, or too few reference models).
struct TransferCrossValidation {
  ErrorDistribution latency, energy;
  size_t unpredicted = 0;
};
TransferCrossValidation cross_validate_transfer(const std::vector<ResultRow>& rows);

}  // namespace edgejoule
