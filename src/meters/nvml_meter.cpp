// The NVML energy meter (the function table is in nvml_api.h). Read-only: a meter never
// changes clocks, power limits or persistence.

#include <dlfcn.h>

#include <cstdlib>

#include <fmt/format.h>

#include "common/error.h"
#include "platform/nvml_api.h"
#include "meters/rapl.h"

namespace edgejoule {
namespace {

constexpr nvmlReturn_t kNvmlNotSupported = 3;

// A GPU whose NVML initialises but reads neither power nor energy: Jetson Orin's integrated GPU
// under JetPack 6 and 7 answers NOT_SUPPORTED to both (its power is on the board's INA3221 rails).
// Returns why, or "" when the device has a reading.
std::string no_power_reading(const NvmlApi& api, nvmlDevice_t device, int index, const std::string& name,
                             bool counter) {
  if (counter) return {};
  unsigned int mw = 0;
  const nvmlReturn_t rc = api.power_mw ? api.power_mw(device, &mw) : kNvmlNotSupported;
  if (rc == kNvmlSuccess) return {};
  return fmt::format("NVML device {} ({}) answers {} for both power and energy{}", index, name, api.error(rc),
                     rc == kNvmlNotSupported ? " (a Jetson's integrated GPU does: its power is on the board's rails, "
                                               "--meter hwmon)"
                                             : "");
}

class NvmlMeter final : public SampledMeter {
 public:
  NvmlMeter(int index, std::string mode)
      : SampledMeter(std::chrono::milliseconds(10)), index_(index), mode_(std::move(mode)) {
    const std::string why = api_.load();
    if (!why.empty()) throw Error("NVML is unavailable: " + why + "; use another --meter");
    unsigned int count = 0;
    api_.device_count(&count);
    if (index_ < 0 || static_cast<unsigned int>(index_) >= count) {
      throw Error(fmt::format("NVML device {} does not exist (this machine has {})", index_, count));
    }
    nvmlReturn_t rc = api_.device_by_index(static_cast<unsigned int>(index_), &device_);
    if (rc != kNvmlSuccess) throw Error("NVML cannot open device " + std::to_string(index_) + ": " + api_.error(rc));
    char name[96] = {};
    if (api_.device_name) api_.device_name(device_, name, sizeof(name));
    name_ = name;
    unsigned long long mj = 0;
    const bool counter = api_.total_energy_mj && api_.total_energy_mj(device_, &mj) == kNvmlSuccess;
    if (const std::string why = no_power_reading(api_, device_, index_, name_, counter); !why.empty()) {
      throw Error("NVML is unavailable: " + why + "; use another --meter");
    }
    if (mode_.empty()) mode_ = counter ? "energy" : "power";
    if (mode_ == "energy" && !counter) {
      throw Error("NVML device " + std::to_string(index_) + " (" + name_ +
                  ") has no total-energy counter (Volta or newer needed): use --meter nvml:" +
                  std::to_string(index_) + ":power");
    }
    if (mode_ == "power" && !api_.power_mw) throw Error("this NVML has no nvmlDeviceGetPowerUsage");
  }
  ~NvmlMeter() override { stop(); }

  MeterInfo info() const override {
    MeterInfo m;
    m.name = fmt::format("nvml:{}{}", index_, mode_ == "power" ? ":power" : "");
    m.provenance = "measured:" + m.name;
    m.covers = fmt::format("GPU {} ({}), {}", index_, name_,
                           mode_ == "energy" ? "total-energy counter" : "power samples integrated by edgejoule");
    m.update_period_s = 0.1;  // seen on an H200: the counter steps about every 100 ms
    return m;
  }

 protected:
  void open() override {}

  void poll() override {
    const double now = unix_now_s();
    if (mode_ == "energy") {
      unsigned long long mj = 0;
      if (api_.total_energy_mj(device_, &mj) != kNvmlSuccess) return;
      if (!have_last_) {
        first_mj_ = mj;
        last_mj_ = mj;
        have_last_ = true;
        add_point(now, 0);
        return;
      }
      if (mj == last_mj_) {
        note_polled(now);
        return;
      }
      last_mj_ = mj;
      note_change(now);
      add_point(now, static_cast<double>(mj - first_mj_) / 1e3);
      return;
    }
    unsigned int mw = 0;
    if (api_.power_mw(device_, &mw) != kNvmlSuccess) return;
    const double w = mw / 1e3;
    if (have_last_ && w != last_w_) note_change(now);
    if (have_last_) total_j_ += 0.5 * (w + last_w_) * (now - last_t_s_);
    have_last_ = true;
    last_w_ = w;
    last_t_s_ = now;
    add_point(now, total_j_);
  }

 private:
  NvmlApi api_;
  nvmlDevice_t device_ = nullptr;
  int index_;
  std::string mode_;
  std::string name_;
  bool have_last_ = false;
  unsigned long long first_mj_ = 0;
  unsigned long long last_mj_ = 0;
  double total_j_ = 0;
  double last_w_ = 0;
  double last_t_s_ = 0;
};

}  // namespace

NvmlStatus probe_nvml() {
  NvmlStatus status;
  NvmlApi api;
  status.why_unavailable = api.load();
  if (!status.why_unavailable.empty()) return status;
  unsigned int count = 0;
  if (api.device_count(&count) != kNvmlSuccess || count == 0) {
    status.why_unavailable = "NVML found no NVIDIA GPU";
    return status;
  }
  for (unsigned int i = 0; i < count; ++i) {
    nvmlDevice_t device = nullptr;
    char name[96] = {};
    if (api.device_by_index(i, &device) == kNvmlSuccess && api.device_name) api.device_name(device, name, sizeof(name));
    status.devices.emplace_back(name);
    if (i == 0) {
      unsigned long long mj = 0;
      status.energy_counter = api.total_energy_mj && api.total_energy_mj(device, &mj) == kNvmlSuccess;
      if (std::string why = no_power_reading(api, device, 0, name, status.energy_counter); !why.empty()) {
        status.why_unavailable = std::move(why);
        return status;
      }
    }
  }
  char version[96] = {};
  if (api.driver_version) api.driver_version(version, sizeof(version));
  status.driver_version = version;
  status.available = true;
  return status;
}

std::unique_ptr<Meter> make_nvml_meter(int device_index, const std::string& mode) {
  return std::make_unique<NvmlMeter>(device_index, mode);
}

}  // namespace edgejoule
