#include "core/result_row.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/strings.h"

namespace edgejoule {
nlohmann::json json_or_null(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }
nlohmann::json json_or_null(const std::optional<int64_t>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

namespace {

using nlohmann::json;
json text(const std::string& s) { return s; }

std::vector<RowField> make_row_fields() {
  std::vector<RowField> f = {
      {"point_id", "point_id", true, [](const ResultRow& r) { return json(r.point_id); }},
      {"model", "model/name", true, [](const ResultRow& r) { return text(r.model); }},
      {"family", "model/family", true, [](const ResultRow& r) { return text(r.family); }},
      {"model_path", "model/path", false, [](const ResultRow& r) { return text(r.model_path); }},
      {"model_sha256", "model/sha256", false, [](const ResultRow& r) { return text(r.model_sha256); }},
      {"params", "model/params", true, [](const ResultRow& r) { return json_or_null(r.params); }},
      {"flops", "model/flops", true, [](const ResultRow& r) { return json_or_null(r.flops); }},
      {"engine", "config/engine", true, [](const ResultRow& r) { return text(r.engine); }},
      {"device", "config/device", true, [](const ResultRow& r) { return text(r.device); }},
      {"precision", "config/precision", true, [](const ResultRow& r) { return text(r.precision); }},
      {"batch", "config/batch", true, [](const ResultRow& r) { return json(r.batch); }},
      {"threads", "config/threads", true, [](const ResultRow& r) { return json(r.threads); }},
  };
  for (const auto& field : config_fields()) {  // the knobs' table, after threads
    const ConfigField* k = &field;
    f.push_back({k->name, "config/" + k->name, true,
                 [k](const ResultRow& r) { return knob_json(*k, knob_value(r.knobs, k->name)); }});
  }
  const std::vector<RowField> rest = {
      {"platform", "config/platform", true, [](const ResultRow& r) { return text(r.platform); }},
      {"sample_shape", "config/sample_shape", false, [](const ResultRow& r) { return text(r.sample_shape); }},
      {"engine_version", "effective/engine_version", true, [](const ResultRow& r) { return text(r.engine_version); }},
      {"effective_threads", "effective/threads", false, [](const ResultRow& r) { return json(r.effective_threads); }},
      {"platform_state", "platform_state", false,
       [](const ResultRow& r) {
         return r.platform_state_json.empty() ? json(nullptr) : json::parse(r.platform_state_json, nullptr, false);
       }},
      {"hostname", "host/hostname", true, [](const ResultRow& r) { return text(r.hostname); }},
      {"cpu_model", "host/cpu_model", false, [](const ResultRow& r) { return text(r.cpu_model); }},
      {"blas", "host/blas", false, [](const ResultRow& r) { return text(r.blas); }},
      {"host_fingerprint", "host/fingerprint", false, [](const ResultRow& r) { return text(r.host_fingerprint); }},
      {"status", "status", true, [](const ResultRow& r) { return text(to_string(r.status)); }},
      {"reason", "reason", true, [](const ResultRow& r) { return text(r.reason); }},
      {"started_at_utc", "started_at_utc", false, [](const ResultRow& r) { return text(r.started_at_utc); }},
      {"repetitions", "repetitions", false, [](const ResultRow& r) { return json(r.repetitions); }},
      {"iterations", "iterations", false, [](const ResultRow& r) { return json(r.iterations); }},
      {"latency_ms_p50", "latency_ms/p50", true, [](const ResultRow& r) { return json_or_null(r.latency_ms_p50); }},
      {"latency_ms_p90", "latency_ms/p90", true, [](const ResultRow& r) { return json_or_null(r.latency_ms_p90); }},
      {"latency_ms_p99", "latency_ms/p99", true, [](const ResultRow& r) { return json_or_null(r.latency_ms_p99); }},
      {"latency_ms_mean", "latency_ms/mean", false, [](const ResultRow& r) { return json_or_null(r.latency_ms_mean); }},
      {"latency_ms_stddev", "latency_ms/stddev", false,
       [](const ResultRow& r) { return json_or_null(r.latency_ms_stddev); }},
      {"window_latency_ms_cv", "latency_ms/window_cv", false,
       [](const ResultRow& r) { return json_or_null(r.window_latency_ms_cv); }},
      {"window_latency_ms_ci95", "latency_ms/window_mean_ci95_half_width", false,
       [](const ResultRow& r) { return json_or_null(r.window_latency_ms_ci95); }},
      {"throughput_sps", "throughput_samples_per_s", true, [](const ResultRow& r) { return json_or_null(r.throughput_sps); }},
      {"requests_in_flight", "scenario/requests_in_flight", true, [](const ResultRow& r) { return json(r.requests_in_flight); }},
      {"busy_fraction", "scenario/busy_fraction", true, [](const ResultRow& r) { return json_or_null(r.busy_fraction); }},
      {"service_ms_mean", "scenario/service_ms_mean", false, [](const ResultRow& r) { return json_or_null(r.service_ms_mean); }},
      {"arrival_seed", "scenario/arrival_seed", false, [](const ResultRow& r) { return json_or_null(r.arrival_seed); }},
      {"dropped_queries", "scenario/dropped_queries", false, [](const ResultRow& r) { return json(r.dropped_queries); }},
      {"energy_j_per_inference", "energy/j_per_inference", true,
       [](const ResultRow& r) { return json_or_null(r.energy_j_per_inference); }},
      {"energy_j_per_inference_ci95", "energy/j_per_inference_ci95_half_width", true,
       [](const ResultRow& r) { return json_or_null(r.energy_j_per_inference_ci95); }},
      {"energy_j_per_inference_stddev", "energy/j_per_inference_stddev", false,
       [](const ResultRow& r) { return json_or_null(r.energy_j_per_inference_stddev); }},
      {"energy_j_per_inference_cv", "energy/j_per_inference_cv", false,
       [](const ResultRow& r) { return json_or_null(r.energy_j_per_inference_cv); }},
      {"energy_above_idle_j_per_inference", "energy/above_idle_j_per_inference", false,
       [](const ResultRow& r) { return json_or_null(r.energy_above_idle_j_per_inference); }},
      {"mean_power_w", "energy/mean_power_w", true, [](const ResultRow& r) { return json_or_null(r.mean_power_w); }},
      {"idle_power_w", "energy/idle_power_w", true, [](const ResultRow& r) { return json_or_null(r.idle_power_w); }},
      {"energy_provenance", "energy/provenance", true, [](const ResultRow& r) { return text(r.energy_provenance); }},
      {"meter", "energy/meter", true, [](const ResultRow& r) { return text(r.meter); }},
      {"meter_update_period_s", "energy/meter_update_period_s", false,
       [](const ResultRow& r) { return json_or_null(r.meter_update_period_s); }},
      {"cross_check_meter", "energy/cross_check/meter", false, [](const ResultRow& r) { return text(r.cross_check_meter); }},
      {"cross_check_difference_pct", "energy/cross_check/difference_pct", false,
       [](const ResultRow& r) { return json_or_null(r.cross_check_difference_pct); }},
      {"top1", "accuracy/top1", true, [](const ResultRow& r) { return json_or_null(r.top1); }},
      {"top5", "accuracy/top5", true, [](const ResultRow& r) { return json_or_null(r.top5); }},
      {"accuracy_provenance", "accuracy/provenance", true, [](const ResultRow& r) { return text(r.accuracy_source); }},
      {"accuracy_dataset", "accuracy/dataset", true, [](const ResultRow& r) { return text(r.accuracy_dataset); }},
      {"accuracy_per_joule", "accuracy_per_joule", true, [](const ResultRow& r) { return json_or_null(r.accuracy_per_joule); }},
      {"peak_rss_mb", "peak_rss_mb", true, [](const ResultRow& r) { return json_or_null(r.peak_rss_mb); }},
  };
  f.insert(f.end(), rest.begin(), rest.end());
  return f;
}

}  // namespace

const std::vector<RowField>& row_fields() {
  static const std::vector<RowField> fields = make_row_fields();
  return fields;
}

std::string flat_text(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "on" : "off";  // only switches are booleans
  if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
  if (v.is_number_float()) return fmt::format("{:.9g}", v.get<double>());
  return v.dump();
}

void to_json(nlohmann::json& j, const ResultRow& r) {
  j = nlohmann::json::object();
  for (const auto& field : row_fields()) j[nlohmann::json::json_pointer("/" + field.json_path)] = field.value(r);
}

nlohmann::json knob_json(const ConfigField& field, const std::string& value) {
  if (field.is_switch) return value == "on";
  if (field.accepts == ConfigField::Accepts::kChoice) return value;
  if (const auto n = field.number(value)) {
    if (field.accepts == ConfigField::Accepts::kPositiveInteger) return static_cast<int64_t>(*n);
    return *n;
  }
  // "none" (no rate, no bound) is no figure; "auto" is a choice.
  if (value == "none") return nullptr;
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
