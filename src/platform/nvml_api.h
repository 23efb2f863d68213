#pragma once
// Internal: NVML through dlopen (as nvtop does): no SDK header, only the few types and functions
// used, newest symbol versions first, optional symbols allowed to be missing. Shared by the NVML
// meter (read-only) and the platform state and knobs (platform/).

#include <dlfcn.h>

#include <cstdlib>
#include <string>

#include <fmt/format.h>

namespace edgejoule {

using nvmlReturn_t = int;
using nvmlDevice_t = struct nvmlDevice_st*;
constexpr nvmlReturn_t kNvmlSuccess = 0;

// The function table, owned by whoever loaded it (never global).
struct NvmlApi {
  void* handle = nullptr;
  nvmlReturn_t (*init)() = nullptr;
  nvmlReturn_t (*shutdown)() = nullptr;
  nvmlReturn_t (*device_count)(unsigned int*) = nullptr;
  nvmlReturn_t (*device_by_index)(unsigned int, nvmlDevice_t*) = nullptr;
  nvmlReturn_t (*device_name)(nvmlDevice_t, char*, unsigned int) = nullptr;
  nvmlReturn_t (*total_energy_mj)(nvmlDevice_t, unsigned long long*) = nullptr;  // Volta+
  nvmlReturn_t (*power_mw)(nvmlDevice_t, unsigned int*) = nullptr;
  nvmlReturn_t (*driver_version)(char*, unsigned int) = nullptr;
  const char* (*error_string)(nvmlReturn_t) = nullptr;
  // Power state (optional: read when present) and the platform knobs (only with
  // --allow-platform-changes; see platform/knobs.h).
  nvmlReturn_t (*power_limit_mw)(nvmlDevice_t, unsigned int*) = nullptr;
  nvmlReturn_t (*default_power_limit_mw)(nvmlDevice_t, unsigned int*) = nullptr;
  nvmlReturn_t (*power_limit_constraints_mw)(nvmlDevice_t, unsigned int*, unsigned int*) = nullptr;
  nvmlReturn_t (*clock_mhz)(nvmlDevice_t, int, unsigned int*) = nullptr;  // type: 0 graphics, 1 SM, 2 memory
  nvmlReturn_t (*performance_state)(nvmlDevice_t, int*) = nullptr;
  nvmlReturn_t (*set_power_limit_mw)(nvmlDevice_t, unsigned int) = nullptr;
  nvmlReturn_t (*set_locked_clocks_mhz)(nvmlDevice_t, unsigned int, unsigned int) = nullptr;
  nvmlReturn_t (*reset_locked_clocks)(nvmlDevice_t) = nullptr;
  bool initialised = false;

  NvmlApi() = default;
  NvmlApi(const NvmlApi&) = delete;
  NvmlApi& operator=(const NvmlApi&) = delete;
  ~NvmlApi() {
    if (initialised && shutdown) shutdown();
    if (handle) dlclose(handle);
  }

  std::string error(nvmlReturn_t rc) const {
    return error_string ? error_string(rc) : fmt::format("NVML error {}", rc);
  }

  // Returns an empty string on success, else why NVML is unavailable.
  std::string load() {
    const char* env = std::getenv("EDGEJOULE_NVML_LIBRARY");
    const std::string library = env && *env ? env : "libnvidia-ml.so.1";
    handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) return library + " not found (no NVIDIA driver on this machine)";
    auto sym = [&](const char* newest, const char* older) -> void* {
      void* p = dlsym(handle, newest);
      if (!p && older) p = dlsym(handle, older);
      return p;
    };
    init = reinterpret_cast<decltype(init)>(sym("nvmlInit_v2", "nvmlInit"));
    shutdown = reinterpret_cast<decltype(shutdown)>(sym("nvmlShutdown", nullptr));
    device_count = reinterpret_cast<decltype(device_count)>(sym("nvmlDeviceGetCount_v2", "nvmlDeviceGetCount"));
    device_by_index = reinterpret_cast<decltype(device_by_index)>(
        sym("nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByIndex"));
    device_name = reinterpret_cast<decltype(device_name)>(sym("nvmlDeviceGetName", nullptr));
    total_energy_mj = reinterpret_cast<decltype(total_energy_mj)>(sym("nvmlDeviceGetTotalEnergyConsumption", nullptr));
    power_mw = reinterpret_cast<decltype(power_mw)>(sym("nvmlDeviceGetPowerUsage", nullptr));
    driver_version = reinterpret_cast<decltype(driver_version)>(sym("nvmlSystemGetDriverVersion", nullptr));
    error_string = reinterpret_cast<decltype(error_string)>(sym("nvmlErrorString", nullptr));
    power_limit_mw = reinterpret_cast<decltype(power_limit_mw)>(sym("nvmlDeviceGetPowerManagementLimit", nullptr));
    default_power_limit_mw = reinterpret_cast<decltype(default_power_limit_mw)>(
        sym("nvmlDeviceGetPowerManagementDefaultLimit", nullptr));
    power_limit_constraints_mw = reinterpret_cast<decltype(power_limit_constraints_mw)>(
        sym("nvmlDeviceGetPowerManagementLimitConstraints", nullptr));
    clock_mhz = reinterpret_cast<decltype(clock_mhz)>(sym("nvmlDeviceGetClockInfo", nullptr));
    performance_state = reinterpret_cast<decltype(performance_state)>(sym("nvmlDeviceGetPerformanceState", nullptr));
    set_power_limit_mw = reinterpret_cast<decltype(set_power_limit_mw)>(
        sym("nvmlDeviceSetPowerManagementLimit", nullptr));
    set_locked_clocks_mhz = reinterpret_cast<decltype(set_locked_clocks_mhz)>(
        sym("nvmlDeviceSetGpuLockedClocks", nullptr));
    reset_locked_clocks = reinterpret_cast<decltype(reset_locked_clocks)>(
        sym("nvmlDeviceResetGpuLockedClocks", nullptr));
    if (!init || !device_count || !device_by_index || (!total_energy_mj && !power_mw)) {
      return library + " lacks the NVML functions edgejoule needs (driver too old?)";
    }
    const nvmlReturn_t rc = init();
    if (rc != kNvmlSuccess) return "nvmlInit failed: " + error(rc);
    initialised = true;
    return {};
  }
};

}  // namespace edgejoule
