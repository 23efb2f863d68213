#pragma once
// Internal to meters/: the concrete meters and their discovery helpers.

#include <map>
#include <memory>
#include <optional>
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

// An on-board power monitor channel: hwmon (/sys/class/hwmon) or, on Jetson L4T 32, the
// ina3221x driver's IIO device (/sys/bus/i2c/devices/*/iio:device*).
struct HwmonSensor {
  std::string chip;      // hwmon `name` ("ina3221"), or "ina3221x" for the IIO driver
  std::string label;     // label file (rail name), or the file stem
  std::string kind;      // "energy" (µJ counter), "power" (µW), "vi" (mV × mA pair), "iio" (mW)
  std::string path;      // energy*/power*/in_power* file, or the in*_input file for "vi"
  std::string current_path;  // curr*_input for "vi"
  bool board_total = false;  // the rail that is the board's (module's) total input
  bool jetson_rail = false;  // a rail of the Jetson module's INA3221 monitors (may be summed)
  bool readable = false;
  std::string error;
  std::string id() const { return chip + ":" + label; }
};
// Every channel that reads power or energy; INA3221 shunt-voltage channels (in4-in7, the sum
// channels) and channels labelled "NC" (not connected) are not sensors.
std::vector<HwmonSensor> find_hwmon_sensors(const std::string& sysfs_root);
// `label`: a channel's label or id; "sum": jetson_rails_to_sum's rails; "": that sum where there
// is one, else the board-total rail, else an energy counter, else the first power reading.
std::unique_ptr<Meter> make_hwmon_meter(const std::string& sysfs_root, const std::string& label);
// A discrete GPU's own sensor (amdgpu, i915, xe, nouveau, radeon hwmon): never the CPU's or
// the board's energy.
bool is_gpu_card_sensor(const HwmonSensor& sensor);
// The Jetson rails whose sum stands for the board's total: TX1/TX2's module input VDD_IN plus
// the carrier board's VDD_MUX (parallel branches of the main supply); on modules without a total
// rail (AGX Orin, AGX Xavier) their rails, less one fed by another (AGX Orin's VDDQ_VDD2_1V8AO is
// supplied by VIN_SYS_5V0). Empty rails where a single rail is the total or there is no Jetson rail.
struct JetsonRailSum {
  std::vector<HwmonSensor> rails;
  std::string covers;  // what the sum stands for, in words
};
JetsonRailSum jetson_rails_to_sum(const std::vector<HwmonSensor>& sensors);

// Raspberry Pi 5's PMIC through `vcgencmd pmic_read_adc` ($EDGEJOULE_VCGENCMD overrides).
// parse_pmic_adc: rail -> V x I for the rails with both a current and a voltage line.
bool parse_pmic_adc(const std::string& output, std::map<std::string, double>* rail_watts);
bool read_pmic_rails(std::map<std::string, double>* rail_watts, std::string* why);
std::unique_ptr<Meter> make_rpi_pmic_meter();  // reads the rails, or throws Error saying why not
std::unique_ptr<Meter> make_rpi_pmic_meter(const std::map<std::string, double>& rails);  // rails just read

std::unique_ptr<Meter> make_log_meter(const std::string& path);
// The estimate's per-core power from the CPU (x86: /proc/cpuinfo's model name) or the module
// (Jetson: /proc/device-tree/model): rated power / cores, with where it comes from; none for a
// CPU not in the table (src/meters/cpu_power.cpp, docs/meters.md).
struct CpuPower {
  std::string part;   // "EPYC 7763"
  double core_w = 0;  // watts per fully busy core
  std::string basis;  // "EPYC 7763 280 W / 64 cores, AMD processor specifications (...)"
};
std::optional<CpuPower> cpu_power_for(const std::string& cpu_model, const std::string& board_model);
std::optional<CpuPower> cpu_power_of_machine(const std::string& sysfs_root);
// --meter estimate[:core_w=W,base_w=W]: core_w defaults to cpu_power_of_machine's figure, else 10 W.
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
