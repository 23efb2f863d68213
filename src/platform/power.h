#pragma once
// The platform's power state, read (never changed here) with every point and shown by
// 'edgejoule platform': CPU frequency policies (cpufreq), GPU power limit, clocks and performance
// state (NVML), Jetson power mode (nvpmodel). Every path is read under a root directory
// (--sysfs-root), so tests and odd systems can point it at a fake tree.

#include <optional>
#include <string>
#include <vector>

namespace edgejoule {

struct CpufreqPolicy {
  std::string name;          // policy0
  std::string path;          // <root>/sys/devices/system/cpu/cpufreq/policy0
  std::string cpus;          // affected_cpus, e.g. "0 1"
  std::string governor;
  std::vector<std::string> governors;        // scaling_available_governors
  std::optional<long long> min_khz, max_khz, cur_khz;      // scaling_*
  std::optional<long long> hw_min_khz, hw_max_khz;         // cpuinfo_*
  std::vector<long long> available_khz;      // scaling_available_frequencies, when listed
  bool writable = false;     // scaling_max_freq and scaling_governor writable by this process
};

struct GpuPowerState {
  int index = 0;
  std::string name;
  std::optional<double> power_limit_w, default_power_limit_w, min_power_limit_w, max_power_limit_w;
  std::optional<unsigned> sm_clock_mhz, memory_clock_mhz;
  std::optional<int> performance_state;  // P0 (fastest) .. P15
  bool can_set_power_limit = false;      // the driver has the setter (privileges are checked when used)
  bool can_lock_clocks = false;
};

struct JetsonPowerState {
  bool nvpmodel_present = false;
  std::string nvpmodel_mode;            // "MAXN"
  std::optional<int> nvpmodel_id;
  std::optional<bool> jetson_clocks;    // inferred: every CPU policy pinned at its maximum
};

struct PlatformState {
  std::vector<CpufreqPolicy> cpufreq;
  std::string cpufreq_missing;          // why there is no policy, when none
  std::vector<GpuPowerState> gpus;
  std::string gpu_missing;              // why no GPU state (no NVML), when none
  JetsonPowerState jetson;
  std::string to_json() const;          // compact JSON, as stored with every point
};

// Reads everything available. `with_gpu` loads NVML (skip it on machines that profile the CPU
// only, to keep points from waiting on a driver).
PlatformState read_platform_state(const std::string& root, bool with_gpu);

// A platform knob and whether this machine offers it to this process, and why not.
struct PlatformKnob {
  std::string knob;     // cpu_max_freq_khz, cpu_governor, gpu_power_limit_w, gpu_locked_clocks_mhz, nvpmodel
  std::string flag;     // --cpu-max-freq-khz ...
  bool available = false;
  std::string values;   // what it can be set to, when available
  std::string why_not;  // when not available
};
std::vector<PlatformKnob> platform_knobs(const PlatformState& state);

// Reads `nvpmodel -q` (first line "NV Power Mode: NAME", then the mode id). nullopt when no
// nvpmodel is on PATH.
std::optional<std::pair<std::string, int>> query_nvpmodel();

}  // namespace edgejoule
