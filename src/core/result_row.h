#pragma once
// One result row: the single schema every output (console table, JSON, CSV, Markdown, HTML)
// is written from, as llama-bench does. Units are in the field names.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/configuration.h"
#include "core/provenance.h"
#include "core/records.h"

namespace edgejoule {

struct ResultRow {
  int64_t point_id = 0;
  // model
  std::string model;
  std::string family;
  std::string model_path;
  std::string model_sha256;
  std::optional<int64_t> params;
  std::optional<int64_t> flops;
  // configuration (requested) and what the engine applied
  std::string engine;
  std::string device;
  std::string precision;
  int batch = 0;
  int threads = 0;
  std::string sample_shape;
  std::string engine_version;
  int effective_threads = 0;
  KnobValues knobs;                 // the configuration fields (core/config_fields.h); absent = default
  std::string platform;             // platform power settings of the configuration ("" = as found)
  std::string platform_state_json;  // the platform's power state read while the point ran
  // host
  std::string hostname;
  std::string cpu_model;
  std::string blas;
  std::string host_fingerprint;
  std::string device_class;  // the host's device type (HostInfo::device_class): fleet views group by it
  // verdict
  Verdict status = Verdict::kValid;
  std::string reason;
  std::string started_at_utc;
  // latency per forward call (a call processes `batch` samples)
  int repetitions = 0;
  int64_t iterations = 0;
  std::optional<double> latency_ms_p50, latency_ms_p90, latency_ms_p99, latency_ms_mean,
      latency_ms_stddev, window_latency_ms_cv, window_latency_ms_ci95;
  std::optional<double> throughput_sps;
  std::optional<double> peak_rss_mb;  // the process's peak resident memory while the point ran
  // how the queries were issued (the scenario is a configuration field): requests in flight, the
  // windows' active share, the mean call time without queueing, the server's arrival seed and
  // the arrivals it dropped
  int requests_in_flight = 1;
  std::optional<double> busy_fraction;
  std::optional<double> service_ms_mean;
  std::optional<int64_t> arrival_seed;
  int64_t dropped_queries = 0;
  // energy per inference (one sample) with provenance; absent without a meter
  std::string config_meter;       // the meter in the configuration key
  std::string meter;              // e.g. "rapl:package-0"
  std::string energy_provenance;  // "measured:<meter>" or "estimated:cpu-time" (energy_kind() reads it)
  std::optional<double> meter_update_period_s, idle_power_w, mean_power_w, energy_j_per_inference,
      energy_j_per_inference_stddev, energy_j_per_inference_cv, energy_j_per_inference_ci95,
      energy_above_idle_j_per_inference;
  std::string cross_check_meter;
  std::optional<double> cross_check_difference_pct;
  // derived: top-1 accuracy (fraction) per joule per inference, where both are known
  std::optional<double> accuracy_per_joule;
  // accuracy with provenance
  std::optional<double> top1, top5;
  std::string accuracy_source;  // "declared:<source>" or empty when unknown
  // What the accuracy is on ("imagenet-1k", "fmnist:test"): only figures on one dataset compare.
  std::string accuracy_dataset;

  EnergyProvenance energy_kind() const { return energy_provenance_of(energy_provenance); }
  AccuracyProvenance accuracy_kind() const { return accuracy_provenance_of(accuracy_source); }
};

// Where a store hands rows over one at a time (Store::each_row), so a question over a whole
// store need not hold every row twice, once as read and once as what it keeps.
class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual void expect(size_t /*rows*/) {}  // told first: how many rows at most will come
  virtual void take(ResultRow&& row) = 0;
};

// The one output schema of a result row: every figure an output shows, once, with its flat name
// (CSV and Markdown header, the HTML report's data field) and its place in the nested JSON
// ("latency_ms/p50"). The console table and the HTML charts choose among these fields; a field
// added here (or a configuration field added to its table) reaches every format.
struct RowField {
  std::string name;       // flat name, units in it: "latency_ms_p50"
  std::string json_path;  // "latency_ms/p50"
  bool flat = true;       // a column of the flat exports (CSV, Markdown)
  std::function<nlohmann::json(const ResultRow&)> value;  // null where the figure is missing
};
const std::vector<RowField>& row_fields();
// A field's value as flat text: "" for null, a switch as off/on, integers as they are, other
// numbers with 9 significant digits.
std::string flat_text(const nlohmann::json& value);

// The nested JSON of a row, from row_fields().
void to_json(nlohmann::json& j, const ResultRow& row);

// Top-1 accuracy as a fraction per joule per inference: the one unit of "accuracy per joule".
inline std::optional<double> accuracy_per_joule(std::optional<double> top1_pct, double energy_j) {
  if (!top1_pct || !(energy_j > 0)) return std::nullopt;
  return *top1_pct / 100.0 / energy_j;
}

// A configuration field's value as written to JSON: a switch as false/true, others as text.
nlohmann::json knob_json(const ConfigField& field, const std::string& value);

// A figure that may be missing, as JSON: its value, or null.
nlohmann::json json_or_null(const std::optional<double>& value);
nlohmann::json json_or_null(const std::optional<int64_t>& value);

// The configuration part of a row: "engine/device/precision b<batch> t<threads>".
std::string configuration_label(const ResultRow& row);
// The precision with the knobs that change the computation at a given batch and thread count:
// "fp32", "fp32 opt", "int8 cl", "fp32 [cpu_max_freq_khz=1200000]". The cost model treats each
// as one level.
std::string numeric_variant(const ResultRow& row);
// The configuration a stored row was measured in (its key matches the stored one).
Configuration configuration_of(const ResultRow& row);

// "measured:fmnist:test:10000" -> "fmnist:test"; "" for declared sources (whose dataset the
// manifest names) and for anything else.
std::string dataset_of_accuracy_source(const std::string& source);

}  // namespace edgejoule
