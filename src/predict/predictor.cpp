#include "predict/predictor.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <map>
#include <functional>
#include <set>

#include <fmt/format.h>

#include "common/error.h"
#include "core/stats.h"

namespace edgejoule {
namespace {

template <typename Field>
std::vector<std::string> levels(const std::vector<ResultRow>& rows, Field field) {
  std::set<std::string> seen;
  for (const auto& r : rows) seen.insert(std::invoke(field, r));
  // The first level is the reference (absorbed in the intercept).
  std::vector<std::string> out(seen.begin(), seen.end());
  if (!out.empty()) out.erase(out.begin());
  return out;
}

std::vector<double> solve_ridge(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, double lambda,
                                double* intercept) {
  const double y_mean = y.mean();
  Eigen::MatrixXd a = x.transpose() * x;
  a.diagonal().array() += lambda;
  const Eigen::VectorXd b = x.transpose() * (y.array() - y_mean).matrix();
  const Eigen::VectorXd coef = a.ldlt().solve(b);
  *intercept = y_mean;  // features are centred
  return std::vector<double>(coef.data(), coef.data() + coef.size());
}

}  // namespace

bool CostModel::usable(const ResultRow& r) {
  return r.status == Verdict::kValid && r.energy_j_per_inference && *r.energy_j_per_inference > 0 && r.latency_ms_p99 &&
         *r.latency_ms_p99 > 0 && r.flops && *r.flops > 0 && r.params && *r.params > 0 && r.batch > 0 &&
         r.threads > 0;
}

std::vector<double> CostModel::features(const ResultRow& r) const {
  const double lf = std::log(static_cast<double>(*r.flops));
  const double lp = std::log(static_cast<double>(*r.params));
  const double lb = std::log(static_cast<double>(r.batch));
  const double lt = std::log(static_cast<double>(r.threads));
  std::vector<double> f = {lf, lp, lb, lt, lb * lb, lf * lb, lf * lt, lb * lt};
  auto indicators = [&f](const std::vector<std::string>& lv, const std::string& value) {
    for (const auto& l : lv) f.push_back(l == value ? 1.0 : 0.0);
  };
  indicators(precisions_, numeric_variant(r));
  indicators(engines_, r.engine);
  indicators(devices_, r.device);
  indicators(hosts_, r.host_fingerprint);
  indicators(families_, r.family);
  return f;
}

CostModel CostModel::fit(const std::vector<ResultRow>& all_rows, double lambda) {
  std::vector<ResultRow> rows;
  for (const auto& r : all_rows) {
    if (usable(r)) rows.push_back(r);
  }
  if (rows.size() < kMinRows) {
    throw Error(fmt::format("too few measured points to fit a cost model ({} with energy, latency, FLOPs and "
                            "parameters; {} needed)",
                            rows.size(), kMinRows));
  }
  CostModel m;
  m.lambda_ = lambda;
  m.precisions_ = levels(rows, numeric_variant);
  m.engines_ = levels(rows, &ResultRow::engine);
  m.devices_ = levels(rows, &ResultRow::device);
  m.hosts_ = levels(rows, &ResultRow::host_fingerprint);
  m.families_ = levels(rows, &ResultRow::family);

  const size_t n = rows.size();
  const size_t k = m.features(rows.front()).size();
  Eigen::MatrixXd x(n, k);
  Eigen::VectorXd energy(n), latency(n), latency50(n);
  for (size_t i = 0; i < n; ++i) {
    const auto f = m.features(rows[i]);
    for (size_t j = 0; j < k; ++j) x(i, j) = f[j];
    energy(i) = std::log(*rows[i].energy_j_per_inference);
    latency(i) = std::log(*rows[i].latency_ms_p99);
    latency50(i) = std::log(rows[i].latency_ms_p50 && *rows[i].latency_ms_p50 > 0 ? *rows[i].latency_ms_p50
                                                                                   : *rows[i].latency_ms_p99);
  }
  m.mean_.resize(k);
  m.scale_.resize(k);
  for (size_t j = 0; j < k; ++j) {
    const double mean = x.col(j).mean();
    const double sd = std::sqrt((x.col(j).array() - mean).square().sum() / static_cast<double>(n));
    m.mean_[j] = mean;
    m.scale_[j] = sd > 1e-12 ? sd : 1.0;  // a constant column stays zero after centring
    x.col(j) = (x.col(j).array() - mean) / m.scale_[j];
  }
  m.energy_coef_ = solve_ridge(x, energy, lambda, &m.energy_intercept_);
  m.latency_coef_ = solve_ridge(x, latency, lambda, &m.latency_intercept_);
  m.latency50_coef_ = solve_ridge(x, latency50, lambda, &m.latency50_intercept_);
  return m;
}

std::optional<CostPrediction> CostModel::predict(const ResultRow& r) const {
  if (!r.flops || *r.flops <= 0 || !r.params || *r.params <= 0 || r.batch <= 0 || r.threads <= 0) {
    return std::nullopt;
  }
  const auto f = features(r);
  double e = energy_intercept_, l = latency_intercept_, l50 = latency50_intercept_;
  for (size_t j = 0; j < f.size(); ++j) {
    const double z = (f[j] - mean_[j]) / scale_[j];
    e += energy_coef_[j] * z;
    l += latency_coef_[j] * z;
    l50 += latency50_coef_[j] * z;
  }
  return CostPrediction{std::exp(e), std::exp(l), std::exp(l50)};
}

std::string CostModel::name() const { return fmt::format("ridge-log-linear(lambda={:g})", lambda_); }

const char* to_string(HoldOut scheme) {
  return scheme == HoldOut::kModel ? "leave-one-model-out" : "leave-one-configuration-out";
}

CrossValidation cross_validate(const std::vector<ResultRow>& all_rows, HoldOut scheme, double lambda) {
  std::vector<ResultRow> rows;
  for (const auto& r : all_rows) {
    if (CostModel::usable(r)) rows.push_back(r);
  }
  auto group_of = [scheme](const ResultRow& r) {
    // A model is held out with every export of it (TorchScript and ONNX files share its name).
    return scheme == HoldOut::kModel ? r.model + "@" + r.host_fingerprint
                                     : configuration_label(r) + "@" + r.host_fingerprint;
  };
  std::map<std::string, std::vector<size_t>> groups;
  for (size_t i = 0; i < rows.size(); ++i) groups[group_of(rows[i])].push_back(i);

  CrossValidation cv;
  cv.scheme = scheme;
  std::vector<double> e_err, l_err, e_under, l_under;
  for (const auto& [key, held] : groups) {
    std::vector<ResultRow> train;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (group_of(rows[i]) != key) train.push_back(rows[i]);
    }
    if (train.size() < CostModel::kMinRows) continue;
    const CostModel model = CostModel::fit(train, lambda);
    ++cv.folds;
    std::vector<double> group_p50;
    for (size_t i : held) {
      const auto p = model.predict(rows[i]);
      const double e = *rows[i].energy_j_per_inference;
      const double l = *rows[i].latency_ms_p99;
      if (rows[i].latency_ms_p50 && *rows[i].latency_ms_p50 > 0) {
        group_p50.push_back(std::abs(p->latency_p50_ms - *rows[i].latency_ms_p50) / *rows[i].latency_ms_p50 * 100);
        cv.latency_p50_errors_pct.push_back(group_p50.back());
      }
      e_err.push_back(std::abs(p->energy_j - e) / e * 100);
      l_err.push_back(std::abs(p->latency_ms_p99 - l) / l * 100);
      e_under.push_back(std::max(0.0, (e - p->energy_j) / p->energy_j * 100));
      l_under.push_back(std::max(0.0, (l - p->latency_ms_p99) / p->latency_ms_p99 * 100));
    }
    if (scheme == HoldOut::kModel && !group_p50.empty()) {
      cv.latency_p50_model_errors_pct.push_back(summarize(group_p50).p50);
    }
  }
  cv.energy_errors_pct = e_err;
  cv.predictions = e_err.size();
  // Over no prediction every figure stays 0.
  const Summary e = summarize(e_err), l = summarize(l_err), eu = summarize(e_under), lu = summarize(l_under);
  cv.energy_mape_pct = e.mean;
  cv.energy_worst_pct = e.max;
  cv.latency_mape_pct = l.mean;
  cv.latency_worst_pct = l.max;
  cv.energy_under_q90_pct = eu.p90;
  cv.latency_under_q90_pct = lu.p90;
  return cv;
}

std::optional<TrainedPredictor> train_predictor(const std::vector<ResultRow>& rows, std::string* why) {
  size_t usable = 0;
  std::set<std::string> models;
  for (const auto& r : rows) {
    if (!CostModel::usable(r)) continue;
    ++usable;
    models.insert(r.model);
  }
  if (usable < CostModel::kMinRows + 2 || models.size() < 3) {
    if (why) {
      *why = fmt::format("{} usable point(s) of {} model(s); cross-validated prediction needs at least {} points "
                         "of 3 models with energy, latency, FLOPs and parameters",
                         usable, models.size(), CostModel::kMinRows + 2);
    }
    return std::nullopt;
  }
  // Regularisation chosen by measured error on models the fit has not seen.
  std::optional<TrainedPredictor> best;
  for (double lambda : {0.01, 0.1, 1.0, 10.0}) {
    CrossValidation lomo = cross_validate(rows, HoldOut::kModel, lambda);
    if (lomo.predictions == 0) continue;
    if (!best || lomo.energy_mape_pct < best->leave_one_model_out.energy_mape_pct) {
      best = TrainedPredictor{CostModel::fit(rows, lambda), lomo, {}};
    }
  }
  if (!best) {
    if (why) *why = "no cross-validation fold had enough points to fit";
    return std::nullopt;
  }
  best->leave_one_configuration_out = cross_validate(rows, HoldOut::kConfiguration, best->model.lambda());
  return best;
}

}  // namespace edgejoule
