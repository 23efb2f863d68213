// A stand-in for libnvidia-ml.so.1 exporting the symbols edgejoule's NVML meter looks up.
// Behaviour from the environment:
//   FAKE_NVML_POWER_MW   constant power draw (default 100000 = 100 W)
//   FAKE_NVML_STEP_MS    the energy counter advances in steps this far apart (default 100)
//   FAKE_NVML_NO_ENERGY  when set, nvmlDeviceGetTotalEnergyConsumption is "not supported"
//   FAKE_NVML_DEVICES    device count (default 1)

#include <chrono>
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
  std::strncpy(name, "Fake GPU 9000", length);
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
  *power_mw = static_cast<unsigned int>(env_long("FAKE_NVML_POWER_MW", 100000));
  return 0;
}
int nvmlSystemGetDriverVersion(char* version, unsigned int length) {
  std::strncpy(version, "999.99", length);
  return 0;
}
const char* nvmlErrorString(int rc) { return rc == 3 ? "Not Supported" : "Unknown Error"; }

}  // extern "C"
