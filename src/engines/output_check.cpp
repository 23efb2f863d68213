#include "engines/output_check.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "common/error.h"
#include "common/strings.h"

namespace edgejoule {

double output_tolerance(const std::string& precision) {
  if (precision == "fp32") return 1e-4;
  if (precision == "fp16" || precision == "bf16") return 5e-2;
  if (precision == "int8") return 0.25;
  throw Error("unknown precision '" + precision + "': choose fp32, fp16, bf16 or int8");
}

OutputComparison compare_outputs(const std::vector<float>& reference, const std::vector<float>& other,
                                 int64_t batch, int64_t width, const std::string& precision) {
  if (batch <= 0 || width <= 0 || static_cast<int64_t>(reference.size()) != batch * width ||
      other.size() != reference.size()) {
    throw Error("internal: outputs of different sizes compared", exit_code::kFailure);
  }
  OutputComparison c;
  c.tolerance = output_tolerance(precision);
  double scale = 0;
  for (float v : reference) scale = std::max(scale, std::fabs(static_cast<double>(v)));
  int64_t same_top1 = 0;
  for (int64_t s = 0; s < batch; ++s) {
    const float* a = reference.data() + s * width;
    const float* b = other.data() + s * width;
    for (int64_t j = 0; j < width; ++j) {
      c.max_abs_diff = std::max(c.max_abs_diff, std::fabs(static_cast<double>(a[j]) - b[j]));
    }
    if (std::max_element(a, a + width) - a == std::max_element(b, b + width) - b) ++same_top1;
  }
  c.max_rel_diff = scale > 0 ? c.max_abs_diff / scale : (c.max_abs_diff > 0 ? INFINITY : 0.0);
  c.top1_agreement = static_cast<double>(same_top1) / static_cast<double>(batch);
  return c;
}

OutputComparison compare_engines(Engine& reference, Engine& other, const std::vector<int64_t>& shape,
                                 const std::string& precision) {
  int64_t count = 1;
  for (auto d : shape) count *= d;
  std::vector<float> input(static_cast<size_t>(count));
  std::mt19937 rng(20210628);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  for (auto& v : input) v = uniform(rng);
  int64_t width_a = 0, width_b = 0;
  const auto a = reference.infer(input, shape, &width_a);
  const auto b = other.infer(input, shape, &width_b);
  if (width_a != width_b) {
    throw Error("the engines' outputs differ in width (" + reference.name() + " " + std::to_string(width_a) +
                ", " + other.name() + " " + std::to_string(width_b) + ") for input " + format_shape(shape));
  }
  return compare_outputs(a, b, shape.front(), width_a, precision);
}

}  // namespace edgejoule
