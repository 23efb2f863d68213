#pragma once
// How queries reach the engine in one measured window, per scenario (MLPerf loadgen's names):
// single-stream issues one query after another, offline keeps N requests in flight back to back,
// server issues queries at Poisson arrival times to N requests. The scenario decides when a query
// is issued; the engine only runs it (Engine::run_request), so every engine runs every scenario.

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/configuration.h"
#include "engines/engine.h"

namespace edgejoule {

struct ScenarioSettings {
  std::string scenario = "single-stream";  // single-stream | offline | server
  int requests = 1;                        // in flight (offline, server)
  std::optional<double> rate_qps;          // server
  std::optional<double> latency_bound_ms;  // server: p99 bound for VALID
  uint64_t arrival_seed = 1;
};
// The scenario of a configuration, with the requests the engine made.
ScenarioSettings scenario_of(const Configuration& config, int requests, uint64_t arrival_seed);
// Requests the configuration asks for: 1 for single-stream, 0 for "auto" (the engine's choice).
int requested_concurrency(const Configuration& config);

// Arrival times (seconds from the window's start, sorted) of a Poisson process at `rate_qps` over
// `span_s`, given its count: round(rate x span) arrivals (at least `min_queries`, the span
// stretched to keep the rate), each uniform over the span. Deterministic for a seed on every
// platform (mt19937_64, not a library's distribution).
std::vector<double> poisson_arrivals_s(double rate_qps, double span_s, int64_t min_queries, uint64_t seed);

struct IssuedWindow {
  // Per query: single-stream and offline from the call's start, server from its scheduled
  // arrival (queueing included) to its completion.
  std::vector<double> latencies_ms;
  double duration_s = 0;       // the first issue to the last completion
  double start_unix_s = 0;     // the same span on the meters' clock
  double end_unix_s = 0;
  double busy_fraction = 1;    // summed call time / (requests x duration)
  double service_ms_mean = 0;  // mean call time, without queueing
  int64_t dropped_queries = 0; // server: arrivals not run because the device fell behind
};

// Runs one window of at least `window_s` (and `min_queries` queries) in `scenario` on a
// prepared engine (with prepare_requests() done for offline and server). A server window issues
// the arrivals of `window_s`; arrivals still waiting `drain_s` after the last one are dropped
// (counted, not run), so a rate the device cannot serve ends the window instead of hanging it.
IssuedWindow issue_window(Engine& engine, const ScenarioSettings& scenario, double window_s, int64_t min_queries,
                          double drain_s);

// Warm-up in the scenario's way of issuing (requests in flight for offline and server): at
// least `min_s` and `min_calls` calls. Returns the calls made; throws InterruptedError on stop.
int64_t warm_up(Engine& engine, const ScenarioSettings& scenario, double min_s, int64_t min_calls,
                const std::atomic<bool>* stop);

}  // namespace edgejoule
