#include "core/result_row.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/strings.h"

namespace edgejoule {
nlohmann::json json_or_null(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }
nlohmann::json json_or_null(const std::optional<int64_t>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

void to_json(nlohmann::json& j, const ResultRow& r) {
  j = nlohmann::json{
      {"point_id", r.point_id},
      {"model",
       {{"name", r.model},
        {"family", r.family},
        {"path", r.model_path},
        {"sha256", r.model_sha256},
        {"params", json_or_null(r.params)},
        {"flops", json_or_null(r.flops)}}},
      {"config",
       {{"engine", r.engine},
        {"device", r.device},
        {"precision", r.precision},
        {"batch", r.batch},
        {"threads", r.threads},
        {"sample_shape", r.sample_shape},
        {"platform", r.platform}}},
      {"effective", {{"engine_version", r.engine_version}, {"threads", r.effective_threads}}},
      {"platform_state", r.platform_state_json.empty() ? nlohmann::json(nullptr)
                                                       : nlohmann::json::parse(r.platform_state_json, nullptr, false)},
      {"host",
       {{"hostname", r.hostname},
        {"cpu_model", r.cpu_model},
        {"blas", r.blas},
        {"fingerprint", r.host_fingerprint}}},
      {"status", to_string(r.status)},
      {"reason", r.reason},
      {"started_at_utc", r.started_at_utc},
      {"repetitions", r.repetitions},
      {"iterations", r.iterations},
      {"latency_ms",
       {{"p50", json_or_null(r.latency_ms_p50)},
        {"p90", json_or_null(r.latency_ms_p90)},
        {"p99", json_or_null(r.latency_ms_p99)},
        {"mean", json_or_null(r.latency_ms_mean)},
        {"stddev", json_or_null(r.latency_ms_stddev)},
        {"window_cv", json_or_null(r.window_latency_ms_cv)},
        {"window_mean_ci95_half_width", json_or_null(r.window_latency_ms_ci95)}}},
      {"throughput_samples_per_s", json_or_null(r.throughput_sps)},
      {"peak_rss_mb", json_or_null(r.peak_rss_mb)},
      {"energy",
       {{"j_per_inference", json_or_null(r.energy_j_per_inference)},
        {"j_per_inference_stddev", json_or_null(r.energy_j_per_inference_stddev)},
        {"j_per_inference_cv", json_or_null(r.energy_j_per_inference_cv)},
        {"j_per_inference_ci95_half_width", json_or_null(r.energy_j_per_inference_ci95)},
        {"above_idle_j_per_inference", json_or_null(r.energy_above_idle_j_per_inference)},
        {"mean_power_w", json_or_null(r.mean_power_w)},
        {"idle_power_w", json_or_null(r.idle_power_w)},
        {"meter", r.meter},
        {"meter_update_period_s", json_or_null(r.meter_update_period_s)},
        {"provenance", r.energy_provenance},
        {"cross_check", {{"meter", r.cross_check_meter}, {"difference_pct", json_or_null(r.cross_check_difference_pct)}}}}},
      {"accuracy",
       {{"top1", json_or_null(r.top1)},
        {"top5", json_or_null(r.top5)},
        {"provenance", r.accuracy_source},
        {"dataset", r.accuracy_dataset}}},
      {"accuracy_per_joule", json_or_null(r.accuracy_per_joule)},
  };
  for (const auto& field : config_fields()) j["config"][field.name] = knob_json(field, knob_value(r.knobs, field.name));
}

nlohmann::json knob_json(const ConfigField& field, const std::string& value) {
  if (field.is_switch) return value == "on";
  return value;
}

namespace {
// The knobs beyond engine/device/precision/batch/threads, where not at their defaults.
std::string knob_suffix(const ResultRow& r) {
  return knob_labels(r.knobs) + (r.platform.empty() ? "" : " [" + r.platform + "]");
}
}  // namespace

std::string configuration_label(const ResultRow& r) {
  return fmt::format("{}/{}/{} b{} t{}{}", r.engine, r.device, r.precision, r.batch, r.threads, knob_suffix(r));
}

std::string numeric_variant(const ResultRow& r) { return r.precision + knob_suffix(r); }

Configuration configuration_of(const ResultRow& r) {
  Configuration c;
  c.engine = r.engine;
  c.device = r.device;
  c.precision = r.precision;
  c.batch = r.batch;
  c.threads = r.threads;
  c.sample_shape = parse_shape(r.sample_shape, "stored shape");
  c.meter = r.config_meter;
  c.knobs = r.knobs;
  c.platform = r.platform;
  return c;
}

std::string dataset_of_accuracy_source(const std::string& source) {
  const std::string prefix = "measured:";
  if (accuracy_provenance_of(source) != AccuracyProvenance::kMeasured) return "";
  const auto last = source.rfind(':');
  if (last == std::string::npos || last < prefix.size()) return "";
  return source.substr(prefix.size(), last - prefix.size());
}

}  // namespace edgejoule
