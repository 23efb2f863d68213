#pragma once
// What `edgejoule run` (and any program) needs before the loop: the frontier of this host's
// stored points that one request at a time can run, the budget for the whole job, the model
// files and inputs; then the workload on real engines, and the record a finished run is stored
// as. The loop itself is runtime/budget_runner.h.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/host.h"
#include "core/records.h"
#include "core/result_row.h"
#include "runtime/budget_runner.h"
#include "store/store.h"

namespace edgejoule {

class Dataset;

struct RunRequest {
  std::string input = "synthetic";  // synthetic | a --dataset spec (fmnist:test, imagefolder:DIR, idx:...)
  std::string zoo_dir;              // where the models are, when not at the paths the store names
  std::string dataset;              // the accuracy dataset of the points; "" = the input's, or the only one
  std::string energy_source = "auto";
  std::optional<int64_t> inferences;
  std::optional<double> duration_s;  // with a rate: rate x duration inferences
  std::optional<double> rate_qps;
  // Exactly one budget: total joules, joules per inference, or average watts at the rate.
  std::optional<double> energy_budget_j, energy_per_inference_j, power_budget_w;
  std::optional<double> latency_limit_ms;
  std::optional<double> memory_limit_mb;
  bool any_host = false;
  bool degrade = false;
  double window_s = 0.5;
};

// One option's model and configuration, to load it.
struct RunTarget {
  ModelInfo model;  // the file and its preprocessing
  ResultRow row;    // the stored point (engine, device, precision, threads, knobs)
};

struct RunSetup {
  RunPlan plan;
  std::vector<RunTarget> targets;     // per plan option
  std::string accuracy_dataset;
  std::string energy_kind;            // of the stored figures planned with
  std::string device = "cpu";
  std::vector<std::string> warnings;  // one sentence each (another host's points, ...)
  size_t candidates = 0;              // stored points that could run, before the hull
};

// Reads the store's points for `host` and builds the plan: VALID single-stream batch-1 points
// with energy and accuracy on one dataset (derived at the rate when there is one), within the
// latency limit, reduced to the accuracy-energy hull. Throws Error (exit 2) for bad input: no
// budget or several, no work, no points of this host (unless any_host), an empty frontier, a
// budget below the cheapest point, a missing model file.
RunSetup prepare_run(const RunRequest& request, Store& store, const HostInfo& host);

// The budget's form in words: "2 J for 100 inferences (0.02 J each)".
std::string describe_budget(const RunRequest& request, const RunPlan& plan);

// Real engines on real inputs: each option's model loaded with its stored configuration; inputs
// from `dataset` (decoded once before the run, up to `cache_mb`, then cycled) or, without one,
// the engine's own deterministic input. Each labelled answer is written to `predictions_csv`
// when it is open.
class EngineWorkload final : public Workload {
 public:
  EngineWorkload(std::vector<RunTarget> targets, std::shared_ptr<Dataset> dataset, std::string predictions_path,
                 double cache_mb = 512);
  ~EngineWorkload() override;
  void load(size_t option) override;
  void unload(size_t option) override;
  std::optional<bool> infer(size_t option, int64_t index) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The record of a finished run: the document `run --json` prints and the store keeps.
nlohmann::json run_record_json(const RunRequest& request, const RunSetup& setup, const RunReport& report,
                               const MeterInfo& meter, const HostInfo& host, const std::string& input_name);
StoredRun stored_run(const nlohmann::json& record);

}  // namespace edgejoule
