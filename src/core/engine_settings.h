#pragma once
// What an engine is asked for and what it applied (requested vs effective, as loadgen): stored
// with every point, so they sit with the other shared types.

#include <string>

#include "core/config_fields.h"

namespace edgejoule {

struct EngineOptions {
  std::string device = "cpu";      // cpu | cuda
  std::string precision = "fp32";  // fp32 | fp16 | bf16 | int8 (a quantised model file)
  int threads = 1;                 // intra-op threads; always set, never left to the library
  // The configuration fields (core/config_fields.h) by name; absent = the default. An engine
  // reads the ones it honours; the profiler refuses the others before loading.
  KnobValues knobs;
  std::string knob(const std::string& name) const { return knob_value(knobs, name); }
};

// What the engine actually did with the requested options (requested vs effective, as loadgen).
struct EffectiveSettings {
  std::string engine;            // the registry name: "torchscript", "opencv", "openvino", "onnxruntime"
  std::string engine_version;    // e.g. "libtorch 1.13.0"
  std::string device;            // effective device
  std::string device_name;       // e.g. CPU model or "NVIDIA H200"
  std::string precision;         // effective precision
  int threads = 0;               // effective intra-op threads
  std::string backend;           // the engine's backend/target where it has several ("OPENCV/CPU";
                                 // LibTorch int8: the quantised engine, "qengine=onednn")
  KnobValues knobs;              // the configuration fields as the engine applied them
  // Requests in flight (offline and server; 1 otherwise) and the intra-op threads each request
  // ran with, read back from the engine's library where it tells (0: not known).
  int requests = 1;
  int threads_per_request = 0;
  bool cuda_available = false;   // whether this build/machine can run --device cuda
};

}  // namespace edgejoule
