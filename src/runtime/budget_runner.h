#pragma once
// Runs a workload under an energy budget (the closed loop, after ALERT): two adjacent frontier
// configurations share the inferences in the proportion that spends the budget exactly in
// expectation (recommend/mix.h), interleaved deterministically; the device's meter is read every
// window, each configuration's cost is re-estimated from what it drew, and the mix is re-planned
// from the budget left and the work left. When even the cheapest configuration can no longer
// cover the rest, the run stops there (or, asked to degrade, goes on at the cheapest) and says so.
// The engine, the meter and the clock come from outside, so tests drive it exactly with a
// synthetic workload, a fake meter and a simulated clock.

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "meters/meter.h"
#include "recommend/mix.h"

namespace edgejoule {

// One configuration the runner may run: a stored frontier point.
struct RunOption {
  std::string label;
  int64_t point_id = 0;
  double energy_j = 0;         // stored, per inference (at the rate, idle share included, when there is one)
  double active_energy_j = 0;  // stored, of the call itself (== energy_j without a rate)
  double latency_ms = 0;       // stored mean call time
  double top1 = 0;             // percent
  std::string accuracy_source;
  std::optional<double> memory_mb;  // peak resident memory while its point ran
};

struct RunPlan {
  std::vector<RunOption> options;
  double budget_j = 0;                 // for the whole job
  int64_t inferences = 0;
  std::optional<double> rate_qps;      // inferences issued at this rate; the idle time between them counts
  double idle_power_w = 0;             // what the device draws idle (attributes the gaps at a rate)
  std::optional<double> memory_limit_mb;  // both configurations stay loaded only when they fit
  bool degrade = false;                // go on at the cheapest instead of stopping
  double window_s = 0.5;               // the meter is read and the mix re-planned every window
  // Kept back at each re-plan, as a share of the budget left: the tail of the run is planned
  // from figures read a window late.
  double reserve = 0.02;
  // Of the whole budget, never planned for: what the last windows' unconfirmed estimates may
  // overrun by before the meter reads them.
  double margin = 0.01;
  std::optional<double> latency_limit_ms;  // counted per inference (queueing included at a rate)
};

// What runs the inferences: a real engine per option (runtime/engine_workload.h) or, in tests,
// a synthetic one.
class Workload {
 public:
  virtual ~Workload() = default;
  virtual void load(size_t option) = 0;
  virtual void unload(size_t option) = 0;
  // Runs input `index` through the option; whether the answer was right, where labelled.
  virtual std::optional<bool> infer(size_t option, int64_t index) = 0;
};

// Time as the meter counts it (Unix seconds).
class Clock {
 public:
  virtual ~Clock() = default;
  virtual double now_s() = 0;
  virtual void sleep_until(double t_s) = 0;
};
Clock& system_clock();

struct RunProgress {
  int64_t done = 0;
  int64_t total = 0;
  double spent_j = 0;       // read so far, plus the last window's estimate
  double budget_j = 0;
  Mix mix;                  // the plan for the next inferences
  bool degraded = false;
};

class RunListener {
 public:
  virtual ~RunListener() = default;
  virtual void on_progress(const RunProgress&) {}
  // One sentence, at the moment it happens (a re-plan that changes the pair, a stop, a degrade).
  virtual void on_event(const std::string&) {}
};

struct OptionUsage {
  int64_t inferences = 0;
  double busy_s = 0;
  double live_energy_j = 0;  // per inference, as re-estimated from the meter (stored until read)
  int64_t correct = 0;
  int64_t labelled = 0;
  int loads = 0;
  double load_s = 0;
};

enum class RunStatus { kCompleted, kStopped, kInterrupted };
const char* to_string(RunStatus status);

struct RunReport {
  RunStatus status = RunStatus::kCompleted;
  std::string stop_reason;
  bool degraded = false;
  std::string degraded_at;  // when and why, in words
  double started_at_s = 0;
  double ended_at_s = 0;
  int64_t inferences_planned = 0;
  int64_t inferences_done = 0;
  double budget_j = 0;
  std::optional<double> energy_j;  // the meter's reading over the whole run
  std::string energy_why_invalid;
  int64_t switches = 0;            // consecutive inferences on different configurations
  Mix first_mix;                   // the plan from the stored figures
  int replans = 0;
  std::vector<OptionUsage> usage;  // per option
  std::optional<double> latency_ms_p99;
  int64_t over_latency_limit = 0;
  std::vector<std::string> events;
  // Each re-plan: after how many inferences, the energy spent by then (read, plus estimated for
  // what the meter has not covered yet), the reserve kept back and the mix planned.
  struct Replan {
    int64_t done = 0;
    double t_s = 0;  // since the start
    double spent_j = 0;
    double reserve = 0;
    Mix mix;
  };
  std::vector<Replan> trace;

  int64_t correct() const;
  int64_t labelled() const;
};

// Throws Error (exit 2) with the figures when the budget cannot cover the work even at the
// cheapest option, or there is no option; nothing is loaded or run.
void check_budget_covers(const RunPlan& plan);

// Runs the plan to the end, a stop, or `*stop` (Ctrl-C). `meter` is started by the caller.
RunReport run_under_budget(const RunPlan& plan, Workload& workload, Meter& meter, Clock& clock, RunListener& listener,
                           const std::atomic<bool>* stop = nullptr);

}  // namespace edgejoule
