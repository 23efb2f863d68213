#include "report/result_row.h"

#include <nlohmann/json.hpp>

namespace edgejoule {
namespace {
template <typename T>
nlohmann::json opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
}  // namespace

void to_json(nlohmann::json& j, const ResultRow& r) {
  j = nlohmann::json{
      {"point_id", r.point_id},
      {"model",
       {{"name", r.model},
        {"family", r.family},
        {"path", r.model_path},
        {"sha256", r.model_sha256},
        {"params", opt(r.params)},
        {"flops", opt(r.flops)}}},
      {"config",
       {{"engine", r.engine},
        {"device", r.device},
        {"precision", r.precision},
        {"batch", r.batch},
        {"threads", r.threads},
        {"sample_shape", r.sample_shape}}},
      {"effective", {{"engine_version", r.engine_version}, {"threads", r.effective_threads}}},
      {"host",
       {{"hostname", r.hostname},
        {"cpu_model", r.cpu_model},
        {"blas", r.blas},
        {"fingerprint", r.host_fingerprint}}},
      {"status", r.status},
      {"reason", r.reason},
      {"started_at_utc", r.started_at_utc},
      {"repetitions", r.repetitions},
      {"iterations", r.iterations},
      {"latency_ms",
       {{"p50", opt(r.latency_ms_p50)},
        {"p90", opt(r.latency_ms_p90)},
        {"p99", opt(r.latency_ms_p99)},
        {"mean", opt(r.latency_ms_mean)},
        {"stddev", opt(r.latency_ms_stddev)},
        {"window_cv", opt(r.window_latency_ms_cv)},
        {"window_mean_ci95_half_width", opt(r.window_latency_ms_ci95)}}},
      {"throughput_samples_per_s", opt(r.throughput_sps)},
      {"peak_rss_mb", opt(r.peak_rss_mb)},
      {"energy",
       {{"j_per_inference", opt(r.energy_j_per_inference)},
        {"j_per_inference_stddev", opt(r.energy_j_per_inference_stddev)},
        {"j_per_inference_cv", opt(r.energy_j_per_inference_cv)},
        {"j_per_inference_ci95_half_width", opt(r.energy_j_per_inference_ci95)},
        {"above_idle_j_per_inference", opt(r.energy_above_idle_j_per_inference)},
        {"mean_power_w", opt(r.mean_power_w)},
        {"idle_power_w", opt(r.idle_power_w)},
        {"meter", r.meter},
        {"meter_update_period_s", opt(r.meter_update_period_s)},
        {"provenance", r.energy_provenance},
        {"cross_check", {{"meter", r.cross_check_meter}, {"difference_pct", opt(r.cross_check_difference_pct)}}}}},
      {"accuracy",
       {{"top1", opt(r.top1)},
        {"top5", opt(r.top5)},
        {"provenance", r.accuracy_source},
        {"dataset", r.accuracy_dataset}}},
      {"accuracy_per_joule", opt(r.accuracy_per_joule)},
  };
}

std::string dataset_of_accuracy_source(const std::string& source) {
  const std::string prefix = "measured:";
  if (source.rfind(prefix, 0) != 0) return "";
  const auto last = source.rfind(':');
  if (last == std::string::npos || last < prefix.size()) return "";
  return source.substr(prefix.size(), last - prefix.size());
}

}  // namespace edgejoule
