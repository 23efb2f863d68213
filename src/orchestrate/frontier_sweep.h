#pragma once
// profile --strategy frontier: measures the points that can settle the accuracy / energy
// frontier, not the whole grid. First anchors (every model at the cheapest configuration, and
// the smallest, median and largest model at every other), then, refitting the cost models after
// each round, only points that could still enter the frontier (or fit under the largest budget
// of interest) given the models' cross-validated error; it stops when none can. What it did not
// measure is listed with its prediction and margin, never stored as measured. Resumable: every
// round starts from what the store holds.

#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/host.h"
#include "profiler/listeners.h"
#include "profiler/session.h"
#include "store/store.h"

namespace edgejoule {

// The points measured before any prediction. kSpread: the smallest, median and largest model by
// FLOPs at every configuration (what the configuration ratios and the cost models start from);
// kReference: as kSpread, plus every model at the reference configuration (the smallest batch
// with the most threads): more anchors, measured for every model, kept so the replay bench can
// compare the two.
enum class AnchorPolicy { kSpread, kReference };

struct FrontierSweepSettings {
  size_t round_size = 1;               // points measured between refits
  std::optional<double> max_budget_j;  // the largest budget of interest (J per inference)
  AnchorPolicy anchors = AnchorPolicy::kSpread;
  double tolerance = 0.1;  // plan_frontier's: an energy difference too small to matter (the noise)
  // One line per round before it is measured (what, why, how far the sweep is); null: quiet.
  std::FILE* progress = nullptr;
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

// Measures one round's points into the store (profile: run_session on this device; the replay
// benchmark: copies them from a store where the whole grid was measured).
using MeasureRound = std::function<SweepOutcome(const std::vector<SweepItem>& round)>;

FrontierSweepResult run_frontier_sweep(const std::vector<SweepItem>& items, Store& store, const HostInfo& host,
                                       const MeasureRound& measure, const FrontierSweepSettings& settings);

void write_skipped(std::FILE* out, const FrontierSweepResult& result);

}  // namespace edgejoule
