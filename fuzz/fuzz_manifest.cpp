// zoo.json: any bytes give models or an Error naming the file, never a crash.
#include <cstdint>
#include <string>

#include "common/error.h"
#include "zoo/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    for (const auto& m : edgejoule::parse_manifest(text, "/zoo", "torchscript", "/zoo/zoo.json")) {
      if (m.name.empty() && m.path.empty()) __builtin_trap();
    }
  } catch (const edgejoule::Error&) {
  }
  return 0;
}
