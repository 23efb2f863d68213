#pragma once
// Internal to meters/: the concrete meters and their discovery helpers.

#include <memory>
#include <string>
#include <vector>

#include "meters/sampled_meter.h"

namespace edgejoule {

extern const char* kRaplRootOnly;

struct RaplZone {
  std::string path;
  std::string id;      // intel-rapl:0, intel-rapl:0:1
  std::string name;    // package-0, core, uncore, dram, psys
  bool top_level = false;
  unsigned long long max_energy_range_uj = 0;
  bool readable = false;
  bool permission_denied = false;
  std::string error;
};
std::vector<RaplZone> find_rapl_zones(const std::string& sysfs_root);
std::unique_ptr<Meter> make_rapl_meter(const std::string& sysfs_root, const std::vector<std::string>& domains);

struct HwmonSensor {
  std::string chip;      // hwmon `name`, e.g. "ina3221"
  std::string label;     // label file, or the file stem
  std::string kind;      // "energy" (µJ counter), "power" (µW), "vi" (mV × mA pair)
  std::string path;      // energy*/power* file, or the in*_input file for "vi"
  std::string current_path;  // curr*_input for "vi"
  bool board_total = false;
  bool readable = false;
  std::string error;
  std::string id() const { return chip + ":" + label; }
};
std::vector<HwmonSensor> find_hwmon_sensors(const std::string& sysfs_root);
std::unique_ptr<Meter> make_hwmon_meter(const std::string& sysfs_root, const std::string& label);

std::unique_ptr<Meter> make_log_meter(const std::string& path);
std::unique_ptr<Meter> make_estimate_meter(const std::string& options, const std::string& sysfs_root);

// NVML: loaded with dlopen from $EDGEJOULE_NVML_LIBRARY or libnvidia-ml.so.1.
struct NvmlStatus {
  bool available = false;
  std::string why_unavailable;
  std::vector<std::string> devices;   // names
  std::string driver_version;
  bool energy_counter = false;        // nvmlDeviceGetTotalEnergyConsumption works on device 0
};
NvmlStatus probe_nvml();
std::unique_ptr<Meter> make_nvml_meter(int device_index, const std::string& mode);

}  // namespace edgejoule
