// ONNX input shapes: any bytes give a shape or nothing, never a crash or a read out of bounds.
#include <cstdint>
#include <string>

#include "engines/onnx_info.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto shape = edgejoule::onnx_input_shape_of(std::string(reinterpret_cast<const char*>(data), size));
  if (shape) (void)edgejoule::shape_fits(*shape, *shape);
  return 0;
}
