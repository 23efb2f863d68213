#pragma once
// After an export, the zoo build asks each built-in engine other than TorchScript whether it can
// run each model's file (load + one call at batch 1) and whether its output matches LibTorch's
// on the same input. The answer is written into zoo.json ("engines") and shown by 'zoo list'.

#include <string>

namespace edgejoule {

struct EngineCheckSummary {
  int checked = 0;    // newly checked
  int cached = 0;     // same file and engine version as last time
  int runs = 0;       // of all entries with the engine's file
  int cannot = 0;
};

// Checks every entry of `zoo_dir`/zoo.json that has an ONNX file with the opencv engine (when
// built in), `threads` intra-op threads; rewrites zoo.json atomically after each model. Prints
// one line per model to stderr unless `quiet`.
EngineCheckSummary check_zoo_engines(const std::string& zoo_dir, int threads, bool quiet);

}  // namespace edgejoule
