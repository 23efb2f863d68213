#pragma once
// The records that flow from the profiler to listeners, the store and the reporters.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/configuration.h"
#include "core/engine_settings.h"
#include "core/host.h"
#include "core/stats.h"

namespace edgejoule {

struct ModelInfo {
  std::string path;             // the file an engine loads (one of `files` for zoo models)
  std::string content_sha256;   // of that file: the model's identity in the store
  std::string name;
  std::string family;
  std::string format = "torchscript";
  // Zoo models: every exported file by format ("torchscript", "onnx"), resolved paths.
  std::map<std::string, std::string> files;
  // Why an engine cannot run this model, as the zoo build found ("opencv" -> the importer's
  // reason; "onnx" -> the exporter's). Absent: not known to fail.
  std::map<std::string, std::string> not_runnable;
  // For engines in `not_runnable` by the zoo build's check: the engine version it checked with
  // (a verdict from another version is stale: the engine is tried again).
  std::map<std::string, std::string> checked_with;
  // Formats whose file only takes one batch size (format -> batch), e.g. an ONNX export without
  // a dynamic batch dimension.
  std::map<std::string, int64_t> fixed_batch;
  std::optional<int64_t> params;
  std::optional<int64_t> flops;          // per sample, when known
  // The operator summary of one forward pass (zoo.json "graph": "summary", zoo/graph_ops.py):
  // kernels, MACs per operator class, bytes; empty when the zoo build did not record it.
  std::map<std::string, double> graph;
  std::vector<int64_t> sample_shape;     // without the batch dimension
  // Declared accuracy (from the manifest), with its provenance "declared:<source>".
  std::optional<double> top1;
  std::optional<double> top5;
  std::string accuracy_source;
  std::string accuracy_dataset;  // what the declared accuracy was measured on ("imagenet-1k")
  // A quantised file's own accuracy ("format_accuracy" in zoo.json), which replaces the fp32
  // model's above when an engine loads that file (select_engine_file): measured on a dataset, or
  // not applicable, with why (int8 files of the random-weight ImageNet architectures).
  struct FileAccuracy {
    std::optional<double> top1;
    std::optional<double> top5;
    std::string source;
    std::string dataset;
    std::string not_applicable;
  };
  std::map<std::string, FileAccuracy> file_accuracy;
  // Input preprocessing from the manifest: raw pixel x pixel_scale, then (x - mean) / std.
  double pixel_scale = 1.0 / 255.0;
  std::vector<double> mean;
  std::vector<double> std;
  int resize = 0;  // images: shorter side first, then a centred crop (torchvision presets)
  int crop = 0;
};

// Accuracy measured on a labelled dataset for one point's engine, device and precision.
struct MeasuredAccuracy {
  double top1 = 0;
  double top5 = 0;
  size_t samples = 0;
  std::string source;  // "measured:fmnist:test:10000"
};

// The protocol's settings, with units in the names. Defaults: docs/protocol.md.
struct ProtocolSettings {
  double warmup_s = 1.0;                  // warm up at least this long ...
  int64_t warmup_min_iterations = 2;      // ... and at least this many calls
  double min_time_s = 1.0;                // each measured window lasts at least this long ...
  int64_t min_window_iterations = 1;      // ... and holds at least this many calls
  int repetitions = 3;                    // windows per point
  double max_cv = 0.10;                   // window-to-window cv (latency or energy) above this: INVALID
  double meter_periods_per_window = 10;   // with a meter, each window lasts >= this x its update period
  bool idle_baseline = true;              // with a meter, measure idle power before each point
  // The server scenario's Poisson arrivals are drawn from this seed (the same arrivals in every
  // window of a point, so windows differ only by the machine's noise).
  uint64_t arrival_seed = 1;
};

// The protocol's settings as stored with every point (settings_json) and carried by a queued
// point: {"warmup_s": ..., "warmup_min_iterations": ..., ...}. Reading needs every field.
void to_json(nlohmann::json& j, const ProtocolSettings& p);
// What the engine applied, as a point's stored settings keep it ("effective"): the engine, its
// version, device, precision, threads, backend, requests and the configuration fields it reports.
void to_json(nlohmann::json& j, const EffectiveSettings& e);
void from_json(const nlohmann::json& j, ProtocolSettings& p);

// A point's verdict. kPredicted is never measured or stored: it marks the row of a predicted
// candidate (recommend --predict), so outputs say what it is.
enum class Verdict { kValid, kInvalid, kUnsupported, kPredicted };
const char* to_string(Verdict verdict);
std::optional<Verdict> verdict_from_string(const std::string& text);

// Whether a point measured by engine version `stored` counts as measured by `current`: the
// version keys a point, and an unknown version (empty, from an older store or a failed load)
// does not tell them apart.
inline bool same_engine_version(const std::string& stored, const std::string& current) {
  return stored.empty() || current.empty() || stored == current;
}

// Now, as "2026-12-01T20:49:01Z".
std::string utc_now_iso8601();
std::string utc_iso8601(double unix_s);  // to the second

struct WindowResult {
  int index = 0;
  double duration_s = 0;
  int64_t iterations = 0;       // forward calls
  int64_t samples = 0;          // iterations * batch; one sample = one inference
  Summary latency_ms;           // per forward call
  double throughput_sps = 0;    // samples per second
  // Energy over exactly this window, when a meter is attached and its reading is valid.
  double start_unix_s = 0;
  double end_unix_s = 0;
  std::optional<double> energy_j;
  std::optional<double> energy_j_per_inference;
  std::optional<double> energy_above_idle_j_per_inference;
  std::optional<double> mean_power_w;
  int meter_updates = 0;
  std::string energy_invalid_reason;
  std::optional<double> cross_check_energy_j;  // a second meter over exactly this window
  // Offline and server: the summed time requests spent running, over (requests x duration): the
  // active share of the window (1 - it is idle, for a server between arrivals).
  double busy_fraction = 1;
  double service_ms_mean = 0;   // mean time of one call, without queueing
  int64_t dropped_queries = 0;  // server: arrivals never run because the device fell behind
};

// The energy side of a point: where it came from and how it spread over the windows.
struct EnergyResult {
  std::string meter;               // "rapl:package-0", "estimate:cpu-time(core_w=10,base_w=0)"
  std::string provenance;          // "measured:rapl:package-0" / "estimated:cpu-time"
  bool measured = false;
  double update_period_s = 0;      // as measured during this point (nominal when not measured)
  double min_window_s = 0;         // the window length the meter required
  std::optional<double> idle_power_w;
  double idle_duration_s = 0;
  Summary energy_j_per_inference;              // over windows
  Summary energy_above_idle_j_per_inference;   // over windows (needs the idle baseline)
  Summary mean_power_w;                        // over windows
  // A second meter read over the same windows (e.g. NVML's counter vs its power samples):
  // (its energy - this meter's energy) / this meter's energy, in %, over all windows.
  std::string cross_check_meter;
  std::optional<double> cross_check_difference_pct;
};

struct PointResult {
  Verdict verdict = Verdict::kValid;
  std::string reason;           // why INVALID/UNSUPPORTED; empty when VALID
  double warmup_s = 0;
  int64_t warmup_iterations = 0;
  std::vector<WindowResult> windows;
  Summary latency_ms;              // pooled over every call of every window
  Summary window_latency_ms;       // over the windows' mean latencies: cv, ci95 of the mean
  double throughput_sps = 0;       // all samples / all window time
  std::optional<EnergyResult> energy;  // absent when profiled without a meter
  // The scenario as run: requests in flight (1 for single-stream), the active share of the
  // windows and the mean call time without queueing (offline and server).
  int requests_in_flight = 1;
  std::optional<double> busy_fraction;
  std::optional<double> service_ms_mean;
  int64_t dropped_queries = 0;  // server: arrivals not run because the device fell behind
  // The process's peak resident memory from loading the model to the last window (MiB):
  // model, activations and the engine's buffers, plus the process's own baseline.
  std::optional<double> peak_rss_mb;
};

struct PointRecord {
  ModelInfo model;
  Configuration config;
  EffectiveSettings runtime;           // effective settings as the engine applied them
  ProtocolSettings protocol;
  PointResult result;
  std::optional<MeasuredAccuracy> accuracy;
  std::string started_at_utc;      // ISO 8601
  // The platform's power state read just before the point ran (JSON; see platform/power.h).
  std::string platform_state_json;
};

// A stored point measured afresh with the meter that measured it (the recommender's evaluation
// re-measures each pick): the profiler fills it, the evaluation reads it.
struct Remeasurement {
  std::string status;  // VALID | INVALID | UNSUPPORTED | FAILED (with the reason)
  std::string reason;
  std::optional<double> energy_j;       // per inference
  std::optional<double> energy_ci95_j;  // 95 % CI half-width of the mean over windows
  std::optional<EffectiveSettings> effective;  // what the engine applied, where the point ran
};

}  // namespace edgejoule
