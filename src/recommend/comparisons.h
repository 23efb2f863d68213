#pragma once
// The engine and the scenario are knobs too: for each model and configuration measured (VALID)
// in several engines, which is faster and which costs less energy per inference; for each
// measured in several scenarios, each one's energy and throughput against single-stream.
// Figures only: report/ draws them under the table.

#include <optional>
#include <string>
#include <vector>

#include "core/result_row.h"

namespace edgejoule {

struct EngineComparison {
  struct Entry {
    std::string engine;
    double latency_ms_p50 = 0;
    std::optional<double> energy_j_per_inference;
  };
  std::string model;
  std::string configuration;  // "cpu fp32 b1 t2"
  std::vector<Entry> entries;
  std::string fastest;
  double speedup = 1;         // slowest p50 / fastest p50
  std::string lowest_energy;      // empty without energy figures
  std::string energy_provenance;  // of every energy figure compared ("measured:rapl:package-0")
};
// Same model (by name: each engine loads its own file), host, device, precision with the knobs
// that change what is computed, batch, threads and energy source; in the rows' order.
std::vector<EngineComparison> compare_engines_per_model(const std::vector<ResultRow>& rows);

struct ScenarioComparison {
  struct Entry {
    std::string scenario;  // "offline x4 at 20/s hint:throughput": the scenario, its fields and the engine's settings
    double energy_j_per_inference = 0;
    double throughput_sps = 0;
    std::optional<double> relative_to_single_stream;  // its energy / single-stream's, where both were measured
  };
  std::string label;              // "resnet18 openvino cpu fp32 b1 t2"
  std::string energy_provenance;
  std::vector<Entry> entries;
};
// Same model, engine, host, device, precision (with the knobs that change what is computed),
// batch, threads and energy source: the scenario's fields and the engine's execution settings
// may differ, as each scenario has its own best setting. Only groups with two scenarios or more.
std::vector<ScenarioComparison> compare_scenarios(const std::vector<ResultRow>& rows);

}  // namespace edgejoule
