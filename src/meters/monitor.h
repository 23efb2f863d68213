#pragma once
// Energy windows for any program (and the Python package): open the device's meter once, then
// measure named spans of the caller's own work between begin(name) and end(name), as Zeus's
// ZeusMonitor does. The meter is chosen as `profile` chooses it (make_meter, board totals and
// rail sums included), so a window and a profiled point on the same device agree on what they
// cover. Windows may nest and overlap: each is a pair of instants on the meter's one energy curve.

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "meters/meter.h"

namespace edgejoule {

struct MonitorOptions {
  std::string meter = "auto";      // a --meter spec
  std::string sysfs_root = "/";
  std::string device = "cpu";      // "cuda": auto takes NVML, or the board's rails where NVML has no power
  // A window shorter than this many of the meter's update periods is flagged too short to trust
  // (the profiler's INVALID rule for its windows, meter_periods_per_window).
  double periods_per_window = 10;
};

struct EnergyWindow {
  std::string name;
  double start_s = 0;               // Unix seconds
  double duration_s = 0;
  double energy_j = 0;
  double mean_power_w = 0;
  std::string meter;                // MeterInfo::name
  std::string covers;               // what the figure includes, in words
  std::string provenance;           // "measured:<meter>" or "estimated:cpu-time"
  bool measured = true;
  int updates = 0;                  // the meter's value updates inside the window
  double update_period_s = 0;       // measured where the meter has updated often enough, else nominal
  bool too_short = false;
  std::string too_short_reason;     // with the figures, empty when not too short
};

class Monitor {
 public:
  // Opens and starts the meter; throws Error saying why it cannot (the sentences of `edgejoule
  // meters`), never a meter that reads 0.
  explicit Monitor(const MonitorOptions& options = {});
  ~Monitor();
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  const MeterInfo& meter_info() const { return info_; }

  // Starts window `name`; throws Error when a window of that name is already open.
  void begin(const std::string& name);
  // Ends window `name` and returns its figures; throws Error when no such window is open, or when
  // the meter cannot give the window's energy (why, never 0). Waits for the meter's next update
  // past the end (at most a few update periods) so the end is bracketed, not guessed.
  EnergyWindow end(const std::string& name);
  // Drops an open window without measuring it (Python's context manager on an exception).
  void cancel(const std::string& name);
  std::vector<std::string> open_windows() const;

 private:
  MonitorOptions options_;
  std::unique_ptr<Meter> meter_;
  MeterInfo info_;
  mutable std::mutex mutex_;
  std::map<std::string, double> open_;  // name -> start (Unix seconds)
};

}  // namespace edgejoule
