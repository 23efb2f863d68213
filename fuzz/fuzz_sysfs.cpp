// sysfs values (energy counters, power, frequencies) and platform settings: any text gives a
// value or a reason, never a crash.
#include <cstdint>
#include <string>

#include "common/error.h"
#include "platform/sysfs.h"
#include "platform/knobs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto v = edgejoule::parse_sysfs_u64(text);
  if (v.value.has_value() == !v.error.empty()) __builtin_trap();  // exactly one of value and reason
  try {
    edgejoule::parse_platform_setting(text);
  } catch (const edgejoule::Error&) {
  }
  edgejoule::PlatformKnobLists lists;
  lists.cpu_max_freq_khz = {text};
  lists.cpu_governor = {text};
  try {
    for (const auto& setting : edgejoule::platform_settings(lists)) {
      edgejoule::parse_platform_setting(setting);
    }
  } catch (const edgejoule::Error&) {
  }
  return 0;
}
