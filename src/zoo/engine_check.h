#pragma once
// After an export, the zoo build asks each built-in engine the registry marks for it whether it
// can run each model's file (load + one call at batch 1) and whether its output matches the
// reference engine's on the same input. The answer is written into zoo.json ("engines") and shown by 'zoo list'.

#include <optional>
#include <string>
#include <vector>

#include "core/records.h"
#include "engines/output_check.h"

namespace edgejoule {

struct EngineCheckSummary {
  int checked = 0;    // newly checked
  int cached = 0;     // same file and engine version as last time
  int runs = 0;       // of all entries with the engine's file
  int cannot = 0;
};

struct EngineDescriptor;

// The built-in engines the registry marks zoo_check, for `names` (comma-separated), "all" or
// "none"; throws Error (exit 2) naming an unknown engine, one not built in, or the reference.
std::vector<const EngineDescriptor*> zoo_check_engines(const std::string& names);
// Checks every entry of `zoo_dir`/zoo.json that has the engine's file with each of `engines`,
// `threads` intra-op threads; rewrites zoo.json atomically after each model. Prints one line per
// model to stderr unless `quiet`. Summed over the engines.
EngineCheckSummary check_zoo_engines(const std::string& zoo_dir, const std::vector<const EngineDescriptor*>& engines,
                                     int threads, bool quiet);
// The same for one engine.
EngineCheckSummary check_zoo_engine(const std::string& zoo_dir, const EngineDescriptor& engine, int threads,
                                    bool quiet);

// --check-outputs: each model in every (engine, precision) but the reference (the registry's
// reference engine at fp32 on the CPU) runs the same input as the reference, batch 1.
struct OutputCheck {
  std::string model, engine, precision;
  std::string verdict;  // "agrees", "DISAGREES", "unsupported: ...", "failed: ...", "no ... file to compare with"
  std::optional<OutputComparison> comparison;
};
// Throws Error when this build lacks the reference engine.
std::vector<OutputCheck> check_model_outputs(const std::vector<ModelInfo>& models, const std::vector<std::string>& engines,
                                             const std::vector<std::string>& precisions, const std::string& device);

}  // namespace edgejoule
