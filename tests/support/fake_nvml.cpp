// A stand-in for libnvidia-ml.so.1 exporting the symbols edgejoule's NVML meter looks up.
// Behaviour from the environment:
//   FAKE_NVML_POWER_MW   constant power draw (default 100000 = 100 W)
//   FAKE_NVML_STEP_MS    the energy counter advances in steps this far apart (default 100)
//   FAKE_NVML_NO_ENERGY  when set, nvmlDeviceGetTotalEnergyConsumption is "not supported"
//   FAKE_NVML_DEVICES    device count (default 1)
//   FAKE_NVML_NO_POWER   when set, nvmlDeviceGetPowerUsage is "not supported" too (Jetson Orin
//                        under JetPack 6 and 7)
//   FAKE_NVML_NAME       the device's name (default "Fake GPU 9000")

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

using Clock = std::chrono::steady_clock;
Clock::time_point g_start;
struct FakeDevice {};
FakeDevice g_devices[8];

long env_long(const char* name, long fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtol(v, nullptr, 10) : fallback;
}

}  // namespace

extern "C" {

int nvmlInit_v2() {
  g_start = Clock::now();
  return 0;
}
int nvmlShutdown() { return 0; }
int nvmlDeviceGetCount_v2(unsigned int* count) {
  *count = static_cast<unsigned int>(env_long("FAKE_NVML_DEVICES", 1));
  return 0;
}
int nvmlDeviceGetHandleByIndex_v2(unsigned int index, void** device) {
  if (index >= static_cast<unsigned int>(env_long("FAKE_NVML_DEVICES", 1))) return 2;  // INVALID_ARGUMENT
  *device = &g_devices[index];
  return 0;
}
int nvmlDeviceGetName(void*, char* name, unsigned int length) {
  const char* fake = std::getenv("FAKE_NVML_NAME");
  std::strncpy(name, fake && *fake ? fake : "Fake GPU 9000", length);
  return 0;
}
int nvmlDeviceGetTotalEnergyConsumption(void*, unsigned long long* energy_mj) {
  if (std::getenv("FAKE_NVML_NO_ENERGY")) return 3;  // NOT_SUPPORTED
  const long step_ms = env_long("FAKE_NVML_STEP_MS", 100);
  const auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - g_start).count();
  const long long stepped_ms = (elapsed_ms / step_ms) * step_ms;
  // Starts far from zero, as a real counter (energy since the driver loaded) does.
  *energy_mj = 123456789ULL + static_cast<unsigned long long>(env_long("FAKE_NVML_POWER_MW", 100000) * stepped_ms / 1000);
  return 0;
}
int nvmlDeviceGetPowerUsage(void*, unsigned int* power_mw) {
  if (std::getenv("FAKE_NVML_NO_POWER")) return 3;  // NOT_SUPPORTED
  *power_mw = static_cast<unsigned int>(env_long("FAKE_NVML_POWER_MW", 100000));
  return 0;
}
int nvmlSystemGetDriverVersion(char* version, unsigned int length) {
  std::strncpy(version, "999.99", length);
  return 0;
}
const char* nvmlErrorString(int rc) {
  return rc == 2 ? "Invalid Argument" : rc == 3 ? "Not Supported" : rc == 4 ? "Insufficient Permissions" : "Unknown Error";
}

}  // extern "C"

// Power state and knobs, kept in the file $FAKE_NVML_STATE (so a restarted process sees what a
// killed one set): "power_limit_mw locked_min_mhz locked_max_mhz". FAKE_NVML_NO_PERMISSION makes
// every setter fail as an unprivileged caller's would.
namespace {
struct FakeState {
  unsigned long limit_mw = 300000, locked_min = 0, locked_max = 0;
};
FakeState load_state() {
  FakeState s;
  if (const char* path = std::getenv("FAKE_NVML_STATE")) {
    if (FILE* f = std::fopen(path, "r")) {
      if (std::fscanf(f, "%lu %lu %lu", &s.limit_mw, &s.locked_min, &s.locked_max) != 3) s = FakeState{};
      std::fclose(f);
    }
  }
  return s;
}
int save_state(const FakeState& s) {
  if (std::getenv("FAKE_NVML_NO_PERMISSION")) return 4;  // NVML_ERROR_NO_PERMISSION
  if (const char* path = std::getenv("FAKE_NVML_STATE")) {
    if (FILE* f = std::fopen(path, "w")) {
      std::fprintf(f, "%lu %lu %lu\n", s.limit_mw, s.locked_min, s.locked_max);
      std::fclose(f);
    }
  }
  return 0;
}
}  // namespace

extern "C" {
int nvmlDeviceGetPowerManagementLimit(void*, unsigned int* mw) {
  *mw = static_cast<unsigned int>(load_state().limit_mw);
  return 0;
}
int nvmlDeviceGetPowerManagementDefaultLimit(void*, unsigned int* mw) {
  *mw = 300000;
  return 0;
}
int nvmlDeviceGetPowerManagementLimitConstraints(void*, unsigned int* min_mw, unsigned int* max_mw) {
  *min_mw = 100000;
  *max_mw = 400000;
  return 0;
}
int nvmlDeviceGetClockInfo(void*, int type, unsigned int* mhz) {
  const FakeState s = load_state();
  *mhz = type == 2 ? 2619 : static_cast<unsigned int>(s.locked_max ? s.locked_max : 1980);
  return 0;
}
int nvmlDeviceGetPerformanceState(void*, int* pstate) {
  *pstate = 0;
  return 0;
}
int nvmlDeviceSetPowerManagementLimit(void*, unsigned int mw) {
  if (mw < 100000 || mw > 400000) return 2;  // INVALID_ARGUMENT
  FakeState s = load_state();
  s.limit_mw = mw;
  return save_state(s);
}
int nvmlDeviceSetGpuLockedClocks(void*, unsigned int min_mhz, unsigned int max_mhz) {
  FakeState s = load_state();
  s.locked_min = min_mhz;
  s.locked_max = max_mhz;
  return save_state(s);
}
int nvmlDeviceResetGpuLockedClocks(void*) {
  FakeState s = load_state();
  s.locked_min = s.locked_max = 0;
  return save_state(s);
}
}  // extern "C"
