#include "core/provenance.h"

namespace edgejoule {
namespace {
bool starts(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }
}  // namespace

EnergyProvenance energy_provenance_of(const std::string& text) {
  if (starts(text, "measured:")) return EnergyProvenance::kMeasured;
  if (starts(text, "estimated:")) return EnergyProvenance::kEstimated;
  if (starts(text, "predicted:")) return EnergyProvenance::kPredicted;
  if (starts(text, "derived:")) return EnergyProvenance::kDerived;
  return EnergyProvenance::kNone;
}

AccuracyProvenance accuracy_provenance_of(const std::string& text) {
  if (starts(text, "measured:")) return AccuracyProvenance::kMeasured;
  if (starts(text, "declared:")) return AccuracyProvenance::kDeclared;
  return AccuracyProvenance::kNone;
}

const char* to_string(EnergyProvenance kind) {
  switch (kind) {
    case EnergyProvenance::kMeasured: return "measured";
    case EnergyProvenance::kEstimated: return "estimated";
    case EnergyProvenance::kPredicted: return "predicted";
    case EnergyProvenance::kDerived: return "derived";
    case EnergyProvenance::kNone: break;
  }
  return "";
}

const char* to_string(AccuracyProvenance kind) {
  switch (kind) {
    case AccuracyProvenance::kMeasured: return "measured";
    case AccuracyProvenance::kDeclared: return "declared";
    case AccuracyProvenance::kNone: break;
  }
  return "";
}

}  // namespace edgejoule
