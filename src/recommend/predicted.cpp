#include <map>
#include <set>
#include <tuple>

#include "predict/predictor.h"
#include "recommend/recommend.h"

namespace edgejoule {
namespace {

// A predicted candidate for `row`, with the margins `cv` measured for predictions of its kind.
Candidate predicted_from(const ResultRow& row, const TrainedPredictor& predictor, const CrossValidation& cv,
                         const CostPrediction& p) {
  Candidate c;
  c.row = row;
  c.row.point_id = 0;
  c.row.status = Verdict::kPredicted;
  c.row.reason.clear();
  c.row.energy_provenance = "predicted:" + predictor.model.name();
  c.row.energy_j_per_inference = p.energy_j;
  c.row.energy_j_per_inference_ci95.reset();
  c.row.latency_ms_p99 = p.latency_ms_p99;
  c.row.latency_ms_p50.reset();
  c.row.latency_ms_p90.reset();
  c.row.latency_ms_mean.reset();
  c.row.peak_rss_mb.reset();
  c.row.iterations = 0;
  c.row.repetitions = 0;
  c.row.accuracy_per_joule = accuracy_per_joule(c.row.top1, p.energy_j);
  c.energy_j_per_inference = p.energy_j;
  c.top1 = c.row.top1.value_or(0);
  c.latency_ms_p99 = p.latency_ms_p99;
  c.predicted = true;
  c.energy_upper_j = p.energy_j * (1 + cv.energy_under_q90_pct / 100);
  c.latency_ms_p99_upper = p.latency_ms_p99 * (1 + cv.latency_under_q90_pct / 100);
  c.prediction_model = predictor.model.name();
  return c;
}

}  // namespace

std::vector<Candidate> predicted_candidates(const std::vector<Candidate>& measured, const TrainedPredictor& predictor,
                                            const std::vector<ResultRow>& unprofiled) {
  // Per host: the batch and thread values measured there, and the points that exist.
  std::map<std::string, std::set<int>> batches, threads;
  std::set<std::tuple<std::string, std::string, std::string, std::string, std::string, int, int>> have;
  // One template per (model, host, engine, device, precision).
  std::map<std::tuple<std::string, std::string, std::string, std::string, std::string>, const ResultRow*> groups;
  // The (engine, device, precision) combinations measured per host, and one row of each host.
  std::map<std::string, std::set<std::tuple<std::string, std::string, std::string>>> combos;
  std::set<std::string> measured_models;
  std::set<std::string> datasets;
  for (const auto& c : measured) {
    if (c.predicted) continue;
    const auto& r = c.row;
    batches[r.host_fingerprint].insert(r.batch);
    threads[r.host_fingerprint].insert(r.threads);
    // The precision with the other knobs (optimize, memory format, platform): one variant.
    const std::string variant = numeric_variant(r);
    have.emplace(r.model_sha256, r.host_fingerprint, r.engine, r.device, variant, r.batch, r.threads);
    groups.emplace(std::make_tuple(r.model_sha256, r.host_fingerprint, r.engine, r.device, variant), &r);
    if (variant == r.precision) combos[r.host_fingerprint].emplace(r.engine, r.device, r.precision);
    measured_models.insert(r.model);
    datasets.insert(r.accuracy_dataset);
  }
  std::vector<Candidate> out;
  // Predicts `row` at batch b and t threads, when its features allow.
  auto add = [&](ResultRow row, int b, int t, const CrossValidation& cv) {
    row.batch = b;
    row.threads = t;
    row.effective_threads = t;
    if (const auto p = predictor.model.predict(row)) out.push_back(predicted_from(row, predictor, cv, *p));
  };
  for (const auto& [key, templ] : groups) {
    const auto& host = std::get<1>(key);
    for (int b : batches[host]) {
      for (int t : threads[host]) {
        if (have.count({templ->model_sha256, host, templ->engine, templ->device, std::get<4>(key), b, t})) continue;
        add(*templ, b, t, predictor.leave_one_configuration_out);
      }
    }
  }
  // Models never profiled: their declared accuracy is for fp32 weights, so only fp32 configurations,
  // and only models whose accuracy is on a dataset the measured points are on (accuracy on
  // another task does not compare).
  std::map<std::string, const ResultRow*> host_row;
  for (const auto& c : measured) host_row.emplace(c.row.host_fingerprint, &c.row);
  for (const auto& model : unprofiled) {
    if (!model.top1 || measured_models.count(model.model) || !datasets.count(model.accuracy_dataset)) continue;
    for (const auto& [host, set] : combos) {
      for (const auto& [engine, device, precision] : set) {
        if (precision != "fp32") continue;
        ResultRow row = *host_row[host];
        row.model = model.model;
        row.family = model.family;
        row.model_path = model.model_path;
        row.model_sha256 = model.model_sha256;
        row.params = model.params;
        row.flops = model.flops;
        row.sample_shape = model.sample_shape;
        row.top1 = model.top1;
        row.top5 = model.top5;
        row.accuracy_source = model.accuracy_source;
        row.accuracy_dataset = model.accuracy_dataset;
        row.engine = engine;
        row.device = device;
        row.precision = precision;
        for (int b : batches[host]) {
          for (int t : threads[host]) add(row, b, t, predictor.leave_one_model_out);
        }
      }
    }
  }
  return out;
}

}  // namespace edgejoule
