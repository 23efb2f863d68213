#pragma once
// Do two engines (or two precisions of one) compute the same function? Both run the same
// deterministic input; the outputs are compared element-wise and by top-1 class.

#include <cstdint>
#include <string>
#include <vector>

#include "engines/engine.h"

namespace edgejoule {

struct OutputComparison {
  double max_abs_diff = 0;
  double max_rel_diff = 0;      // max |a - b| / max |reference|: relative to the output's scale
  double top1_agreement = 0;    // fraction of samples whose arg-max class is the same
  double tolerance = 0;         // the documented relative tolerance for the precision compared
  bool agrees() const { return max_rel_diff <= tolerance && top1_agreement >= 1.0; }
};

// The relative tolerance documented for outputs of `precision` against an fp32 reference
// (docs/engines.md): fp32 1e-4, bf16 / fp16 5e-2, int8 0.25 (dynamic quantisation of weights).
double output_tolerance(const std::string& precision);

// Compares two flat [batch x width] outputs; `reference` sets the scale.
OutputComparison compare_outputs(const std::vector<float>& reference, const std::vector<float>& other,
                                 int64_t batch, int64_t width, const std::string& precision);

// Runs `reference` and `other` (both loaded) on the same deterministic input of `shape` and
// compares. Throws Error when either rejects the input or the output widths differ.
OutputComparison compare_engines(Engine& reference, Engine& other, const std::vector<int64_t>& shape,
                                 const std::string& precision);

}  // namespace edgejoule
