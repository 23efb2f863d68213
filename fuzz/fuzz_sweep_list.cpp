// Sweep-list, shape and number syntax: any text gives a list or an Error, never a crash.
#include <cstdint>
#include <string>

#include "common/error.h"
#include "common/strings.h"
#include "profiler/sweep.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const auto values = edgejoule::parse_int_list(text, "--batch");
    if (values.empty()) __builtin_trap();  // a parsed list is never empty
  } catch (const edgejoule::Error&) {
  }
  try {
    edgejoule::parse_name_list(text, "--device", {"cpu", "cuda"});
  } catch (const edgejoule::Error&) {
  }
  try {
    edgejoule::parse_shape(text, "--input-shape");
  } catch (const edgejoule::Error&) {
  }
  edgejoule::parse_double(text);
  edgejoule::parse_int(text);
  return 0;
}
