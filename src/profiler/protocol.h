#pragma once
// The measurement protocol (docs/protocol.md): warm up, then `repetitions` windows of back-to-back
// calls each lasting at least `min_time_s`, then statistics and a VALID/INVALID verdict.
// The sweep runs it for every (model, configuration) not already measured.

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "engines/engine.h"
#include "meters/meter.h"
#include "profiler/listeners.h"
#include "profiler/scenario.h"
#include "core/records.h"

namespace edgejoule {

// Throws Error when a setting is out of range (names the flag).
void validate(const ProtocolSettings& settings);

// Measures one prepared engine. Throws InterruptedError when `stop` becomes true (checked during
// warm-up and after each window, so a window is never cut short).
// With a started `meter`: an idle baseline first, windows at least
// meter_periods_per_window x the meter's update period long, and energy per window.
PointResult run_protocol(Engine& engine, const Configuration& config,
                         const ProtocolSettings& settings, ProfileListener& listener,
                         const PointContext& context, const std::atomic<bool>* stop = nullptr,
                         Meter* meter = nullptr, Meter* cross_check = nullptr);

// The verdict rules, separate so they are testable without an engine. A server point is also
// INVALID when saturated (the arrivals need more call time than its requests have, or queries
// were dropped) and when its p99 latency is over its bound.
void apply_verdict(PointResult& result, const ProtocolSettings& settings, const ScenarioSettings& scenario = {});

struct SweepItem {
  ModelInfo model;
  Configuration config;
  // Known before loading (e.g. the engine has no file of this model, or the zoo build found it
  // cannot import it): the point is stored UNSUPPORTED with this reason, without loading.
  std::string unsupported_reason;
};

struct SweepOutcome {
  size_t measured = 0;     // VALID or INVALID points stored
  size_t unsupported = 0;
  size_t skipped = 0;
  std::vector<std::string> failures;  // one sentence each
  bool interrupted = false;
};

struct SweepOptions {
  ProtocolSettings protocol;
  // Returns a non-empty reason when the point is already measured and must be skipped.
  std::function<std::string(const SweepItem&)> skip_reason;
  // Builds an engine by name (make_engine normally; tests inject fakes).
  std::function<std::unique_ptr<Engine>(const std::string&)> engine_factory;
  const std::atomic<bool>* stop = nullptr;
  // The started meter for a configuration's device, or nullptr for latency only.
  std::function<Meter*(const Configuration&)> meter_for;
  // An optional second meter read over the same windows, to compare sources.
  std::function<Meter*(const Configuration&)> cross_check_for;
  // With a dataset: accuracy of the loaded engine for this item (called after the windows);
  // throws Error when the model does not fit the dataset.
  std::function<std::optional<MeasuredAccuracy>(Engine&, const SweepItem&)> accuracy_for;
  // Before each point (skipped points excluded): put the platform in the item's configuration's
  // power settings (throws Error to stop the sweep) and return its power state as JSON.
  std::function<std::string(const SweepItem&)> platform_for;
};

SweepOutcome run_sweep(const std::vector<SweepItem>& items, const SweepOptions& options,
                       ProfileListener& listener);

}  // namespace edgejoule
