#pragma once
// Where a figure came from, as the store and the outputs write it ("measured:rapl:package-0",
// "estimated:cpu-time", "predicted:ridge", "declared:torchvision-0.14.1:...",
// "measured:fmnist:test:10000"): the text keeps the detail, these enums the kind, read in one
// place instead of by string prefixes wherever a kind matters.

#include <string>

namespace edgejoule {

// kDerived: computed from another figure by a stated rule, e.g. the energy at an arrival rate
// from a back-to-back point and the idle power ("derived:rate:<the figure it came from>").
enum class EnergyProvenance { kNone, kMeasured, kEstimated, kPredicted, kDerived };
enum class AccuracyProvenance { kNone, kMeasured, kDeclared };

EnergyProvenance energy_provenance_of(const std::string& text);
AccuracyProvenance accuracy_provenance_of(const std::string& text);
const char* to_string(EnergyProvenance kind);    // "measured", "estimated", "predicted", "derived", ""
const char* to_string(AccuracyProvenance kind);  // "measured", "declared", ""

}  // namespace edgejoule
