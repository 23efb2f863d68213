#pragma once
// profile --strategy frontier: measures the points that can settle the accuracy / energy
// frontier, not the whole grid. First anchors (every model at the cheapest configuration, and
// the smallest, median and largest model at every other), then, refitting the cost models after
// each round, only points that could still enter the frontier (or fit under the largest budget
// of interest) given the models' cross-validated error; it stops when none can. What it did not
// measure is listed with its prediction and margin, never stored as measured. Resumable: every
// round starts from what the store holds.

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "core/host.h"
#include "profiler/listeners.h"
#include "profiler/session.h"
#include "store/store.h"

namespace edgejoule {

struct FrontierSweepSettings {
  size_t round_size = 4;               // points measured between refits
  std::optional<double> max_budget_j;  // the largest budget of interest (J per inference)
};

// A point the sweep left unmeasured, with what the cost model predicts for it.
struct SkippedPoint {
  std::string label;  // "resnet152 torchscript/cpu/fp32 b8 t2"
  double top1 = 0;
  double predicted_energy_j = 0;
  double margin = 0;    // relative error the decision allowed for
  std::string why;      // "dominated by a measured point" | "over the largest budget"
  std::string model;    // the cost model that predicted it
};

struct FrontierSweepResult {
  SweepOutcome outcome;
  size_t planned = 0;  // points of the whole grid
  size_t rounds = 0;
  bool settled = false;
  std::vector<SkippedPoint> skipped;
};

FrontierSweepResult run_frontier_sweep(const std::vector<SweepItem>& items, Store& store, const HostInfo& host,
                                       const DeviceMeters& meters, const SessionSettings& session,
                                       ProfileListener& listener, const FrontierSweepSettings& settings);

void write_skipped(std::FILE* out, const FrontierSweepResult& result);

}  // namespace edgejoule
