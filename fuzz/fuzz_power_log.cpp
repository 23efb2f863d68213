// An external meter's power log: any bytes give energy readings or an Error, never a crash.
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <string>

#include "common/error.h"
#include "meters/meter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/edgejoule-fuzz-log-" + std::to_string(getpid()) + ".csv";
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    auto meter = edgejoule::make_meter("log:" + path, "/", "cpu");
    meter->start();
    const auto r = meter->energy_between(1.6e9, 2.0e9, 0);
    if (r.valid && !std::isfinite(r.energy_j)) __builtin_trap();
    meter->stop();
  } catch (const edgejoule::Error&) {
  }
  return 0;
}
