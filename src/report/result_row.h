#pragma once
// One result row: the single schema every output (console table, JSON, later CSV/Markdown/HTML)
// is written from, as llama-bench does. Units are in the field names.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

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
  // host
  std::string hostname;
  std::string cpu_model;
  std::string blas;
  // verdict
  std::string status;   // VALID | INVALID | UNSUPPORTED
  std::string reason;
  std::string started_at_utc;
  // latency per forward call (a call processes `batch` samples)
  int repetitions = 0;
  int64_t iterations = 0;
  std::optional<double> latency_ms_p50, latency_ms_p90, latency_ms_p99, latency_ms_mean,
      latency_ms_stddev, window_latency_ms_cv, window_latency_ms_ci95;
  std::optional<double> throughput_sps;
  // accuracy with provenance
  std::optional<double> top1, top5;
  std::string accuracy_source;  // "declared:<source>" or empty when unknown
};

void to_json(nlohmann::json& j, const ResultRow& row);

}  // namespace edgejoule
