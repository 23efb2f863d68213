#pragma once
// Cost models: energy per inference and latency p99 per call for configurations and models
// that were not measured, fitted on the measured ones, with their error measured honestly by
// cross-validation (leave one model out, leave one configuration out).
//
// The model is ridge regression in log space (Eigen): log cost against log FLOPs, log
// parameters, log batch, log threads, their products, and indicators for precision, engine,
// device, host and family. Costs scale multiplicatively with size and batch, so a linear
// model of the logs fits the bulk of it with few parameters and extrapolates sanely.

#include <optional>
#include <string>
#include <vector>

#include "core/result_row.h"

namespace edgejoule {

struct CostPrediction {
  double energy_j = 0;        // per inference (one sample)
  double latency_ms_p99 = 0;  // per forward call
  double latency_p50_ms = 0;  // per forward call
};

class CostModel {
 public:
  // Fits on rows that are VALID and carry energy, latency, FLOPs and parameters; throws Error
  // when fewer than kMinRows such rows exist.
  static CostModel fit(const std::vector<ResultRow>& rows, double lambda);
  static bool usable(const ResultRow& row);  // has what fitting and predicting need
  // nullopt when the row lacks FLOPs or parameters.
  std::optional<CostPrediction> predict(const ResultRow& row) const;
  std::string name() const;
  double lambda() const { return lambda_; }

  static constexpr size_t kMinRows = 6;

 private:
  std::vector<double> features(const ResultRow& row) const;
  double lambda_ = 1;
  std::vector<std::string> precisions_, engines_, devices_, hosts_, families_;  // indicator levels
  std::vector<double> mean_, scale_;         // standardisation of each feature
  std::vector<double> energy_coef_, latency_coef_, latency50_coef_;
  double energy_intercept_ = 0, latency_intercept_ = 0, latency50_intercept_ = 0;
};

enum class HoldOut { kModel, kConfiguration };
const char* to_string(HoldOut scheme);

struct CrossValidation {
  HoldOut scheme = HoldOut::kModel;
  size_t folds = 0;
  size_t predictions = 0;
  // |predicted - measured| / measured, in %.
  double energy_mape_pct = 0, energy_worst_pct = 0;
  double latency_mape_pct = 0, latency_worst_pct = 0;
  // How far a prediction may fall short: the 90th percentile of (measured - predicted) /
  // predicted over the held-out points, in % (0 when it never under-predicts).
  double energy_under_q90_pct = 0, latency_under_q90_pct = 0;
  // Every held-out point's |predicted - measured| / measured, in %: energy, latency p50, and per
  // model (held out by model: its median latency p50 error).
  std::vector<double> energy_errors_pct, latency_p50_errors_pct, latency_p50_model_errors_pct;
};

CrossValidation cross_validate(const std::vector<ResultRow>& rows, HoldOut scheme, double lambda);

// A fitted model with its measured errors; lambda chosen by leave-one-model-out energy MAPE.
struct TrainedPredictor {
  CostModel model;
  CrossValidation leave_one_model_out;
  CrossValidation leave_one_configuration_out;
};
// nullopt (with `why`) when the rows cannot support cross-validation: fewer than kMinRows
// usable rows or fewer than three models.
std::optional<TrainedPredictor> train_predictor(const std::vector<ResultRow>& rows, std::string* why);

}  // namespace edgejoule
