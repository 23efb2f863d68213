// The meter factory, auto-selection and discovery for `edgejoule meters`.

#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "common/error.h"
#include "common/strings.h"
#include "meters/rapl.h"
#include "platform/sysfs.h"

namespace edgejoule {

namespace {

std::unique_ptr<Meter> make_auto_meter(const std::string& root, const std::string& device) {
  if (device == "cuda") {
    // NVML where it reads the GPU; where it cannot (no driver, or a Jetson whose NVML answers
    // NOT_SUPPORTED for power), the board's own sensor, which covers an integrated GPU, and never
    // the CPU's RAPL or the estimate, which would not.
    try {
      return make_nvml_meter(0, "");
    } catch (const Error&) {
      for (const auto& s : find_hwmon_sensors(root)) {
        if (s.readable && (s.board_total || s.jetson_rail)) return make_hwmon_meter(root, "");
      }
      throw;
    }
  }
  // RAPL where it can be read, then a hwmon sensor, then the estimate.
  const auto zones = find_rapl_zones(root);
  for (const auto& z : zones) {
    if (z.top_level && starts_with(z.name, "package") && z.readable) return make_rapl_meter(root, {});
  }
  // hwmon where it measures the board (a total rail, Jetson rails) or at least not only a GPU
  // card: a discrete GPU's sensor says nothing about a CPU run's energy.
  for (const auto& s : find_hwmon_sensors(root)) {
    if (s.readable && !is_gpu_card_sensor(s)) return make_hwmon_meter(root, "");
  }
  std::map<std::string, double> pmic;
  std::string why;
  if (read_pmic_rails(&pmic, &why)) return make_rpi_pmic_meter(pmic);
  return make_estimate_meter("", root);
}

}  // namespace

std::unique_ptr<Meter> make_meter(const std::string& spec, const std::string& root, const std::string& device) {
  const auto colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  const std::string rest = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if (kind == "auto" && rest.empty()) return make_auto_meter(root, device);
  if (kind == "rapl") {
    std::vector<std::string> domains;
    if (!rest.empty()) for (const auto& d : split(rest, ',')) domains.push_back(trim(d));
    return make_rapl_meter(root, domains);
  }
  if (kind == "hwmon") return make_hwmon_meter(root, rest);
  if (kind == "rpi-pmic" && rest.empty()) return make_rpi_pmic_meter();
  if (kind == "log") {
    if (rest.empty()) throw Error("--meter log needs a file: --meter log:/path/to/power.csv");
    return make_log_meter(rest);
  }
  if (kind == "estimate") return make_estimate_meter(rest, root);
  if (kind == "nvml") {
    int index = 0;
    std::string mode;
    if (!rest.empty()) {
      const auto parts = split(rest, ':');
      const auto i = parse_int(parts[0]);
      if (!i || *i < 0) throw Error("invalid --meter '" + spec + "': use nvml, nvml:N or nvml:N:power");
      index = static_cast<int>(*i);
      if (parts.size() > 1) mode = parts[1];
      if (parts.size() > 2 || (!mode.empty() && mode != "power" && mode != "energy")) {
        throw Error("invalid --meter '" + spec + "': use nvml, nvml:N or nvml:N:power");
      }
    }
    return make_nvml_meter(index, mode);
  }
  throw Error("unknown meter '" + spec +
              "': choose auto, nvml[:N[:power]], rapl[:DOMAINS], hwmon[:LABEL|sum], rpi-pmic, log:FILE or estimate");
}

std::vector<MeterSource> list_meter_sources(const std::string& root) {
  std::vector<MeterSource> out;

  const NvmlStatus nvml = probe_nvml();
  if (nvml.available) {
    for (size_t i = 0; i < nvml.devices.size(); ++i) {
      const bool counter = i == 0 ? nvml.energy_counter : true;
      out.push_back({fmt::format("nvml:{}", i), true,
                     fmt::format("GPU {} ({}), driver {}, {}", i, nvml.devices[i], nvml.driver_version,
                                 counter ? "total-energy counter" : "power samples"),
                     "", fmt::format("nvml:{}", i)});
    }
  } else {
    out.push_back({"nvml", false, "NVIDIA GPUs", nvml.why_unavailable, "nvml"});
  }

  const auto zones = find_rapl_zones(root);
  if (zones.empty()) {
    out.push_back({"rapl", false, "CPU package / core / dram energy (Intel, recent AMD)",
                   "no RAPL zones under " + under_root(root, "/sys/class/powercap") +
                       " (not an Intel/AMD host with powercap, or a VM that hides it)",
                   "rapl"});
  }
  for (const auto& z : zones) {
    MeterSource s;
    s.name = "rapl:" + z.name;
    s.available = z.readable;
    s.covers = z.name + (z.top_level ? "" : " (inside its package)");
    s.spec = "rapl:" + z.name;
    if (!z.readable) s.why_unavailable = z.permission_denied ? kRaplRootOnly : z.path + "/energy_uj: " + z.error;
    out.push_back(std::move(s));
  }

  const auto sensors = find_hwmon_sensors(root);
  if (sensors.empty()) {
    out.push_back({"hwmon", false, "board / rail power sensors (Jetson INA3221, many boards)",
                   "no power*_input, energy*_input or in*/curr*_input pairs under " +
                       under_root(root, "/sys/class/hwmon"),
                   "hwmon"});
  }
  for (const auto& sensor : sensors) {
    MeterSource s;
    s.name = "hwmon:" + sensor.id();
    s.available = sensor.readable;
    s.covers = (sensor.board_total ? "board total" : "rail") + std::string(", ") +
               (sensor.kind == "energy" ? "energy counter"
                : sensor.kind == "power" ? "power"
                : sensor.kind == "iio"   ? "power (L4T 32 ina3221x, mW)"
                                         : "voltage x current");
    s.spec = "hwmon:" + sensor.label;
    if (!sensor.readable) s.why_unavailable = sensor.path + ": " + sensor.error;
    out.push_back(std::move(s));
  }
  // A Jetson whose total is a sum of rails (TX2's two inputs; AGX Orin, AGX Xavier).
  if (const auto sum = jetson_rails_to_sum(sensors); !sum.rails.empty()) {
    bool readable = true;
    for (const auto& r : sum.rails) readable = readable && r.readable;
    out.push_back({"hwmon:sum", readable, sum.covers, readable ? "" : "one of the rails is unreadable (listed above)",
                   "hwmon:sum"});
  }

  {
    std::map<std::string, double> rails;
    std::string why;
    const bool pmic = read_pmic_rails(&rails, &why);
    std::vector<std::string> names;
    for (const auto& [rail, w] : rails) names.push_back(rail);
    out.push_back({"rpi-pmic", pmic,
                   pmic ? "sum of the Raspberry Pi 5 PMIC's rails (" + join(names, ", ") +
                              "); not the board's input power: USB peripherals and conversion losses left out"
                        : "Raspberry Pi 5 PMIC rails (vcgencmd pmic_read_adc)",
                   pmic ? "" : why, "rpi-pmic"});
  }
  out.push_back({"log", false, "an external power meter's CSV log (timestamp_s,power_w)",
                 "not discoverable: pass --meter log:FILE", "log:FILE"});
  out.push_back({"estimate", true, make_estimate_meter("", root)->info().covers, "", "estimate"});
  return out;
}

double measure_update_period_s(Meter& meter, int changes, double timeout_s) {
  const int start = meter.update_count();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (meter.update_count() - start < changes && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return meter.measured_update_period_s();
}

}  // namespace edgejoule
