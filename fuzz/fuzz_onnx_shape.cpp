// ONNX input shapes and operator counts: any bytes give a shape (a count) or nothing, never a
// crash or a read out of bounds.
#include <cstdint>
#include <string>

#include "engines/onnx_info.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const auto shape = edgejoule::onnx_input_shape_of(bytes);
  if (shape) (void)edgejoule::shape_fits(*shape, *shape);
  (void)edgejoule::onnx_op_count_of(bytes, "QuantizeLinear");
  return 0;
}
