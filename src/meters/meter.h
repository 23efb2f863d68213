#pragma once
// Energy sources. A meter keeps a curve of cumulative energy over Unix time, sampled by its own
// thread (counters read, power integrated, a log file tailed); the profiler asks for the energy
// between two instants and takes the difference. Sensors (where energy comes from) know nothing
// about results (where it goes), as in Scaphandre.

#include <memory>
#include <string>
#include <vector>

namespace edgejoule {

struct MeterInfo {
  std::string name;          // "rapl:package-0", "nvml:0", "hwmon:ina3221:VDD_IN", "log:FILE", "estimate"
  std::string provenance;    // "measured:<name>" or "estimated:cpu-time"
  bool measured = true;      // false only for the estimate
  std::string covers;        // what the figure includes, in words
  double update_period_s = 0;  // how often the underlying value changes (nominal until measured)
};

struct EnergyReading {
  bool valid = false;
  double energy_j = 0;
  int updates = 0;           // distinct value updates inside the span (counter steps, log samples)
  std::string why_invalid;
};

class Meter {
 public:
  virtual ~Meter() = default;
  virtual MeterInfo info() const = 0;
  // Starts sampling; throws Error when the source cannot be read (naming it and what to do).
  virtual void start() = 0;
  virtual void stop() = 0;
  // Takes a sample now (the profiler calls it at window boundaries).
  virtual void sample_now() = 0;
  // Energy over [t0_s, t1_s] (Unix seconds). Waits up to `wait_s` for a value that lies past t1
  // (a counter's next step, a log's next line) so the end of the span is bracketed, not guessed.
  virtual EnergyReading energy_between(double t0_s, double t1_s, double wait_s) = 0;
  // Nothing before t_s will be asked for again: its readings may go (a meter kept open for
  // hours, as a Monitor is, keeps its memory and its queries' cost bounded).
  virtual void forget_before(double /*t_s*/) {}
  // Changes of the sensor's raw value seen since start(), and the mean interval between them
  // (0 until three were seen): the update period as measured, not as documented.
  virtual int update_count() const = 0;
  virtual double measured_update_period_s() const = 0;
};

// Counter wrap-around: the increase from `previous` to `current` of a counter that wraps to 0
// after `max_value` (RAPL's max_energy_range_uj). A counter that went backwards without a known
// range cannot be trusted: returns -1.
long double counter_delta(unsigned long long previous, unsigned long long current,
                          unsigned long long max_value);

double unix_now_s();

// --meter auto|nvml|rapl[:domains]|hwmon[:label]|log:FILE|estimate[:core_w=..,base_w=..].
// `device` is the profiled device ("cpu" or "cuda"): auto picks NVML for cuda, then RAPL, hwmon,
// estimate for cpu. Throws Error saying why the requested source is unavailable.
std::unique_ptr<Meter> make_meter(const std::string& spec, const std::string& sysfs_root,
                                  const std::string& device);

// For `edgejoule meters`: every known source, found or not, and why not.
struct MeterSource {
  std::string name;
  bool available = false;
  std::string covers;
  std::string why_unavailable;
  std::string spec;          // what to pass to --meter
};
std::vector<MeterSource> list_meter_sources(const std::string& sysfs_root);

// Measures how often a started meter's value changes: waits until it has changed `changes`
// times or `timeout_s` passed. Returns the mean interval in seconds, or 0 when it did not change.
double measure_update_period_s(Meter& meter, int changes, double timeout_s);

}  // namespace edgejoule
